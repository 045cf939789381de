# Hostile-but-fair use of the module (issue 20), as a user meets it: jobs that remember their store, -AsJob jobs in
# every cmdlet, hung scheduler commands, memory figures, output patterns and submit folders. Each case failed before.
BeforeDiscovery {
    $script:hasSlurm = (Get-Command scontrol -ErrorAction Ignore) -and ((scontrol ping 2>$null) -match 'is UP')
}
BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
    $script:work = New-TestStateDirectory
    Push-Location $script:work
    $script:defaultState = $env:HPCJOBS_STATE_DIR
}
AfterAll {
    $env:HPCJOBS_STATE_DIR = $script:defaultState
    Pop-Location
}

Describe 'Jobs remember their Local store' {
    AfterEach { $env:HPCJOBS_STATE_DIR = $script:defaultState }

    It 'acts on the job of the store it came from, never on another store''s job with the same number' {
        $env:HPCJOBS_STATE_DIR = Join-Path $script:work 'store-a'
        $a = Submit-HpcJob -Command sleep, 30
        $a.Location | Should -Be (Join-Path $script:work 'store-a')
        $a | Export-Csv ./a.csv
        $env:HPCJOBS_STATE_DIR = Join-Path $script:work 'store-b'
        $b = Submit-HpcJob -Command sleep, 30
        $b.JobId | Should -Be $a.JobId -Because 'two fresh stores number their jobs alike'
        $b.Location | Should -Be (Join-Path $script:work 'store-b')
        Import-Csv ./a.csv | Stop-HpcJob -Confirm:$false
        ($a | Get-HpcJobStatus).State | Should -Be 'Cancelled'
        ($b | Get-HpcJobStatus).State | Should -Be 'Running'
        $b | Stop-HpcJob -Confirm:$false
    }

    It 'follows a changed $env:HPCJOBS_STATE_DIR, expands ~ and takes a relative one against PowerShell''s location' {
        $env:HPCJOBS_STATE_DIR = Join-Path $script:work 'store-c'
        (Submit-HpcJob -Command true).Location | Should -Be (Join-Path $script:work 'store-c')
        $sub = New-Item -ItemType Directory (Join-Path $script:work 'sub') -Force
        Push-Location $sub
        try {
            $env:HPCJOBS_STATE_DIR = 'rel-state'
            (Submit-HpcJob -Command true).Location | Should -Be (Join-Path $sub.FullName 'rel-state')
        } finally { Pop-Location }
        $env:HPCJOBS_STATE_DIR = "~/.hpcjobs-pester-tilde-$PID"
        try { (Submit-HpcJob -Command true).Location | Should -Be (Join-Path $HOME ".hpcjobs-pester-tilde-$PID") }
        finally { Remove-Item -Recurse -Force (Join-Path $HOME ".hpcjobs-pester-tilde-$PID") -ErrorAction Ignore }
    }

    It 'refuses a dependency on a job of another store' {
        $env:HPCJOBS_STATE_DIR = Join-Path $script:work 'store-d'
        $first = Submit-HpcJob -Command true
        $env:HPCJOBS_STATE_DIR = Join-Path $script:work 'store-e'
        { Submit-HpcJob -Command true -DependsOn $first -ErrorAction Stop } | Should -Throw -ErrorId 'HpcDependencyNotFound,*'
    }
}

Describe 'Submit-HpcJob -AsJob jobs in HpcJobs'' own cmdlets' {
    It 'are taken by Get-HpcJobStatus, Wait-HpcJob, Receive-HpcJob and -DependsOn' {
        $ps = Submit-HpcJob -Command sh, -c, 'echo from-asjob' -AsJob
        ($ps | Wait-HpcJob -Timeout 30).State | Should -Be 'Completed'
        ($ps | Get-HpcJobStatus).JobId | Should -Be $ps.JobId
        $ps | Receive-HpcJob | Should -Be 'from-asjob'
        (Submit-HpcJob -Command true -DependsOn $ps | Wait-HpcJob -Timeout 30).State | Should -Be 'Completed'
        Remove-Job $ps -Force
    }

    It 'lets Stop-Job end one task of an array' {
        $ps = Submit-HpcJob -Command sleep, 30 -ArrayRange '1-2' -AsJob
        $deadline = (Get-Date).AddSeconds(20)
        while ($ps.ChildJobs.Count -lt 2 -and (Get-Date) -lt $deadline) { Start-Sleep -Milliseconds 200 }
        $task = $ps.ChildJobs[0]
        Stop-Job $task
        $task.JobStateInfo.State | Should -Be 'Stopped'
        ($task.Info | Get-HpcJobStatus).State | Should -Be 'Cancelled'
        Stop-Job $ps
        Remove-Job $ps -Force
    }
}

Describe 'Local jobs start where PowerShell is, and are measured honestly' {
    It 'sets HPCJOBS_SUBMIT_DIR to PowerShell''s location, not the process''s' {
        $here = New-Item -ItemType Directory (Join-Path $script:work 'submit-here') -Force
        Push-Location $here
        try {
            $job = Submit-HpcJob -Command sh, -c, 'echo $HPCJOBS_SUBMIT_DIR' | Wait-HpcJob -Timeout 30
            $job | Receive-HpcJob | Should -Be $here.FullName
        } finally { Pop-Location }
    }

    It 'never reports the daemon''s own memory as a tiny job''s peak' {
        $m = Submit-HpcJob -Command true | Wait-HpcJob -Timeout 30 | Measure-HpcJob
        if ($null -ne $m.MaxRss) { $m.MaxRss | Should -BeLessThan 20MB } else { $m.Note | Should -Match 'not measured' }
    }

    It 'measures the good job when another record is corrupt, and an array together with one of its tasks' {
        $ok = Submit-HpcJob -Command true | Wait-HpcJob -Timeout 30
        $bad = Submit-HpcJob -Command true | Wait-HpcJob -Timeout 30
        Set-Content (Join-Path $env:HPCJOBS_STATE_DIR "units/$($bad.JobId).json") '{ cut'
        $m = @(Measure-HpcJob $ok, $bad -ErrorVariable e -ErrorAction SilentlyContinue)
        $m.JobId | Should -Be $ok.JobId
        $e[0].FullyQualifiedErrorId | Should -BeLike 'HpcStateCorrupt,*'
        $array = Submit-HpcJob -Command true -ArrayRange '1-2' | Wait-HpcJob -Timeout 30
        $both = @(Measure-HpcJob $array[0].ArrayJobId, $array[0].JobId)
        $both.Count | Should -Be 2
    }
}

Describe 'Hung scheduler commands never hang a cmdlet' {
    BeforeAll {
        $script:fake = New-Item -ItemType Directory (Join-Path $script:work 'fake-bin') -Force
        foreach ($tool in 'scontrol', 'sbatch', 'squeue') {
            Set-Content (Join-Path $script:fake $tool) "#!/bin/sh`nexec sleep 600"
            chmod +x (Join-Path $script:fake $tool)
        }
    }

    It 'passes over a scheduler whose probe hangs, within the probe time-out' {
        $clock = [Diagnostics.Stopwatch]::StartNew()
        $out = Invoke-InNewPwsh "`$env:PATH = '$($script:fake):' + `$env:PATH; `$env:HPCJOBS_SCHEDULER = `$null; `$env:HPCJOBS_PROBE_TIMEOUT = '1'; (Get-HpcScheduler).Kind.ToString()"
        $clock.Elapsed.TotalSeconds | Should -BeLessThan 30
        "$out" | Should -Match '(Pbs|Local)'
        "$out" | Should -Not -Match 'Slurm'
    }

    It 'stops a hung sbatch with HpcSchedulerTimeout, saying the job may exist' -Skip:(-not $script:hasSlurm -and $env:CI -ne 'true') {
        Set-Content (Join-Path $script:fake 'scontrol') "#!/bin/sh`nexec /usr/bin/scontrol `"`$@`""
        $clock = [Diagnostics.Stopwatch]::StartNew()
        $env:PATH = "$($script:fake):$env:PATH"; $env:HPCJOBS_COMMAND_TIMEOUT = '2'
        try {
            { Submit-HpcJob -Scheduler Slurm -Command true -ErrorAction Stop } | Should -Throw -ErrorId 'HpcSchedulerTimeout,*' -ExpectedMessage '*may have been submitted*'
        } finally {
            $env:PATH = $env:PATH.Replace("$($script:fake):", ''); $env:HPCJOBS_COMMAND_TIMEOUT = $null
        }
        $clock.Elapsed.TotalSeconds | Should -BeLessThan 30
    }
}

Describe 'SLURM output patterns and submit folders' -Skip:(-not $script:hasSlurm -and $env:CI -ne 'true') {
    It 'finds output written through padded and step patterns' {
        $job = Submit-HpcJob -Scheduler Slurm -Command sh, -c, 'echo padded' -OutputPath 'p-%5j-%s-%t.out' | Wait-HpcJob -Timeout 120
        $job.StdOutPath | Should -Be (Join-Path $PWD ('p-{0:d5}-batch-0.out' -f [int]$job.JobId))
        $job | Receive-HpcJob | Should -Be 'padded'
    }

    It 'sets SLURM_SUBMIT_DIR to PowerShell''s location' {
        $here = New-Item -ItemType Directory (Join-Path $script:work 'slurm-submit-here') -Force
        Push-Location $here
        try {
            $job = Submit-HpcJob -Scheduler Slurm -Command sh, -c, 'echo $SLURM_SUBMIT_DIR' | Wait-HpcJob -Timeout 120
            $job | Receive-HpcJob | Should -Be $here.FullName
        } finally { Pop-Location }
    }

    It 'follows a Local and a SLURM job together, each line tagged with its job' {
        $l = Submit-HpcJob -Scheduler Local -Command sh, -c, 'sleep 1; echo local-line'
        $s = Submit-HpcJob -Scheduler Slurm -Command sh, -c, 'sleep 1; echo slurm-line'
        $lines = @($l, $s | Receive-HpcJob -Wait)
        $lines.Count | Should -Be 2
        ($lines | Where-Object Line -eq 'local-line').JobId | Should -Be $l.JobId
        ($lines | Where-Object Line -eq 'slurm-line').JobId | Should -Be $s.JobId
    }
}
