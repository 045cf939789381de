# Script blocks as jobs (issue 27): Submit-HpcJob -ScriptBlock, Receive-HpcJob's objects and streams, Invoke-HpcCommand,
# on the Local scheduler, the SLURM cluster (a task on another node too), OpenPBS, Grid Engine, and over SSH (bash and tcsh logins).
BeforeDiscovery {
    $script:hasSlurm = (Get-Command scontrol -ErrorAction Ignore) -and ((scontrol ping 2>$null) -match 'is UP')
    $script:hasPbs = Test-Path /opt/pbs/bin/qstat
    $script:hasSshd = Test-Path /etc/hpcjobs-sshd/client_config
    $script:hasSge = Test-Path /var/lib/gridengine/default/common/act_qmaster
    $script:ci = $env:CI -eq 'true'
    # where each case runs: this machine's three schedulers, and a cluster over SSH under both login shells
    $script:targets = @(
        @{ Target = 'Local'; Scheduler = 'Local'; Remote = @{}; Skip = $false }
        @{ Target = 'SLURM'; Scheduler = 'Slurm'; Remote = @{}; Skip = -not $script:hasSlurm -and -not $script:ci }
        @{ Target = 'OpenPBS'; Scheduler = 'Pbs'; Remote = @{}; Skip = -not $script:hasPbs -and -not $script:ci }
        @{ Target = 'Grid Engine'; Scheduler = 'GridEngine'; Remote = @{}; Skip = -not $script:hasSge -and -not $script:ci }
        @{ Target = 'SLURM over SSH (bash)'; Scheduler = 'Slurm'; Remote = @{ HostName = 'hpc-bash' }; Skip = -not $script:hasSshd -and -not $script:ci }
        @{ Target = 'OpenPBS over SSH (tcsh)'; Scheduler = 'Pbs'; Remote = @{ HostName = 'hpc-tcsh' }; Skip = -not ($script:hasSshd -and $script:hasPbs) -and -not $script:ci }
    )
}
BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
    $env:HPCJOBS_SSH_BATCHMODE = '1'
    $script:work = New-TestStateDirectory
    Push-Location $script:work
    # the test users of the sshd cannot read root's dotnet-tool pwsh: the self-contained one build.ps1 makes is theirs too
    $script:clusterPwsh = $env:HPCJOBS_TEST_CLUSTER_PWSH
    function Target([hashtable]$Remote) {
        $p = @{ Scheduler = $Scheduler } + $Remote
        if ($Remote.Count -gt 0) {
            if (-not $script:clusterPwsh) { throw 'HPCJOBS_TEST_CLUSTER_PWSH is not set (build.ps1 Test sets it)' }
            $p.PwshPath = $script:clusterPwsh
        }
        $p
    }
}
AfterAll { Pop-Location }

Describe 'A script block on <Target>' -ForEach $script:targets -Skip:$Skip {
    BeforeAll { $script:on = Target $Remote }

    It 'brings back typed objects: numbers, strings, dates, hashtables, custom objects, nested arrays, a FileInfo' {
        $job = Submit-HpcJob @on -ScriptBlock {
            42; 'text'; [datetime]'2026-05-04T03:02:01'; @{ Key = 'value' }
            [pscustomobject]@{ Name = 'n'; Count = 3 }; , @(1, @(2, @(3))); Get-Item /etc/hostname
        }
        $r = @($job | Wait-HpcJob -Timeout 180 | Receive-HpcJob)
        $r.Count | Should -Be 7
        $r[0] | Should -BeOfType [int]
        $r[0] | Should -Be 42
        $r[1] | Should -BeExactly 'text'
        $r[2] | Should -BeOfType [datetime]
        $r[2] | Should -Be ([datetime]'2026-05-04T03:02:01')
        $r[3] | Should -BeOfType [hashtable]
        $r[3].Key | Should -Be 'value'
        $r[4].Name | Should -Be 'n'
        $r[4].Count | Should -Be 3
        $r[5][0] | Should -Be 1
        $r[5][1][1][0] | Should -Be 3
        $r[6].pstypenames[0] | Should -Be 'Deserialized.System.IO.FileInfo'
        $r[6].Name | Should -Be 'hostname'
    }

    It 'replays every stream in the order written, and errors as ErrorRecords' {
        # the submitter's preferences travel with the job, as they do into Start-ThreadJob
        $VerbosePreference = 'Continue'; $DebugPreference = 'Continue'
        $job = Submit-HpcJob @on -ScriptBlock {
            'out1'; Write-Warning 'warn1'; Write-Verbose 'verbose1'; Write-Debug 'debug1'; Write-Information 'info1'
            Write-Error 'nonterminating' -ErrorId MyId; 'out2'; 1 / $null; 'never'
        } 4> $null 5> $null
        $done = $job | Wait-HpcJob -Timeout 180
        $done.State | Should -Be 'Failed'
        $all = @($done | Receive-HpcJob -ErrorAction Continue -InformationAction Continue *>&1)
        $all | ForEach-Object {
            if ($_ -is [Management.Automation.ErrorRecord]) { "E:$($_.FullyQualifiedErrorId.Split(',')[0])" }
            elseif ($_ -is [Management.Automation.WarningRecord]) { "W:$($_.Message)" }
            elseif ($_ -is [Management.Automation.VerboseRecord]) { "V:$($_.Message)" }
            elseif ($_ -is [Management.Automation.DebugRecord]) { "D:$($_.Message)" }
            elseif ($_ -is [Management.Automation.InformationRecord]) { "I:$($_.MessageData)" }
            else { "O:$_" }
        } | Should -Be @('O:out1', 'W:warn1', 'V:verbose1', 'D:debug1', 'I:info1', 'E:MyId', 'O:out2', 'E:HpcScriptBlockFailed')
        $failed = $all | Where-Object { $_ -is [Management.Automation.ErrorRecord] } | Select-Object -Last 1
        $failed.Exception.RemoteExceptionType | Should -Match 'RuntimeException|DivideByZero'
        $failed.Exception.Message | Should -Match 'divide by zero'
        $failed.Exception.HostName | Should -Not -BeNullOrEmpty
        $failed.Exception.RemoteScriptStackTrace | Should -Match 'line 3'   # the block's own lines, its { line first
        $failed.CategoryInfo.Category | Should -Be 'InvalidResult'
    }

    It 'takes $using: values when submitted, and -ArgumentList' {
        $threshold = @{ Limit = 5; Tag = 'x y' }
        $job = Submit-HpcJob @on -ScriptBlock { param($a, $b) "$($using:threshold.Tag)|$($using:threshold['Limit'])|$a|$($b -join '+')" } -ArgumentList 'first', @(1, 2)
        $threshold.Limit = 99   # changed after submitting: the job has the value of then
        $job | Wait-HpcJob -Timeout 180 | Receive-HpcJob | Should -Be 'x y|5|first|1+2'
    }

    It 'maps 100 items in input order, -BatchSize items per task, the task index in $HpcTaskIndex' {
        $r = 1..100 | Invoke-HpcCommand @on -BatchSize 10 -ThrottleLimit 4 -Timeout 300 { [pscustomobject]@{ In = $_; Out = $_ * 2; Task = $HpcTaskIndex } }
        $r.In | Should -Be (1..100)
        $r.Out | Should -Be (1..100 | ForEach-Object { $_ * 2 })
        $r.Task | Should -Be (0..99 | ForEach-Object { [math]::Floor($_ / 10) })
    }

    It 'gives partial results of a running job, and -Wait follows them to the end' {
        $job = Submit-HpcJob @on -ScriptBlock { 'first'; Start-Sleep 4; 'second' }
        $deadline = (Get-Date).AddSeconds(120)
        do { Start-Sleep -Milliseconds 300; $partial = @($job | Receive-HpcJob) } until ($partial.Count -gt 0 -or (Get-Date) -gt $deadline)
        $partial | Should -Be 'first'
        ($job | Get-HpcJobStatus).State | Should -Be 'Running'
        $job | Receive-HpcJob -Wait | Should -Be 'first', 'second'
    }

    It 'returns the objects through Receive-Job with -AsJob' {
        $pj = Submit-HpcJob @on -ScriptBlock { 'a'; Write-Warning 'w'; [pscustomobject]@{ N = 1 } } -AsJob
        $out = $pj | Wait-Job -Timeout 180 | Receive-Job -WarningVariable w
        $out[0] | Should -Be 'a'
        $out[1].N | Should -Be 1
        "$w" | Should -Be 'w'
    }

    It 'brings back what PowerShell can serialize of an object whose members throw, and goes on' {
        $r = Submit-HpcJob @on -ScriptBlock {
            [pscustomobject]@{ A = 1 } | Add-Member -MemberType ScriptProperty -Name Bad -Value { throw 'getter' } -PassThru
            'after'
        } | Wait-HpcJob -Timeout 180 | Receive-HpcJob
        $r[0].A | Should -Be 1
        $r[1] | Should -Be 'after'
    }

    It 'keeps the payload from another user, and never deserializes a result another user could have written' -Skip:((id -u) -ne '0' -and -not $script:ci) {
        $job = Submit-HpcJob @on -ScriptBlock { 'secret' } -ArgumentList 'password123' | Wait-HpcJob -Timeout 180
        # the job folder is on this machine for every target (the test sshd is local): checked and tampered with here
        $folder = Split-Path $job.StdOutPath
        (Get-Item $folder).UnixMode | Should -Be 'drwx------'
        $owner = stat -c %U $folder
        id hpcjobs-other *> $null; if ($LASTEXITCODE -ne 0) { useradd -M -s /usr/sbin/nologin hpcjobs-other }
        $above = (Split-Path $folder), (Split-Path (Split-Path $folder)), (Split-Path (Split-Path (Split-Path $folder)))
        $modes = $above | ForEach-Object { stat -c %a $_ }
        chmod 755 @above   # even with every folder above open
        $result = Join-Path $folder 'result.txt'
        try {
            su -s /bin/sh hpcjobs-other -c "cat '$folder/payload.clixml'" 2>&1 | Out-String | Should -Match 'Permission denied'
            $job | Receive-HpcJob | Should -Be 'secret'
            chown hpcjobs-other $result
            { $job | Receive-HpcJob -ErrorAction Stop } | Should -Throw -ErrorId 'HpcStateUntrusted*'
            chown $owner $result; chmod 777 $folder
            { $job | Receive-HpcJob -ErrorAction Stop } | Should -Throw -ErrorId 'HpcStateUntrusted*'
        }
        finally {
            chown $owner $result; chmod 700 $folder
            for ($i = 0; $i -lt $above.Count; $i++) { chmod $modes[$i] $above[$i] }
        }
    }

    It 'says which host has no pwsh, and which step failed' {
        $p = Target $Remote
        $p.PwshPath = '/nonexistent/pwsh'
        $job = Submit-HpcJob @p -ScriptBlock { 'never' } | Wait-HpcJob -Timeout 180
        $e = { $job | Receive-HpcJob -ErrorAction Stop } | Should -Throw -PassThru
        $e.FullyQualifiedErrorId | Should -BeLike 'HpcScriptBlockNotStarted*'
        $e.Exception.Message | Should -Match "on \S+ \(step: pwsh\).*'/nonexistent/pwsh'.*-PwshPath"
    }
}

Describe 'Script blocks on the Local scheduler' {
    It 'maps 1000 items in input order, with the throttle the scheduler runs' {
        $r = 1..1000 | Invoke-HpcCommand { $_ * 2 } -ThrottleLimit 2 -Verbose 4>&1
        $verbose = $r | Where-Object { $_ -is [Management.Automation.VerboseRecord] }
        $values = $r | Where-Object { $_ -isnot [Management.Automation.VerboseRecord] }
        $values | Should -Be (1..1000 | ForEach-Object { $_ * 2 })
        $id = [regex]::Match("$verbose", 'Local job (\d+)').Groups[1].Value
        (Get-HpcJobStatus $id).JobId | Should -Be "${id}_0", "${id}_1"   # two tasks of 500 items: the throttle
    }

    It 'runs once without input, like Invoke-Command' {
        Invoke-HpcCommand { 'once'; if ($null -eq $HpcTaskIndex) { 'no task index' } } | Should -Be 'once', 'no task index'
    }

    It 'cancels what it submitted when -Timeout passes (as on Ctrl+C)' {
        $out = Invoke-HpcCommand { Start-Sleep 60; 'never' } -Timeout 2 -Name timeoutcase -Verbose -ErrorAction SilentlyContinue -ErrorVariable e 4>&1
        $e[0].FullyQualifiedErrorId | Should -BeLike 'HpcWaitTimeout*'
        $id = [regex]::Match("$($out | Where-Object { $_ -is [Management.Automation.VerboseRecord] })", 'Local job (\d+)').Groups[1].Value
        (Get-HpcJobStatus $id).State | Should -Be 'Cancelled'
    }

    It 'maps through a PowerShell job with Invoke-HpcCommand -AsJob' {
        $pj = 1..6 | Invoke-HpcCommand -BatchSize 2 { $_ * 3 } -AsJob
        # the tasks become child jobs as the scheduler first reports them (at once on an idle machine, not on a busy one)
        $pj | Wait-Job -Timeout 120 | Receive-Job | Should -Be 3, 6, 9, 12, 15, 18
        $pj.ChildJobs.Count | Should -Be 3
    }

    It 'imports -ImportModule on the node, and names the module it cannot import' {
        $module = Join-Path $script:work 'Greeting.psm1'
        Set-Content $module 'function Get-Greeting { "hello from module" }'
        Submit-HpcJob -ScriptBlock { Get-Greeting } -ImportModule $module | Wait-HpcJob | Receive-HpcJob | Should -Be 'hello from module'
        $job = Submit-HpcJob -ScriptBlock { 1 } -ImportModule NoSuchModule42 | Wait-HpcJob
        $e = { $job | Receive-HpcJob -ErrorAction Stop } | Should -Throw -PassThru
        $e.FullyQualifiedErrorId | Should -BeLike 'HpcScriptBlockNotStarted*'
        $e.Exception.Message | Should -Match "step: module.*NoSuchModule42"
    }

    It 'refuses a closure, a $using: it cannot carry, and a too-large payload, before submitting' {
        $before = @(Get-HpcJobStatus).Count
        $closure = & { $x = 1; { $x }.GetNewClosure() }
        { Submit-HpcJob -ScriptBlock $closure -ErrorAction Stop } | Should -Throw -ErrorId 'HpcScriptBlockNotSupported*'
        { Submit-HpcJob -ScriptBlock { $using:nosuchvariable42 } -ErrorAction Stop } | Should -Throw -ErrorId 'HpcScriptBlockNotSupported*'
        $big = 'x' * 70MB
        { Submit-HpcJob -ScriptBlock { $using:big.Length } -ErrorAction Stop } | Should -Throw -ErrorId 'HpcPayloadTooLarge*'
        @(Get-HpcJobStatus).Count | Should -Be $before
    }

    It 'shows the batch script and what the payload holds with -WhatIf, and writes nothing' {
        $root = Join-Path $script:work 'payloads-whatif'
        # What if: is written to the host, not to a stream: read it from a child pwsh
        $text = (& $script:Pwsh -NoProfile -NonInteractive -Command "`$env:HPCJOBS_PAYLOAD_DIR = '$root'; Import-Module '$script:ModuleManifest'; Submit-HpcJob -ScriptBlock { 'x' } -ArgumentList 1, 2 -WhatIf") -join "`n"
        $text | Should -Match '#!/bin/sh'
        $text | Should -Match 'runner.ps1'
        $text | Should -Match '2 argument'
        Test-Path $root | Should -BeFalse
    }
}

Describe 'Script blocks on SLURM' -Skip:(-not $script:hasSlurm -and -not $script:ci) {
    It 'runs a task on another node, and maps 1000 items with the throttle visible in scontrol' {
        Submit-HpcJob -Scheduler Slurm -Partition multi -ScriptBlock { [Net.Dns]::GetHostName() } | Wait-HpcJob -Timeout 180 | Receive-HpcJob | Should -Match '^n\d$'
        $r = 1..1000 | Invoke-HpcCommand -Scheduler Slurm { $_ * 2 } -ThrottleLimit 5 -BatchSize 100 -Verbose 4>&1
        $values = $r | Where-Object { $_ -isnot [Management.Automation.VerboseRecord] }
        $values | Should -Be (1..1000 | ForEach-Object { $_ * 2 })
        $id = [regex]::Match("$($r | Where-Object { $_ -is [Management.Automation.VerboseRecord] })", 'Slurm job (\d+)').Groups[1].Value
        scontrol show job $id | Select-String -Quiet 'ArrayTaskThrottle=5' | Should -BeTrue
    }
}
