# Batch jobs as PowerShell jobs (issue 12): Submit-HpcJob -AsJob with Get-Job, Wait-Job, Receive-Job, Stop-Job, Remove-Job.
BeforeDiscovery {
    $script:hasSlurm = (Get-Command scontrol -ErrorAction Ignore) -and ((scontrol ping 2>$null) -match 'is UP')
}
BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
    $script:work = New-TestStateDirectory
    Push-Location $script:work
}
AfterAll { Pop-Location }

Describe 'Submit-HpcJob -AsJob' {
    It 'pipes into Wait-Job and Receive-Job, which returns the job''s output' {
        $job = Submit-HpcJob -Command sh, -c, 'echo hello; echo world' -AsJob
        $job.PSJobTypeName | Should -Be 'HpcJob'
        $job | Wait-Job -Timeout 60 | Receive-Job -Keep | Should -Be @('hello', 'world')
        $job.State | Should -Be 'Completed'
        $job.HasMoreData | Should -BeTrue
        $job | Receive-Job | Should -Be @('hello', 'world')
        $job.HasMoreData | Should -BeFalse
    }

    It 'shows in Get-Job with the batch job''s state, and a failed job is Failed' {
        $bad = Submit-HpcJob -Command sh, -c, 'exit 3' -Name 'asjob-bad' -AsJob
        $bad | Wait-Job -Timeout 60 | Out-Null
        (Get-Job -Name 'asjob-bad').State | Should -Be 'Failed'
        (Get-Job -Id $bad.Id).Location | Should -Be "Local:$($bad.JobId)"
        $bad.Info.ExitCode | Should -Be 3
    }

    It 'retries what -MaxRetries names, and follows the new attempt in the ended one''s place' {
        $marker = Join-Path $script:work "marker-$([guid]::NewGuid().ToString('N'))"
        $job = Submit-HpcJob -Command sh, -c, "test -f $marker && echo second || { touch $marker; exit 3; }" -MaxRetries 1 -RetryOn ExitCode -AsJob
        $first = $job.JobId
        $job | Wait-Job -Timeout 60 | Receive-Job -Keep | Should -Be 'second'
        $job.State | Should -Be 'Completed'
        ($job.Info.Attempt, $job.Info.RetryOf) | Should -Be @(2, $first)
        $job.JobId | Should -Not -Be $first
        "$($job.Warning)" | Should -Match "Job $first ended ExitCode \(attempt 1 of 2\): retried as job $($job.JobId)"
        (Get-HpcJobStatus $first).EndCause | Should -Be 'ExitCode'
    }

    It 'returns from Wait-Job -Any when the first job ends' {
        $slow = Submit-HpcJob -Command sleep, 20 -AsJob
        $quick = Submit-HpcJob -Command true -AsJob
        $first = Wait-Job $slow, $quick -Any -Timeout 30
        $first.InstanceId | Should -Be $quick.InstanceId
        $slow | Stop-Job
        $slow.State | Should -Be 'Stopped'
        (Get-HpcJobStatus $slow.JobId).State | Should -Be 'Cancelled'
    }

    It 'makes an array''s tasks child jobs, each with its own output and state' {
        $array = Submit-HpcJob -Command sh, -c, 'echo task $HPCJOBS_ARRAY_TASK_ID; [ $HPCJOBS_ARRAY_TASK_ID = 2 ] && exit 3; exit 0' -ArrayRange '1-3' -AsJob
        $array | Wait-Job -Timeout 60 | Out-Null
        $array.ChildJobs.Name | Should -Be @("$($array.JobId)_1", "$($array.JobId)_2", "$($array.JobId)_3")
        $array.ChildJobs.State | Should -Be @('Completed', 'Failed', 'Completed')
        $array.State | Should -Be 'Failed'
        $array | Receive-Job -ErrorAction SilentlyContinue | Should -Be @('task 1', 'task 2', 'task 3')
        (Get-Job -IncludeChildJob | Where-Object Name -like "$($array.JobId)_*").Count | Should -Be 3
    }

    It 'keeps what Receive-Job -Keep kept after Remove-Job, as a ThreadJob does' {
        $job = Submit-HpcJob -Command echo, kept -AsJob
        $job | Wait-Job -Timeout 60 | Receive-Job -Keep | Should -Be 'kept'
        Remove-Job $job
        @(Get-Job -Id $job.Id -ErrorAction Ignore).Count | Should -Be 0
        $job | Receive-Job | Should -Be 'kept'
        $array = 1..4 | Invoke-HpcCommand -BatchSize 2 { $_ * 2 } -AsJob
        $array | Wait-Job -Timeout 60 | Receive-Job -Keep | Should -Be 2, 4, 6, 8
        Remove-Job $array
        $array | Receive-Job | Should -Be 2, 4, 6, 8
    }

    It 'refuses Remove-Job on a running job without -Force, and -Force cancels it' {
        $job = Submit-HpcJob -Command sleep, 30 -AsJob
        { Remove-Job $job -ErrorAction Stop } | Should -Throw '*not finished*'
        Remove-Job $job -Force
        (Get-HpcJobStatus $job.JobId).State | Should -Be 'Cancelled'
    }

    It 'Stop-Job cancels a running SLURM job and returns' -Skip:(-not $script:hasSlurm -and $env:CI -ne 'true') {
        $job = Submit-HpcJob -Scheduler Slurm -Command sleep, 120 -AsJob
        $deadline = (Get-Date).AddSeconds(30)
        while ($job.State -ne 'Running' -and (Get-Date) -lt $deadline) { Start-Sleep -Milliseconds 200 }
        $job.State | Should -Be 'Running'
        Stop-Job $job
        $job.State | Should -Be 'Stopped'
        (Get-HpcJobStatus -Scheduler Slurm $job.JobId).State | Should -BeIn @('Cancelled', 'Running')
        ($job.JobId | Wait-HpcJob -Scheduler Slurm -Timeout 60).State | Should -Be 'Cancelled'
    }
}
