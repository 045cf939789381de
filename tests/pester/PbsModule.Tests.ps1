# The module on the real OpenPBS test server (tests/cluster/start-openpbs.sh; found through /etc/pbs.conf's PBS_EXEC,
# since SLURM's PBS wrappers own /usr/bin/qsub on this machine). Skipped without a server, except in CI.
BeforeDiscovery {
    $script:noServer = -not ((Test-Path /opt/pbs/bin/qstat) -and ((& /opt/pbs/bin/qstat -B 2>$null) -ne $null))
    $script:skip = $script:noServer -and $env:CI -ne 'true'
}
BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
    $script:work = New-TestStateDirectory
    Push-Location $script:work
}
AfterAll { Pop-Location }

Describe 'PBS (real OpenPBS server)' -Skip:$script:skip {
    BeforeAll {
        if ($script:noServer) { throw 'CI=true and no OpenPBS test server is running: the PBS tests must not pass without one.' }
    }

    It 'is found through PBS_EXEC and reports its dialect and version' {
        $s = Get-HpcScheduler -Scheduler Pbs -Detailed
        $s[0].Candidates[0].Reason | Should -Match 'pbs_version = 23\.06\.06 \(commands in /opt/pbs/bin\)'
        $s[1].Name | Should -Be 'PBS Professional/OpenPBS'
    }

    It 'runs its own qstat and qsub, not another scheduler''s first on PATH' {
        # Grid Engine's client ships qstat/qsub/qdel too (gridengine-client puts them in /usr/bin): one stands first on PATH
        $foreign = New-Item -ItemType Directory (Join-Path $script:work 'sge-bin')
        foreach ($name in 'qstat', 'qsub', 'qdel', 'qselect') {
            Set-Content (Join-Path $foreign $name) "#!/bin/sh`necho 'SGE 8.1.9'`necho 'usage: $name [options]'`nexit 1"
            chmod 755 (Join-Path $foreign $name)
        }
        $r = Invoke-InNewPwsh @"
`$env:PATH = '$foreign' + ':' + `$env:PATH
`$job = Submit-HpcJob -Scheduler Pbs -Command sh, -c, 'exit 5'
[pscustomobject]@{ Reason = (Get-HpcScheduler -Scheduler Pbs).Candidates[0].Reason; Exit = (`$job | Wait-HpcJob -Timeout 120).ExitCode; First = (Get-Command qstat).Source }
"@
        $r.First | Should -Be (Join-Path $foreign 'qstat')
        $r.Reason | Should -Match 'commands in /opt/pbs/bin'
        $r.Exit | Should -Be 5
    }

    It 'completes -Partition with the queues, their type, state and limits' {
        $line = 'Submit-HpcJob -Command true -Scheduler Pbs -Partition '
        $null = TabExpansion2 $line $line.Length
        Start-Sleep -Milliseconds 1500   # the first Tab may have been answered from the time box, empty
        $queues = (TabExpansion2 $line $line.Length).CompletionMatches
        ($queues | Where-Object CompletionText -eq 'workq').ToolTip | Should -Match '^workq: Execution, enabled True, started True'
    }

    It 'never lets a job id reach qstat as an option, and reads a working directory with a quote as it is' {
        $null = Get-HpcJobStatus -Scheduler Pbs '--version' -ErrorVariable e -ErrorAction SilentlyContinue
        $e[0].FullyQualifiedErrorId | Should -BeLike 'HpcJobNotFound,*'
        $e[0].Exception.Message | Should -BeLike "*'--version' is not a PBS job id*"
        { Submit-HpcJob -Scheduler Pbs -Command true -DependsOn '-1' -ErrorAction Stop } | Should -Throw -ErrorId 'HpcInvalidDependency,*'
        $dir = New-Item -ItemType Directory (Join-Path $script:work "it's a, dir") -Force
        chmod 0777 $script:work $dir.FullName
        $job = Submit-HpcJob -Scheduler Pbs -Command true -WorkingDirectory $dir.FullName -WarningAction SilentlyContinue
        ($job | Get-HpcJobStatus).WorkingDirectory | Should -Be $dir.FullName
        $job | Wait-HpcJob -Timeout 120 | Out-Null
    }

    It 'submits, waits and shows jobs through the pipeline, with exit codes' {
        $spec = New-HpcResourceSpec -CpusPerTask 1 -Memory 100MB -Walltime 5m
        $ok = Submit-HpcJob -Scheduler Pbs -Command 'sh', '-c', 'echo hello from pbs' -Resources $spec -Name 'pester ok' -WarningAction SilentlyContinue
        $bad = Submit-HpcJob -Scheduler Pbs -Command 'sh', '-c', 'exit 3'
        $done = $ok, $bad | Wait-HpcJob -Timeout 120
        $done.State | Should -Be @('Completed', 'Failed')
        $done[1].ExitCode | Should -Be 3
        Get-Content $done[0].StdOutPath | Should -Be 'hello from pbs'
        (Get-HpcJobStatus $ok).Scheduler | Should -Be 'Pbs' # positional job object: asks PBS, not the default scheduler
    }

    It 'cancels a running job and reports it Cancelled, not Completed' {
        $job = Submit-HpcJob -Scheduler Pbs -Command 'sleep', '120'
        $deadline = (Get-Date).AddSeconds(30)
        while ((Get-HpcJobStatus $job).State -ne 'Running' -and (Get-Date) -lt $deadline) { Start-Sleep -Milliseconds 500 }
        $stopped = Stop-HpcJob $job -PassThru -Confirm:$false
        $stopped.State | Should -BeIn @('Cancelled', 'Running')
        ($job | Wait-HpcJob -Timeout 60).State | Should -Be 'Cancelled'
        (Get-HpcJobStatus $job).Reason | Should -Match '^Deleted \(qdel\) by root@'
    }

    It 'answers jobs of Local and PBS in one call, each from its own scheduler' {
        $local = Submit-HpcJob -Scheduler Local -Command 'true'
        $pbs = Submit-HpcJob -Scheduler Pbs -Command 'true'
        $both = Wait-HpcJob $local, $pbs -Timeout 120
        ($both | Sort-Object Scheduler).Scheduler | Should -Be @('Local', 'Pbs')
        $both.State | Should -Be @('Completed', 'Completed')
    }

    It 'refuses a PBS job that depends on a Local job' {
        $local = Submit-HpcJob -Scheduler Local -Command 'true'
        Submit-HpcJob -Scheduler Pbs -Command 'true' -DependsOn $local -ErrorVariable errs -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'HpcInvalidDependency,*'
        $errs[0].Exception.Message | Should -Match 'goes to Pbs, but it depends on Local job'
    }

    It 'reports a job that can never run instead of waiting for ever' {
        $never = Submit-HpcJob -Scheduler Pbs -Command 'true' -Resources (New-HpcResourceSpec -CpusPerTask 999)
        $r = $never | Wait-HpcJob -Timeout 60 -ErrorVariable errs -ErrorAction SilentlyContinue
        $r | Should -BeNullOrEmpty
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'HpcJobCannotRun,*'
        $errs[0].Exception.Message | Should -Match 'Insufficient amount of resource: ncpus'
        $never | Stop-HpcJob -Confirm:$false
    }
}
