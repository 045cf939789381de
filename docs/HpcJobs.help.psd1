# Help text for the HpcJobs cmdlets. build.ps1 (task Help) merges it with the cmdlets' own metadata (parameter types,
# positions, pipeline input) into module/HpcJobs.dll-Help.xml, which is what Get-Help reads for a compiled module.
@{
    # described once for every cmdlet that reaches a scheduler
    SharedParameters = @{
        HostName    = "A cluster's login node reached over SSH: a host name, an address, or a Host alias of ~/.ssh/config (ProxyJump, IdentityFile and the rest apply as configured). The system's OpenSSH client connects once per pwsh session and cluster; every cmdlet, poll and job object of that cluster uses the one connection. Omitted: the schedulers of this machine. For a default cluster: `$PSDefaultParameterValues['*-Hpc*:HostName'] = 'cluster'. Job objects go to the host they came from whatever this says."
        UserName    = 'The login name on the cluster, when it is not the one ~/.ssh/config or your own name gives. Only with -HostName.'
        Port        = "The cluster's SSH port, when it is not the default (22, or ~/.ssh/config's Port). Only with -HostName."
        KeyFilePath = 'The private key ssh logs in with (ssh -i), when neither ssh-agent nor ~/.ssh/config gives it. Only with -HostName. HpcJobs never asks for or passes a password, passphrase or one-time code: in an interactive session ssh itself asks; in a script (no console input) ssh runs in BatchMode and fails clearly.'
    }

    'Submit-HpcJob' = @{
        Synopsis    = 'Submits a batch script or a command to SLURM, PBS, Grid Engine or the local machine and returns the job.'
        Description = 'Submits one job (or one array job) per script or command. Everything is checked before anything is submitted: bad resources, a missing script, an unknown dependency or a request the scheduler can never meet are refused with an error and nothing is left behind. Commands are argument lists; nothing is interpreted by a shell. -WhatIf shows the exact native command line and, for batch schedulers, the generated script.'
        Parameters  = @{
            ScriptPath       = 'The batch script to submit. It must start with #! and an interpreter. Binds from the pipeline (Get-ChildItem *.sh | Submit-HpcJob).'
            ArgumentList     = 'Arguments passed to the script (as strings), or to the script block (as objects, serialized as CLIXML to depth 3, as remoting does).'
            Command          = 'The program and its arguments, as a list. Each element reaches the program verbatim.'
            ScriptBlock      = 'PowerShell to run on the node under pwsh (parameter set ScriptBlock). Receive-HpcJob returns its output objects (deserialized, as from remoting) and replays its Error, Warning, Verbose, Debug and Information records in the order written. $using:name values are taken when you submit, as Start-ThreadJob takes them; a block bound to a module or a closure (GetNewClosure) is refused, since its variables cannot travel. In an array job each task has its index in $HpcTaskIndex. The payload and results live in a private folder (0700) under $env:HPCJOBS_PAYLOAD_DIR, default ~/.hpcjobs/payloads, which must be on a file system the nodes share; folders are removed 7 days ($env:HPCJOBS_PAYLOAD_RETENTION_DAYS) after they were last written, when a later script-block job is submitted. A payload over 64 MB is refused before anything is submitted. See about_HpcJobs.'
            ImportModule     = 'Modules imported on the node before the script block runs: names (found in the node''s PSModulePath) or paths the node can read. A module that cannot be imported there fails the task, naming the module and the host.'
            PwshPath         = 'pwsh on the node. Default: $env:HPCJOBS_PWSH, else the pwsh running this session (its path, or dotnet and pwsh.dll for pwsh as a dotnet tool), else pwsh from the node''s PATH (always the latter on a cluster over SSH). A node without it fails the task with HpcScriptBlockNotStarted naming the host.'
            Name             = 'The job name. Defaults to the script or program file name.'
            Resources        = 'A ResourceSpec from New-HpcResourceSpec: nodes, tasks, CPUs, GPUs, memory, walltime, partition, QoS, account, constraint.'
            DependsOn        = 'Jobs this job waits for: JobInfo objects or job ids. An array job id stands for all its tasks. Unknown ids are refused before submitting.'
            DependencyType   = 'What the dependency waits for: AfterOk (default; success), AfterAny (any end) or AfterNotOk (failure). A dependency that can never be met ends the job Cancelled with reason DependencyNeverSatisfied.'
            ArrayRange       = 'Submit an array job with these task indices: 0-99, 1,3,5-7, 0-99:2, with an optional throttle %N (at most N tasks at once). Each task sees its index in HPCJOBS_ARRAY_TASK_ID (and SLURM_ARRAY_TASK_ID).'
            WorkingDirectory = 'Where the job runs. Defaults to the current PowerShell location.'
            Environment      = 'Extra environment variables for the job, as a hashtable.'
            OutputPath       = 'The stdout file. Patterns: %j job id, %A array id, %a task index, %x job name. Defaults to the scheduler''s usual file in the working directory.'
            ErrorPath        = 'The stderr file (same patterns). Defaults to the stdout file.'
            Scheduler        = 'Local, Slurm, Pbs or GridEngine. Defaults to $env:HPCJOBS_SCHEDULER, else auto-detection (see Get-HpcScheduler). Tab completes the schedulers that answer here.'
            Partition        = 'The partition (PBS: queue), overriding the one in -Resources. Tab completes the scheduler''s partitions (sinfo; qstat -Q).'
            Qos              = 'The quality of service (SLURM), overriding the one in -Resources. Tab completes from sacctmgr.'
            Account          = 'The account to charge, overriding the one in -Resources. Tab completes your accounts from sacctmgr.'
            Hold             = 'Submits the job held: it stays Held (HeldBy User) until Resume-HpcJob (sbatch --hold, qsub -h; Local too).'
            BeginTime        = 'Does not start the job before this time: a DateTime, a TimeSpan (from now), ''+90m'', ''now+2h'', ''+1d'', or ''2026-12-01 08:00'' (this machine''s time zone). Until then the job is Pending with Reason BeginTime (sbatch --begin, qsub -a; Local too).'
            Requeue          = 'Lets the scheduler run the job again after a node failure or a preemption (sbatch --requeue, qsub -r y). On Local, a job whose daemon dies runs again instead of ending NODE_FAIL. Restarts counts the runs.'
            NoRequeue        = 'The job never runs twice (sbatch --no-requeue, qsub -r n): a preempted job ends Cancelled, and Restart-HpcJob refuses it.'
            Signal           = 'Sends a signal some seconds before the walltime so that the job can checkpoint: ''USR1@120'' sends SIGUSR1 two minutes before the end (SIGNAL[@SECONDS]: a name such as USR1, USR2, TERM, or a number 1-64; 0-65535 seconds, default 60). SLURM sends it to the batch script''s process (--signal=B:), which for -Command is the command itself; Local to the job''s first process (needs -Walltime). PBS cannot (qsub has no such option): refused, with what to do instead (trap SIGTERM).'
            MailUser         = 'Who the scheduler mails about the job: user or user@host (sbatch --mail-user, qsub -M). Refused on Local, which sends no mail.'
            MailType         = 'When the scheduler mails: Begin, End, Fail, or All (sbatch --mail-type, qsub -m b/e/a).'
            Exclusive        = 'The job''s nodes run no other job (sbatch --exclusive, qsub -l place=excl; Torque -n). Refused on Local.'
            MaxRetries          = 'Submit the job again, up to this many times (1 to 10), when it ends for a cause in -RetryOn. Whoever waits for it does (Wait-HpcJob, the PowerShell job of -AsJob, Receive-HpcJob -Wait), in this session or a later one (the policy is kept in ~/.hpcjobs/retries, private to you); nothing retries while nothing waits. Each attempt is a new job: its Attempt says which, RetryOf the job it retries; the attempt that ended stays as it ended. Dependents of a failed attempt are not moved to the retry. Not with -ArrayRange.'
            RetryOn             = 'The end causes (EndCause) worth another attempt. Default: NodeFailure, Preempted, OutOfMemory, Walltime. A plain non-zero exit (ExitCode) is retried only when named here.'
            RetryMemoryFactor   = 'After OutOfMemory, the next attempt asks for this much more memory (1 to 16; default 2). A job that asked for no -Memory is not retried for OutOfMemory: there is nothing to scale.'
            RetryWalltimeFactor = 'After Walltime, the next attempt asks for this much more walltime (1 to 16; default 2). A job that asked for no -Walltime is not retried for Walltime.'
            AsJob            = 'Returns a PowerShell job instead of the JobInfo: Get-Job lists it (jobs of this session), Wait-Job waits for the scheduler''s end, Receive-Job returns the job''s output lines (with -Keep as usual), Stop-Job cancels it on the scheduler, Remove-Job refuses a running one without -Force. An array''s tasks are its child jobs (Get-Job -IncludeChildJob). States: Pending and Held are NotStarted, Running is Running, Completed is Completed, Failed and TimedOut are Failed, Cancelled is Stopped.'
            WhatIf           = 'Shows the exact native submission (argument list, generated script, or the Local scheduler''s settings) and submits nothing.'
            Confirm          = 'Asks before submitting.'
        }
        Inputs      = @(
            @{ Type = 'System.String'; Description = 'Script paths, also by the property names FullName and Path (Get-ChildItem *.sh | Submit-HpcJob).' }
        )
        Outputs     = @(
            @{ Type = 'HpcJobs.Core.Model.JobInfo'; Description = 'The submitted job (State Pending), to pipe into Wait-HpcJob, Get-HpcJobStatus, Receive-HpcJob or Stop-HpcJob.' }
            @{ Type = 'HpcJobs.HpcPowerShellJob'; Description = 'With -AsJob: a PowerShell job for Get-Job, Wait-Job, Receive-Job and Stop-Job.' }
        )
        Examples    = @(
            @{ Code = 'Submit-HpcJob ./train.sh -Resources @{ Walltime = ''4h'' } -Signal USR1@300 -Requeue'; Remarks = 'Sends SIGUSR1 five minutes before the walltime (the script traps it and writes a checkpoint), and lets SLURM run the job again if it is preempted.' }
            @{ Code = 'Submit-HpcJob ./nightly.sh -BeginTime ''+8h'' -MailUser me@example.org -MailType End, Fail'; Remarks = 'Starts no earlier than eight hours from now, and mails when it ends or fails.' }
            @{ Code = '$job = Submit-HpcJob -ScriptBlock { Get-Process | Sort-Object CPU -Descending | Select-Object -First 3 Name, CPU }; $job | Wait-HpcJob | Receive-HpcJob'; Remarks = 'Runs a script block as a job and gets its objects back (parameter set ScriptBlock).' }
            @{ Code = 'Submit-HpcJob -Command hostname | Wait-HpcJob'; Remarks = 'Runs hostname as a job on the detected scheduler and waits for it (parameter set Command).' }
            @{ Code = 'Submit-HpcJob ./job.sh -Resources @{ Cpus = 4; Memory = ''8GB''; Walltime = ''2h'' } -Partition debug'; Remarks = 'Submits a script (parameter set Script) with resources given as a hashtable.' }
            @{ Code = @'
$r = New-HpcResourceSpec -CpusPerTask 4 -Memory 8GB -Walltime 2h
Submit-HpcJob ./train.sh -Resources $r -ArrayRange 0-99%10 -Name sweep
'@; Remarks = 'Submits a 100-task array, at most 10 tasks at a time, each with 4 CPUs, 8 GB and two hours.' }
            @{ Code = @'
$prep = Submit-HpcJob ./prep.sh
Submit-HpcJob ./analyse.sh -DependsOn $prep -DependencyType AfterOk
'@; Remarks = 'Runs analyse.sh only after prep.sh succeeded.' }
            @{ Code = 'Get-ChildItem *.sh | Submit-HpcJob -WhatIf'; Remarks = 'Shows the native submission of every script without submitting anything.' }
            @{ Code = 'Submit-HpcJob -Command hostname -AsJob | Wait-Job | Receive-Job'; Remarks = 'The job as a PowerShell job: Wait-Job waits for the scheduler, Receive-Job returns its output.' }
        )
    }
    'Get-HpcJobStatus' = @{
        Synopsis    = 'Gets the current state of jobs (one batched scheduler query for all of them), or lists your jobs.'
        Description = 'With jobs (parameter set ById): returns a fresh JobInfo for every job id or job object given, in the order given. Array job ids expand to one object per task. All ids of one scheduler are queried together, whatever their number. Jobs the scheduler does not know give a non-terminating HpcJobNotFound error. Jobs submitted outside HpcJobs can be looked up by id. Without jobs (parameter set List): lists your unfinished jobs on the selected scheduler, like squeue --me or qstat -u $USER; -State, -Partition, -Name, -User and -Since filter the list.'
        Parameters  = @{
            JobId     = 'Jobs: JobInfo objects, objects with JobId (and Scheduler) properties, hashtables, or ids (123, 123_4, 123[4].server). Positional, by name or from the pipeline; a job object always goes to its own scheduler. Tab completes your jobs.'
            Scheduler = 'The scheduler that owns bare ids, or whose jobs to list. JobInfo objects carry their own.'
            State     = 'List only jobs in these states (Pending, Held, Running, Completed, Failed, Cancelled, TimedOut, Unknown). Naming a finished state also lists finished jobs the scheduler still knows.'
            Name      = 'List only jobs whose name matches this wildcard pattern (sweep*).'
            User      = 'List another user''s jobs, or * for everyone''s, where the scheduler shows them. Default: yours.'
            Since     = 'Also list jobs that ended at or after this time (from sacct, qstat -x history, the Local store).'
            Partition = 'List only jobs in this partition (PBS: queue), named exactly, e.g. gpu. Tab completes the partitions, with their nodes, GPUs and features. Local has no partitions. Every JobInfo carries Partition and NodeList (the nodes it runs on).'
            MaxAge    = 'Seconds an answer may be old. Status that another HpcJobs process of yours took that recently (each Wait-HpcJob, -AsJob and Receive-HpcJob -Wait keeps one shared snapshot per cluster, see about_HpcJobs) answers without asking the scheduler; JobInfo.QueriedAt says when the scheduler said it. Default 0: ask the scheduler now.'
        }
        Inputs      = @(
            @{ Type = 'HpcJobs.Core.Model.JobInfo'; Description = 'Jobs, from any HpcJobs cmdlet.' }
            @{ Type = 'System.String'; Description = 'Job ids; also any object with a JobId property.' }
        )
        Outputs     = @(
            @{ Type = 'HpcJobs.Core.Model.JobInfo'; Description = 'A fresh object per job or array task.' }
        )
        Examples    = @(
            @{ Code = 'Get-HpcJobStatus'; Remarks = 'Lists your unfinished jobs (parameter set List).' }
            @{ Code = 'Get-HpcJobStatus -Name sweep* -State Pending | Stop-HpcJob'; Remarks = 'Cancels your pending jobs whose names start with sweep.' }
            @{ Code = 'Get-HpcJobStatus -Partition gpu | Format-Table JobId, Name, State, NodeList'; Remarks = 'Shows your jobs in partition gpu and the nodes they run on (squeue --me -p gpu).' }
            @{ Code = 'Get-HpcJobStatus -Since (Get-Date).AddHours(-1) | Group-Object State'; Remarks = 'Counts by state what ran or ended in the last hour.' }
            @{ Code = 'Get-HpcJobStatus 12, 13'; Remarks = 'Shows jobs 12 and 13 (parameter set ById).' }
            @{ Code = '$jobs | Get-HpcJobStatus | Where-Object State -eq Failed | Format-List *'; Remarks = 'Shows every detail of the jobs that failed.' }
        )
    }
    'Wait-HpcJob' = @{
        Synopsis    = 'Waits until jobs finish and returns them.'
        Description = 'Polls the scheduler once per round for all jobs (adaptive interval: fast at first, backing off while nothing changes) and shows progress with counts per state. Returns the finished jobs. A scheduler that stops answering is retried with backoff. Ctrl+C stops waiting at once. On timeout the finished jobs are returned and an HpcWaitTimeout error names the jobs still running.'
        Parameters  = @{
            JobId        = 'Jobs to wait for: JobInfo objects, objects with JobId/Scheduler properties, or ids. Positional, by name or from the pipeline.'
            Scheduler    = 'The scheduler that owns bare ids.'
            Timeout      = 'Seconds to wait at most; -1 (default) waits for ever.'
            Any          = 'Return as soon as one job has finished.'
            PollInterval = 'Fixed seconds between polls instead of the adaptive default (never faster than the scheduler allows: 1 s for PBS).'
        }
        Inputs      = @(
            @{ Type = 'HpcJobs.Core.Model.JobInfo'; Description = 'Jobs, from any HpcJobs cmdlet.' }
            @{ Type = 'System.String'; Description = 'Job ids; also any object with a JobId property.' }
        )
        Outputs     = @(
            @{ Type = 'HpcJobs.Core.Model.JobInfo'; Description = 'The finished jobs, in the order given. A job the scheduler says can never run is an HpcJobCannotRun error instead.' }
        )
        Examples    = @(
            @{ Code = 'Submit-HpcJob ./run.sh | Wait-HpcJob | Get-HpcJobStatus'; Remarks = 'Submits, waits, and shows the final state.' }
            @{ Code = '$jobs | Wait-HpcJob -Timeout 3600 -ErrorAction Stop'; Remarks = 'Waits at most an hour and stops the script if jobs are still running then.' }
        )
    }
    'Watch-HpcJob' = @{
        Synopsis    = 'Shows jobs live, redrawn in place, until q, Ctrl+C, or (with -UntilFinished) every job has ended.'
        Description = 'A full-screen view like watch squeue, drawn without flicker on the terminal''s alternate screen and fitted to its width and height (resizes included): a header with counts per state, then a row per job, or per array with a bar of its tasks ([###>>>....]: ended, running, waiting) and their counts. Running jobs come first (elapsed against the walltime, their nodes), then waiting ones (time queued, the estimated start and the reason in plain words), then those that ended, latest first (how: exit code, signal, out of memory, walltime, cancelled by whom). Rows that do not fit are counted on the last line. Status comes from the snapshot your HpcJobs processes share with each other (see about_HpcJobs), so a watch costs the scheduler what one Wait-HpcJob does; a selection (parameter set List) is listed again every minute for new jobs. q, Esc or Ctrl+C ends it and gives the shell its screen back, with a line of final counts. Where there is no live console (output redirected, a script in CI) or with -Plain, it prints a line per job when it is first seen and whenever its state changes, on the information stream (as Write-Host: 6> captures it); a scheduler that stops answering is a warning, once per new message.'
        Parameters  = @{
            JobId         = 'Jobs to watch: JobInfo objects, objects with JobId/Scheduler properties, or ids (an array id shows its tasks). Positional, by name or from the pipeline.'
            Scheduler     = 'The scheduler that owns bare ids, or whose jobs to watch.'
            State         = 'Watch only jobs in these states when listed (Pending, Running…); once seen, a job is followed to its end.'
            Name          = 'Watch only jobs whose name matches this wildcard pattern (sweep*).'
            User          = 'Watch another user''s jobs, or * for everyone''s, where the scheduler shows them. Default: yours.'
            Partition     = 'Watch only jobs in this partition (PBS, Grid Engine: queue).'
            UntilFinished = 'End by itself when every job watched has ended, and return them (to pipe on, as Wait-HpcJob returns them). Without it, only q or Ctrl+C ends the watch, and it returns nothing.'
            Plain         = 'Print a line per change even in a live console, as where output is redirected (for a log).'
        }
        Inputs      = @(
            @{ Type = 'HpcJobs.Core.Model.JobInfo'; Description = 'Jobs, from any HpcJobs cmdlet.' }
            @{ Type = 'System.String'; Description = 'Job ids; also any object with a JobId property.' }
        )
        Outputs     = @(
            @{ Type = 'HpcJobs.Core.Model.JobInfo'; Description = 'With -UntilFinished, every job watched once all have ended, in the order first seen; nothing when q or Ctrl+C ends the watch.' }
        )
        Examples    = @(
            @{ Code = 'Watch-HpcJob'; Remarks = 'Watches your unfinished jobs (and any you submit meanwhile) until q.' }
            @{ Code = '$jobs = Submit-HpcJob ./sweep.sh -ArrayRange 1-500%50; $jobs | Watch-HpcJob -UntilFinished | Where-Object State -ne Completed'; Remarks = 'Shows the array as a bar while it runs, then passes on the tasks that did not complete.' }
            @{ Code = 'Watch-HpcJob -Name sweep* -Plain 6> watch.log'; Remarks = 'Logs a line per state change of your sweep jobs.' }
        )
    }
    'Export-HpcJobReport' = @{
        Synopsis    = 'Writes an execution report of jobs: one self-contained HTML page, charts included, that opens offline.'
        Description = 'For any set of jobs (piped from Submit-HpcJob, Invoke-HpcCommand -AsJob or Get-HpcJobStatus, given by id, or your jobs selected by -Name), asks each scheduler once for their status and once for what they used (as Measure-HpcJob does), then writes one HTML file: a summary (counts by final state, CPU-hours used against asked, peak memory against the request, time queued, span), a timeline with a row per job or array task from submit (pale) through start to end (coloured by how it ended), CPU efficiency and peak memory against the request per job with the worst offenders named, a failures table (cause, exit code or signal, reason, the last lines of output) and what was submitted (jobs alike counted together). Chart.js is inlined into the page and a content security policy forbids the page any request, so it works offline and sends nothing anywhere. Legible at thousands of tasks (the timeline grows a few pixels per row).'
        Parameters  = @{
            JobId     = 'Jobs to report: JobInfo objects, objects with JobId/Scheduler properties, or ids (an array id reports each task). Positional, by name or from the pipeline.'
            Scheduler = 'The scheduler that owns bare ids, or whose jobs -Name selects.'
            Path      = 'The HTML file to write; an existing file is replaced. Relative paths are taken against PowerShell''s location.'
            Name      = 'Report your jobs whose name matches this wildcard pattern, those still queued or running and those that ended since -Since.'
            Since     = 'With -Name: also the jobs that ended at or after this time. Default: the last 7 days.'
            Title     = 'The page''s title. Default: HpcJobs report: N jobs.'
            Open      = 'Open the report in your browser once written (xdg-open on Linux, open on macOS).'
            PassThru  = 'Return the report''s file (a FileInfo).'
            WhatIf    = 'Says which file would be written for how many jobs, and writes nothing.'
            Confirm   = 'Asks before writing the file.'
        }
        Inputs      = @(
            @{ Type = 'HpcJobs.Core.Model.JobInfo'; Description = 'Jobs, from any HpcJobs cmdlet.' }
            @{ Type = 'System.String'; Description = 'Job ids; also any object with a JobId property.' }
        )
        Outputs     = @(
            @{ Type = 'System.IO.FileInfo'; Description = 'With -PassThru, the report file.' }
        )
        Examples    = @(
            @{ Code = 'Submit-HpcJob ./sweep.sh -ArrayRange 1-500 | Wait-HpcJob | Export-HpcJobReport -Path sweep.html -Open'; Remarks = 'Runs a sweep, then opens its report: a timeline bar per task, the failures with their last lines.' }
            @{ Code = 'Export-HpcJobReport -Name sweep* -Since (Get-Date).AddDays(-1) -Path yesterday.html'; Remarks = 'Reports your sweep jobs of the last day, finished ones included.' }
        )
    }
    'Stop-HpcJob' = @{
        Synopsis    = 'Cancels pending or running jobs.'
        Description = 'Cancels all given jobs of one scheduler with one call. Jobs that already finished are skipped (see -Verbose); ids the scheduler does not know give an HpcJobNotFound error, even where the scheduler itself would stay silent. Running local jobs are stopped with their whole process tree.'
        Parameters  = @{
            JobId     = 'Jobs to cancel: JobInfo objects, objects with JobId/Scheduler properties, or ids. Positional, by name or from the pipeline.'
            Scheduler = 'The scheduler that owns bare ids.'
            PassThru  = 'Return the cancelled jobs, in their state after the cancel (a job the scheduler is still ending says CancelRequested in Reason).'
            WhatIf    = 'Shows which jobs on which scheduler would be cancelled, and cancels nothing.'
            Confirm   = 'Asks before cancelling each job.'
        }
        Inputs      = @(
            @{ Type = 'HpcJobs.Core.Model.JobInfo'; Description = 'Jobs, from any HpcJobs cmdlet.' }
            @{ Type = 'System.String'; Description = 'Job ids; also any object with a JobId property.' }
        )
        Outputs     = @(
            @{ Type = 'HpcJobs.Core.Model.JobInfo'; Description = 'With -PassThru, the cancelled jobs.' }
        )
        Examples    = @(
            @{ Code = 'Get-HpcJobStatus 12, 13 | Stop-HpcJob'; Remarks = 'Cancels jobs 12 and 13.' }
            @{ Code = '$jobs | Stop-HpcJob -WhatIf'; Remarks = 'Shows what would be cancelled.' }
        )
    }
    'Suspend-HpcJob' = @{
        Synopsis    = 'Holds pending jobs so that they do not start until released.'
        Description = 'Holds every given pending job with one call per scheduler: scontrol hold (SLURM), qhold (PBS), or the Local daemon. A held job keeps its place; Resume-HpcJob releases it. Jobs that are not pending are skipped with a warning: a running job cannot be held (SLURM lets only administrators suspend running jobs with scontrol suspend; stop it with Stop-HpcJob, or requeue it with Restart-HpcJob). Ids the scheduler does not know give HpcJobNotFound; a job the scheduler refuses (not yours) gives HpcOperationRefused, and the others are held. A hold made by root or an operator is an operator hold (HeldBy Operator) that only they can release.'
        Parameters  = @{
            JobId     = 'Jobs to hold: JobInfo objects, objects with JobId/Scheduler properties, or ids. Positional, by name or from the pipeline.'
            Scheduler = 'The scheduler that owns bare ids.'
            PassThru  = 'Return the held jobs, as they are afterwards (State Held, HeldBy).'
            WhatIf    = 'Shows which jobs on which scheduler would be held, and holds nothing.'
            Confirm   = 'Asks before holding each job.'
        }
        Inputs      = @(
            @{ Type = 'HpcJobs.Core.Model.JobInfo'; Description = 'Jobs, from any HpcJobs cmdlet.' }
            @{ Type = 'System.String'; Description = 'Job ids; also any object with a JobId property.' }
        )
        Outputs     = @(
            @{ Type = 'HpcJobs.Core.Model.JobInfo'; Description = 'With -PassThru, the held jobs.' }
        )
        Examples    = @(
            @{ Code = 'Get-HpcJobStatus -State Pending -Name sweep* | Suspend-HpcJob'; Remarks = 'Holds my pending sweep jobs, leaving running ones alone.' }
            @{ Code = 'Submit-HpcJob ./prep.sh -Hold | Suspend-HpcJob -WhatIf'; Remarks = 'Submit-HpcJob -Hold submits a job already held.' }
        )
    }
    'Resume-HpcJob' = @{
        Synopsis    = 'Releases held jobs: they are pending again and start when they can.'
        Description = 'Releases every given held job with one call per scheduler: scontrol release (SLURM), qrls (PBS), or the Local daemon. Jobs that are not held are skipped with a warning. A job held by an operator or by the system (HeldBy Operator or System) can only be released by an operator: the scheduler refuses, and the error (HpcOperationRefused) says so. PBS holds a job that waits for a dependency itself (HeldBy Dependency): it is released when the dependency is met.'
        Parameters  = @{
            JobId     = 'Jobs to release: JobInfo objects, objects with JobId/Scheduler properties, or ids. Positional, by name or from the pipeline.'
            Scheduler = 'The scheduler that owns bare ids.'
            PassThru  = 'Return the released jobs, as they are afterwards.'
            WhatIf    = 'Shows which jobs on which scheduler would be released, and releases nothing.'
            Confirm   = 'Asks before releasing each job.'
        }
        Inputs      = @(
            @{ Type = 'HpcJobs.Core.Model.JobInfo'; Description = 'Jobs, from any HpcJobs cmdlet.' }
            @{ Type = 'System.String'; Description = 'Job ids; also any object with a JobId property.' }
        )
        Outputs     = @(
            @{ Type = 'HpcJobs.Core.Model.JobInfo'; Description = 'With -PassThru, the released jobs.' }
        )
        Examples    = @(
            @{ Code = 'Get-HpcJobStatus -State Held | Resume-HpcJob -PassThru'; Remarks = 'Releases all my held jobs and shows them.' }
        )
    }
    'Set-HpcJob' = @{
        Synopsis    = 'Changes what submitted jobs asked for: walltime, partition, QoS, account, name, nice, begin time, dependencies.'
        Description = 'Changes every given job with one call per scheduler command: scontrol update JobId=1,2,... (SLURM), qalter and, for a queue, qmove (PBS). Values are checked as Submit-HpcJob checks them before anything is sent. Jobs that have ended are skipped with a warning. What the scheduler refuses is an error for that job alone (HpcOperationRefused), with what to do: SLURM lets only operators raise a running job''s time limit or give a negative -Nice; PBS changes most attributes only while a job waits. On the Local back end: the walltime, name, begin time and dependencies of jobs that have not started (a job that started first is refused with HpcOperationRefused); -Partition, -Qos, -Account and -Nice are HpcInvalidJobRequest there.'
        Parameters  = @{
            JobId          = 'Jobs to change: JobInfo objects, objects with JobId/Scheduler properties, or ids. Positional, by name or from the pipeline.'
            Scheduler      = 'The scheduler that owns bare ids.'
            Walltime       = "The new walltime: '2h', '1h 30m', '90m', '1-12:00:00'. SLURM rounds up to whole minutes."
            Partition      = 'The partition (PBS: queue) to move the jobs to.'
            Qos            = 'The QoS (SLURM; PBS has none and refuses it).'
            Account        = 'The account to charge.'
            Name           = 'The new job name.'
            Nice           = 'From -10000 to 10000: higher runs later (SLURM nice; PBS priority is its negation, clamped to -1024..1023). Below 0 only for operators.'
            BeginTime      = "Do not start before: a DateTime, a TimeSpan from now, '+90m', 'now+2h', or '2026-12-01 08:00'."
            DependsOn      = 'The jobs these wait for, replacing what they waited for (SLURM; PBS adds to them). An empty list removes every dependency on SLURM.'
            DependencyType = 'What -DependsOn waits for: AfterOk (default), AfterAny, AfterNotOk.'
            PassThru       = 'Return the changed jobs, as they are afterwards.'
            WhatIf         = 'Shows the exact commands (scontrol update ..., qalter ...), and changes nothing.'
            Confirm        = 'Asks before changing the jobs of each scheduler.'
        }
        Inputs      = @(
            @{ Type = 'HpcJobs.Core.Model.JobInfo'; Description = 'Jobs, from any HpcJobs cmdlet.' }
            @{ Type = 'System.String'; Description = 'Job ids; also any object with a JobId property.' }
        )
        Outputs     = @(
            @{ Type = 'HpcJobs.Core.Model.JobInfo'; Description = 'With -PassThru, the changed jobs.' }
        )
        Examples    = @(
            @{ Code = "Get-HpcJobStatus -State Pending -Name sweep* | Set-HpcJob -Walltime 4h -Partition long -PassThru"; Remarks = 'Gives my waiting sweep jobs more time, on the long partition, in one scontrol call.' }
            @{ Code = 'Set-HpcJob 1234 -Nice 100 -WhatIf'; Remarks = 'Shows the scontrol update command, and changes nothing.' }
        )
    }
    'Restart-HpcJob' = @{
        Synopsis    = 'Requeues running jobs: each ends and runs again from the start, under the same id.'
        Description = 'Requeues every given running (or suspended) job with one call per scheduler: scontrol requeue (SLURM: the job is Pending again, with Reason BeginTime, for about two minutes before it can start), qrerun (PBS: only operators and managers may; others get HpcOperationRefused saying so), or the Local daemon (which ends the job and starts it again at once). The job keeps its id; its Restarts count goes up; its output file is written again from the start. Wait-HpcJob keeps waiting across a requeue and returns the end of the last run. A job submitted with -NoRequeue is refused. Jobs that are not running are skipped with a warning.'
        Parameters  = @{
            JobId     = 'Jobs to requeue: JobInfo objects, objects with JobId/Scheduler properties, or ids. Positional, by name or from the pipeline.'
            Scheduler = 'The scheduler that owns bare ids.'
            PassThru  = 'Return the requeued jobs, as they are afterwards (Pending, Restarts one higher).'
            WhatIf    = 'Shows which jobs on which scheduler would be requeued, and requeues nothing.'
            Confirm   = 'Asks before requeuing each job.'
        }
        Inputs      = @(
            @{ Type = 'HpcJobs.Core.Model.JobInfo'; Description = 'Jobs, from any HpcJobs cmdlet.' }
            @{ Type = 'System.String'; Description = 'Job ids; also any object with a JobId property.' }
        )
        Outputs     = @(
            @{ Type = 'HpcJobs.Core.Model.JobInfo'; Description = 'With -PassThru, the requeued jobs.' }
        )
        Examples    = @(
            @{ Code = 'Restart-HpcJob 1234 -PassThru | Wait-HpcJob'; Remarks = 'Runs job 1234 again from the start and waits for the end of the new run.' }
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
        Inputs      = @(
            @{ Type = 'None'; Description = 'Takes no pipeline input.' }
        )
        Outputs     = @(
            @{ Type = 'HpcJobs.Core.Model.ResourceSpec'; Description = 'An immutable, validated request for Submit-HpcJob -Resources.' }
        )
        Examples    = @(
            @{ Code = 'New-HpcResourceSpec -Nodes 2 -TasksPerNode 32 -Memory 64GB -Walltime 1-00:00:00 -Partition compute'; Remarks = 'Two nodes, 32 tasks each, 64 GB per node, one day.' }
        )
    }
    'Get-HpcScheduler' = @{
        Synopsis    = 'Shows which scheduler HpcJobs uses here and why.'
        Description = 'Reports the back end that Submit-HpcJob and the other cmdlets would use, what selected it (-Scheduler, $env:HPCJOBS_SCHEDULER or auto-detection), and what each candidate answered. Auto-detection tries SLURM, then PBS, and falls back to the embedded Local scheduler.'
        Parameters  = @{
            Scheduler = 'Check one named scheduler instead of auto-detecting.'
            Detailed  = 'Also report on the chosen back end: version, capabilities, and the settings that make results less exact, with the consequence: SLURM accounting, MinJobAge, MaxArraySize, JobAcctGatherFrequency, partitions with their limits; PBS job history, max_array_size, queues with their limits; the status path used.'
        }
        Inputs      = @(
            @{ Type = 'None'; Description = 'Takes no pipeline input.' }
        )
        Outputs     = @(
            @{ Type = 'HpcJobs.Core.Resolution.SchedulerSelection'; Description = 'The choice, what made it, and each candidate''s answer.' }
            @{ Type = 'HpcJobs.Core.Contract.SchedulerDescription'; Description = 'With -Detailed: the back end''s capabilities and settings.' }
        )
        Examples    = @(
            @{ Code = 'Get-HpcScheduler -Detailed'; Remarks = 'Shows the selected scheduler, every candidate''s answer, and details of the selected one.' }
        )
    }
    'Invoke-HpcCommand' = @{
        Synopsis    = 'Runs a script block on the cluster for every input item, as ForEach-Object -Parallel does on this machine, and returns the results in input order.'
        Description = 'Each input item is $_ in its run of the script block on a node. All items go out as one array job: -BatchSize items per array task (each task starts one pwsh there, so the default puts at most -ThrottleLimit tasks, else 100 on a cluster, else one per CPU on Local), and -ThrottleLimit is the scheduler''s own array throttle (sbatch --array=0-N%T, qsub -J 0-N%T). The cmdlet waits and writes each task''s results as soon as it and every task before it have ended: input order, streaming. Errors, warnings, verbose, debug and information records are replayed into their own streams; a task that fails with a terminating error writes HpcScriptBlockFailed (the original exception type, message and script stack trace, the host) and the others go on. Without pipeline input the script block runs once, like Invoke-Command. Ctrl+C, or -Timeout, cancels the job. What crosses to the node: the script block''s text, $using: values (taken now), -ArgumentList and the input, serialized as CLIXML (depth 3); results come back the same way (deserialized objects, as from remoting).'
        Parameters  = @{
            ScriptBlock   = 'What runs for each item ($_), or once without input.'
            InputObject   = 'The items, usually from the pipeline.'
            ArgumentList  = 'Arguments of the script block ($args or its param block), the same for every item.'
            ThrottleLimit = 'At most this many array tasks run at once (the scheduler''s array throttle). Also the number of tasks when -BatchSize is not given.'
            BatchSize     = 'Items per array task. Larger batches start fewer pwsh processes; smaller ones spread wider.'
            Resources     = 'What each task asks for: a ResourceSpec or a hashtable (@{ Cpus = 4; Memory = ''8GB''; Walltime = ''1h'' }).'
            Scheduler     = 'Local, Slurm, Pbs or GridEngine; default as for Submit-HpcJob.'
            ImportModule  = 'Modules imported on the node before the script block runs (names, or paths the node can read).'
            PwshPath      = 'pwsh on the node (see Submit-HpcJob -PwshPath).'
            Name          = 'The array job''s name (default hpccommand).'
            Timeout       = 'Seconds to wait for every result; then the job is cancelled and HpcWaitTimeout written.'
            MaxRetries    = 'Without pipeline input (one job, not an array): run the script block again as a new job, up to this many times (1 to 10), when it ends for a cause in -RetryOn (see Submit-HpcJob -MaxRetries). Only the last attempt''s results are written: what an ended attempt wrote is never replayed. Refused with pipeline input.'
            RetryOn       = 'The end causes worth another attempt. Default: NodeFailure, Preempted, OutOfMemory, Walltime; ExitCode only when named.'
            RetryMemoryFactor = 'After OutOfMemory, the next attempt asks for this much more memory (1 to 16; default 2).'
            RetryWalltimeFactor = 'After Walltime, the next attempt asks for this much more walltime (1 to 16; default 2).'
            AsJob         = 'Returns a PowerShell job at once instead of waiting: Receive-Job gives the results (an array''s tasks are its child jobs, in task order), Stop-Job cancels the array.'
            WhatIf        = 'Says what would be submitted, and submits nothing.'
            Confirm       = 'Asks before submitting.'
        }
        Inputs      = @(
            @{ Type = 'System.Object'; Description = 'Any objects: each is $_ in one run of the script block.' }
        )
        Outputs     = @(
            @{ Type = 'System.Management.Automation.PSObject'; Description = 'What the script block output, deserialized, in input order.' }
            @{ Type = 'HpcJobs.HpcPowerShellJob'; Description = 'With -AsJob: a PowerShell job for Wait-Job, Receive-Job and Stop-Job.' }
        )
        Examples    = @(
            @{ Code = '$results = 1..100 | Invoke-HpcCommand -Resources @{ Cpus = 1; Walltime = ''10m'' } -ThrottleLimit 20 { [pscustomobject]@{ Seed = $_; Loss = [math]::Sin($_) } }'; Remarks = 'A parameter sweep as 20 array tasks of 5 seeds, at most 20 at once; $results | Sort-Object Loss | Select-Object -First 5 picks the best.' }
            @{ Code = 'Invoke-HpcCommand { hostname; $PSVersionTable.PSVersion } -Scheduler Slurm -Resources @{ Partition = ''gpu''; Gpus = 1 }'; Remarks = 'Runs once on a GPU node, like Invoke-Command.' }
        )
    }
    'Receive-HpcJob' = @{
        Synopsis    = 'Gets the output of jobs: the whole file, the last lines, or the lines as they are written; for script-block jobs, their objects.'
        Description = 'For a script-block job (Submit-HpcJob -ScriptBlock): the objects it output, deserialized, and its Error, Warning, Verbose, Debug and Information records replayed into their own streams in the order written; a running job gives what it has written so far, -Wait follows until it ends; a terminating error is HpcScriptBlockFailed and a task that could not start (pwsh or a module missing on the node) HpcScriptBlockNotStarted, each naming the host; -Raw gives its text log. For other jobs: reads each job''s output file (array tasks each), as the scheduler reports it, also for jobs submitted outside HpcJobs. -Tail keeps the last lines, -Error reads the separate error file, -Wait follows the files while the jobs run (like tail -f) and returns when every job has ended, waiting for a pending job''s file to appear. One job gives plain lines; several give JobOutputLine objects (JobId, LineNumber, Line) that print as their line, unless -Raw. A file whose folder is not on this host (another node''s local disk) is an HpcOutputNotReadable error; a file that is not there (yet) is HpcOutputNotFound.'
        Parameters  = @{
            JobId     = 'Jobs whose output to read: JobInfo objects, objects with JobId/Scheduler properties, or ids. Positional, by name or from the pipeline.'
            Scheduler = 'The scheduler that owns bare ids.'
            Tail      = 'Only the last N lines (of what is written when the cmdlet starts, with -Wait).'
            Error     = 'Read the error file (stderr) instead; only jobs submitted with -ErrorPath have one.'
            Wait      = 'Follow the files while the jobs run; return when every job has ended.'
            Raw       = 'Plain strings, never tagged with the job id; for a script-block job, its text log instead of its objects.'
        }
        Inputs      = @(
            @{ Type = 'HpcJobs.Core.Model.JobInfo'; Description = 'Jobs, from any HpcJobs cmdlet.' }
            @{ Type = 'System.String'; Description = 'Job ids; also any object with a JobId property.' }
        )
        Outputs     = @(
            @{ Type = 'System.Management.Automation.PSObject'; Description = 'For script-block jobs: what the script block output.' }
            @{ Type = 'System.String'; Description = 'The lines of one job''s file, or of several with -Raw.' }
            @{ Type = 'HpcJobs.Core.Operations.JobOutputLine'; Description = 'With several jobs: each line with its JobId and LineNumber.' }
        )
        Examples    = @(
            @{ Code = 'Submit-HpcJob ./train.sh | Receive-HpcJob -Wait'; Remarks = 'Shows the output as the job writes it, and returns when it ends.' }
            @{ Code = 'Get-HpcJobStatus -Name sweep* -State Failed | Receive-HpcJob -Tail 5'; Remarks = 'The last five lines of every failed sweep task, each tagged with its job id.' }
        )
    }
    'Measure-HpcJob' = @{
        Synopsis    = 'Reports how efficiently jobs used what they asked for (what seff prints), for any number of jobs at once.'
        Description = 'For each job (array tasks each): Elapsed against the walltime asked, CPU time (user + system) against Elapsed x CPUs allocated (CPU efficiency), peak resident memory (MaxRss, the largest step or process) against the memory asked. One accounting query for all jobs of a scheduler: SLURM sacct (TotalCPU, AllocCPUS, ElapsedRaw, Timelimit, ReqMem, MaxRSS of the steps), PBS qstat -f -x (resources_used.cput, mem, walltime, ncpus), Local the supervisor''s wait4 rusage. A running job reports what is known so far. MaxRss is empty with a Note, never 0, when it was not sampled (a job shorter than SLURM''s JobAcctGatherFrequency). Without accounting (SLURM with accounting disabled) the error is HpcAccountingUnavailable. -Summary gives one line: min/median/max of each figure and the CPU-hours used and allocated.'
        Parameters  = @{
            JobId     = 'Jobs to measure: JobInfo objects, objects with JobId/Scheduler properties, or ids. Positional, by name or from the pipeline.'
            Scheduler = 'The scheduler that owns bare ids.'
            Summary   = 'One summary over all jobs instead of one object per job.'
        }
        Inputs      = @(
            @{ Type = 'HpcJobs.Core.Model.JobInfo'; Description = 'Jobs, from any HpcJobs cmdlet.' }
            @{ Type = 'System.String'; Description = 'Job ids; also any object with a JobId property.' }
        )
        Outputs     = @(
            @{ Type = 'HpcJobs.Core.Operations.JobEfficiency'; Description = 'One per job or array task.' }
            @{ Type = 'HpcJobs.Core.Operations.JobEfficiencySummary'; Description = 'With -Summary: one over all jobs.' }
        )
        Examples    = @(
            @{ Code = '$sweep | Wait-HpcJob | Measure-HpcJob | Sort-Object CpuEfficiencyPercent | Select-Object -First 5'; Remarks = 'The five least CPU-efficient tasks of an array.' }
            @{ Code = 'Get-HpcJobStatus -Since (Get-Date).AddDays(-7) | Measure-HpcJob -Summary'; Remarks = 'One line over last week''s jobs: spread of each figure and the CPU-hours used against allocated.' }
        )
    }
}