# Measure-HpcJob (issue 12) against real jobs: SLURM's sacct (JobAcctGatherFrequency=1 in tests/cluster) and Local's rusage.
BeforeDiscovery {
    $script:hasSlurm = (Get-Command scontrol -ErrorAction Ignore) -and ((scontrol ping 2>$null) -match 'is UP')
}
BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
    $script:work = New-TestStateDirectory
    Push-Location $script:work
    # a fixed amount of CPU work, not of wall time: two processes that each burn 2 s of their own CPU time. The CPU
    # time is then ~4 s however busy the machine is (CI shares it); the efficiency is whatever that CPU time is of
    # elapsed x CPUs, which load lowers, so it is checked against that formula rather than against a fixed figure.
    $script:burn2 = 'burn() { python3 -c "import time; t = time.process_time(); all(iter(lambda: time.process_time() - t < 2, False))"; }; burn & burn; wait'
    function script:Assert-BurnedTwoCpus($b) {
        $b.Cpus | Should -Be 2
        $b.CpuTime.TotalSeconds | Should -BeGreaterThan 3.6
        $b.CpuTime.TotalSeconds | Should -BeLessThan 5.5
        $b.CpuEfficiencyPercent | Should -BeGreaterThan 0
        # SLURM counts elapsed in whole seconds: the efficiency is that of an elapsed within a second of Elapsed
        $cpu = $b.CpuTime.TotalSeconds; $elapsed = $b.Elapsed.TotalSeconds
        $b.CpuEfficiencyPercent | Should -BeGreaterOrEqual (100 * $cpu / (($elapsed + 1) * 2) - 0.5)
        $b.CpuEfficiencyPercent | Should -BeLessOrEqual (100 * $cpu / ([math]::Max(0.5, $elapsed - 1) * 2) + 0.5)
    }
    $script:hold200MB = 'import time; b = bytearray(200 * 1024 * 1024); t = time.time()' + "`n" + 'while time.time() - t < 3: pass'
}
AfterAll { Pop-Location }

Describe 'Measure-HpcJob on SLURM' -Skip:(-not $script:hasSlurm -and $env:CI -ne 'true') {
    BeforeAll {
        $script:burn = Submit-HpcJob -Scheduler Slurm -Command sh, -c, $script:burn2 -Resources @{ Cpus = 2; Memory = '1GB'; Walltime = '5m' }
        $script:sleeper = Submit-HpcJob -Scheduler Slurm -Command sleep, 3 -Resources @{ Walltime = '5m' }
        $script:mem = Submit-HpcJob -Scheduler Slurm -Command python3, -c, $script:hold200MB -Resources @{ Memory = '1GB' }
        $script:array = Submit-HpcJob -Scheduler Slurm -Command sleep, 1 -ArrayRange '1-3'
        $script:burn, $script:sleeper, $script:mem, $script:array | Wait-HpcJob -Timeout 180 | Out-Null
        # sacct lags squeue by a few seconds
        $deadline = (Get-Date).AddSeconds(30)
        do { Start-Sleep 1; $script:m = $script:burn, $script:sleeper, $script:mem, $script:array | Measure-HpcJob }
        while (@($script:m | Where-Object { $null -eq $_.CpuTime }).Count -gt 0 -and (Get-Date) -lt $deadline)
    }

    It 'reports near 100% CPU efficiency for a job that burns its 2 CPUs, near 0% for a sleeping one' {
        Assert-BurnedTwoCpus ($script:m | Where-Object JobId -eq $script:burn.JobId)
        ($script:m | Where-Object JobId -eq $script:sleeper.JobId).CpuEfficiencyPercent | Should -BeLessThan 10
    }

    It 'reports the peak memory of a job holding 200 MB within 20%, against the memory asked' {
        $x = $script:m | Where-Object JobId -eq $script:mem.JobId
        $x.MaxRss / 1MB | Should -BeGreaterThan 160
        $x.MaxRss / 1MB | Should -BeLessThan 240
        $x.MemoryRequested | Should -Be 1GB
        $x.MemoryUsedPercent | Should -BeGreaterThan 15
        ($script:m | Where-Object JobId -eq $script:burn.JobId).WalltimeRequested | Should -Be ([timespan]'00:05:00')
    }

    It 'gives one object per array task, and -Summary aggregates all of them' {
        ($script:m | Where-Object JobId -like "$($script:array.JobId)_*").JobId | Should -Be @(1..3 | ForEach-Object { "$($script:array.JobId)_$_" })
        $s = $script:burn, $script:sleeper, $script:mem, $script:array | Measure-HpcJob -Summary
        $s.Jobs | Should -Be 6
        $s.CpuEfficiencyPercent.Max | Should -BeGreaterThan $s.CpuEfficiencyPercent.Min
        $s.CpuEfficiencyPercent.Min | Should -BeLessThan 10
        $s.CpuHoursUsed | Should -BeGreaterThan 0
        $s.CpuHoursAllocated | Should -BeGreaterThan $s.CpuHoursUsed
    }
}

Describe 'Measure-HpcJob on Local' {
    It 'reports CPU time and peak memory from the job''s rusage' {
        $burn = Submit-HpcJob -Command sh, -c, $script:burn2 -Resources @{ Cpus = 2 }
        $mem = Submit-HpcJob -Command python3, -c, $script:hold200MB -Resources @{ Memory = '1GB' }
        $sleeper = Submit-HpcJob -Command sleep, 2
        $m = $burn, $mem, $sleeper | Wait-HpcJob -Timeout 60 | Measure-HpcJob
        Assert-BurnedTwoCpus $m[0]
        $m[1].MaxRss / 1MB | Should -BeGreaterThan 160
        $m[1].MaxRss / 1MB | Should -BeLessThan 240
        $m[1].MemoryUsedPercent | Should -BeGreaterThan 15
        $m[2].CpuEfficiencyPercent | Should -BeLessThan 10
    }

    It 'says a running job''s figures are not known yet' {
        $job = Submit-HpcJob -Command sleep, 10
        Start-Sleep -Milliseconds 500
        ($job | Measure-HpcJob).Note | Should -Match 'running'
        $job | Stop-HpcJob -Confirm:$false
    }
}
