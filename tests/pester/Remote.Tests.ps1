# Every cmdlet against SLURM and OpenPBS reached over SSH: the real sshd of tests/cluster/start-sshd.sh on 127.0.0.1, as
# users whose login shells are bash and tcsh. Skipped without it, except in CI.
BeforeDiscovery {
    $script:noSshd = -not (Test-Path /etc/hpcjobs-sshd/client_config)
    $script:skip = $script:noSshd -and $env:CI -ne 'true'
    $script:logins = @(
        @{ Alias = 'hpc-bash'; User = 'hpcbash'; Shell = 'bash' }
        @{ Alias = 'hpc-tcsh'; User = 'hpctcsh'; Shell = 'tcsh' }
    )
}
BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
    $env:HPCJOBS_SSH_BATCHMODE = '1'
    function Accepted([string]$User) { @(Select-String -Path /var/log/hpcjobs-sshd.log -SimpleMatch "Accepted publickey for $User " -ErrorAction Ignore).Count }
    function Remote([string]$Alias, [string[]]$Argv) { & ssh -o BatchMode=yes $Alias -- $Argv }
}

Describe 'A cluster over SSH (<Shell> login shell)' -ForEach $script:logins -Skip:$script:skip {
    BeforeAll {
        if ($script:noSshd) { throw 'CI=true and no test sshd: the remote tests must not pass without one.' }
    }

    It 'runs a whole SLURM scenario on one SSH connection: submit, wait, status, measure, stop' {
        $before = Accepted $User
        $result = Invoke-InNewPwsh @"
`$name = 'remote `$HOME "q" ``x`` !'
`$j = Submit-HpcJob -HostName $Alias -Scheduler Slurm -Command sh, -c, 'printf "%s|%s|%s" "`$1" "`$V" "`$(id -un)"', sh, 'a;b `$(id) ''c''' -Name `$name -Environment @{ V = 'v `$x "y" ``z``' }
`$done = `$j | Wait-HpcJob -Timeout 120
`$status = Get-HpcJobStatus -HostName $Alias -Id `$j.JobId
`$measured = `$done | Measure-HpcJob
`$long = Submit-HpcJob -HostName $Alias -Scheduler Slurm -Command sleep, 300
`$stopped = `$long | Stop-HpcJob -PassThru
[pscustomobject]@{ Name = `$j.Name; Location = `$done.Location; State = "`$(`$done.State)"; Status = "`$(`$status.State)"; Out = `$done.StdOutPath; Measured = `$measured.JobId; Stopped = "`$(`$stopped.State)" }
"@
        $result.Location | Should -Be "ssh://$Alias"
        $result.Name | Should -Be 'remote $HOME "q" `x` !'
        $result.State | Should -Be 'Completed'
        $result.Status | Should -Be 'Completed'
        $result.Stopped | Should -Be 'Cancelled'
        $result.Measured | Should -Not -BeNullOrEmpty
        (Accepted $User) - $before | Should -Be 1   # before this test's own ssh below
        (Remote $Alias 'cat', $result.Out) | Should -Be "a;b `$(id) 'c'|v `$x `"y`" ``z``|$User"
    }

    It 'runs the same on OpenPBS' {
        $before = Accepted $User
        $result = Invoke-InNewPwsh @"
`$j = Submit-HpcJob -HostName $Alias -Scheduler Pbs -Command sh, -c, 'printf "%s|%s" "`$1" "`$(id -un)"', sh, 'it''s `$1 ;|&'
`$done = `$j | Wait-HpcJob -Timeout 120
`$long = Submit-HpcJob -HostName $Alias -Scheduler Pbs -Command sleep, 300
`$null = `$long | Stop-HpcJob
`$stopped = `$long | Wait-HpcJob -Timeout 60   # PBS may still be ending it (E) when Stop's 3 s settle time is over
[pscustomobject]@{ Location = `$done.Location; State = "`$(`$done.State)"; Exit = `$done.ExitCode; Stopped = "`$(`$stopped.State)"; Out = `$done.StdOutPath }
"@
        $result.Location | Should -Be "ssh://$Alias"
        $result.State | Should -Be 'Completed'
        $result.Stopped | Should -Be 'Cancelled'
        (Accepted $User) - $before | Should -Be 1
        (Remote $Alias 'cat', $result.Out | Select-Object -Last 1) | Should -Be "it's `$1 ;|&|$User"
    }

    It 'sends a local script as content and checks remote folders before submitting' {
        $script = Join-Path (New-TestStateDirectory) 'job with space.sh'
        Set-Content $script "#!/bin/sh`necho script `"`$@`" in `$(pwd)"
        $j = Submit-HpcJob -HostName $Alias -Scheduler Slurm -ScriptPath $script -ArgumentList 'x y', '$z' -WorkingDirectory /tmp
        $done = $j | Wait-HpcJob -Timeout 120
        $done.Name | Should -Be 'job with space.sh'
        (Remote $Alias 'cat', $done.StdOutPath) | Should -Be 'script x y $z in /tmp'

        Submit-HpcJob -HostName $Alias -Scheduler Slurm -Command true -WorkingDirectory '/no/such/folder' -ErrorVariable errs -ErrorAction SilentlyContinue
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'HpcWorkingDirectoryNotFound,*'
        $errs[0].Exception.Message | Should -Match "ssh://$Alias"
        Submit-HpcJob -HostName $Alias -Scheduler Pbs -Command true -OutputPath '/no/such/folder/x.out' -ErrorVariable errs -ErrorAction SilentlyContinue
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'HpcInvalidOutputPath,*'
    }

    It 'reads and follows job output on the cluster' {
        # (the test cluster shares this machine's disk, so this cannot show that no local file is read; the reading
        # goes through the SSH session: JobOutput reads a job with an ssh:// Location there)
        $j = Submit-HpcJob -HostName $Alias -Scheduler Slurm -Command sh, -c, 'for i in 1 2 3; do echo "line $i ü"; sleep 1; done'
        $j | Receive-HpcJob -Wait | Should -Be @('line 1 ü', 'line 2 ü', 'line 3 ü')
        $j | Receive-HpcJob -Tail 1 | Should -Be 'line 3 ü'
        $pbs = Submit-HpcJob -HostName $Alias -Scheduler Pbs -Command sh, -c, 'echo one; echo two'
        $pbs | Receive-HpcJob -Wait | Select-Object -Last 2 | Should -Be @('one', 'two')
    }

    It 'watches a selection of jobs there by name to their end, and writes their report' {
        $name = "watched-$(Get-Random)"
        $jobs = 1..2 | ForEach-Object { Submit-HpcJob -HostName $Alias -Scheduler Slurm -Command sh, -c, "sleep $($_ + 4); exit $($_ - 1)" -Name $name }
        $out = Watch-HpcJob -HostName $Alias -Scheduler Slurm -Name $name -UntilFinished 6>&1
        $returned = @($out | Where-Object { $_ -is [HpcJobs.Core.Model.JobInfo] } | Sort-Object { [int]$_.JobId })
        $returned.JobId | Should -Be $jobs.JobId
        $returned.State | Should -Be @('Completed', 'Failed')
        $returned[0].Location | Should -Be "ssh://$Alias"
        $lines = @($out | Where-Object { $_ -is [System.Management.Automation.InformationRecord] } | ForEach-Object { "$_" })
        $lines -match "^\d\d:\d\d:\d\d $($jobs[1].JobId) \($name\) \w+ -> Failed: exit 1$" | Should -Not -BeNullOrEmpty
        $report = Join-Path $TestDrive "$Alias.html"
        Export-HpcJobReport -HostName $Alias -Scheduler Slurm -Name $name -Path $report
        $dom = Get-RenderedDom $report
        $dom | Should -Match 'data-timeline-bars="2"'
        $dom | Should -Match 'data-rows="1"'
    }

    It 'describes the cluster there, and follows a job there as a PowerShell job' {
        $selection, $detail = Get-HpcScheduler -HostName $Alias -Detailed
        "$($selection.Kind)" | Should -Be 'Slurm'
        ($detail.Settings | Where-Object Key -eq 'Version').Value | Should -Match '^22\.'
        $ps = Submit-HpcJob -HostName $Alias -Scheduler Slurm -Command sh, -c, 'echo as-job' -AsJob
        $ps | Wait-Job -Timeout 120 | Out-Null
        $ps.State | Should -Be 'Completed'
        $ps | Receive-Job | Should -Be 'as-job'
    }

    It 'completes the cluster''s partitions and QoS over SSH once logged in, and never logs in from Tab' {
        $before = Accepted $User
        $result = Invoke-InNewPwsh @"
function Complete([string]`$line) { (TabExpansion2 `$line `$line.Length).CompletionMatches }
function Settled([string]`$line, [string]`$want) {
    `$deadline = (Get-Date).AddSeconds(`$(if (`$want) { 20 } else { 2 }))
    do { `$r = Complete `$line; if (`$want -and `$r.CompletionText -contains `$want) { return `$r }; Start-Sleep -Milliseconds 300 } while ((Get-Date) -lt `$deadline)
    `$r
}
`$cold = @(Settled 'Submit-HpcJob -HostName $Alias -Scheduler Slurm -Command true -Partition ' | Where-Object CompletionText -in 'debug', 'gpu', 'multi')   # (PowerShell offers file names when a completer has nothing)
`$afterTab = @(Get-Content /var/log/hpcjobs-sshd.log | Select-String -SimpleMatch 'Accepted publickey for $User ').Count
`$null = Get-HpcJobStatus -HostName $Alias -Scheduler Slurm
`$partitions = @(Settled 'Submit-HpcJob -HostName $Alias -Scheduler Slurm -Command true -Partition ' gpu)
`$PSDefaultParameterValues['*-Hpc*:HostName'] = '$Alias'
`$qos = @(Settled 'New-HpcResourceSpec -Qos ' high)
[pscustomobject]@{
    Cold = `$cold.Count; AfterTab = `$afterTab
    Partitions = @(`$partitions.CompletionText); Gpu = (`$partitions | Where-Object CompletionText -eq 'gpu').ToolTip
    Qos = @(`$qos.CompletionText); High = (`$qos | Where-Object CompletionText -eq 'high').ToolTip
}
"@
        $result.Cold | Should -Be 0
        $result.AfterTab | Should -Be $before   # Tab before any command: no login
        $result.Partitions | Should -Contain 'gpu'
        $result.Gpu | Should -Match 'gpu:a100'
        $result.Qos | Should -Contain 'high'
        $result.High | Should -Match 'per job cpu=1'
        (Accepted $User) - $before | Should -Be 1
    }

    It 'shows the host, the remote argv and the script with -WhatIf' {
        $text = & $script:Pwsh -NoProfile -NonInteractive -Command "Import-Module '$script:ModuleManifest'; Submit-HpcJob -HostName $Alias -Scheduler Slurm -Command echo, 'a b' -Name demo -WhatIf" | Out-String
        $text | Should -Match "Submit job demo on Slurm at ${Alias}:"
        $text | Should -Match 'sbatch --parsable --job-name=demo'
        $text | Should -Match "exec 'echo' 'a b'"
    }
}

Describe 'Jobs know the host they live on' -Skip:$script:skip {
    It 'sends job objects to their own host, refuses a dependency across hosts, and a -HostName that contradicts a job' {
        $a = Submit-HpcJob -HostName hpc-bash -Scheduler Slurm -Command sleep, 60
        $b = Submit-HpcJob -HostName hpc-tcsh -Scheduler Slurm -Command sleep, 60
        $both = $a, $b | Get-HpcJobStatus
        $both.Location | Should -Be @('ssh://hpc-bash', 'ssh://hpc-tcsh')
        $rows = $both | Select-Object JobId, Scheduler, Location | ConvertTo-Csv | ConvertFrom-Csv
        ($rows | Get-HpcJobStatus).Location | Should -Be @('ssh://hpc-bash', 'ssh://hpc-tcsh')

        Submit-HpcJob -HostName hpc-tcsh -Scheduler Slurm -Command true -DependsOn $a -ErrorVariable errs -ErrorAction SilentlyContinue
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'HpcDependencyNotFound,*'
        Submit-HpcJob -Scheduler Slurm -Command true -DependsOn $a -ErrorVariable errs -ErrorAction SilentlyContinue
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'HpcDependencyNotFound,*'
        $a | Get-HpcJobStatus -HostName hpc-tcsh -ErrorVariable errs -ErrorAction SilentlyContinue
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'HpcSchedulerMismatch,*'

        $a, $b | Stop-HpcJob
        $PSDefaultParameterValues['*-Hpc*:HostName'] = 'hpc-tcsh'
        try { (Get-HpcJobStatus -Id $b.JobId -Scheduler Slurm).Location | Should -Be 'ssh://hpc-tcsh' }
        finally { $PSDefaultParameterValues.Remove('*-Hpc*:HostName') }
    }
}

Describe 'SSH failures are clear and bounded' -Skip:$script:skip {
    It 'names an unknown host key, never accepting it' {
        Get-HpcJobStatus -HostName 127.0.0.1 -Port 2222 -UserName hpcbash -Scheduler Slurm -Id 1 -ErrorVariable errs -ErrorAction SilentlyContinue
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'HpcRemoteHostKeyUnknown,*'
        $errs[0].CategoryInfo.Category | Should -Be 'SecurityError'
    }
    It 'names a refused login' {
        Get-HpcJobStatus -HostName hpc-bash -UserName nosuchuser -KeyFilePath /etc/hpcjobs-sshd/stranger_key -Scheduler Slurm -Id 1 -ErrorVariable errs -ErrorAction SilentlyContinue
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'HpcRemoteAuthenticationFailed,*'
    }
    It 'names an unreachable host' {
        Get-HpcJobStatus -HostName 127.0.0.1 -Port 1 -Scheduler Slurm -Id 1 -ErrorVariable errs -ErrorAction SilentlyContinue
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'HpcRemoteUnreachable,*'
        $errs[0].Exception.Message | Should -Match '127\.0\.0\.1:1'
    }
    It 'tells a login whose ~/.bashrc <Fault> from a host it cannot reach' -ForEach @(
        @{ Fault = 'exits'; Line = 'exit 3'; Says = 'accepted the login, but it ended \(exit 3\) before the session started.*~/.bashrc' }
        @{ Fault = 'reads stdin'; Line = 'read -r swallowed'; Says = 'accepted the login, but the session did not start within \d+ s.*wait for input or be slow' }
    ) {
        $rc = '/home/hpcbash/.bashrc'
        $saved = Get-Content -Raw $rc
        # a new pwsh: this one may already hold a session to hpc-bash, opened before the startup file broke
        Set-Content $rc "$Line`n$saved" -NoNewline
        try {
            $text = & $script:Pwsh -NoProfile -NonInteractive -Command "`$env:HPCJOBS_SSH_BATCHMODE = '1'; Import-Module '$script:ModuleManifest'; try { Get-HpcJobStatus -HostName hpc-bash -Scheduler Slurm -Id 1 -ErrorAction Stop } catch { `$_.FullyQualifiedErrorId; `$_.Exception.Message }"
        }
        finally { Set-Content $rc $saved -NoNewline }
        $text[0] | Should -BeLike 'HpcRemoteUnreachable,*'
        $text[1] | Should -Match $Says
        $text[1] | Should -Not -Match 'could not be reached'
    }
    It 'says that an ssh client named by HPCJOBS_SSH ended without a word' {
        $text = & $script:Pwsh -NoProfile -NonInteractive -Command "`$env:HPCJOBS_SSH = '/bin/false'; Import-Module '$script:ModuleManifest'; try { Get-HpcJobStatus -HostName hpc-bash -Scheduler Slurm -Id 1 -ErrorAction Stop } catch { `$_.FullyQualifiedErrorId; `$_.Exception.Message }"
        $text[0] | Should -BeLike 'HpcRemoteUnreachable,*'
        $text[1] | Should -Match "HPCJOBS_SSH names \('/bin/false'\) ended at once \(exit 1\) without a word.*Is it an ssh client"
    }
    It 'refuses -UserName without -HostName and a bad host name before connecting' {
        { Get-HpcJobStatus -UserName x -Id 1 -ErrorAction Stop } | Should -Throw -ErrorId 'HpcInvalidRemoteHost,*'
        { Get-HpcJobStatus -HostName '-oProxyCommand=x' -Id 1 -ErrorAction Stop } | Should -Throw -ErrorId 'HpcInvalidRemoteHost,*'
    }
}
