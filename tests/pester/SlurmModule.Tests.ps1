# The module on the real SLURM test cluster (tests/cluster/start-slurm.sh). Skipped without a cluster, except in CI.
BeforeDiscovery {
    $script:noCluster = -not ((Get-Command scontrol -ErrorAction Ignore) -and ((scontrol ping 2>$null) -match 'is UP'))
    $script:skip = $script:noCluster -and $env:CI -ne 'true'
}
BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
    $script:work = New-TestStateDirectory
    Push-Location $script:work
}
AfterAll { Pop-Location }

Describe 'SLURM' -Skip:$script:skip {
    BeforeAll {
        if ($script:noCluster) { throw 'CI=true and no SLURM test cluster is running: the SLURM tests must not pass without one.' }
    }

    It 'is chosen by auto-detection, with its reason' {
        $out = & $script:Pwsh -NoProfile -NonInteractive -Command "`$env:PATH = '/opt/slurm-torque/usr/bin:' + `$env:PATH; `$env:HPCJOBS_SCHEDULER = `$null; Import-Module '$script:ModuleManifest'; `$s = Get-HpcScheduler; `$s.Kind.ToString(); `$s.SelectedBy; `$s.Candidates[0].Reason"
        $out[0] | Should -Be 'Slurm'
        $out[1] | Should -Be 'auto-detection'
        $out[2] | Should -Match 'controller answers: Slurmctld\(primary\) at .* is UP'
    }

    It 'submits, waits and shows jobs through the pipeline' {
        $spec = New-HpcResourceSpec -CpusPerTask 1 -Memory 200MB -Walltime 5m
        $jobs = @(
            Submit-HpcJob -Scheduler Slurm -Command 'sh', '-c', 'echo ok' -Resources $spec -Name 'pester ok'
            Submit-HpcJob -Scheduler Slurm -Command 'sh', '-c', 'exit 3' -Resources $spec
        )
        $jobs.Scheduler | Should -Be @('Slurm', 'Slurm')
        $done = $jobs | Wait-HpcJob -Timeout 120 | Get-HpcJobStatus
        $done.State | Should -Be @('Completed', 'Failed')
        $done[1].ExitCode | Should -Be 3
        Get-Content $done[0].StdOutPath | Should -Be 'ok'
        $done[0].Name | Should -Be 'pester ok'
    }

    It 'shows the exact sbatch argv and script with -WhatIf and submits nothing' {
        $before = @(squeue -h -t all -o %i)
        $text = & $script:Pwsh -NoProfile -NonInteractive -Command "Import-Module '$script:ModuleManifest'; Submit-HpcJob -Scheduler Slurm -Command echo, 'a b' -Name demo -Resources (New-HpcResourceSpec -Walltime 90m -Memory 1GB) -WhatIf" | Out-String
        $text | Should -Match "What if: Submit job demo on Slurm:"
        $text | Should -Match "sbatch --parsable --job-name=demo --mem=1024M --time=01:30:00"
        $text | Should -Match "--- script ---"
        $text | Should -Match "exec 'echo' 'a b'"
        # no new id: a count would also drop when finished jobs leave the list meanwhile (MinJobAge)
        @(squeue -h -t all -o %i) | Where-Object { $_ -notin $before } | Should -BeNullOrEmpty
    }

    It 'reports SLURM''s own rejection as HpcSubmitFailed' {
        Submit-HpcJob -Scheduler Slurm -Command true -Resources (New-HpcResourceSpec -Partition nosuchpartition) -ErrorVariable errs -ErrorAction SilentlyContinue
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'HpcSubmitFailed,*'
        $errs[0].Exception.Message | Should -Match 'Invalid partition name specified'
        $errs[0].CategoryInfo.Category | Should -Be 'InvalidOperation'
    }

    It 'refuses a dependency on a job SLURM does not know' {
        Submit-HpcJob -Scheduler Slurm -Command true -DependsOn 99999999 -ErrorVariable errs -ErrorAction SilentlyContinue
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'HpcDependencyNotFound,*'
    }

    It 'follows a job submitted with plain sbatch, and stops jobs by id' {
        $id = (sbatch --parsable --chdir $script:work --wrap 'sleep 300').Trim()
        $job = Get-HpcJobStatus -Scheduler Slurm $id
        $job.JobId | Should -Be $id
        $job.State | Should -BeIn 'Pending', 'Running'
        $stopped = Get-HpcJobStatus -Scheduler Slurm $id | Stop-HpcJob -PassThru
        $stopped.JobId | Should -Be $id
        (Wait-HpcJob -Scheduler Slurm $id -Timeout 60).State | Should -Be 'Cancelled'
        Stop-HpcJob -Scheduler Slurm 99999996 -ErrorVariable errs -ErrorAction SilentlyContinue
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'HpcJobNotFound,*'
    }

    It 'offers SLURM''s PBS wrappers only by name, as the Torque dialect' {
        $out = & $script:Pwsh -NoProfile -NonInteractive -Command "`$env:PATH = '/opt/slurm-torque/usr/bin:' + `$env:PATH; `$env:HPCJOBS_SCHEDULER = `$null; Import-Module '$script:ModuleManifest'; (Get-HpcScheduler).Candidates | ForEach-Object { `"`$(`$_.Kind)|`$(`$_.Available)|`$(`$_.Reason)`" }"
        @($out)[0] | Should -Match '^Slurm\|True\|' # detection stops at SLURM, before the wrappers are considered
        # a session with no PBS configuration: the real OpenPBS of this machine (/etc/pbs.conf names /opt/pbs) stays out of
        # it; the wrappers are unpacked into /opt/slurm-torque (tests/cluster/start-slurm.sh: gridengine-client owns /usr/bin/qsub)
        $r = Invoke-InNewPwsh @"
`$env:PBS_CONF_FILE = '/nonexistent'
`$env:PATH = '/opt/slurm-torque/usr/bin:' + `$env:PATH
`$named = Get-HpcScheduler -Scheduler Pbs -Detailed
`$job = Submit-HpcJob -Scheduler Pbs -Command 'sh', '-c', 'exit 4' -Name 'via the wrapper' -WarningVariable warn 3>`$null
[pscustomobject]@{ Kind = `$named[0].Kind.ToString(); Name = `$named[1].Name; Detail = `$named[1].Detail; Warn = "`$warn"; Exit = (`$job | Wait-HpcJob -Timeout 120).ExitCode }
"@
        $r.Kind | Should -Be 'Pbs'
        $r.Name | Should -Be 'Torque'
        $r.Detail | Should -Match 'SLURM''s PBS-compatibility wrapper'
        $r.Warn | Should -Match "submitted as 'via_the_wrapper'"
        $r.Exit | Should -Be 4
    }

    It 'expands an array to per-task objects' {
        $array = Submit-HpcJob -Scheduler Slurm -Command 'sh', '-c', 'echo $SLURM_ARRAY_TASK_ID' -ArrayRange '1-3'
        $tasks = $array | Wait-HpcJob -Timeout 120
        $tasks.JobId | Should -Be @("$($array.JobId)_1", "$($array.JobId)_2", "$($array.JobId)_3")
        ($tasks | ForEach-Object { Get-Content $_.StdOutPath }) | Should -Be @('1', '2', '3')
    }
}
