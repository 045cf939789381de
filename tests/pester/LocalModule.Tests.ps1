# The module as users meet it, on the embedded Local scheduler: real jobs, real processes, real pwsh sessions.
BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
    $script:work = New-TestStateDirectory
    Push-Location $script:work
}
AfterAll {
    Get-ChildItem (Join-Path $env:HPCJOBS_STATE_DIR 'active') -ErrorAction SilentlyContinue | ForEach-Object Name | Stop-HpcJob -ErrorAction SilentlyContinue
    Pop-Location
}

Describe 'Submit-HpcJob | Wait-HpcJob | Get-HpcJobStatus' {
    It 'runs a command job end to end and returns typed, fresh objects' {
        $submitted = Submit-HpcJob -Command 'sh', '-c', 'echo from-job; exit 0' -Name pipeline
        $submitted | Should -BeOfType HpcJobs.Core.Model.JobInfo
        $final = $submitted | Wait-HpcJob -Timeout 60 | Get-HpcJobStatus
        $final.JobId | Should -Be $submitted.JobId
        $final.State | Should -Be 'Completed'
        $final.ExitCode | Should -Be 0
        $final.Scheduler | Should -Be 'Local'
        [object]::ReferenceEquals($final, $submitted) | Should -BeFalse
        Get-Content $final.StdOutPath | Should -Be 'from-job'
        $final.WorkingDirectory | Should -Be $script:work
    }

    It 'submits every script piped from Get-ChildItem, with its arguments' {
        $dir = New-Item -ItemType Directory -Force (Join-Path $script:work 'scripts')
        foreach ($n in 1..3) { Set-Content (Join-Path $dir "s$n.sh") "#!/bin/sh`necho script $n `"`$1`"" }
        $jobs = Get-ChildItem $dir -Filter *.sh | Submit-HpcJob -ArgumentList 'an arg'
        $jobs.Count | Should -Be 3
        $done = $jobs | Wait-HpcJob -Timeout 60
        $done.State | Should -Be @('Completed', 'Completed', 'Completed')
        ($done | ForEach-Object { Get-Content $_.StdOutPath }) | Should -Be @('script 1 an arg', 'script 2 an arg', 'script 3 an arg')
        $done.Name | Should -Be @('s1.sh', 's2.sh', 's3.sh')
    }

    It 'expands an array to its tasks and honours the dependency on the whole array' {
        $array = Submit-HpcJob -Command 'sh', '-c', 'echo $HPCJOBS_ARRAY_TASK_ID' -ArrayRange '0-3%2' -Name arr
        $array.ArrayTasks | Should -Be '0-3%2'
        $after = Submit-HpcJob -Command 'true' -DependsOn $array -DependencyType AfterOk
        $tasks = Wait-HpcJob -InputObject $array -Timeout 60
        $tasks.JobId | Should -Be @("$($array.JobId)_0", "$($array.JobId)_1", "$($array.JobId)_2", "$($array.JobId)_3")
        $tasks.ArrayTaskId | Should -Be @(0, 1, 2, 3)
        ($after | Wait-HpcJob -Timeout 60).State | Should -Be 'Completed'
        (Get-HpcJobStatus -Id $array.JobId).Count | Should -Be 4
    }

    It 'keeps each piped job on its own scheduler whatever the default is' {
        $job = Submit-HpcJob -Command true
        $env:HPCJOBS_SCHEDULER = 'Slurm'
        try { ($job | Wait-HpcJob -Timeout 30 | Get-HpcJobStatus).Scheduler | Should -Be 'Local' }
        finally { $env:HPCJOBS_SCHEDULER = 'Local' }
    }

    It 'takes ids by value and by property name' {
        $job = Submit-HpcJob -Command 'true' | Wait-HpcJob -Timeout 30
        ($job.JobId | Get-HpcJobStatus).State | Should -Be 'Completed'
        ([pscustomobject]@{ Id = $job.JobId } | Get-HpcJobStatus).JobId | Should -Be $job.JobId
        ([pscustomobject]@{ JobId = $job.JobId } | Get-HpcJobStatus).JobId | Should -Be $job.JobId
    }

    It 'passes environment, working directory and output paths through' {
        $sub = New-Item -ItemType Directory -Force (Join-Path $script:work 'wd')
        $job = Submit-HpcJob -Command 'sh', '-c', 'echo "$A|$(pwd)"' -Environment @{ A = 'x y' } -WorkingDirectory $sub -OutputPath 'o-%j.txt' | Wait-HpcJob -Timeout 30
        $job.StdOutPath | Should -Be (Join-Path $sub "o-$($job.JobId).txt")
        Get-Content $job.StdOutPath | Should -Be "x y|$sub"
    }
}

Describe 'Stop-HpcJob' {
    It 'cancels by id from Get-HpcJobStatus and leaves no orphan process' {
        $marker = "$(Get-Random -Minimum 100000 -Maximum 999999).25"
        $a = Submit-HpcJob -Command 'sh', '-c', "sleep $marker & sleep $marker; wait"
        $b = Submit-HpcJob -Command 'sleep', '300'
        $deadline = (Get-Date).AddSeconds(20)
        while (@(Get-ProcessWithArgv 'sleep', $marker).Count -lt 2 -and (Get-Date) -lt $deadline) { Start-Sleep -Milliseconds 100 }
        @(Get-ProcessWithArgv 'sleep', $marker).Count | Should -Be 2
        $stopped = Get-HpcJobStatus $a.JobId, $b.JobId | Stop-HpcJob -PassThru
        $stopped.State | Should -Be @('Cancelled', 'Cancelled')
        $deadline = (Get-Date).AddSeconds(10)
        while (@(Get-ProcessWithArgv 'sleep', $marker).Count -gt 0 -and (Get-Date) -lt $deadline) { Start-Sleep -Milliseconds 100 }
        @(Get-ProcessWithArgv 'sleep', $marker).Count | Should -Be 0
    }

    It 'skips jobs that already finished without an error' {
        $done = Submit-HpcJob -Command 'true' | Wait-HpcJob -Timeout 30
        $out = $done | Stop-HpcJob -PassThru -ErrorVariable errs -Verbose 4>&1
        $errs | Should -BeNullOrEmpty
        (($out | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }).Message -join "`n") | Should -Match "Job $($done.JobId) had already finished \(Completed\)"
    }

    It 'supports -WhatIf and cancels nothing' {
        $job = Submit-HpcJob -Command 'sleep', '30'
        $job | Stop-HpcJob -WhatIf
        (Get-HpcJobStatus $job.JobId).State | Should -BeIn 'Running', 'Pending'
        $job | Stop-HpcJob
    }
}

Describe 'Submit-HpcJob -WhatIf' {
    It 'shows the exact command and submits nothing' {
        $before = @(Get-ChildItem (Join-Path $env:HPCJOBS_STATE_DIR 'units')).Count
        $out = Submit-HpcJob -Command 'printf', '%s', 'a b' -WhatIf 6>&1 | Out-String
        @(Get-ChildItem (Join-Path $env:HPCJOBS_STATE_DIR 'units')).Count | Should -Be $before
        # -WhatIf text goes to the host; run it in a child pwsh to read it
        $text = & $script:Pwsh -NoProfile -NonInteractive -Command "Import-Module '$script:ModuleManifest'; Submit-HpcJob -Command printf, '%s', 'a b' -WhatIf" | Out-String
        $text | Should -Match "What if: Submit job printf on Local:"
        $text | Should -Match "printf %s 'a b'"
        @(Get-ChildItem (Join-Path $env:HPCJOBS_STATE_DIR 'units')).Count | Should -Be $before
    }
}

Describe 'Errors' {
    It 'New-HpcResourceSpec refuses bad values with HpcInvalidResourceSpec naming the field' {
        { New-HpcResourceSpec -Nodes 0 } | Should -Throw -ErrorId 'HpcInvalidResourceSpec,HpcJobs.Commands.NewHpcResourceSpecCommand'
        $err = { New-HpcResourceSpec -Walltime 90 } | Should -Throw -PassThru
        $err.Exception.Message | Should -Match "Walltime '90'.*ambiguous"
        $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
        { New-HpcResourceSpec -Memory 4096 } | Should -Throw '*did you mean 4096MB*'
        { New-HpcResourceSpec -Partition 'two words' } | Should -Throw '*Partition*whitespace*'
        (New-HpcResourceSpec -Memory 4GB -Walltime '1-12:00:00').Memory | Should -Be 4GB
    }

    It 'refuses bad submissions before submitting anything, with stable ErrorIds' {
        $before = @(Get-ChildItem (Join-Path $env:HPCJOBS_STATE_DIR 'units')).Count
        $cases = @(
            @{ Id = 'HpcScriptNotFound'; Category = 'ObjectNotFound'; Run = { Submit-HpcJob ./no-such-script.sh } }
            @{ Id = 'HpcInvalidArrayRange'; Category = 'InvalidArgument'; Run = { Submit-HpcJob -Command true -ArrayRange '5-1' } }
            @{ Id = 'HpcDependencyNotFound'; Category = 'ObjectNotFound'; Run = { Submit-HpcJob -Command true -DependsOn 99999999 } }
            @{ Id = 'HpcInvalidResourceSpec'; Category = 'InvalidArgument'; Run = { Submit-HpcJob -Command true -Resources (New-HpcResourceSpec -Gpus 1) } }
            @{ Id = 'HpcInvalidEnvironment'; Category = 'InvalidArgument'; Run = { Submit-HpcJob -Command true -Environment @{ 'BAD-NAME' = 1 } } }
            @{ Id = 'HpcInvalidJobName'; Category = 'InvalidArgument'; Run = { Submit-HpcJob -Command true -Name "two`nlines" } }
            @{ Id = 'HpcWorkingDirectoryNotFound'; Category = 'ObjectNotFound'; Run = { Submit-HpcJob -Command true -WorkingDirectory /no/such/dir } }
        )
        Set-Content (Join-Path $script:work 'noshebang.sh') 'echo hi'
        $cases += @{ Id = 'HpcInvalidScript'; Category = 'InvalidArgument'; Run = { Submit-HpcJob (Join-Path $script:work 'noshebang.sh') } }
        $ErrorActionPreference = 'Continue' # non-terminating errors are what is under test
        foreach ($case in $cases) {
            $errs = @(& $case.Run 2>&1 | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] })
            $errs.Count | Should -Be 1 -Because $case.Id
            $errs[0].FullyQualifiedErrorId | Should -BeLike "$($case.Id),*"
            $errs[0].CategoryInfo.Category | Should -Be $case.Category -Because $case.Id
        }
        @(Get-ChildItem (Join-Path $env:HPCJOBS_STATE_DIR 'units')).Count | Should -Be $before
    }

    It 'keeps going after a bad pipeline item (non-terminating errors)' {
        Set-Content (Join-Path $script:work 'good.sh') "#!/bin/sh`ntrue"
        $jobs = 'missing.sh', (Join-Path $script:work 'good.sh') | Submit-HpcJob -ErrorVariable errs -ErrorAction SilentlyContinue
        @($jobs).Count | Should -Be 1
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'HpcScriptNotFound,*'
    }

    It 'reports unknown ids as HpcJobNotFound and still returns the known ones' {
        $known = Submit-HpcJob -Command true | Wait-HpcJob -Timeout 30
        $out = Get-HpcJobStatus $known.JobId, 987654 -ErrorVariable errs -ErrorAction SilentlyContinue
        $out.JobId | Should -Be $known.JobId
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'HpcJobNotFound,*'
        $errs[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $errs[0].TargetObject | Should -Be '987654'
        Stop-HpcJob 987654 -ErrorVariable errs2 -ErrorAction SilentlyContinue
        $errs2[0].FullyQualifiedErrorId | Should -BeLike 'HpcJobNotFound,*'
    }

    It 'times out with HpcWaitTimeout naming the jobs still running' {
        $slow = Submit-HpcJob -Command 'sleep', '30'
        $quick = Submit-HpcJob -Command 'true'
        $out = $slow, $quick | Wait-HpcJob -Timeout 2 -ErrorVariable errs -ErrorAction SilentlyContinue
        $out.JobId | Should -Be $quick.JobId
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'HpcWaitTimeout,*'
        $errs[0].CategoryInfo.Category | Should -Be 'OperationTimeout'
        $errs[0].Exception.Message | Should -Match "still not finished: $($slow.JobId) \(Running\)"
        $slow | Stop-HpcJob
    }

    It 'refuses a scheduler that is not there with HpcSchedulerNotAvailable' {
        # a session whose PATH has no scheduler commands at all (and no PBS configuration naming PBS_EXEC)
        $text = & $script:Pwsh -NoProfile -NonInteractive -Command "`$env:PATH = '/nonexistent'; `$env:PBS_CONF_FILE = '/nonexistent'; Import-Module '$script:ModuleManifest'; try { Submit-HpcJob -Command true -Scheduler Slurm } catch { `$_.FullyQualifiedErrorId; `$_.Exception.Message }; try { Submit-HpcJob -Command true -Scheduler Pbs } catch { `$_.FullyQualifiedErrorId; `$_.Exception.Message }"
        $text[0] | Should -Be 'HpcSchedulerNotAvailable,HpcJobs.Commands.SubmitHpcJobCommand'
        $text[1] | Should -Match 'asks for Slurm, but it is not usable here: sbatch is not on PATH'
        $text[2] | Should -Be 'HpcSchedulerNotAvailable,HpcJobs.Commands.SubmitHpcJobCommand'
        $text[3] | Should -Match 'qsub/qstat are not on PATH'
    }
}

Describe 'Wait-HpcJob' {
    It 'returns the first finished job with -Any' {
        $slow = Submit-HpcJob -Command 'sleep', '30'
        $quick = Submit-HpcJob -Command 'true'
        $first = $slow, $quick | Wait-HpcJob -Any -Timeout 30
        $first.JobId | Should -Be $quick.JobId
        $slow | Stop-HpcJob
    }

    It 'stops promptly on Ctrl+C (StopProcessing)' {
        $job = Submit-HpcJob -Command 'sleep', '60'
        $ps = [powershell]::Create()
        $null = $ps.AddScript("Import-Module '$script:ModuleManifest'; Wait-HpcJob -Id $($job.JobId) -Scheduler Local")
        $handle = $ps.BeginInvoke()
        Start-Sleep -Seconds 2
        $handle.IsCompleted | Should -BeFalse
        $sw = [Diagnostics.Stopwatch]::StartNew()
        $ps.Stop()
        $sw.Stop()
        $sw.Elapsed.TotalSeconds | Should -BeLessThan 5
        $ps.InvocationStateInfo.State | Should -Be 'Stopped'
        $ps.Dispose()
        (Get-HpcJobStatus $job.JobId).State | Should -Be 'Running'
        $job | Stop-HpcJob
    }

    It 'writes progress with counts per state' {
        $jobs = 1..2 | ForEach-Object { Submit-HpcJob -Command 'sleep', '1' }
        $ps = [powershell]::Create()
        $null = $ps.AddScript("Import-Module '$script:ModuleManifest'; Wait-HpcJob -Id $($jobs.JobId -join ',') -Scheduler Local")
        $null = $ps.Invoke()
        $records = @($ps.Streams.Progress)
        $ps.Dispose()
        $records.Count | Should -BeGreaterThan 0
        $records[0].StatusDescription | Should -Match '^\d+/2 finished: '
        ($records | Where-Object RecordType -eq 'Completed').Count | Should -Be 1
    }
}

Describe 'Jobs outlive the session that submitted them' {
    It 'is submitted in one pwsh process and waited for from another' {
        $xml = Invoke-InNewPwsh "(Submit-HpcJob -Command 'sh', '-c', 'sleep 2; echo survived' -Name detached).JobId"
        $id = "$xml" -replace '(?s).*<S>(\d+)</S>.*', '$1'
        $id | Should -Match '^\d+$'
        # the submitting pwsh has exited; the job goes on
        (Get-HpcJobStatus $id).State | Should -BeIn 'Running', 'Pending', 'Completed'
        $done = Wait-HpcJob $id -Timeout 30
        $done.State | Should -Be 'Completed'
        Get-Content $done.StdOutPath | Should -Be 'survived'
        # and a third session sees the same result
        $third = Invoke-InNewPwsh "(Get-HpcJobStatus $id).State.ToString()"
        "$third" | Should -Match 'Completed'
    }
}

Describe 'Scheduler selection' {
    It 'is inspectable and follows -Scheduler, then $env:HPCJOBS_SCHEDULER' {
        $sel = Get-HpcScheduler
        $sel.Kind | Should -Be 'Local'
        $sel.SelectedBy | Should -Be '$HPCJOBS_SCHEDULER'
        (Get-HpcScheduler -Scheduler Local).SelectedBy | Should -Be 'the -Scheduler parameter'
        $d = Get-HpcScheduler -Scheduler Local -Detailed
        $d[1].Detail | Should -Match 'CPU slots'
    }

    It 'refuses an unknown name in $env:HPCJOBS_SCHEDULER' {
        $text = & $script:Pwsh -NoProfile -NonInteractive -Command "`$env:HPCJOBS_SCHEDULER = 'lsf'; Import-Module '$script:ModuleManifest'; try { Get-HpcScheduler } catch { `$_.FullyQualifiedErrorId; `$_.Exception.Message }"
        "$text" | Should -Match 'HpcSchedulerNotAvailable'
        "$text" | Should -Match "scheduler 'lsf'"
    }
}

Describe 'Presentation' {
    It 'shows at most six columns by default and everything with Format-List *' {
        $job = Submit-HpcJob -Command true | Wait-HpcJob -Timeout 30
        $table = ($job | Format-Table | Out-String -Width 200) -split "`n" | Where-Object { $_ -match '^-' } | Select-Object -First 1
        ($table -split '\s+' | Where-Object { $_ }).Count | Should -BeLessOrEqual 6
        $list = $job | Format-List * | Out-String
        foreach ($p in 'JobId', 'NativeState', 'ExitCode', 'Signal', 'StdOutPath', 'SubmitTime', 'Resources') { $list | Should -Match "$p\s+:" }
    }

    It 'shows Get-HpcScheduler -Detailed''s settings one per line at 80 columns, never as a cut-off dictionary' {
        # the selection and the description go through one Out-Default, as typed at the prompt
        $text = & $script:Pwsh -NoProfile -NonInteractive -Command "Import-Module '$script:ModuleManifest'; Get-HpcScheduler -Detailed -Scheduler Local | Out-String -Width 80"
        ($text -join "`n") | Should -Match 'Settings\s+: CPU slots: \d+'
        ($text -join "`n") | Should -Match '\n\s+State folder: '
        ($text -join "`n") | Should -Not -Match '\{\['
    }
}
