# Steering queued work (issue 30): Set-HpcJob changes what a waiting job asked for on the real SLURM cluster and OpenPBS
# server, checked in scontrol show job and qstat -f; a change the scheduler refuses is an error for that job alone.
BeforeDiscovery {
    $script:hasSlurm = [bool](Get-Command sbatch -ErrorAction Ignore) -and ((scontrol ping 2>$null) -match 'is UP')
    $script:hasPbs = Test-Path /opt/pbs/bin/qstat
    $script:ci = $env:CI -eq 'true'
}
BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
    $script:work = New-TestStateDirectory
    Push-Location $script:work
    function ScontrolJob([string]$Id) {
        $h = @{}
        foreach ($pair in (scontrol -o show job $Id) -split ' ') { $k, $v = $pair -split '=', 2; $h[$k] = $v }
        $h
    }
    function QstatJob([string]$Id) {
        $h = @{}
        foreach ($line in (/opt/pbs/bin/qstat -xf $Id) -split "`n") { if ($line -match '^\s+(\S+) = (.*)$') { $h[$Matches[1]] = $Matches[2] } }
        $h
    }
}
AfterAll { Pop-Location }

Describe 'Set-HpcJob on the Local scheduler' {
    It 'changes the walltime, name, begin time and dependencies of jobs that have not started, in their records' {
        $first = Submit-HpcJob -Command true -Hold -Name first
        $second = Submit-HpcJob -Command true -Hold -Name second
        $changed = $first, $second | Set-HpcJob -Walltime 45m -Name steered -BeginTime '2030-01-02 03:04:05' -PassThru
        $changed.JobId | Should -Be $first.JobId, $second.JobId
        $changed.Name | Should -Be 'steered', 'steered'
        $changed.Resources.Walltime | Should -Be ([timespan]'00:45:00'), ([timespan]'00:45:00')
        $record = Get-Content (Join-Path $first.Location "units/$($first.JobId).json") -Raw
        $record | Should -Match '"Name":\s*"steered"'
        $record | Should -Match ('"BeginTime":\s*"' + [regex]::Escape(([datetimeoffset]'2030-01-02 03:04:05').ToString('yyyy-MM-ddTHH:mm:sszzz')))
        # a dependency replaces what it waited for; released, it waits for that job, then runs
        $gate = Submit-HpcJob -Command sleep, 2
        $after = $second | Set-HpcJob -DependsOn $gate -BeginTime (Get-Date).AddSeconds(-1) -PassThru
        $after | Resume-HpcJob
        ($after | Get-HpcJobStatus).Reason | Should -BeIn 'Dependency', 'BeginTime', $null
        $end = $second | Wait-HpcJob -Timeout 60
        $end.State | Should -Be 'Completed'
        $end.StartTime | Should -BeGreaterOrEqual ($gate | Get-HpcJobStatus).EndTime
        $first | Stop-HpcJob
    }

    It 'refuses a job that already runs, for that job alone, and shows the change with -WhatIf' {
        $running = Submit-HpcJob -Command sleep, 30
        $deadline = (Get-Date).AddSeconds(10)
        while (($running | Get-HpcJobStatus).State -ne 'Running' -and (Get-Date) -lt $deadline) { Start-Sleep -Milliseconds 100 }
        $waiting = Submit-HpcJob -Command true -Hold
        $out = $running, $waiting | Set-HpcJob -Name renamed -PassThru -ErrorVariable e -ErrorAction SilentlyContinue
        $out.JobId | Should -Be $waiting.JobId
        $e.Count | Should -Be 1
        $e[0].FullyQualifiedErrorId | Should -Match '^HpcOperationRefused'
        "$($e[0])" | Should -Match "Job $($running.JobId) is Running: it started before the change reached it"
        ($running | Get-HpcJobStatus).Name | Should -Not -Be 'renamed'
        $text = & $script:Pwsh -NoProfile -NonInteractive -Command "Import-Module '$script:ModuleManifest'; Set-HpcJob $($waiting.JobId) -Walltime 2h -WhatIf"
        "$text" | Should -Match "change walltime=02:00:00 $($waiting.JobId)"
        $running, $waiting | Stop-HpcJob
    }
}

Describe 'Set-HpcJob on SLURM' -Skip:(-not $script:hasSlurm -and -not $script:ci) {
    It 'changes walltime, partition, QoS, name and nice of held jobs in one scontrol call' {
        $jobs = 1..2 | ForEach-Object { Submit-HpcJob -Scheduler Slurm -Command true -Hold -Name "steer-$_" -Resources @{ Walltime = '10m' } }
        try {
            $changed = $jobs | Set-HpcJob -Walltime 45m -Partition multi -Qos high -Name steered -Nice 10 -PassThru
            $changed.JobId | Should -Be $jobs.JobId
            $changed.Name | Should -Be 'steered', 'steered'
            foreach ($job in $jobs) {
                $rec = ScontrolJob $job.JobId
                ($rec.TimeLimit, $rec.Partition, $rec.QOS, $rec.JobName, $rec.Nice) | Should -Be @('00:45:00', 'multi', 'high', 'steered', '10')
                $rec.JobState | Should -Be 'PENDING' -Because 'a change never releases a hold'
            }
        }
        finally { $jobs | Stop-HpcJob -Confirm:$false }
    }

    It 'says per job what SLURM refused and why, and skips a job that ended' {
        $held = Submit-HpcJob -Scheduler Slurm -Command true -Hold
        $done = Submit-HpcJob -Scheduler Slurm -Command true | Wait-HpcJob -Timeout 120
        try {
            $out = $held, $done | Set-HpcJob -Partition nosuchpartition -PassThru -ErrorVariable e -ErrorAction SilentlyContinue -WarningVariable w -WarningAction SilentlyContinue
            $out | Should -BeNullOrEmpty
            $e.Count | Should -Be 1
            $e[0].FullyQualifiedErrorId | Should -BeLike 'HpcOperationRefused*'
            $e[0].Exception.Message | Should -Match "job $($held.JobId).*Invalid partition name.*Tab after -Partition"
            "$w" | Should -Match "Job $($done.JobId) has already finished"
        }
        finally { $held | Stop-HpcJob -Confirm:$false }
    }

    It 'shows the exact scontrol command with -WhatIf and changes nothing' {
        $held = Submit-HpcJob -Scheduler Slurm -Command true -Hold -Resources @{ Walltime = '10m' }
        try {
            $text = & $script:Pwsh -NoProfile -NonInteractive -Command "Import-Module '$script:ModuleManifest'; Set-HpcJob $($held.JobId) -Scheduler Slurm -Walltime 2h -WhatIf"
            "$text" | Should -Match "scontrol update JobId=$($held.JobId) TimeLimit=02:00:00"
            (ScontrolJob $held.JobId).TimeLimit | Should -Be '00:10:00'
        }
        finally { $held | Stop-HpcJob -Confirm:$false }
    }
}

Describe 'Set-HpcJob on OpenPBS' -Skip:(-not $script:hasPbs -and -not $script:ci) {
    It 'changes walltime, name and priority with qalter, and the queue with qmove' {
        $job = Submit-HpcJob -Scheduler Pbs -Command true -Hold -Resources @{ Walltime = '10m' }
        try {
            $changed = $job | Set-HpcJob -Walltime 45m -Partition long -Name steered -Nice 10 -PassThru
            $changed.Partition | Should -Be 'long'
            $rec = QstatJob $job.JobId
            ($rec['Resource_List.walltime'], $rec['queue'], $rec['Job_Name'], $rec['Priority']) | Should -Be @('00:45:00', 'long', 'steered', '-10')
            $rec['job_state'] | Should -Be 'H'
        }
        finally { $job | Stop-HpcJob -Confirm:$false }
    }

    It 'says what PBS refused for a queue it does not have' {
        $job = Submit-HpcJob -Scheduler Pbs -Command true -Hold
        try {
            $job | Set-HpcJob -Partition nosuchqueue -ErrorVariable e -ErrorAction SilentlyContinue
            $e[0].FullyQualifiedErrorId | Should -BeLike 'HpcOperationRefused*'
            $e[0].Exception.Message | Should -Match 'qmove refused to move job .*Unknown queue.*Tab after -Partition'
        }
        finally { $job | Stop-HpcJob -Confirm:$false }
    }
}

Describe 'When a waiting job will start, and why it waits' -Skip:(-not $script:hasSlurm -and -not $script:ci) {
    It 'gives the estimated start of a SLURM job blocked behind a running one, and its reason in plain words' {
        # the debug partition's node has 2 CPUs: the first job takes both for 10 minutes, the second must wait for it
        $first = Submit-HpcJob -Scheduler Slurm -Command sleep, 600 -Resources @{ Partition = 'debug'; CpusPerTask = 2; Walltime = '10m' }
        $second = Submit-HpcJob -Scheduler Slurm -Command true -Resources @{ Partition = 'debug'; CpusPerTask = 2; Walltime = '5m' }
        try {
            $deadline = (Get-Date).AddSeconds(60)
            do { Start-Sleep 1; $s = $second | Get-HpcJobStatus } until ($s.EstimatedStart -or (Get-Date) -gt $deadline)
            $s.State | Should -Be 'Pending'
            $s.StartTime | Should -BeNullOrEmpty -Because 'an estimate is not a start'
            $started = ($first | Get-HpcJobStatus).StartTime
            $s.EstimatedStart | Should -BeGreaterThan $started.AddMinutes(9)
            $s.EstimatedStart | Should -BeLessOrEqual $started.AddMinutes(11)
            $s.Reason | Should -BeIn 'Resources', 'Priority'
            $s.ReasonExplained | Should -Not -BeNullOrEmpty
        }
        finally { $second, $first | Stop-HpcJob -Confirm:$false }
    }

    It 'gives the estimated start of an OpenPBS job blocked behind a running one, as the server calendars it' -Skip:(-not $script:hasPbs -and -not $script:ci) {
        # OpenPBS calendars the top job (estimated.start_time) only under strict ordering with backfill (backfill_depth
        # 1 is the server's default): turned on for this test alone, as a site that wants estimates configures it
        $config = '/var/spool/pbs/sched_priv/sched_config'
        $original = [IO.File]::ReadAllText($config)
        $reload = { & kill -HUP ((Get-Content /var/spool/pbs/sched_priv/sched.lock -TotalCount 1).Trim()) }
        [IO.File]::WriteAllText($config, ($original -replace '(?m)^strict_ordering:\s+false\s+ALL', "strict_ordering: true`tALL"))
        & $reload
        # the server's vnodes hold 4 CPUs: the first job takes them all for 10 minutes, the second must wait for it
        $first = Submit-HpcJob -Scheduler Pbs -Command sleep, 600 -Resources @{ Cpus = 4; Walltime = '10m' }
        $second = Submit-HpcJob -Scheduler Pbs -Command true -Resources @{ Cpus = 4; Walltime = '5m' }
        try {
            $deadline = (Get-Date).AddSeconds(90)
            do { Start-Sleep 2; $s = $second | Get-HpcJobStatus } until ($s.EstimatedStart -or (Get-Date) -gt $deadline)
            $s.State | Should -Be 'Pending'
            $started = ($first | Get-HpcJobStatus).StartTime
            $s.EstimatedStart | Should -BeGreaterOrEqual $started.AddMinutes(10).AddSeconds(-1)
            $s.EstimatedStart | Should -BeLessOrEqual $started.AddMinutes(11)
            $s.Reason | Should -Match 'Not Running' -Because "PBS's reason is the scheduler's comment, in words"
        }
        finally {
            $second, $first | Stop-HpcJob -Confirm:$false
            [IO.File]::WriteAllText($config, $original)
            & $reload
        }
    }
}

Describe 'Retries for causes worth retrying' {
    It 'retries a Local job its walltime ended, with twice the time, and it completes on attempt 2' {
        $first = Submit-HpcJob -Command sleep, 3 -Resources @{ Walltime = '00:00:02' } -MaxRetries 2
        $first.Attempt | Should -Be 1
        $end = $first | Wait-HpcJob -Timeout 120 -WarningVariable w -WarningAction SilentlyContinue
        ($end.State, $end.Attempt, $end.RetryOf) | Should -Be @('Completed', 2, $first.JobId)
        $end.JobId | Should -Not -Be $first.JobId
        $end.Resources.Walltime | Should -Be ([timespan]'00:00:04')
        "$w" | Should -Match "Job $($first.JobId) ended Walltime \(attempt 1 of 3\): retried as job $($end.JobId), walltime 00:00:04"
        (Get-HpcJobStatus $first.JobId).EndCause | Should -Be 'Walltime' -Because 'the first attempt stays as it ended'
    }

    It 'never retries a plain non-zero exit unless asked' {
        $end = Submit-HpcJob -Command sh, -c, 'exit 3' -MaxRetries 2 | Wait-HpcJob -Timeout 60 -WarningVariable w
        ($end.EndCause, $end.Attempt) | Should -Be @('ExitCode', 1)
        $w | Should -BeNullOrEmpty
    }

    It 'is picked up again by a Wait-HpcJob in another session' {
        $marker = Join-Path $script:work "marker-$([guid]::NewGuid().ToString('N'))"
        $first = Invoke-InNewPwsh "Submit-HpcJob -Command sh, -c, 'test -f $marker || { touch $marker; exit 3; }' -MaxRetries 1 -RetryOn ExitCode"
        $end = Get-HpcJobStatus $first.JobId | Wait-HpcJob -Timeout 60 -WarningAction SilentlyContinue
        ($end.State, $end.Attempt, $end.RetryOf) | Should -Be @('Completed', 2, $first.JobId)
    }

    It 'is applied by Receive-HpcJob -Wait, which follows the new attempt''s output after the ended one''s' {
        $marker = Join-Path $script:work "marker-$([guid]::NewGuid().ToString('N'))"
        $job = Submit-HpcJob -Command sh, -c, "test -f $marker && echo second || { echo first; touch $marker; exit 3; }" -MaxRetries 1 -RetryOn ExitCode
        $lines = $job | Receive-HpcJob -Wait -WarningVariable w -WarningAction SilentlyContinue
        $lines | Should -Be @('first', 'second')
        "$w" -match "Job $($job.JobId) ended ExitCode \(attempt 1 of 2\): retried as job (\d+)\." | Should -BeTrue -Because "$w"
        (Get-HpcJobStatus $Matches[1]).State | Should -Be 'Completed'
    }

    It 'is applied by Receive-HpcJob -Wait to a script-block job: what the ended attempt wrote, then the new attempt''s objects' {
        $marker = Join-Path $script:work "marker-$([guid]::NewGuid().ToString('N'))"
        $job = Submit-HpcJob -ScriptBlock { param($m) 'started'; if (-not (Test-Path $m)) { New-Item $m | Out-Null; exit 3 }; 'second' } `
            -ArgumentList $marker -MaxRetries 1 -RetryOn ExitCode
        $r = $job | Receive-HpcJob -Wait -WarningVariable w -WarningAction SilentlyContinue
        $r | Should -Be @('started', 'started', 'second') -Because 'the ended attempt''s object was given as it was written'
        "$w" | Should -Match 'ended ExitCode \(attempt 1 of 2\): retried as job \d+\. What it wrote is above'
    }

    It 'is applied by Invoke-HpcCommand, which gives the new attempt''s objects and never the ended one''s' {
        $marker = Join-Path $script:work "marker-$([guid]::NewGuid().ToString('N'))"
        $r = Invoke-HpcCommand { param($m) 'started'; if (-not (Test-Path $m)) { New-Item $m | Out-Null; exit 3 }; 'second' } `
            -ArgumentList $marker -MaxRetries 1 -RetryOn ExitCode -WarningVariable w -WarningAction SilentlyContinue
        $r | Should -Be @('started', 'second') -Because 'the first attempt wrote "started" too, and it is not replayed'
        "$w" | Should -Match 'ended ExitCode \(attempt 1 of 2\): retried as job'
    }

    It 'retries on <Target> what the policy names, as a new job of that scheduler' -ForEach @(
        @{ Target = 'SLURM'; Scheduler = 'Slurm'; Skip = -not $script:hasSlurm -and -not $script:ci }
        @{ Target = 'OpenPBS'; Scheduler = 'Pbs'; Skip = -not $script:hasPbs -and -not $script:ci }
    ) {
        $marker = Join-Path $script:work "marker-$Scheduler-$([guid]::NewGuid().ToString('N'))"
        $first = Submit-HpcJob -Scheduler $Scheduler -Command sh, -c, "test -f $marker || { touch $marker; exit 3; }" -MaxRetries 1 -RetryOn ExitCode
        $end = $first | Wait-HpcJob -Timeout 180 -WarningVariable w -WarningAction SilentlyContinue
        ($end.State, $end.Attempt, $end.RetryOf, $end.Scheduler) | Should -Be @('Completed', 2, $first.JobId, $Scheduler)
        "$w" | Should -Match "ended ExitCode \(attempt 1 of 2\): retried as job"
    }

    # OncePerRun: OpenPBS's takes 53 s (the mom polls); what it proves is the schedulers' and the core's
    It 'retries on <Target> a job that ran out of memory with twice the memory, and it completes on attempt 2' -Tag OncePerRun -ForEach @(
        # SLURM: task/cgroup with ConstrainRAMSpace (tests/cluster/start-slurm.sh), the kernel's OOM killer, OUT_OF_MEMORY;
        # OpenPBS: the mom's "$enforce mem" (tests/cluster/start-openpbs.sh) polls the job's memory, Exit_status -27
        # the kernel kills at once; the mom only when a poll (every 2-5 s, once the job's task is registered) sees it.
        # OpenPBS's mom measures no memory of root's jobs (resources_used.mem = 0kb, never killed): that job is a test
        # user's, submitted over SSH as a researcher would
        @{ Target = 'SLURM'; Scheduler = 'Slurm'; Hold = 2; At = @{}; Skip = -not $script:hasSlurm -and -not $script:ci }
        @{ Target = 'OpenPBS'; Scheduler = 'Pbs'; Hold = 20; At = @{ HostName = 'hpc-bash' }
            Skip = (-not $script:hasPbs -or -not (Test-Path /etc/hpcjobs-sshd/client_config)) -and -not $script:ci }
    ) {
        # tail holds the last 80 MB it read until its input ends, Hold seconds later: 60 MB is too little, 120 MB enough
        $first = Submit-HpcJob -Scheduler $Scheduler @At -Command sh, -c, "(head -c 80M /dev/zero; sleep $Hold) | tail -c 80M > /dev/null" `
            -Resources @{ Memory = '60MB'; Walltime = '5m' } -MaxRetries 1
        $end = $first | Wait-HpcJob -Timeout 180 -WarningVariable w -WarningAction SilentlyContinue
        ($end.State, $end.Attempt, $end.RetryOf) | Should -Be @('Completed', 2, $first.JobId)
        # what the scheduler was asked for (JobInfo.Resources is the request's only on Local and Grid Engine)
        if ($Scheduler -eq 'Slurm') { (ScontrolJob $end.JobId).MinMemoryNode | Should -Be '120M' }
        else { (QstatJob $end.JobId)['Resource_List.mem'] | Should -Be '120mb' }
        ($first | Get-HpcJobStatus).EndCause | Should -Be 'OutOfMemory'
        "$w" | Should -Match "ended OutOfMemory \(attempt 1 of 2\): retried as job $($end.JobId)"
    }

    It 'retries on OpenPBS a job its walltime ended, with more time, and it completes on attempt 2' -Skip:(-not $script:hasPbs -and -not $script:ci) {
        $first = Submit-HpcJob -Scheduler Pbs -Command sleep, 6 -Resources @{ Walltime = '00:00:03' } -MaxRetries 1 -RetryWalltimeFactor 4
        $end = $first | Wait-HpcJob -Timeout 180 -WarningAction SilentlyContinue
        ($end.State, $end.Attempt, $end.RetryOf) | Should -Be @('Completed', 2, $first.JobId)
        (QstatJob $end.JobId)['Resource_List.walltime'] | Should -Be '00:00:12'
        (Get-HpcJobStatus -Scheduler Pbs $first.JobId).EndCause | Should -Be 'Walltime'
    }

    # OncePerRun: it kills a slurmd and takes 95 s; what it proves is the scheduler's and the core's, not the package's,
    # so the installed-package pass (tests/install/Test-InstalledModule.ps1) leaves it out
    It 'retries on SLURM a job whose node failed (its slurmd killed mid-job), and it completes on attempt 2' -Tag OncePerRun -Skip:(-not $script:hasSlurm -and -not $script:ci) {
        # -NoRequeue: otherwise SLURM requeues a batch job whose node failed by itself (JobRequeue=1), and it never ends
        # NODE_FAIL. The node is down once slurmctld has not heard from its slurmd for SlurmdTimeout (60 s).
        $marker = Join-Path $script:work "marker-node-$([guid]::NewGuid().ToString('N'))"
        $first = Submit-HpcJob -Scheduler Slurm -Command sh, -c, "test -f $marker || { touch $marker; sleep 600; }" `
            -Resources @{ Partition = 'multi'; Constraint = 'amd' } -NoRequeue -MaxRetries 1
        $deadline = (Get-Date).AddSeconds(60)
        while (($s = $first | Get-HpcJobStatus).State -ne 'Running' -and (Get-Date) -lt $deadline) { Start-Sleep -Milliseconds 300 }
        $node = $s.NodeList | Select-Object -First 1
        $node | Should -BeIn 'n2', 'n3'
        $pidFile = "/run/slurm/slurmd-$node.pid"
        try {
            & kill -KILL ((Get-Content $pidFile -TotalCount 1).Trim())
            $end = $first | Wait-HpcJob -Timeout 300 -WarningVariable w -WarningAction SilentlyContinue
            ($end.State, $end.Attempt, $end.RetryOf) | Should -Be @('Completed', 2, $first.JobId)
            $end.NodeList | Should -Not -Be $node
            (Get-HpcJobStatus -Scheduler Slurm $first.JobId).EndCause | Should -Be 'NodeFailure'
            "$w" | Should -Match "ended NodeFailure \(attempt 1 of 2\): retried as job $($end.JobId)"
        }
        finally {
            # the node's slurmd again, in its own UTS namespace as start-slurm.sh starts it; ReturnToService=2 brings
            # the node back once it registers
            & unshare --uts sh -c 'hostname "$1"; exec slurmd -N "$1"' sh $node
            $deadline = (Get-Date).AddSeconds(90)
            while ((sinfo -h -n $node -o %t) -notin 'idle', 'mix', 'alloc' -and (Get-Date) -lt $deadline) { Start-Sleep 1 }
            sinfo -h -n $node -o %t | Should -BeIn 'idle', 'mix', 'alloc'
        }
    }

    It 'refuses bad retry values before submitting' {
        { Submit-HpcJob -Command true -MaxRetries 1 -RetryOn Completed -ErrorAction Stop } | Should -Throw -ErrorId 'HpcInvalidJobRequest*'
        { Submit-HpcJob -Command true -MaxRetries 1 -RetryMemoryFactor 0.5 -ErrorAction Stop } | Should -Throw -ErrorId 'HpcInvalidJobRequest*'
        { Submit-HpcJob -Command true -MaxRetries 1 -ArrayRange 1-2 -ErrorAction Stop } | Should -Throw -ErrorId 'HpcInvalidJobRequest*'
        { 1, 2 | Invoke-HpcCommand { $_ } -MaxRetries 1 -ErrorAction Stop } | Should -Throw -ErrorId 'HpcInvalidJobRequest*'
        { Submit-HpcJob -Command true -MaxRetries 11 -ErrorAction Stop } | Should -Throw -ErrorId 'ParameterArgumentValidationError*'
    }
}
