# Why a job ended, as a value scripts switch on (issue 30): JobInfo.EndCause and CancelledBy from every back end, on
# real jobs: a non-zero exit, a signal, the walltime, a cancel; a launch that failed on Local.
BeforeDiscovery {
    $script:hasSlurm = [bool](Get-Command sbatch -ErrorAction Ignore) -and ((scontrol ping 2>$null) -match 'is UP')
    $script:hasPbs = Test-Path /opt/pbs/bin/qstat
    $script:ci = $env:CI -eq 'true'
    $script:targets = @(
        # walltime: the shortest each scheduler takes (SLURM counts minutes, and kills a little after the limit)
        @{ Target = 'Local'; Scheduler = 'Local'; Walltime = '00:00:02'; Skip = $false }
        @{ Target = 'SLURM'; Scheduler = 'Slurm'; Walltime = '00:01:00'; Skip = -not $script:hasSlurm -and -not $script:ci }
        @{ Target = 'OpenPBS'; Scheduler = 'Pbs'; Walltime = '00:00:03'; Skip = -not $script:hasPbs -and -not $script:ci }
    )
}
BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
    $script:work = New-TestStateDirectory
    Push-Location $script:work
}
AfterAll { Pop-Location }

Describe 'Why a job ended on <Target>' -ForEach $script:targets -Skip:$Skip {
    It 'is Completed, ExitCode or Signal for a job that ran to its end or was killed' {
        $ok = Submit-HpcJob -Scheduler $Scheduler -Command true
        $three = Submit-HpcJob -Scheduler $Scheduler -Command sh, -c, 'exit 3'
        $killed = Submit-HpcJob -Scheduler $Scheduler -Command sh, -c, 'kill -9 $$'
        $done = $ok, $three, $killed | Wait-HpcJob -Timeout 180
        ($done | Where-Object JobId -eq $ok.JobId).EndCause | Should -Be 'Completed'
        $t = $done | Where-Object JobId -eq $three.JobId
        ($t.EndCause, $t.ExitCode) | Should -Be @('ExitCode', 3)
        $k = $done | Where-Object JobId -eq $killed.JobId
        ($k.EndCause, $k.Signal) | Should -Be @('Signal', 9)
    }

    It 'is Cancelled, saying by whom, for a job stopped while it ran' {
        $job = Submit-HpcJob -Scheduler $Scheduler -Command sleep, 120
        $deadline = (Get-Date).AddSeconds(60)
        while (($job | Get-HpcJobStatus).State -ne 'Running' -and (Get-Date) -lt $deadline) { Start-Sleep -Milliseconds 300 }
        $job | Stop-HpcJob -Confirm:$false
        $end = $job | Wait-HpcJob -Timeout 120
        $end.EndCause | Should -Be 'Cancelled'
        $end.CancelledBy | Should -Not -BeNullOrEmpty
    }

    # OncePerRun: SLURM's takes 80 s (its limits are in minutes); what it proves is the scheduler's and the core's
    It 'is Walltime for a job its limit ended' -Tag OncePerRun {
        $job = Submit-HpcJob -Scheduler $Scheduler -Command sleep, 300 -Resources @{ Walltime = $Walltime }
        $end = $job | Wait-HpcJob -Timeout 240
        ($end.State, $end.EndCause) | Should -Be @('TimedOut', 'Walltime')
    }
}

Describe 'Why a Local job ended, as only its daemon knows' {
    It 'is LaunchFailure for a program that cannot be started' {
        $end = Submit-HpcJob -Command /nonexistent/program | Wait-HpcJob -Timeout 60
        ($end.State, $end.EndCause) | Should -Be @('Failed', 'LaunchFailure')
    }

    It 'is DependencyNeverSatisfied for a job whose dependency failed' {
        $bad = Submit-HpcJob -Command false
        $after = Submit-HpcJob -Command true -DependsOn $bad -DependencyType AfterOk
        $end = $after | Wait-HpcJob -Timeout 60
        $end.EndCause | Should -Be 'DependencyNeverSatisfied'
    }
}
