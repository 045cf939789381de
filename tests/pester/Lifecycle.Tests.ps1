# Suspend-, Resume- and Restart-HpcJob and the lifecycle options of Submit-HpcJob, as a user types them (issue 19).
BeforeDiscovery {
    $script:hasSlurm = [bool](Get-Command sbatch -ErrorAction Ignore) -and ((scontrol ping 2>$null) -match 'is UP')
}
BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
    $script:work = New-TestStateDirectory
    Push-Location $script:work
}
AfterAll { Pop-Location }

Describe 'Hold, release and requeue on the Local scheduler' {
    It 'says what it supports in Get-HpcScheduler -Detailed' {
        $caps = (Get-HpcScheduler -Scheduler Local -Detailed).Capabilities
        foreach ($c in 'Hold', 'Requeue', 'BeginTime', 'SignalBeforeWalltime') { $caps.HasFlag([HpcJobs.Core.Contract.SchedulerCapabilities]$c) | Should -BeTrue -Because $c }
        foreach ($c in 'Mail', 'Exclusive') { $caps.HasFlag([HpcJobs.Core.Contract.SchedulerCapabilities]$c) | Should -BeFalse -Because $c }
    }

    It 'holds a pending job, warns about the rest, releases it, and it completes' {
        $held = Submit-HpcJob -Command true -Hold
        $held.State | Should -Be 'Held'
        $held.HeldBy | Should -Be 'User'
        $warnings = @($held | Suspend-HpcJob -WarningAction Continue 3>&1)
        $warnings[0] | Should -Match "Job $($held.JobId) is already held"
        $back = $held | Resume-HpcJob -PassThru
        $back.State | Should -BeIn 'Pending', 'Running', 'Completed'
        ($held | Wait-HpcJob -Timeout 30).State | Should -Be 'Completed'
        # finished jobs are skipped with a warning, never an error
        $again = @($held | Resume-HpcJob -WarningVariable w -ErrorVariable e 3>$null)
        "$w" | Should -Match 'has already finished \(Completed\)'
        $e | Should -BeNullOrEmpty
    }

    It 'requeues a running job under its id: it runs again, and Restarts counts it' {
        $job = Submit-HpcJob -Command sh, -c, '[ -e second ] && exit 0; touch second; sleep 60'
        $deadline = (Get-Date).AddSeconds(10)
        while (-not (Test-Path second) -and (Get-Date) -lt $deadline) { Start-Sleep -Milliseconds 100 }
        $requeued = $job | Restart-HpcJob -PassThru
        $requeued.JobId | Should -Be $job.JobId
        $requeued.Restarts | Should -Be 1
        $end = $job | Wait-HpcJob -Timeout 30
        ($end.State, $end.Restarts) | Should -Be 'Completed', 1
        ($end | Measure-HpcJob).Note | Should -Match 'the last of 2 runs'
    }

    It 'shows what it would do with -WhatIf, and does nothing' {
        $job = Submit-HpcJob -Command true -Hold
        $out = & $script:Pwsh -NoProfile -NonInteractive -Command "Import-Module '$script:ModuleManifest'; Resume-HpcJob $($job.JobId) -WhatIf"
        "$out" | Should -Match "What if: Performing the operation `"Release`" on target `"job $($job.JobId) on Local`""
        (Get-HpcJobStatus $job.JobId).State | Should -Be 'Held'
        ($job | Stop-HpcJob -PassThru).State | Should -Be 'Cancelled' # a held job is cancelled at once, never run
    }

    It 'shows the lifecycle options in -WhatIf' {
        $out = & $script:Pwsh -NoProfile -NonInteractive -Command "Import-Module '$script:ModuleManifest'; Submit-HpcJob -Command true -Hold -BeginTime '2030-01-02 03:04:05' -NoRequeue -Resources @{ Walltime = '1h' } -Signal USR1@120 -WhatIf"
        "$out" | Should -Match 'held: starts after Resume-HpcJob'
        "$out" | Should -Match 'begin time: 2030-01-02 03:04:05'
        "$out" | Should -Match 'no requeue'
        "$out" | Should -Match 'signal: USR1 to the job 120 s before its walltime'
    }
}

Describe 'Hold and release on SLURM through the cmdlets' -Skip:(-not $script:hasSlurm -and $env:CI -ne 'true') {
    It 'submits held, releases, and the job completes; -WhatIf shows the sbatch options' {
        $out = & $script:Pwsh -NoProfile -NonInteractive -Command "Import-Module '$script:ModuleManifest'; Submit-HpcJob -Scheduler Slurm -Command true -Hold -Requeue -Signal USR1@30 -Exclusive -WhatIf"
        "$out" | Should -Match '--hold --requeue --signal=B:USR1@30 --exclusive'
        $job = Submit-HpcJob -Scheduler Slurm -Command true -Hold
        (Get-HpcJobStatus $job).State | Should -Be 'Held'
        $job | Resume-HpcJob
        ($job | Wait-HpcJob -Timeout 60).State | Should -Be 'Completed'
    }
}
