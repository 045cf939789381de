# Help text for the HpcJobs cmdlets. build.ps1 (task Help) merges it with the cmdlets' own metadata (parameter types,
# positions, pipeline input) into module/HpcJobs.dll-Help.xml, which is what Get-Help reads for a compiled module.
@{
    'Submit-HpcJob' = @{
        Synopsis    = 'Submits a batch script or a command to SLURM, PBS or the local machine and returns the job.'
        Description = 'Submits one job (or one array job) per script or command. Everything is checked before anything is submitted: bad resources, a missing script, an unknown dependency or a request the scheduler can never meet are refused with an error and nothing is left behind. Commands are argument lists; nothing is interpreted by a shell. -WhatIf shows the exact native command line and, for batch schedulers, the generated script.'
        Parameters  = @{
            ScriptPath       = 'The batch script to submit. It must start with #! and an interpreter. Binds from the pipeline (Get-ChildItem *.sh | Submit-HpcJob).'
            ArgumentList     = 'Arguments passed to the script.'
            Command          = 'The program and its arguments, as a list. Each element reaches the program verbatim.'
            Name             = 'The job name. Defaults to the script or program file name.'
            Resources        = 'A ResourceSpec from New-HpcResourceSpec: nodes, tasks, CPUs, GPUs, memory, walltime, partition, QoS, account, constraint.'
            DependsOn        = 'Jobs this job waits for: JobInfo objects or job ids. An array job id stands for all its tasks. Unknown ids are refused before submitting.'
            DependencyType   = 'What the dependency waits for: AfterOk (default; success), AfterAny (any end) or AfterNotOk (failure). A dependency that can never be met ends the job Cancelled with reason DependencyNeverSatisfied.'
            ArrayRange       = 'Submit an array job with these task indices: 0-99, 1,3,5-7, 0-99:2, with an optional throttle %N (at most N tasks at once). Each task sees its index in HPCJOBS_ARRAY_TASK_ID (and SLURM_ARRAY_TASK_ID).'
            WorkingDirectory = 'Where the job runs. Defaults to the current PowerShell location.'
            Environment      = 'Extra environment variables for the job, as a hashtable.'
            OutputPath       = 'The stdout file. Patterns: %j job id, %A array id, %a task index, %x job name. Defaults to the scheduler''s usual file in the working directory.'
            ErrorPath        = 'The stderr file (same patterns). Defaults to the stdout file.'
            Scheduler        = 'Local, Slurm or Pbs. Defaults to $env:HPCJOBS_SCHEDULER, else auto-detection (see Get-HpcScheduler).'
        }
        Examples    = @(
            @{ Code = 'Submit-HpcJob -Command hostname | Wait-HpcJob'; Remarks = 'Runs hostname as a job on the detected scheduler and waits for it.' }
            @{ Code = @'
$r = New-HpcResourceSpec -CpusPerTask 4 -Memory 8GB -Walltime 2h
Submit-HpcJob ./train.sh -Resources $r -ArrayRange 0-99%10 -Name sweep
'@; Remarks = 'Submits a 100-task array, at most 10 tasks at a time, each with 4 CPUs, 8 GB and two hours.' }
            @{ Code = @'
$prep = Submit-HpcJob ./prep.sh
Submit-HpcJob ./analyse.sh -DependsOn $prep -DependencyType AfterOk
'@; Remarks = 'Runs analyse.sh only after prep.sh succeeded.' }
            @{ Code = 'Get-ChildItem *.sh | Submit-HpcJob -WhatIf'; Remarks = 'Shows the native submission of every script without submitting anything.' }
        )
    }
    'Get-HpcJobStatus' = @{
        Synopsis    = 'Gets the current state of jobs: one batched scheduler query for all of them.'
        Description = 'Returns a fresh JobInfo for every job id or job object given, in the order given. Array job ids expand to one object per task. All ids of one scheduler are queried together, whatever their number. Jobs the scheduler does not know give a non-terminating HpcJobNotFound error. Jobs submitted outside HpcJobs can be looked up by id.'
        Parameters  = @{
            JobId       = 'Job ids (123, 123_4, 123[4].server). Binds from the pipeline, also by the JobId property.'
            InputObject = 'JobInfo objects, for example from Submit-HpcJob.'
            Scheduler   = 'The scheduler that owns bare ids. JobInfo objects carry their own.'
        }
        Examples    = @(
            @{ Code = 'Get-HpcJobStatus 12, 13'; Remarks = 'Shows jobs 12 and 13.' }
            @{ Code = '$jobs | Get-HpcJobStatus | Where-Object State -eq Failed | Format-List *'; Remarks = 'Shows every detail of the jobs that failed.' }
        )
    }
    'Wait-HpcJob' = @{
        Synopsis    = 'Waits until jobs finish and returns them.'
        Description = 'Polls the scheduler once per round for all jobs (adaptive interval: fast at first, backing off while nothing changes) and shows progress with counts per state. Returns the finished jobs. A scheduler that stops answering is retried with backoff. Ctrl+C stops waiting at once. On timeout the finished jobs are returned and an HpcWaitTimeout error names the jobs still running.'
        Parameters  = @{
            JobId        = 'Job ids to wait for.'
            InputObject  = 'JobInfo objects to wait for.'
            Scheduler    = 'The scheduler that owns bare ids.'
            Timeout      = 'Seconds to wait at most; -1 (default) waits for ever.'
            Any          = 'Return as soon as one job has finished.'
            PollInterval = 'Fixed seconds between polls instead of the adaptive default.'
        }
        Examples    = @(
            @{ Code = 'Submit-HpcJob ./run.sh | Wait-HpcJob | Get-HpcJobStatus'; Remarks = 'Submits, waits, and shows the final state.' }
            @{ Code = '$jobs | Wait-HpcJob -Timeout 3600 -ErrorAction Stop'; Remarks = 'Waits at most an hour and stops the script if jobs are still running then.' }
        )
    }
    'Stop-HpcJob' = @{
        Synopsis    = 'Cancels pending or running jobs.'
        Description = 'Cancels all given jobs of one scheduler with one call. Jobs that already finished are skipped (see -Verbose); ids the scheduler does not know give an HpcJobNotFound error, even where the scheduler itself would stay silent. Running local jobs are stopped with their whole process tree.'
        Parameters  = @{
            JobId       = 'Job ids to cancel.'
            InputObject = 'JobInfo objects to cancel.'
            Scheduler   = 'The scheduler that owns bare ids.'
            PassThru    = 'Return the cancelled jobs.'
        }
        Examples    = @(
            @{ Code = 'Get-HpcJobStatus 12, 13 | Stop-HpcJob'; Remarks = 'Cancels jobs 12 and 13.' }
            @{ Code = '$jobs | Stop-HpcJob -WhatIf'; Remarks = 'Shows what would be cancelled.' }
        )
    }
    'New-HpcResourceSpec' = @{
        Synopsis    = 'Creates a validated resource request for Submit-HpcJob.'
        Description = 'Every value is checked when the object is made: counts must be positive, memory between 1MB and 1PB, walltime between a second and 365 days, names without whitespace or control characters. Memory takes 512MB, 4GB, 1.5TB (binary units, as schedulers read them) or a number of bytes. Walltime takes HH:MM:SS, D-HH:MM:SS, 90m, 2h, 1d or a TimeSpan; a bare number is refused because SLURM reads it as minutes and PBS as seconds.'
        Parameters  = @{
            Nodes        = 'Number of nodes.'
            TasksPerNode = 'Tasks (MPI ranks) per node.'
            CpusPerTask  = 'CPUs per task.'
            GpusPerNode  = 'GPUs per node.'
            Memory       = 'Memory per node: 512MB, 4GB, 1.5TB.'
            Walltime     = 'Time limit: HH:MM:SS, D-HH:MM:SS, 90m, 2h, 1d.'
            Partition    = 'SLURM partition or PBS queue.'
            Qos          = 'Quality of service.'
            Account      = 'Account to charge.'
            Constraint   = 'Node features required (SLURM --constraint).'
        }
        Examples    = @(
            @{ Code = 'New-HpcResourceSpec -Nodes 2 -TasksPerNode 32 -Memory 64GB -Walltime 1-00:00:00 -Partition compute'; Remarks = 'Two nodes, 32 tasks each, 64 GB per node, one day.' }
        )
    }
    'Get-HpcScheduler' = @{
        Synopsis    = 'Shows which scheduler HpcJobs uses here and why.'
        Description = 'Reports the back end that Submit-HpcJob and the other cmdlets would use, what selected it (-Scheduler, $env:HPCJOBS_SCHEDULER or auto-detection), and what each candidate answered. Auto-detection tries SLURM, then PBS, and falls back to the embedded Local scheduler.'
        Parameters  = @{
            Scheduler = 'Check one named scheduler instead of auto-detecting.'
            Detailed  = 'Also describe the chosen back end: version, capacity, capabilities.'
        }
        Examples    = @(
            @{ Code = 'Get-HpcScheduler -Detailed'; Remarks = 'Shows the selected scheduler, every candidate''s answer, and details of the selected one.' }
        )
    }
}
