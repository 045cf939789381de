# The everyday habits (issue 11): list my jobs, read output, tab completion, help that reads like pwsh's own.
BeforeDiscovery {
    $script:hasSlurm = (Get-Command scontrol -ErrorAction Ignore) -and ((scontrol ping 2>$null) -match 'is UP')
}
BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
    $script:work = New-TestStateDirectory
    Push-Location $script:work
    function Complete([string]$line) { (TabExpansion2 $line $line.Length).CompletionMatches }
}
AfterAll { Pop-Location }

Describe 'Get-HpcJobStatus without ids lists my jobs' {
    It 'lists unfinished Local jobs and filters by -Name, -State and -Since' {
        $done = Submit-HpcJob -Command true -Name 'listme-done' | Wait-HpcJob -Timeout 30
        $a = Submit-HpcJob -Command sleep, 30 -Name 'listme-a'
        $b = Submit-HpcJob -Command sleep, 30 -Name 'listme-b'
        $mine = Get-HpcJobStatus
        $mine.JobId | Should -Contain $a.JobId
        $mine.JobId | Should -Contain $b.JobId
        $mine.JobId | Should -Not -Contain $done.JobId # finished jobs only with -Since or a finished -State
        (Get-HpcJobStatus -Name 'listme-?').JobId | Should -Be @($a.JobId, $b.JobId)
        (Get-HpcJobStatus -Name 'LISTME-A').JobId | Should -Be $a.JobId # case-insensitive, like squeue -n
        (Get-HpcJobStatus -Since (Get-Date).AddMinutes(-5) -Name 'listme*').JobId | Should -Contain $done.JobId
        (Get-HpcJobStatus -State Completed -Name 'listme*').JobId | Should -Be $done.JobId
        @(Get-HpcJobStatus -State Pending, Held -Name 'listme*' | Where-Object State -notin 'Pending', 'Held').Count | Should -Be 0
        Get-HpcJobStatus -Name 'listme-?' | Stop-HpcJob -Confirm:$false
        @(Get-HpcJobStatus -Name 'listme-?').Count | Should -Be 0
    }

    It 'lists my SLURM jobs with one squeue and composes with Stop-HpcJob' -Skip:(-not $script:hasSlurm -and $env:CI -ne 'true') {
        $jobs = 1..2 | ForEach-Object { Submit-HpcJob -Scheduler Slurm -Command sleep, 60 -Name "sweep-list-$_" }
        $array = Submit-HpcJob -Scheduler Slurm -Command sleep, 60 -Name 'sweep-list-arr' -ArrayRange '1-3'
        $listed = Get-HpcJobStatus -Scheduler Slurm -Name 'sweep-list-*'
        $listed.JobId | Should -Contain $jobs[0].JobId
        ($listed | Where-Object ArrayJobId -eq $array.JobId).ArrayTaskId | Should -Be @(1, 2, 3) # per task, as status does
        (Get-HpcJobStatus -Scheduler Slurm -User '*' -Name 'sweep-list-*').Count | Should -Be $listed.Count
        Get-HpcJobStatus -Scheduler Slurm -Name 'sweep-list-*' | Stop-HpcJob -Confirm:$false
        ($jobs + $array | Wait-HpcJob -Timeout 60).State | Select-Object -Unique | Should -Be 'Cancelled'
        $ended = Get-HpcJobStatus -Scheduler Slurm -Since (Get-Date).AddMinutes(-10) -Name 'sweep-list-*' -State Cancelled
        $ended.JobId | Should -Contain $jobs[0].JobId
        $ended.JobId | Should -Contain $jobs[1].JobId
    }
}

Describe 'Receive-HpcJob' {
    It 'returns the lines of a finished job, the last ones with -Tail, stderr with -Error' {
        $job = Submit-HpcJob -Command sh, -c, 'echo one; echo two; echo three; echo oops >&2' -ErrorPath 'err-%j.txt' | Wait-HpcJob -Timeout 30
        $job | Receive-HpcJob | Should -Be @('one', 'two', 'three')
        $job | Receive-HpcJob -Tail 2 | Should -Be @('two', 'three')
        $job | Receive-HpcJob -Error | Should -Be 'oops'
    }

    It 'follows a running job with -Wait: lines arrive before the job ends' {
        $job = Submit-HpcJob -Command sh, -c, 'echo first; sleep 3; echo second'
        $seen = [System.Collections.Generic.List[object]]::new()
        $job | Receive-HpcJob -Wait | ForEach-Object { $seen.Add([pscustomobject]@{ Line = $_; Running = ((Get-HpcJobStatus $job).State -eq 'Running') }) }
        $seen.Line | Should -Be @('first', 'second')
        $seen[0].Running | Should -BeTrue -Because 'the first line is read while the job still runs'
        (Get-HpcJobStatus $job).State | Should -Be 'Completed'
    }

    It 'waits for a pending job''s file to appear' {
        $blocker = Submit-HpcJob -Command sleep, 2
        $job = Submit-HpcJob -Command sh, -c, 'echo after' -DependsOn $blocker
        $job | Receive-HpcJob -Wait | Should -Be 'after'
    }

    It 'tags each line with its task when several jobs are read, and -Raw gives plain lines' {
        $array = Submit-HpcJob -Command sh, -c, 'echo task $HPCJOBS_ARRAY_TASK_ID' -ArrayRange '1-3'
        $array | Wait-HpcJob -Timeout 30 | Out-Null
        $lines = $array | Receive-HpcJob
        $lines.JobId | Should -Be @("$($array.JobId)_1", "$($array.JobId)_2", "$($array.JobId)_3")
        $lines.Line | Should -Be @('task 1', 'task 2', 'task 3')
        "$($lines[0])" | Should -Be 'task 1'
        $array | Receive-HpcJob -Raw | Should -Be @('task 1', 'task 2', 'task 3')
    }

    It 'says clearly when the output file is missing or not on this host' {
        $job = Submit-HpcJob -Command sh, -c, 'rm -f "$0"; echo gone' | Wait-HpcJob -Timeout 30
        Remove-Item $job.StdOutPath
        $job | Receive-HpcJob -ErrorVariable e -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $e[0].FullyQualifiedErrorId | Should -BeLike 'HpcOutputNotFound,*'
        $e[0].Exception.Message | Should -Match ([regex]::Escape($job.StdOutPath))
        $pending = Submit-HpcJob -Command true -DependsOn (Submit-HpcJob -Command sleep, 5)
        $pending | Receive-HpcJob -ErrorVariable e2 -ErrorAction SilentlyContinue
        $e2[0].Exception.Message | Should -Match 'is Pending.*Use -Wait'
        $pending | Stop-HpcJob -Confirm:$false
    }
}

Describe 'Tab completion' {
    It 'completes job ids with name and state in the tooltip' {
        $job = Submit-HpcJob -Command sleep, 30 -Name 'tab-me'
        Complete 'Stop-HpcJob ' | Out-Null
        Start-Sleep -Milliseconds 500
        $m = Complete 'Stop-HpcJob ' | Where-Object CompletionText -eq $job.JobId
        $m.ToolTip | Should -Match 'tab-me\s+(Running|Pending)'
        $job | Stop-HpcJob -Confirm:$false
    }

    It 'completes -Scheduler with the scheduler names (PowerShell completes enum parameters itself)' {
        (Complete 'Get-HpcScheduler -Scheduler ').CompletionText | Should -Be @('GridEngine', 'Local', 'Pbs', 'Slurm')
    }

    It 'completes sizes and walltimes instead of file names' {
        (Complete 'New-HpcResourceSpec -Memory 4').CompletionText | Should -Be '4GB'
        (Complete 'New-HpcResourceSpec -Walltime 1').CompletionText | Should -Contain '1h'
    }

    It 'completes SLURM partitions on Submit-HpcJob and New-HpcResourceSpec' -Skip:(-not $script:hasSlurm -and $env:CI -ne 'true') {
        Complete 'Submit-HpcJob -Command true -Scheduler Slurm -Partition ' | Out-Null
        Start-Sleep -Milliseconds 1000
        (Complete 'Submit-HpcJob -Command true -Scheduler Slurm -Partition ').CompletionText | Should -Contain 'debug'
        (Complete 'Submit-HpcJob -Command true -Scheduler Slurm -Partition de').CompletionText | Should -Be 'debug'
    }

    It 'says what each partition, QoS and account holds in the tooltip (the multi-node cluster)' -Skip:(-not $script:hasSlurm -and $env:CI -ne 'true') {
        function Settled([string]$line, [string]$want) {
            # the first Tab may be answered empty from the time box; the scheduler's answer fills the cache
            $deadline = (Get-Date).AddSeconds(20)
            do { $r = Complete $line; if ($r.CompletionText -contains $want) { return $r }; Start-Sleep -Milliseconds 300 } while ((Get-Date) -lt $deadline)
            $r
        }
        $partitions = Settled 'Submit-HpcJob -Command true -Scheduler Slurm -Partition ' gpu
        $gpu = ($partitions | Where-Object CompletionText -eq 'gpu').ToolTip
        $gpu | Should -Match '^gpu: up, timelimit infinite; '
        $gpu | Should -Match 'n1: 1 nodes, 2 CPUs/node, 2000 MB/node, GRES gpu:a100:2, features gpu,intel'
        $gpu | Should -Match 'n2: 1 nodes, 2 CPUs/node, 3000 MB/node, GRES gpu:a100:1, features gpu,amd'
        ($partitions | Where-Object CompletionText -eq 'multi').ToolTip | Should -Match 'n3: .*6000 MB/node, features bigmem,amd'
        $qos = Settled 'Submit-HpcJob -Command true -Scheduler Slurm -Qos ' high
        ($qos | Where-Object CompletionText -eq 'high').ToolTip | Should -Match 'priority 10; per job cpu=1'
        $accounts = Settled 'Submit-HpcJob -Command true -Scheduler Slurm -Account ' project123
        $accounts.CompletionText | Should -Contain 'project123'
        ($accounts | Where-Object CompletionText -eq 'project123').ToolTip | Should -Match 'may submit here'
    }

    It 'returns within the time box when the scheduler hangs, and answers from the cache later' {
        # a squeue that hangs: PATH puts a fake first in a fresh pwsh session
        $bin = New-Item -ItemType Directory -Force (Join-Path $script:work 'hangbin')
        foreach ($c in 'squeue', 'sinfo', 'sacctmgr') { Set-Content (Join-Path $bin $c) "#!/bin/sh`nsleep 5`nexec /usr/bin/$c `"`$@`""; chmod +x (Join-Path $bin $c) }
        $text = & $script:Pwsh -NoProfile -NonInteractive -Command @"
`$env:PATH = '$($bin):' + `$env:PATH; Import-Module '$script:ModuleManifest'
Get-HpcScheduler -Scheduler Slurm | Out-Null
`$sw = [Diagnostics.Stopwatch]::StartNew(); `$r = TabExpansion2 'Stop-HpcJob -Scheduler Slurm ' 29; `$sw.Stop()
"ms=`$([int]`$sw.Elapsed.TotalMilliseconds) count=`$(`$r.CompletionMatches.Count)"
"@
        "$text" | Should -Match 'ms=(\d+)'
        [int]([regex]::Match("$text", 'ms=(\d+)').Groups[1].Value) | Should -BeLessThan 2000 -Because 'the prompt never waits on a hanging scheduler (time box 250 ms; generous bound)'
    } -Skip:(-not $script:hasSlurm -and $env:CI -ne 'true')
}

Describe 'Help' {
    It 'has an about_HpcJobs topic covering the concepts' {
        $about = Get-Help about_HpcJobs | Out-String
        foreach ($topic in 'SCHEDULERS AND SELECTION', 'JOBINFO AND STATES', 'THE PIPELINE', 'ERRORS', 'THE LOCAL SCHEDULER', 'ENVIRONMENT VARIABLES') {
            $about | Should -Match $topic
        }
    }

    It '<Name> has INPUTS, OUTPUTS, readable SYNTAX and an example per parameter set' -ForEach @(Get-Command -Module HpcJobs | ForEach-Object { @{ Name = $_.Name } }) {
        $help = Get-Help $Name -Full
        @($help.inputTypes.inputType).Count | Should -BeGreaterThan 0
        @($help.returnValues.returnValue).Count | Should -BeGreaterThan 0
        $syntax = $help.syntax | Out-String -Width 300
        $syntax | Should -Not -Match 'Nullable'
        if ((Get-Command $Name).Parameters.ContainsKey('WhatIf')) { $syntax | Should -Match '\[-WhatIf\] \[-Confirm\]' }
        @($help.examples.example).Count | Should -BeGreaterOrEqual @((Get-Command $Name).ParameterSets).Count
    }
}

Describe 'Get-HpcScheduler -Detailed' {
    It 'reports the Local scheduler''s settings' {
        $d = Get-HpcScheduler -Scheduler Local -Detailed
        $d[1].Settings.Key | Should -Contain 'CPU slots'
        $d[1].Settings.Key | Should -Contain 'State folder'
        $d[1].Can([HpcJobs.Core.Contract.SchedulerCapabilities]::ListJobs) | Should -BeTrue
    }

    It 'reports SLURM''s accounting, MinJobAge, MaxArraySize, partitions and status path' -Skip:(-not $script:hasSlurm -and $env:CI -ne 'true') {
        $s = (Get-HpcScheduler -Scheduler Slurm -Detailed)[1].Settings
        foreach ($k in 'Accounting', 'MinJobAge', 'MaxArraySize', 'JobAcctGatherFrequency', 'Status path', 'Partition debug (vm)') { $s.Key | Should -Contain ($k -replace '\(vm\)', "($(hostname -s))") }
        ($s | Where-Object Key -eq 'Accounting').Value | Should -Match '^yes'
        # the multi-node part: one line per kind of node, with GPUs and features; QoS with limits; your accounts
        ($s | Where-Object Key -eq 'Partition gpu (n1)').Value | Should -Match 'GRES gpu:a100:2.*features gpu,intel'
        ($s | Where-Object Key -eq 'QoS high').Value | Should -Match 'per job cpu=1'
        $s.Key | Should -Contain 'Account project123'
    }

    It 'refuses an array beyond SLURM''s MaxArraySize, naming the limit' -Skip:(-not $script:hasSlurm -and $env:CI -ne 'true') {
        Submit-HpcJob -Scheduler Slurm -Command true -ArrayRange '0-5000' -ErrorVariable e -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $e[0].FullyQualifiedErrorId | Should -BeLike 'HpcInvalidArrayRange,*'
        $e[0].Exception.Message | Should -Match 'MaxArraySize is \d+'
    }
}

Describe 'First impressions: what the cmdlets print reads well at 80 and 120 columns' {
    BeforeAll {
        $script:done = Submit-HpcJob -Command sh, -c, 'echo hi' -Name impression -Resources (New-HpcResourceSpec -Walltime 1h -Memory 1GB) | Wait-HpcJob -Timeout 60
        # PowerShell wraps a list line at the width wherever it is, so a line of the full width was cut; a table may only
        # shorten its last column, marked with an ellipsis (Format-List shows the whole value)
        function Assert-Uncut($Objects, [int]$Width) {
            $lines = ($Objects | Out-String -Width $Width) -split "`n" | ForEach-Object TrimEnd
            $lines | Where-Object { $_.Length -ge $Width -and -not $_.EndsWith([char]0x2026) } | Should -BeNullOrEmpty -Because "at $Width columns"
            $lines
        }
    }

    It 'Get-HpcScheduler -Detailed shows settings and capabilities as wrapped lists, never a cut dictionary, at <Width>' -TestCases @(@{ Width = 80 }, @{ Width = 120 }) {
        $lines = Assert-Uncut (Get-HpcScheduler -Scheduler Local -Detailed) $Width
        ($lines -join "`n") | Should -Match '(?m)^Settings     : CPU slots: \d+ '
        ($lines -join "`n") | Should -Not -Match '\{\['
        ($lines -join "`n") | Should -Match '(?m)^Capabilities : Arrays, ArrayThrottle, '
        ($lines -join "`n") | Should -Match '(?m)^ +State folder: '
    }

    It 'a resource spec shows only what was asked for, memory in GB, at <Width>' -TestCases @(@{ Width = 80 }, @{ Width = 120 }) {
        $lines = Assert-Uncut (New-HpcResourceSpec -Cpus 4 -Memory 8GB -Walltime 2h) $Width
        ($lines -join "`n") | Should -Match '(?m)^Memory +: 8GB \(8589934592 bytes\)$'
        ($lines -join "`n") | Should -Not -Match '(?m)^(Nodes|Partition|Qos|Account) +:'
    }

    It 'jobs, their efficiency and its summary fit, with states counted in words, at <Width>' -TestCases @(@{ Width = 80 }, @{ Width = 120 }) {
        Assert-Uncut $script:done $Width | Out-Null
        Assert-Uncut ($script:done | Measure-HpcJob) $Width | Out-Null
        $lines = Assert-Uncut ($script:done | Measure-HpcJob -Summary) $Width
        ($lines -join "`n") | Should -Match '(?m)^States +: Completed 1$'
        ($lines -join "`n") | Should -Match '(?m)^CPU-hours +: [\d.]+ used of [\d.]+ allocated$'
    }
}
