# Job objects keep their scheduler however they are passed: positionally, by -JobId, by pipeline, by property name,
# alone or mixed with another scheduler's jobs in one call. Needs the real SLURM cluster next to Local.
BeforeDiscovery {
    $script:noCluster = -not ((Get-Command scontrol -ErrorAction Ignore) -and ((scontrol ping 2>$null) -match 'is UP'))
    $script:skip = $script:noCluster -and $env:CI -ne 'true'
}
BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
    $script:work = New-TestStateDirectory
    Push-Location $script:work
    # two running jobs with the same number on two schedulers would be the dangerous case; ids differ here, schedulers must not
    function New-Pair { @((Submit-HpcJob -Scheduler Local -Command sleep, 60), (Submit-HpcJob -Scheduler Slurm -Command sleep, 60)) }
}
AfterAll { Pop-Location }

Describe 'Job references' -Skip:$script:skip {
    BeforeAll {
        if ($script:noCluster) { throw 'CI=true and no SLURM test cluster is running.' }
        # bare ids go to Local (the test default); job objects must ignore that default
        $env:HPCJOBS_SCHEDULER = 'Local'
    }

    It 'Get-HpcJobStatus answers each job from its own scheduler, <Form>' -ForEach @(
        @{ Form = 'positionally'; Call = { param($jobs) Get-HpcJobStatus $jobs } }
        @{ Form = 'by -JobId'; Call = { param($jobs) Get-HpcJobStatus -JobId $jobs } }
        @{ Form = 'by -InputObject'; Call = { param($jobs) Get-HpcJobStatus -InputObject $jobs } }
        @{ Form = 'from the pipeline'; Call = { param($jobs) $jobs | Get-HpcJobStatus } }
        @{ Form = 'by property name'; Call = { param($jobs) $jobs | Select-Object JobId, Scheduler | Get-HpcJobStatus } }
        @{ Form = 'from hashtables'; Call = { param($jobs) $jobs | ForEach-Object { @{ JobId = $_.JobId; Scheduler = $_.Scheduler } } | Get-HpcJobStatus } }
    ) {
        $pair = New-Pair
        $got = & $Call $pair
        ($got | Sort-Object Scheduler | ForEach-Object { "$($_.Scheduler):$($_.JobId)" }) | Should -Be @("Local:$($pair[0].JobId)", "Slurm:$($pair[1].JobId)")
        $pair | Stop-HpcJob -Confirm:$false
    }

    It 'Wait-HpcJob waits on both schedulers at once, <Form>' -ForEach @(
        @{ Form = 'positionally'; Call = { param($jobs) Wait-HpcJob $jobs -Timeout 120 } }
        @{ Form = 'by -JobId'; Call = { param($jobs) Wait-HpcJob -JobId $jobs -Timeout 120 } }
        @{ Form = 'from the pipeline'; Call = { param($jobs) $jobs | Wait-HpcJob -Timeout 120 } }
        @{ Form = 'by property name'; Call = { param($jobs) $jobs | Select-Object JobId, Scheduler | Wait-HpcJob -Timeout 120 } }
    ) {
        $pair = @((Submit-HpcJob -Scheduler Local -Command sh, -c, 'exit 3'), (Submit-HpcJob -Scheduler Slurm -Command sh, -c, 'exit 4'))
        $done = & $Call $pair
        ($done | Sort-Object Scheduler | ForEach-Object { "$($_.Scheduler):$($_.ExitCode)" }) | Should -Be @('Local:3', 'Slurm:4')
    }

    It 'Stop-HpcJob cancels each job on its own scheduler, <Form>' -ForEach @(
        @{ Form = 'positionally'; Call = { param($jobs) Stop-HpcJob $jobs -PassThru -Confirm:$false } }
        @{ Form = 'by -JobId'; Call = { param($jobs) Stop-HpcJob -JobId $jobs -PassThru -Confirm:$false } }
        @{ Form = 'from the pipeline'; Call = { param($jobs) $jobs | Stop-HpcJob -PassThru -Confirm:$false } }
        @{ Form = 'by property name'; Call = { param($jobs) $jobs | Select-Object JobId, Scheduler | Stop-HpcJob -PassThru -Confirm:$false } }
    ) {
        $pair = New-Pair
        $stopped = & $Call $pair
        ($stopped | Sort-Object Scheduler).Scheduler | Should -Be @('Local', 'Slurm')
        ($pair | Wait-HpcJob -Timeout 60 | Sort-Object Scheduler).State | Should -Be @('Cancelled', 'Cancelled')
    }

    It 'Stop-HpcJob -WhatIf on a Local job object names Local, not the default scheduler' {
        $env:HPCJOBS_SCHEDULER = 'Slurm'
        try {
            $local = Submit-HpcJob -Scheduler Local -Command sleep, 30
            $text = & $script:Pwsh -NoProfile -NonInteractive -Command "Import-Module '$script:ModuleManifest'; `$j = Get-HpcJobStatus -Scheduler Local $($local.JobId); Stop-HpcJob `$j -WhatIf"
            "$text" | Should -Match "job $($local.JobId) on Local"
            $local | Stop-HpcJob -Confirm:$false
        }
        finally { $env:HPCJOBS_SCHEDULER = 'Local' }
    }

    It 'a SLURM job cannot depend on a Local job' {
        $local = Submit-HpcJob -Scheduler Local -Command true
        Submit-HpcJob -Scheduler Slurm -Command true -DependsOn $local -ErrorVariable errs -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'HpcInvalidDependency,*'
        $errs[0].Exception.Message | Should -Match "goes to Slurm, but it depends on Local job $($local.JobId)"
    }

    It 'Stop-HpcJob -PassThru on a running SLURM job returns its state after the cancel' {
        $job = Submit-HpcJob -Scheduler Slurm -Command sleep, 60
        $deadline = (Get-Date).AddSeconds(30)
        while ((Get-HpcJobStatus $job).State -ne 'Running' -and (Get-Date) -lt $deadline) { Start-Sleep -Milliseconds 200 }
        $after = Stop-HpcJob $job -PassThru -Confirm:$false
        if ($after.State -eq 'Cancelled') { $after.IsFinished | Should -BeTrue }
        else { $after.Reason | Should -Match '^CancelRequested' }
    }
}
