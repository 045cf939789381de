# The catalogue of bad and unusual input (issue 7): every cmdlet and parameter, each case asserting the ErrorId, that the
# message names the bad value, that the error is ours or PowerShell's binder (never a raw .NET exception), and that
# nothing was submitted. Inputs that are legitimately accepted assert what they became. Runs on the Local scheduler.
BeforeDiscovery {
    $long = 'x' * 257
    $nul = "a$([char]0)b"
    # Name: what the case is; Run: the call; Id: the expected ErrorId; Names: text the message must contain
    $script:Refused = @(
        # --- a cluster over SSH: refused before ssh is ever started
        foreach ($h in '-oProxyCommand=touch /tmp/x', 'two words', 'a;b', 'host$(id)', "new`nline") {
            @{ Name = "-HostName '$h'"; Run = [scriptblock]::Create("Get-HpcJobStatus -Scheduler Slurm -Id 1 -HostName '$($h -replace "'", "''")'"); Id = 'HpcInvalidRemoteHost'; Names = ($h -split "`n")[0] }
        }
        foreach ($u in '-l', 'a b', 'x;y') {
            @{ Name = "-UserName '$u'"; Run = [scriptblock]::Create("Submit-HpcJob -Command true -HostName hpc-bash -UserName '$u'"); Id = 'HpcInvalidRemoteHost'; Names = $u }
        }
        @{ Name = '-UserName without -HostName'; Run = { Get-HpcJobStatus -Id 1 -UserName someone }; Id = 'HpcInvalidRemoteHost'; Names = '-UserName' }
        @{ Name = '-KeyFilePath without -HostName'; Run = { Submit-HpcJob -Command true -KeyFilePath ~/.ssh/id_ed25519 }; Id = 'HpcInvalidRemoteHost'; Names = '-KeyFilePath' }
        @{ Name = '-KeyFilePath that does not exist'; Run = { Get-HpcJobStatus -Id 1 -HostName hpc-bash -KeyFilePath /no/such/key }; Id = 'HpcInvalidRemoteHost'; Names = '/no/such/key' }
        # --- option-shaped values: the scheduler's tools or its mailer would read them as options (issue 28)
        foreach ($p in 'Partition', 'Qos', 'Account', 'Constraint') {
            @{ Name = "-$p '-x'"; Run = [scriptblock]::Create("New-HpcResourceSpec -$p '-x'"); Id = 'HpcInvalidResourceSpec'; Names = "'-x'" }
        }
        @{ Name = "-Name '-oevil'"; Run = { Submit-HpcJob -Command true -Name '-oevil' -Scheduler Pbs -WhatIf }; Id = 'HpcInvalidJobName'; Names = "'-oevil'" }
        @{ Name = "-OutputPath '-o'"; Run = { Submit-HpcJob -Command true -OutputPath '-o' }; Id = 'HpcInvalidOutputPath'; Names = "'./-o'" }
        # --- more of issue 28's misleading messages, each now naming what is wrong
        @{ Name = 'a SLURM dependency id past 32 bits'; Run = { Submit-HpcJob -Command true -Scheduler Slurm -DependsOn 999999999999 -WhatIf }; Id = 'HpcInvalidDependency'; Names = '999999999999' }
        @{ Name = '-OutputPath with the job id in its folder'; Run = { Submit-HpcJob -Scheduler Slurm -Command true -OutputPath 'out-%j/x.log' -WhatIf }; Id = 'HpcInvalidOutputPath'; Names = 'not known before' }
        @{ Name = '-BeginTime +99999999d'; Run = { Submit-HpcJob -Command true -BeginTime '+99999999d' }; Id = 'HpcInvalidJobRequest'; Names = 'the time from now' }
        @{ Name = '-MailType End, None'; Run = { Submit-HpcJob -Scheduler Slurm -Command true -MailUser me -MailType End, None -WhatIf }; Id = 'HpcInvalidJobRequest'; Names = 'None means no mail' }
        @{ Name = '$env:HPCJOBS_SHARED_STATUS = yes'; Run = { $env:HPCJOBS_SHARED_STATUS = 'yes'; try { Wait-HpcJob -Scheduler Slurm -Id 1 -Timeout 1 } finally { $env:HPCJOBS_SHARED_STATUS = $null } }; Id = 'HpcInvalidSetting'; Names = "HPCJOBS_SHARED_STATUS is 'yes'" }
        @{ Name = '-KeyFilePath that is a folder'; Run = { Get-HpcJobStatus -Id 1 -HostName hpc-bash -KeyFilePath / }; Id = 'HpcInvalidRemoteHost'; Names = 'is a folder' }
        @{ Name = '-HostName with -Scheduler Local'; Run = { Submit-HpcJob -Command true -HostName hpc-bash -Scheduler Local }; Id = 'HpcSchedulerNotAvailable'; Names = 'runs jobs on this machine' }
        # --- IPv6 hosts: an address or refused, never this machine (issue 28)
        foreach ($h in 'fe80::zz', '[::1', '::1]', '[host]', 'a%b', '[[::1]]') {
            @{ Name = "-HostName '$h'"; Run = [scriptblock]::Create("Submit-HpcJob -Scheduler Slurm -Command true -HostName '$h'"); Id = 'HpcInvalidRemoteHost'; Names = $h }
        }
        # --- New-HpcResourceSpec: sizes
        foreach ($m in 'abc', '-1GB', '0', '12', '5XB', '2PB', '1.5', 'GB', '4 G B', '1e9', '0.5MB', '0MB', '10000TB', '3 gigabytes') {
            @{ Name = "-Memory '$m'"; Run = [scriptblock]::Create("New-HpcResourceSpec -Memory '$m'"); Id = 'HpcInvalidResourceSpec'; Names = $m }
        }
        # --- walltimes
        foreach ($w in '0', '90', 'abc', '25:61:00', '00:00:00', '-1h', '400d', '1:2:3:4', 'h', '0s', '0m', '10:60', '1-25:00:61', '2 x') {
            @{ Name = "-Walltime '$w'"; Run = [scriptblock]::Create("New-HpcResourceSpec -Walltime '$w'"); Id = 'HpcInvalidResourceSpec'; Names = $w }
        }
        # --- counts
        foreach ($p in 'Nodes', 'TasksPerNode', 'CpusPerTask') {
            foreach ($v in 0, -1, 1000001) {
                @{ Name = "-$p $v"; Run = [scriptblock]::Create("New-HpcResourceSpec -$p $v"); Id = 'HpcInvalidResourceSpec'; Names = "$v" }
            }
        }
        foreach ($v in -1, 1025) { @{ Name = "-GpusPerNode $v"; Run = [scriptblock]::Create("New-HpcResourceSpec -GpusPerNode $v"); Id = 'HpcInvalidResourceSpec'; Names = "$v" } }
        # --- names
        foreach ($p in 'Partition', 'Qos', 'Account', 'Constraint') {
            @{ Name = "-$p with a space"; Run = [scriptblock]::Create("New-HpcResourceSpec -$p 'a b'"); Id = 'HpcInvalidResourceSpec'; Names = 'a b' }
            @{ Name = "-$p with a tab"; Run = [scriptblock]::Create("New-HpcResourceSpec -$p `"a``tb`""); Id = 'HpcInvalidResourceSpec'; Names = $p }
            @{ Name = "-$p of 257 characters"; Run = [scriptblock]::Create("New-HpcResourceSpec -$p '$long'"); Id = 'HpcInvalidResourceSpec'; Names = 'at most 256' }
            @{ Name = "-$p empty"; Run = [scriptblock]::Create("New-HpcResourceSpec -$p ''"); Id = 'HpcInvalidResourceSpec'; Names = 'must not be empty' }
        }
        # --- -Resources as a hashtable: PowerShell's binder reports it, with our message
        @{ Name = '-Resources @{Foo=1}'; Run = { Submit-HpcJob -Command true -Resources @{ Foo = 1 } }; Id = 'ParameterArgumentTransformationError'; Names = 'Foo' }
        @{ Name = '-Resources @{Cpus=''x''}'; Run = { Submit-HpcJob -Command true -Resources @{ Cpus = 'x' } }; Id = 'ParameterArgumentTransformationError'; Names = 'must be a whole number' }
        @{ Name = '-Resources @{Memory=''abc''}'; Run = { Submit-HpcJob -Command true -Resources @{ Memory = 'abc' } }; Id = 'ParameterArgumentTransformationError'; Names = 'abc' }
        @{ Name = '-Resources @{Walltime=''90''}'; Run = { Submit-HpcJob -Command true -Resources @{ Walltime = '90' } }; Id = 'ParameterArgumentTransformationError'; Names = '90' }
        @{ Name = '-Resources a string'; Run = { Submit-HpcJob -Command true -Resources 'lots' }; Id = 'ParameterArgumentTransformationError'; Names = 'lots' }
        @{ Name = '-Resources a number'; Run = { Submit-HpcJob -Command true -Resources 42 }; Id = 'ParameterArgumentTransformationError'; Names = "'42' (of type Int32) is neither" }
        # --- what the Local scheduler can never give
        @{ Name = 'more CPUs than the machine'; Run = { Submit-HpcJob -Command true -Resources @{ Cpus = 999 } }; Id = 'HpcInvalidResourceSpec'; Names = '999' }
        @{ Name = 'a GPU on Local'; Run = { Submit-HpcJob -Command true -Resources @{ Gpus = 1 } }; Id = 'HpcInvalidResourceSpec'; Names = 'no GPUs' }
        @{ Name = 'two nodes on Local'; Run = { Submit-HpcJob -Command true -Resources @{ Nodes = 2 } }; Id = 'HpcInvalidResourceSpec'; Names = 'one node' }
        @{ Name = '1PB of memory on Local'; Run = { Submit-HpcJob -Command true -Resources @{ Memory = '1PB' } }; Id = 'HpcInvalidResourceSpec'; Names = '1PB' }
        # --- scripts and commands
        @{ Name = 'a missing script'; Run = { Submit-HpcJob ./does-not-exist.sh }; Id = 'HpcScriptNotFound'; Names = 'does-not-exist.sh' }
        @{ Name = 'a folder as script'; Run = { Submit-HpcJob ./afolder }; Id = 'HpcScriptNotFound'; Names = 'afolder' }
        @{ Name = 'a script without #!'; Run = { Submit-HpcJob ./noshebang.sh }; Id = 'HpcInvalidScript'; Names = 'noshebang.sh' }
        @{ Name = 'an empty script file'; Run = { Submit-HpcJob ./empty.sh }; Id = 'HpcInvalidScript'; Names = 'empty.sh' }
        @{ Name = 'an empty -Command'; Run = { Submit-HpcJob -Command '' }; Id = 'ParameterArgumentValidationError'; Names = 'Command' }
        @{ Name = 'a blank program name'; Run = { Submit-HpcJob -Command ' ', 'x' }; Id = 'HpcInvalidJobRequest'; Names = 'program name is empty' }
        @{ Name = 'a NUL in an argument'; Run = [scriptblock]::Create("Submit-HpcJob -Command 'echo', `"$nul`""); Id = 'HpcInvalidJobRequest'; Names = 'NUL' }
        @{ Name = 'a NUL in a script argument'; Run = [scriptblock]::Create("Submit-HpcJob ./ok.sh -ArgumentList `"$nul`""); Id = 'HpcInvalidJobRequest'; Names = 'NUL' }
        # --- names
        @{ Name = '-Name of blanks'; Run = { Submit-HpcJob -Command true -Name '   ' }; Id = 'HpcInvalidJobName'; Names = "'   '" }
        @{ Name = '-Name with a newline'; Run = { Submit-HpcJob -Command true -Name "a`nb" }; Id = 'HpcInvalidJobName'; Names = 'control characters' }
        @{ Name = '-Name with a tab'; Run = { Submit-HpcJob -Command true -Name "a`tb" }; Id = 'HpcInvalidJobName'; Names = 'control characters' }
        @{ Name = '-Name of 201 characters'; Run = { Submit-HpcJob -Command true -Name ('n' * 201) }; Id = 'HpcInvalidJobName'; Names = '201 characters' }
        @{ Name = '-Name empty'; Run = { Submit-HpcJob -Command true -Name '' }; Id = 'ParameterArgumentValidationError'; Names = 'Name' }
        # --- arrays
        foreach ($a in 'abc', '5-1', '1-', '%2', '0-10%0', '1,,2', '-1-3', '0-99999999', '1-3:0', '1-3%-1', 'x-y', '3-3:1%a') {
            @{ Name = "-ArrayRange '$a'"; Run = [scriptblock]::Create("Submit-HpcJob -Command true -ArrayRange '$a'"); Id = 'HpcInvalidArrayRange'; Names = $a }
        }
        # --- working directory
        @{ Name = 'a missing working directory'; Run = { Submit-HpcJob -Command true -WorkingDirectory ./no-such-dir }; Id = 'HpcWorkingDirectoryNotFound'; Names = 'no-such-dir' }
        @{ Name = 'a file as working directory'; Run = { Submit-HpcJob -Command true -WorkingDirectory ./ok.sh }; Id = 'HpcWorkingDirectoryNotFound'; Names = 'is a file' }
        # --- environment
        @{ Name = 'an env name starting with a digit'; Run = { Submit-HpcJob -Command true -Environment @{ '1A' = 'x' } }; Id = 'HpcInvalidEnvironment'; Names = '1A' }
        @{ Name = 'an env name with a space'; Run = { Submit-HpcJob -Command true -Environment @{ 'A B' = 'x' } }; Id = 'HpcInvalidEnvironment'; Names = 'A B' }
        @{ Name = 'an empty env name'; Run = { Submit-HpcJob -Command true -Environment @{ '' = 'x' } }; Id = 'HpcInvalidEnvironment'; Names = "''" }
        @{ Name = 'an env name with ='; Run = { Submit-HpcJob -Command true -Environment @{ 'A=B' = 'x' } }; Id = 'HpcInvalidEnvironment'; Names = 'A=B' }
        @{ Name = 'a NUL in an env value'; Run = [scriptblock]::Create("Submit-HpcJob -Command true -Environment @{ GOOD = `"$nul`" }"); Id = 'HpcInvalidEnvironment'; Names = 'GOOD' }
        # --- output paths
        foreach ($p in 'OutputPath', 'ErrorPath') {
            @{ Name = "-$p in a missing folder"; Run = [scriptblock]::Create("Submit-HpcJob -Command true -$p /tmp/hpcjobs-nope-$([guid]::NewGuid().ToString('N'))/x.out"); Id = 'HpcInvalidOutputPath'; Names = 'does not exist' }
            @{ Name = "-$p that is a folder"; Run = [scriptblock]::Create("Submit-HpcJob -Command true -$p ./afolder"); Id = 'HpcInvalidOutputPath'; Names = 'afolder' }
            @{ Name = "-$p under a file"; Run = [scriptblock]::Create("Submit-HpcJob -Command true -$p ./ok.sh/x.out"); Id = 'HpcInvalidOutputPath'; Names = 'is a file' }
            @{ Name = "-$p with a newline"; Run = [scriptblock]::Create("Submit-HpcJob -Command true -$p `"a``nb`""); Id = 'HpcInvalidOutputPath'; Names = $p }
            @{ Name = "-$p relative, missing folder"; Run = [scriptblock]::Create("Submit-HpcJob -Command true -$p no-such-dir/x.out"); Id = 'HpcInvalidOutputPath'; Names = 'no-such-dir' }
        }
        # --- dependencies
        @{ Name = '-DependsOn $null'; Run = { Submit-HpcJob -Command true -DependsOn $null }; Id = 'HpcInvalidDependency'; Names = '$null' }
        @{ Name = '-DependsOn @($null)'; Run = { Submit-HpcJob -Command true -DependsOn @($null) }; Id = 'HpcInvalidDependency'; Names = '$null' }
        @{ Name = '-DependsOn an unknown id'; Run = { Submit-HpcJob -Command true -DependsOn 999999 }; Id = 'HpcDependencyNotFound'; Names = '999999' }
        @{ Name = '-DependsOn a hashtable'; Run = { Submit-HpcJob -Command true -DependsOn @{ a = 1 } }; Id = 'HpcInvalidDependency'; Names = 'hashtable' }
        @{ Name = '-DependsOn a date'; Run = { Submit-HpcJob -Command true -DependsOn (Get-Date) }; Id = 'HpcInvalidDependency'; Names = 'DateTime' }
        @{ Name = '-DependsOn an id with a space'; Run = { Submit-HpcJob -Command true -DependsOn '1 2' }; Id = 'HpcInvalidDependency'; Names = '1 2' }
        @{ Name = '-DependsOn an empty id'; Run = { Submit-HpcJob -Command true -DependsOn '' }; Id = 'HpcInvalidDependency'; Names = 'empty' }
        @{ Name = '-DependsOn another scheduler''s job'; Run = { Submit-HpcJob -Command true -DependsOn ([pscustomobject]@{ JobId = '7'; Scheduler = 'Slurm' }) }; Id = 'HpcInvalidDependency'; Names = 'Slurm job 7' }
        @{ Name = '-DependsOn an unknown scheduler'; Run = { Submit-HpcJob -Command true -DependsOn ([pscustomobject]@{ JobId = '7'; Scheduler = 'lsf' }) }; Id = 'HpcInvalidDependency'; Names = 'lsf' }
        @{ Name = '-DependsOn a Local id that is no Local id'; Run = { Submit-HpcJob -Command true -DependsOn 'abc' }; Id = 'HpcInvalidDependency'; Names = "'abc' is not a Local job id" }
        # --- settings
        foreach ($c in '0', '-1', 'abc', '1.5', '2 cpus') {
            @{ Name = "HPCJOBS_LOCAL_CPUS='$c'"; Run = [scriptblock]::Create("`$env:HPCJOBS_LOCAL_CPUS = '$c'; try { Submit-HpcJob -Command true } finally { `$env:HPCJOBS_LOCAL_CPUS = `$null }"); Id = 'HpcInvalidSetting'; Names = "'$c'" }
        }
        @{ Name = 'HPCJOBS_SCHEDULER=lsf'; Run = { $env:HPCJOBS_SCHEDULER = 'lsf'; try { Submit-HpcJob -Command true } finally { $env:HPCJOBS_SCHEDULER = 'Local' } }; Id = 'HpcSchedulerNotAvailable'; Names = 'lsf' }
        @{ Name = '-Scheduler lsf'; Run = { Submit-HpcJob -Command true -Scheduler lsf }; Id = 'CannotConvertArgumentNoMessage'; Names = 'lsf' }
        # --- Get/Wait/Stop: things that are no job
        foreach ($cmd in 'Get-HpcJobStatus', 'Wait-HpcJob -Timeout 5', 'Stop-HpcJob -Confirm:$false', 'Suspend-HpcJob', 'Resume-HpcJob', 'Restart-HpcJob') {
            @{ Name = "$cmd with a hashtable"; Run = [scriptblock]::Create("@{ a = 1 } | $cmd"); Id = 'HpcInvalidJobId'; Names = 'hashtable (keys: a)' }
            @{ Name = "$cmd with a date"; Run = [scriptblock]::Create("$cmd (Get-Date)"); Id = 'HpcInvalidJobId'; Names = 'DateTime' }
            @{ Name = "$cmd with an empty id"; Run = [scriptblock]::Create("$cmd ''"); Id = 'HpcInvalidJobId'; Names = 'empty' }
            @{ Name = "$cmd with `$null piped"; Run = [scriptblock]::Create("`$null, '999991' | $cmd"); Id = 'HpcInvalidJobId'; Names = '$null' }
            @{ Name = "$cmd with an unknown id"; Run = [scriptblock]::Create("$cmd 999992"); Id = 'HpcJobNotFound'; Names = '999992' }
            @{ Name = "$cmd with a non-Local id"; Run = [scriptblock]::Create("$cmd 'abc'"); Id = 'HpcJobNotFound'; Names = 'abc' }
            @{ Name = "$cmd with an unknown task"; Run = [scriptblock]::Create("$cmd '1_999'"); Id = 'HpcJobNotFound'; Names = '1_999' }
            @{ Name = "$cmd with an object without JobId"; Run = [scriptblock]::Create("[pscustomobject]@{ Id2 = 1 } | $cmd"); Id = 'HpcInvalidJobId'; Names = 'PSCustomObject' }
            @{ Name = "$cmd with a Local job and -Scheduler Slurm"; Run = [scriptblock]::Create("$cmd (Submit-HpcJob -Command true) -Scheduler Slurm"); Id = 'HpcSchedulerMismatch'; Names = 'belongs to Local' }
            @{ Name = "$cmd with an unknown scheduler in the object"; Run = [scriptblock]::Create("[pscustomobject]@{ JobId = '1'; Scheduler = 'lsf' } | $cmd"); Id = 'HpcInvalidJobId'; Names = 'lsf' }
        }
        # --- hardening (issue 20): settings, environment, outputs, scheduler names, ids reaching a scheduler's CLI
        foreach ($setting in @(
                @('HPCJOBS_LOCAL_RETENTION_DAYS', '365d'), @('HPCJOBS_LOCAL_RETENTION_DAYS', '-5'), @('HPCJOBS_LOCAL_RETENTION_DAYS', 'abc'),
                @('HPCJOBS_LOCAL_DAEMON_IDLE', 'abc'), @('HPCJOBS_LOCAL_DAEMON_IDLE', '0'), @('HPCJOBS_LOCAL_DAEMON_IDLE', '10s'),
                @('HPCJOBS_LOCAL_CPUS', '100001'))) {
            $n, $v = $setting
            @{ Name = "$n='$v'"; Run = [scriptblock]::Create("`$env:$n = '$v'; try { Submit-HpcJob -Command true } finally { `$env:$n = `$null }"); Id = 'HpcInvalidSetting'; Names = "'$v'" }
        }
        @{ Name = 'HPCJOBS_LOCAL_CPUS too large names the largest'; Run = { $env:HPCJOBS_LOCAL_CPUS = '100001'; try { Submit-HpcJob -Command true } finally { $env:HPCJOBS_LOCAL_CPUS = $null } }; Id = 'HpcInvalidSetting'; Names = '100000' }
        foreach ($v in '1', 'Local,Slurm', '0', ' 2 ') {
            @{ Name = "HPCJOBS_SCHEDULER='$v' (a number or flags)"; Run = [scriptblock]::Create("`$env:HPCJOBS_SCHEDULER = '$v'; try { Submit-HpcJob -Command true } finally { `$env:HPCJOBS_SCHEDULER = 'Local' }"); Id = 'HpcSchedulerNotAvailable'; Names = $v.Trim() }
        }
        foreach ($name in 'SBATCH_ARRAY_INX', 'SLURM_CONF', 'PBS_O_WORKDIR', 'HPCJOBS_JOB_ID', 'sbatch_partition') {
            @{ Name = "-Environment $name (configures the scheduler's tools)"; Run = [scriptblock]::Create("Submit-HpcJob -Command true -Environment @{ $name = 'x' }"); Id = 'HpcInvalidEnvironment'; Names = $name }
        }
        @{ Name = '-Environment a list value'; Run = { Submit-HpcJob -Command true -Environment @{ V = @(1, 2) } }; Id = 'HpcInvalidEnvironment'; Names = 'Object[]' }
        @{ Name = '-Environment a 200 kB value'; Run = { Submit-HpcJob -Command true -Environment @{ BIG = 'x' * 200000 } }; Id = 'HpcInvalidEnvironment'; Names = '200000 bytes' }
        @{ Name = '-OutputPath a FIFO'; Run = { Submit-HpcJob -Command echo, hi -OutputPath ./a.fifo }; Id = 'HpcInvalidOutputPath'; Names = 'FIFO' }
        @{ Name = '-OutputPath /dev/zero'; Run = { Submit-HpcJob -Command echo, hi -OutputPath /dev/zero }; Id = 'HpcInvalidOutputPath'; Names = 'character device' }
        @{ Name = '-ErrorPath a FIFO'; Run = { Submit-HpcJob -Command echo, hi -ErrorPath ./a.fifo }; Id = 'HpcInvalidOutputPath'; Names = 'FIFO' }
        @{ Name = '-DependsOn an id that reads as an option'; Run = { Submit-HpcJob -Command true -DependsOn '-1' }; Id = 'HpcInvalidDependency'; Names = '-1' }
        @{ Name = '-DependsOn --version'; Run = { Submit-HpcJob -Command true -DependsOn '--version' }; Id = 'HpcInvalidDependency'; Names = '--version' }
        @{ Name = 'a state folder others may write'; Run = { $env:HPCJOBS_STATE_DIR = $script:openFolder; try { Submit-HpcJob -Command true } finally { $env:HPCJOBS_STATE_DIR = $script:stateDir } }; Id = 'HpcStateUntrusted'; Names = '0777' }
        @{ Name = 'a state folder that is a file'; Run = { $env:HPCJOBS_STATE_DIR = "$PWD/ok.sh"; try { Submit-HpcJob -Command true } finally { $env:HPCJOBS_STATE_DIR = $script:stateDir } }; Id = 'HpcStateUnusable'; Names = 'ok.sh' }
        @{ Name = 'Get-HpcJobStatus -User empty'; Run = { Get-HpcJobStatus -User '' }; Id = 'ParameterArgumentValidationError'; Names = 'User' }
        @{ Name = 'Get-HpcJobStatus -User with a space'; Run = { Get-HpcJobStatus -User 'a b' }; Id = 'ParameterArgumentValidationError'; Names = 'a b' }
        @{ Name = 'Wait-HpcJob -Timeout -5'; Run = { Wait-HpcJob 1 -Timeout -5 }; Id = 'ParameterArgumentValidationError'; Names = '-5' }
        @{ Name = 'Wait-HpcJob -PollInterval 0'; Run = { Wait-HpcJob 1 -PollInterval 0 }; Id = 'ParameterArgumentValidationError'; Names = '0' }
        @{ Name = 'Wait-HpcJob -Timeout abc'; Run = { Wait-HpcJob 1 -Timeout abc }; Id = 'CannotConvertArgumentNoMessage'; Names = 'abc' }
        @{ Name = 'Wait-HpcJob -PollInterval Infinity'; Run = { Wait-HpcJob 1 -PollInterval Infinity }; Id = 'ParameterArgumentValidationError'; Names = '-PollInterval Infinity is not a number of seconds from 0.05 to 3600' }
        @{ Name = 'Get-HpcJobStatus -MaxAge NaN'; Run = { Get-HpcJobStatus 1 -MaxAge NaN }; Id = 'ParameterArgumentValidationError'; Names = '-MaxAge NaN is not a number of seconds from 0 to 86400' }
        @{ Name = 'Get-HpcJobStatus -User of nobody on Local'; Run = { Get-HpcJobStatus -User nosuchuser42 }; Id = 'HpcUserNotFound'; Names = "'nosuchuser42': there is no such user on this machine" }
        # --- Set-HpcJob (issue 30): checked as at submission, before any scheduler is asked (-WhatIf: nothing may run)
        @{ Name = 'Set-HpcJob with nothing to change'; Run = { Set-HpcJob 1 -Scheduler Slurm -WhatIf }; Id = 'HpcInvalidJobRequest'; Names = 'Nothing to change' }
        @{ Name = 'Set-HpcJob -Nice 20000'; Run = { Set-HpcJob 1 -Scheduler Slurm -Nice 20000 -WhatIf }; Id = 'HpcInvalidJobRequest'; Names = '-Nice 20000 is out of range' }
        @{ Name = 'Set-HpcJob -Walltime 5x'; Run = { Set-HpcJob 1 -Scheduler Slurm -Walltime 5x -WhatIf }; Id = 'HpcInvalidResourceSpec'; Names = "'5x'" }
        @{ Name = 'Set-HpcJob -Name -x'; Run = { Set-HpcJob 1 -Scheduler Slurm -Name '-x' -WhatIf }; Id = 'HpcInvalidJobName'; Names = "'-x'" }
        @{ Name = 'Set-HpcJob -Partition -x'; Run = { Set-HpcJob 1 -Scheduler Slurm -Partition '-x' -WhatIf }; Id = 'HpcInvalidResourceSpec'; Names = "'-x'" }
        @{ Name = 'Set-HpcJob -Qos on PBS'; Run = { Set-HpcJob 1 -Scheduler Pbs -Qos high -WhatIf }; Id = 'HpcInvalidResourceSpec'; Names = 'PBS has no quality-of-service' }
        @{ Name = 'Set-HpcJob -DependsOn abc'; Run = { Set-HpcJob 1 -Scheduler Slurm -DependsOn abc -WhatIf }; Id = 'HpcInvalidDependency'; Names = "'abc' is not a SLURM job id" }
        @{ Name = 'Set-HpcJob -BeginTime tomorrowish'; Run = { Set-HpcJob 1 -Scheduler Slurm -BeginTime tomorrowish -WhatIf }; Id = 'HpcInvalidJobRequest'; Names = "'tomorrowish'" }
        @{ Name = 'Set-HpcJob -Partition on Local'; Run = { Set-HpcJob 1 -Partition long -WhatIf }; Id = 'HpcInvalidJobRequest'; Names = 'no partitions, QoS, accounts or priorities (-Partition given)' }
        @{ Name = 'Set-HpcJob -Nice on Local'; Run = { Set-HpcJob 1 -Nice 5 }; Id = 'HpcInvalidJobRequest'; Names = '(-Nice given)' }
        # --- retries (issue 30)
        @{ Name = '-MaxRetries 0'; Run = { Submit-HpcJob -Command true -MaxRetries 0 }; Id = 'ParameterArgumentValidationError'; Names = 'MaxRetries' }
        @{ Name = '-MaxRetries 11'; Run = { Submit-HpcJob -Command true -MaxRetries 11 }; Id = 'ParameterArgumentValidationError'; Names = 'MaxRetries' }
        @{ Name = '-RetryOn Completed'; Run = { Submit-HpcJob -Command true -MaxRetries 1 -RetryOn Completed }; Id = 'HpcInvalidJobRequest'; Names = 'Completed are not ends to retry' }
        @{ Name = '-RetryOn Sometimes'; Run = { Submit-HpcJob -Command true -MaxRetries 1 -RetryOn Sometimes }; Id = 'CannotConvertArgumentNoMessage'; Names = 'Sometimes' }
        @{ Name = '-RetryMemoryFactor 0.5'; Run = { Submit-HpcJob -Command true -MaxRetries 1 -RetryMemoryFactor 0.5 }; Id = 'HpcInvalidJobRequest'; Names = '-RetryMemoryFactor 0.5 is out of range' }
        @{ Name = '-RetryWalltimeFactor NaN'; Run = { Submit-HpcJob -Command true -MaxRetries 1 -RetryWalltimeFactor NaN }; Id = 'HpcInvalidJobRequest'; Names = '-RetryWalltimeFactor NaN is out of range' }
        @{ Name = '-MaxRetries with -ArrayRange'; Run = { Submit-HpcJob -Command true -MaxRetries 1 -ArrayRange 1-2 }; Id = 'HpcInvalidJobRequest'; Names = 'array tasks are not retried' }
        @{ Name = 'Invoke-HpcCommand -MaxRetries with pipeline input'; Run = { 1, 2 | Invoke-HpcCommand { $_ } -MaxRetries 1 }; Id = 'HpcInvalidJobRequest'; Names = 'array tasks are not retried' }
        # --- the job lifecycle (issue 19): submit options
        foreach ($sig in 'FOO', 'USR1@', 'USR1@99999', '0', '65', 'USR1@-5', 'USR1@1m', '@60', 'SIG', 'USR1@60@2') {
            @{ Name = "-Signal '$sig'"; Run = [scriptblock]::Create("Submit-HpcJob -Command true -Resources @{ Walltime = '1h' } -Signal '$sig'"); Id = 'HpcInvalidJobRequest'; Names = "'$sig'" }
        }
        @{ Name = '-Signal longer before the end than the walltime'; Run = { Submit-HpcJob -Command true -Resources @{ Walltime = '1m' } -Signal USR1@120 }; Id = 'HpcInvalidJobRequest'; Names = '00:01:00' }
        @{ Name = '-Signal on Local without -Walltime'; Run = { Submit-HpcJob -Command true -Signal USR1@60 }; Id = 'HpcInvalidJobRequest'; Names = 'needs -Walltime' }
        foreach ($begin in 'tomorrowish', '+5x', 'now+', '+', '32/13/2026') {
            @{ Name = "-BeginTime '$begin'"; Run = [scriptblock]::Create("Submit-HpcJob -Command true -BeginTime '$begin'"); Id = 'HpcInvalidJobRequest'; Names = "'$begin'" }
        }
        @{ Name = '-BeginTime a negative TimeSpan'; Run = { Submit-HpcJob -Command true -BeginTime ([timespan]'-01:00:00') }; Id = 'HpcInvalidJobRequest'; Names = '-01:00:00 is a negative TimeSpan' }
        foreach ($mail in 'a b', 'a,b@example.org', '', 'me@', "x`ny", '-oevil', '-f@example.org', "me@example.org`n") {
            @{ Name = "-MailUser '$($mail -replace "`n", '\n')' (on Local too: checked first)"; Run = [scriptblock]::Create("Submit-HpcJob -Command true -MailUser '$($mail -replace "`n", '`n')' -Scheduler Slurm -WhatIf"); Id = $(if ($mail) { 'HpcInvalidJobRequest' } else { 'ParameterArgumentValidationError' }); Names = $(if ($mail) { 'is not a mail address' } else { 'MailUser' }) }
        }
        @{ Name = '-MailType Sometimes'; Run = { Submit-HpcJob -Command true -MailType Sometimes }; Id = 'CannotConvertArgumentNoMessage'; Names = 'Sometimes' }
        @{ Name = '-Requeue with -NoRequeue'; Run = { Submit-HpcJob -Command true -Requeue -NoRequeue }; Id = 'HpcInvalidJobRequest'; Names = 'not both' }
        @{ Name = '-MailUser on Local'; Run = { Submit-HpcJob -Command true -MailUser me }; Id = 'HpcInvalidJobRequest'; Names = 'sends no mail' }
        @{ Name = '-MailType on Local'; Run = { Submit-HpcJob -Command true -MailType End }; Id = 'HpcInvalidJobRequest'; Names = 'sends no mail' }
        @{ Name = '-Exclusive on Local'; Run = { Submit-HpcJob -Command true -Exclusive }; Id = 'HpcInvalidJobRequest'; Names = '-Exclusive' }
    )

    # Accepted as given: what it became
    $script:Accepted = @(
        @{ Name = "'5 GB' is 5 GiB"; Run = { (New-HpcResourceSpec -Memory '5 GB').Memory }; Expect = 5GB }
        @{ Name = "'512mb' is 512 MiB"; Run = { (New-HpcResourceSpec -Memory '512mb').Memory }; Expect = 512MB }
        @{ Name = 'PowerShell''s 4GB literal is 4 GiB'; Run = { (New-HpcResourceSpec -Memory 4GB).Memory }; Expect = 4GB }
        @{ Name = "'2 h' is two hours, as '5 GB' is five gigabytes"; Run = { (New-HpcResourceSpec -Walltime '2 h').Walltime }; Expect = [timespan]'02:00:00' }
        @{ Name = "'1h 30m' is 90 minutes"; Run = { (New-HpcResourceSpec -Walltime '1h 30m').Walltime }; Expect = [timespan]'01:30:00' }
        @{ Name = "'1-12:00:00' is a day and a half"; Run = { (New-HpcResourceSpec -Walltime '1-12:00:00').Walltime }; Expect = [timespan]'1.12:00:00' }
        @{ Name = "'90m' is 90 minutes"; Run = { (New-HpcResourceSpec -Walltime '90m').Walltime }; Expect = [timespan]'01:30:00' }
        @{ Name = 'a hashtable becomes a ResourceSpec'; Run = { (Invoke-WhatIf "Submit-HpcJob -Command true -Resources @{ cpus = 1; Mem = '64MB'; Time = '5m' }") -match 'cpus: 1 of .*memory: 64MB.*walltime: 00:05:00' }; Expect = $true }
        @{ Name = '-WhatIf shows the array range on Local'; Run = { (Invoke-WhatIf "Submit-HpcJob -Command true -ArrayRange '0-9%2'") -match 'array: 0-9%2 \(10 tasks\)' }; Expect = $true }
        @{ Name = '-Partition on Local is a warning, not an error'; Run = { (Submit-HpcJob -Command true -Resources @{ Partition = 'gpu' } -WhatIf 3>&1 | Out-String) -match "Partition 'gpu' is ignored" }; Expect = $true }
        @{ Name = '-DependencyType without -DependsOn is a warning'; Run = { (Submit-HpcJob -Command true -DependencyType AfterAny -WhatIf 3>&1 | Out-String) -match 'no effect without -DependsOn' }; Expect = $true }
        @{ Name = 'Get-HpcJobStatus with an id and -State keeps those in the states'; Run = { $j = Submit-HpcJob -Command sleep, 30; try { @(Get-HpcJobStatus $j.JobId -State Completed).Count -eq 0 -and (Get-HpcJobStatus $j.JobId -State Running, Pending).JobId -eq $j.JobId } finally { $j | Stop-HpcJob -Confirm:$false } }; Expect = $true }
        @{ Name = 'a job id given as a number'; Run = { (Get-HpcJobStatus ([int](Submit-HpcJob -Command true).JobId)).Scheduler }; Expect = 'Local' }
        @{ Name = 'a job id with spaces around it'; Run = { (Get-HpcJobStatus " $((Submit-HpcJob -Command true).JobId) ").Scheduler }; Expect = 'Local' }
        @{ Name = 'a $null among piped jobs stops only itself'; Run = { $id = (Submit-HpcJob -Command true).JobId; ($null, $id | Get-HpcJobStatus -ErrorAction SilentlyContinue).JobId -eq $id }; Expect = $true }
        @{ Name = 'an object with an Id property (Select-Object Id)'; Run = { ([pscustomobject]@{ Id = (Submit-HpcJob -Command true).JobId } | Get-HpcJobStatus).Scheduler }; Expect = 'Local' }
        @{ Name = 'a Process piped in is never taken for a job'; Run = { @(Get-Process -Id $PID | Get-HpcJobStatus -ErrorAction SilentlyContinue -ErrorVariable e).Count + 10 * @($e | Where-Object FullyQualifiedErrorId -like 'HpcInvalidJobId,*').Count }; Expect = 10 }
        @{ Name = 'a hashtable with a JobId'; Run = { (@{ JobId = (Submit-HpcJob -Command true).JobId; Scheduler = 'Local' } | Get-HpcJobStatus).Scheduler }; Expect = 'Local' }
        @{ Name = '-OutputPath ~/x.out is in the home folder'; Run = { (Invoke-WhatIf "Submit-HpcJob -Command true -OutputPath '~/hpcjobs-x.out'") -match [regex]::Escape("$HOME/hpcjobs-x.out") }; Expect = $true }
        @{ Name = '-OutputPath /dev/null discards the output'; Run = { (Submit-HpcJob -Command echo, hi -OutputPath /dev/null | Wait-HpcJob -Timeout 30).State }; Expect = 'Completed' }
        @{ Name = '-Name run[12] is a wildcard'; Run = { $j = Submit-HpcJob -Command true -Name run1; @(Get-HpcJobStatus -Name 'run[12]' -Since (Get-Date).AddMinutes(-5) | Where-Object JobId -eq $j.JobId).Count }; Expect = 1 }
        @{ Name = 'HPCJOBS_SCHEDULER names are case-blind'; Run = { $env:HPCJOBS_SCHEDULER = 'lOcAl'; try { (Submit-HpcJob -Command true).Scheduler } finally { $env:HPCJOBS_SCHEDULER = 'Local' } }; Expect = 'Local' }
        @{ Name = "-Signal 'SIGUSR2@30' is USR2 30 s before"; Run = { (Invoke-WhatIf "Submit-HpcJob -Command true -Resources @{ Walltime = '1h' } -Signal 'SIGUSR2@30'") -match 'signal: USR2 to the job 30 s before' }; Expect = $true }
        @{ Name = "-Signal '10' is USR1, 60 s before (sbatch's default)"; Run = { (Invoke-WhatIf "Submit-HpcJob -Command true -Resources @{ Walltime = '1h' } -Signal 10") -match 'signal: USR1 to the job 60 s before' }; Expect = $true }
        @{ Name = "-BeginTime '+90m' is 90 minutes from now"; Run = { $w = Invoke-WhatIf "Submit-HpcJob -Command true -BeginTime '+90m'"; $at = [datetime]::ParseExact(($w | Select-String 'begin time: (\S+ \S+)').Matches[0].Groups[1].Value, 'yyyy-MM-dd HH:mm:ss', $null); [math]::Abs(($at - (Get-Date).AddMinutes(90)).TotalSeconds) -lt 30 }; Expect = $true }
        @{ Name = '-BeginTime a TimeSpan is from now'; Run = { (Invoke-WhatIf "Submit-HpcJob -Command true -BeginTime ([timespan]'02:00:00')") -match 'begin time: ' }; Expect = $true }
        @{ Name = '-MailType End, Fail on SLURM is --mail-type=END,FAIL'; Run = { (Invoke-WhatIf "Submit-HpcJob -Scheduler Slurm -Command true -MailUser me@example.org -MailType End, Fail") -match '--mail-type=END,FAIL' }; Expect = $true }
    )
}

BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
    $script:work = New-TestStateDirectory
    Push-Location $script:work
    Set-Content ./ok.sh "#!/bin/sh`nexit 0"
    Set-Content ./noshebang.sh "echo no interpreter"
    Set-Content ./empty.sh -Value $null
    New-Item -ItemType Directory ./afolder | Out-Null
    mkfifo ./a.fifo
    $script:stateDir = $env:HPCJOBS_STATE_DIR
    $script:openFolder = (New-Item -ItemType Directory ./open-state).FullName
    chmod 0777 $script:openFolder
    function Get-RecordCount { @(Get-ChildItem (Join-Path $env:HPCJOBS_STATE_DIR 'units') -Filter *.json -ErrorAction Ignore).Count }
    # -WhatIf text goes to the host, not to a stream: read it from a child pwsh's console output
    function Invoke-WhatIf([string]$Command) {
        (& $script:Pwsh -NoProfile -NonInteractive -Command "Import-Module '$script:ModuleManifest'; $Command -WhatIf") -join ' '
    }
}
AfterAll { Pop-Location }

Describe 'Bad input is refused before anything is submitted' {
    It '<Name>' -ForEach $script:Refused {
        $before = Get-RecordCount
        $records = @()
        try { $records = @(& $Run 2>&1) } catch { $records = @($_) }
        $errors = @($records | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] })
        $errors.Count | Should -BeGreaterThan 0 -Because 'the input must be refused'
        $err = $errors | Where-Object { $_.FullyQualifiedErrorId.Split(',')[0] -eq $Id } | Select-Object -First 1
        $err | Should -Not -BeNullOrEmpty -Because "expected $Id, got $($errors.FullyQualifiedErrorId -join '; ')"
        $err.Exception.Message | Should -BeLike "*$([WildcardPattern]::Escape($Names))*"
        $err.Exception.GetType().FullName | Should -Match '^HpcJobs\.|ParameterBinding|ItemNotFound'
        if ($Id -like 'Hpc*') { $err.CategoryInfo.Category | Should -Not -Be 'NotSpecified' }
        $records | Where-Object { $_ -is [HpcJobs.Core.Model.JobInfo] -and $_.SubmitTime -gt (Get-Date).AddSeconds(-30) -and $Name -notlike '*-Scheduler Slurm*' } |
            Should -BeNullOrEmpty -Because 'no job may be returned for refused input'
        # a case that submits its own test job on purpose (the mismatch cases) adds exactly that one record
        $expected = if ($Name -like '*-Scheduler Slurm*') { $before + 1 } else { $before }
        Get-RecordCount | Should -Be $expected -Because 'nothing may be submitted'
    }
}

Describe 'Unusual input that is accepted' {
    It '<Name>' -ForEach $script:Accepted {
        & $Run | Should -Be $Expect
    }
}
