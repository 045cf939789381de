# The module on the real Grid Engine test cell (tests/cluster/start-sge.sh: Son of Grid Engine 8.1.9, Debian's packages;
# queues all.q and long.q, parallel environments smp ($pe_slots) and mpi ($fill_up), project hpcproj). On this machine
# every scheduler's qstat is installed: Grid Engine's in /usr/bin, OpenPBS's in /opt/pbs/bin, SLURM's PBS wrappers in
# /opt/slurm-torque/usr/bin. Skipped without a cell, except in CI.
BeforeDiscovery {
    $script:noCell = -not (Test-Path /var/lib/gridengine/default/common/act_qmaster)
    $script:skip = $script:noCell -and $env:CI -ne 'true'
}
BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
    $script:work = New-TestStateDirectory
    chmod 0755 $script:work
    Push-Location $script:work
    $script:ge = @{ Scheduler = 'GridEngine' }
}
AfterAll { Pop-Location }

Describe 'Grid Engine (real Son of Grid Engine cell)' -Skip:$script:skip {
    BeforeAll {
        if ($script:noCell) { throw 'CI=true and no Grid Engine test cell is running: the Grid Engine tests must not pass without one.' }
    }

    It 'is found through its cell, and reports product, version and settings' {
        $s = Get-HpcScheduler @ge -Detailed
        $s[0].Candidates[0].Reason | Should -Match 'Son of Grid Engine 8\.1\.9 \(SGE_ROOT=/var/lib/gridengine, SGE_CELL=default; commands in /var/lib/gridengine/bin/lx-amd64\)'
        $s[1].Name | Should -Be 'Son of Grid Engine'
        $s[1].DependencyKinds | Should -Be @('AfterAny')
        ($s[1].Settings | Where-Object Key -eq 'Parallel environments').Value | Should -Match 'smp \(\$pe_slots\)'
    }

    It 'reaches each scheduler''s own qstat when all three are installed, whatever PATH puts first' {
        $r = Invoke-InNewPwsh @'
$ProgressPreference = 'SilentlyContinue'
$env:PATH = '/opt/slurm-torque/usr/bin:/opt/pbs/bin:' + $env:PATH
$ge = Submit-HpcJob -Scheduler GridEngine -Command sh, -c, 'exit 6'
$pbs = Submit-HpcJob -Scheduler Pbs -Command sh, -c, 'exit 7'
[pscustomobject]@{
    First = (Get-Command qstat).Source
    Ge = ($ge | Wait-HpcJob -Timeout 120).ExitCode
    Pbs = ($pbs | Wait-HpcJob -Timeout 120).ExitCode
    PbsReason = (Get-HpcScheduler -Scheduler Pbs).Candidates[0].Reason
}
'@
        $r.First | Should -Be '/opt/slurm-torque/usr/bin/qstat'
        $r.Ge | Should -Be 6
        $r.Pbs | Should -Be 7
        $r.PbsReason | Should -Match 'commands in /opt/pbs/bin'
    }

    It 'runs a command with its arguments as they are, and reports its exit code and output' {
        $job = Submit-HpcJob @ge -Command sh, -c, 'printf "%s|" "$@"; echo; exit 3', x, 'a b', '$HOME', "it's" -Name 'ge args'
        $job.Name | Should -Be 'ge_args'
        $done = $job | Wait-HpcJob -Timeout 120
        $done.State | Should -Be 'Failed'
        $done.ExitCode | Should -Be 3
        $done.EndCause | Should -Be 'ExitCode'
        $done.StdOutPath | Should -Be (Join-Path $script:work "ge_args.o$($job.JobId)")
        ($done | Receive-HpcJob) | Should -Be 'a b|$HOME|it''s|'
    }

    It 'runs arrays task by task, with %a in the output path and a throttle' {
        $array = Submit-HpcJob @ge -Command sh, -c, 'echo task $SGE_TASK_ID' -ArrayRange '1-3%2' -OutputPath (Join-Path $script:work 'arr-%A-%a.log')
        $tasks = $array | Wait-HpcJob -Timeout 120
        $tasks.JobId | Should -Be @("$($array.JobId).1", "$($array.JobId).2", "$($array.JobId).3")
        $tasks.State | Should -Be @('Completed', 'Completed', 'Completed')
        Get-Content (Join-Path $script:work "arr-$($array.JobId)-2.log") | Should -Be 'task 2'
        ($tasks[1] | Receive-HpcJob) | Should -Be 'task 2'
    }

    It 'waits for another job with -hold_jid (after-any), and refuses what Grid Engine cannot honour' {
        $first = Submit-HpcJob @ge -Command sh, -c, 'sleep 4; exit 1'
        $second = Submit-HpcJob @ge -Command true -DependsOn $first.JobId -DependencyType AfterAny
        Start-Sleep 2
        $held = $second | Get-HpcJobStatus
        $held.State | Should -Be 'Held'
        $held.HeldBy | Should -Be 'Dependency'
        ($second | Wait-HpcJob -Timeout 120).State | Should -Be 'Completed'   # ran although the first failed: after-any
        { Submit-HpcJob @ge -Command true -DependsOn $first.JobId -ErrorAction Stop } | Should -Throw -ErrorId 'HpcInvalidDependency,*'
        { Submit-HpcJob @ge -Command true -DependsOn $first.JobId -DependencyType AfterNotOk -ErrorAction Stop } | Should -Throw '*cannot wait for success or failure alone*'
        { Submit-HpcJob @ge -Command true -DependsOn abc -DependencyType AfterAny -ErrorAction Stop } | Should -Throw -ErrorId 'HpcInvalidDependency,*'
        { Submit-HpcJob @ge -Command true -DependsOn 987654 -DependencyType AfterAny -ErrorAction Stop } | Should -Throw -ErrorId 'HpcDependencyNotFound,*'
    }

    It 'holds and releases, and cancels pending and running jobs' {
        $held = Submit-HpcJob @ge -Command true -Hold
        $s = $held | Get-HpcJobStatus
        $s.State | Should -Be 'Held'
        $s.HeldBy | Should -Be 'User'
        $held | Resume-HpcJob
        ($held | Wait-HpcJob -Timeout 120).State | Should -Be 'Completed'
        $running = Submit-HpcJob @ge -Command sleep, 300
        $pending = Submit-HpcJob @ge -Command true -Hold
        $deadline = (Get-Date).AddSeconds(60)
        while (($running | Get-HpcJobStatus).State -ne 'Running' -and (Get-Date) -lt $deadline) { Start-Sleep 0.5 }
        $running, $pending | Stop-HpcJob
        $ended = $running, $pending | Wait-HpcJob -Timeout 120
        $ended.State | Should -Be @('Cancelled', 'Cancelled')
        $ended.CancelledBy | Should -Be @('this HpcJobs session', 'this HpcJobs session')
    }

    It 'tells a job that ran past its h_rt, and one Grid Engine put in error state' {
        $slow = Submit-HpcJob @ge -Command sleep, 60 -Resources @{ Walltime = '00:00:03' }
        $e100 = Submit-HpcJob @ge -Command sh, -c, 'exit 100'
        $t = $slow | Wait-HpcJob -Timeout 120
        $t.State | Should -Be 'TimedOut'
        $t.EndCause | Should -Be 'Walltime'
        $deadline = (Get-Date).AddSeconds(60)
        do { $s = $e100 | Get-HpcJobStatus; Start-Sleep 0.5 } until ($s.NativeState -match 'E' -or (Get-Date) -gt $deadline)
        $s.State | Should -Be 'Held'
        $s.HeldBy | Should -Be 'System'
        $s.Reason | Should -Match "qmod -cj $($e100.JobId)"
        $e100 | Stop-HpcJob
    }

    It 'places more than one slot through the cell''s parallel environments' {
        $job = Submit-HpcJob @ge -Command sh, -c, 'echo $NSLOTS $PE' -Resources @{ CpusPerTask = 2; Memory = '512MB' } -WarningVariable warn 3>$null
        "$warn" | Should -Match 'h_vmem is a per-slot limit'
        ($job | Wait-HpcJob -Timeout 120).State | Should -Be 'Completed'
        ($job | Receive-HpcJob) | Should -Be '2 smp'
        # -WhatIf writes the plan to the host: a child pwsh's stdout
        $plan = & $script:Pwsh -NoProfile -NonInteractive -Command "Import-Module '$script:ModuleManifest'; Submit-HpcJob -Scheduler GridEngine -Command true -Resources @{ Nodes = 2; TasksPerNode = 2 } -WhatIf 3>`$null" | Out-String
        $plan | Should -Match '-pe mpi 4'
    }

    It 'refuses what it cannot express before anything is submitted' {
        $before = @(Get-HpcJobStatus @ge).Count
        { Submit-HpcJob @ge -Command true -Resources @{ GpusPerNode = 1 } -ErrorAction Stop } | Should -Throw -ErrorId 'HpcInvalidResourceSpec,*'
        { Submit-HpcJob @ge -Command true -Resources @{ Qos = 'high' } -ErrorAction Stop } | Should -Throw '*no quality-of-service*'
        { Submit-HpcJob @ge -Command true -ArrayRange '1,3,5' -ErrorAction Stop } | Should -Throw -ErrorId 'HpcInvalidArrayRange,*'
        { Submit-HpcJob @ge -Command true -ArrayRange '0-3' -ErrorAction Stop } | Should -Throw '*start at 1*'
        { Submit-HpcJob @ge -Command true -Signal 'TERM@60' -Resources @{ Walltime = '00:10:00' } -ErrorAction Stop } | Should -Throw '*SIGUSR1 only*'
        { Submit-HpcJob @ge -Command true -OutputPath 'x-%q.log' -ErrorAction Stop } | Should -Throw -ErrorId 'HpcInvalidOutputPath,*'
        $null = Get-HpcJobStatus @ge '--version' -ErrorVariable e -ErrorAction SilentlyContinue
        $e[0].FullyQualifiedErrorId | Should -BeLike 'HpcJobNotFound,*'
        @(Get-HpcJobStatus @ge).Count | Should -Be $before
    }

    It 'requeues only rerunnable jobs, and says what to do otherwise' {
        $job = Submit-HpcJob @ge -Command sleep, 120
        $deadline = (Get-Date).AddSeconds(60)
        while (($job | Get-HpcJobStatus).State -ne 'Running' -and (Get-Date) -lt $deadline) { Start-Sleep 0.5 }
        $job | Restart-HpcJob -ErrorVariable e -ErrorAction SilentlyContinue
        $e[0].FullyQualifiedErrorId | Should -BeLike 'HpcOperationRefused,*'
        $e[0].Exception.Message | Should -Match 'submit with -Requeue'
        $job | Stop-HpcJob
    }

    It 'measures what a finished job used, from qacct' {
        $job = Submit-HpcJob @ge -Command sh, -c, 'i=0; while [ $i -lt 200000 ]; do i=$((i+1)); done' -Resources @{ Walltime = '00:05:00' }
        $null = $job | Wait-HpcJob -Timeout 120
        $m = $job | Measure-HpcJob
        $m.JobId | Should -Be $job.JobId
        $m.Elapsed | Should -Not -BeNullOrEmpty
        $m.CpuTime.TotalSeconds | Should -BeGreaterThan 0
        $m.WalltimeRequested | Should -Be ([timespan]'00:05:00')
    }

    It 'lists the user''s live jobs, and completes -Partition and -Account from the cell' {
        $job = Submit-HpcJob @ge -Command true -Hold -Name 'ge-listed'
        (Get-HpcJobStatus @ge -Name 'ge-listed').JobId | Should -Contain $job.JobId
        $line = 'Submit-HpcJob -Command true -Scheduler GridEngine -Partition '
        $null = TabExpansion2 $line $line.Length
        Start-Sleep -Milliseconds 1500
        (TabExpansion2 $line $line.Length).CompletionMatches.CompletionText | Should -Contain 'long.q'
        $job | Stop-HpcJob
    }

    It 'submits to a queue and a project, and reports them' {
        $job = Submit-HpcJob @ge -Command true -Resources @{ Partition = 'long.q'; Account = 'hpcproj' }
        $done = $job | Wait-HpcJob -Timeout 120
        $done.State | Should -Be 'Completed'
        $done.Partition | Should -Be 'long.q'
        { Submit-HpcJob @ge -Command true -Resources @{ Account = 'noproject' } -ErrorAction Stop } | Should -Throw -ErrorId 'HpcSubmitFailed,*'
    }

    It 'changes a held job with qalter, keeping the hard resources it does not change, and refuses an unknown queue per job' {
        $job = Submit-HpcJob @ge -Command true -Hold -Resources @{ Walltime = '00:05:00'; Memory = '300MB' }
        try {
            $begin = (Get-Date).AddDays(3).Date.AddHours(9)
            Set-HpcJob $job.JobId @ge -Walltime '00:20:00' -Name 'changed-ge' -Partition long.q -Account hpcproj -Nice 5 -BeginTime $begin -Confirm:$false
            $j = (qstat -j $job.JobId) -join "`n"
            $j | Should -Match 'job_name:\s+changed-ge'
            $j | Should -Match 'hard resource_list:\s+(h_vmem=300M,h_rt=(1200|00:20:00)|h_rt=(1200|00:20:00),h_vmem=300M)' -Because 'qalter -l replaces the whole list: the memory must be written again'
            $j | Should -Match 'hard_queue_list:\s+long\.q'
            $j | Should -Match 'project:\s+hpcproj'
            $j | Should -Match 'priority:\s+-5'
            $j | Should -Match "execution_time:\s+$([regex]::Escape($begin.ToString('ddd MMM d HH:mm:ss yyyy', [cultureinfo]::InvariantCulture)).Replace('\ ', '\s+'))"
            $what = & $script:Pwsh -NoProfile -NonInteractive -Command "Import-Module '$script:ModuleManifest'; Set-HpcJob $($job.JobId) -Scheduler GridEngine -Walltime 00:30:00 -WhatIf"
            "$what" | Should -Match "qalter -l h_vmem=300M,h_rt=00:30:00 $($job.JobId)"
            Set-HpcJob $job.JobId @ge -Partition nosuch.q -Confirm:$false -ErrorVariable errs -ErrorAction SilentlyContinue
            $errs[0].FullyQualifiedErrorId | Should -Match '^HpcOperationRefused'
            "$errs" | Should -Match "unknown queue ""nosuch.q"".*Tab after -Partition"
            { Set-HpcJob $job.JobId @ge -Qos high -Confirm:$false -ErrorAction Stop } | Should -Throw -ErrorId 'HpcInvalidResourceSpec*' -ExpectedMessage '*Grid Engine has no quality-of-service*'
        }
        finally { $job | Stop-HpcJob -Confirm:$false }
    }

    It 'works on the cell over SSH, with a tcsh login' {
        # a name of its own: Grid Engine appends to an output file that exists, and job numbers start again at 1 when
        # the test cell is set up again while the test users' homes stay
        $job = Submit-HpcJob @ge -HostName hpc-tcsh -Command sh, -c, 'echo remote $SGE_TASK_ID; exit 2' -ArrayRange '1-2' -Name "ge-remote-$(Get-Random)"
        $tasks = $job | Wait-HpcJob -Timeout 120
        $tasks.ExitCode | Should -Be @(2, 2)
        $tasks[0].Location | Should -Be 'ssh://hpc-tcsh'
        # -Wait: once (1 run in 6, a fresh CI machine), a Receive right after this Wait saw Grid Engine report task .2
        # Running again and found no file yet, 0.7 s after the submit; following reads the file once the task has ended
        ($tasks[1] | Receive-HpcJob -Wait) | Should -Be 'remote 2'
    }
}
