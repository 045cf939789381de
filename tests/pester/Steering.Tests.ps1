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
        foreach ($line in (/opt/pbs/bin/qstat -f $Id) -split "`n") { if ($line -match '^\s+(\S+) = (.*)$') { $h[$Matches[1]] = $Matches[2] } }
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

    It 'refuses bad retry values before submitting' {
        { Submit-HpcJob -Command true -MaxRetries 1 -RetryOn Completed -ErrorAction Stop } | Should -Throw -ErrorId 'HpcInvalidJobRequest*'
        { Submit-HpcJob -Command true -MaxRetries 1 -RetryMemoryFactor 0.5 -ErrorAction Stop } | Should -Throw -ErrorId 'HpcInvalidJobRequest*'
        { Submit-HpcJob -Command true -MaxRetries 1 -ArrayRange 1-2 -ErrorAction Stop } | Should -Throw -ErrorId 'HpcInvalidJobRequest*'
        { Submit-HpcJob -Command true -MaxRetries 11 -ErrorAction Stop } | Should -Throw -ErrorId 'ParameterArgumentValidationError*'
    }
}
