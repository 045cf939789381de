# The third hardening round (issue 28) as a user meets it: IPv6 clusters, links and files another user planted where a
# job's output goes (on this machine and on a cluster over SSH), PBS jobs of a tcsh user. Each case failed before.
BeforeDiscovery {
    $script:hasSlurm = (Get-Command scontrol -ErrorAction Ignore) -and ((scontrol ping 2>$null) -match 'is UP')
    $script:hasPbs = Test-Path /opt/pbs/bin/qstat
    $script:hasSshd = Test-Path /etc/hpcjobs-sshd/client_config
    $script:isRoot = (id -u) -eq '0'
    $script:ci = $env:CI -eq 'true'
}
BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
    $env:HPCJOBS_SSH_BATCHMODE = '1'
    $script:work = New-TestStateDirectory
    Push-Location $script:work
    function Remote([string]$Alias, [string[]]$Argv) { & ssh -o BatchMode=yes $Alias -- $Argv }
    # a 1777 folder, like /tmp, with a link that another user made in it pointing at a file of mine
    function New-PlantedLink {
        $shared = New-Item -ItemType Directory (Join-Path $script:work "tmp-$([guid]::NewGuid().ToString('N').Substring(0, 6))")
        chmod 1777 $shared
        $precious = Join-Path $script:work "precious-$(Split-Path -Leaf $shared).txt"
        Set-Content $precious 'mine'
        $link = Join-Path $shared 'job.out'
        New-Item -ItemType SymbolicLink -Path $link -Target $precious | Out-Null
        chown -h nobody $link
        [pscustomobject]@{ Link = $link; Precious = $precious }
    }
}
AfterAll { Pop-Location }

Describe 'IPv6 clusters' -Skip:(-not $script:hasSshd -and -not $script:ci) {
    It 'runs the job on the cluster named <Address>, never on this machine' -ForEach @(@{ Address = '::1' }, @{ Address = '[::1]' }) {
        $job = Submit-HpcJob -HostName $Address -Port 2222 -UserName hpcbash -Scheduler Slurm -Command id, -un
        $job.Location | Should -Be 'ssh://hpcbash@[::1]:2222'
        $done = $job | Wait-HpcJob -Timeout 120
        $done.State | Should -Be 'Completed'
        ($done | Get-HpcJobStatus).Location | Should -Be 'ssh://hpcbash@[::1]:2222'
        (Get-HpcJobStatus -HostName $Address -Port 2222 -UserName hpcbash -Scheduler Slurm -Id $job.JobId).State | Should -Be 'Completed'
        $done | Receive-HpcJob | Should -Be 'hpcbash'
    }
}

Describe 'PBS jobs of a tcsh user' -Skip:(-not ($script:hasSshd -and $script:hasPbs) -and -not $script:ci) {
    It 'write only what the job wrote, without tcsh''s tty warnings' {
        $done = Submit-HpcJob -HostName hpc-tcsh -Scheduler Pbs -Command echo, clean | Wait-HpcJob -Timeout 120
        $done.State | Should -Be 'Completed'
        @(Remote hpc-tcsh 'cat', $done.StdOutPath) | Should -Be @('clean')
    }
}

Describe 'Outputs another user planted' -Skip:(-not $script:isRoot -and -not $script:ci) {
    It 'refuses a link in a shared folder on <Scheduler> before submitting, and my file is untouched' -ForEach @(
        @{ Scheduler = 'Local'; Skip = $false }
        @{ Scheduler = 'Slurm'; Skip = -not $script:hasSlurm -and -not $script:ci }
        @{ Scheduler = 'Pbs'; Skip = -not $script:hasPbs -and -not $script:ci }
    ) {
        $p = New-PlantedLink
        $e = { Submit-HpcJob -Scheduler $Scheduler -Command echo, overwritten -OutputPath $p.Link } | Should -Throw -PassThru
        $e.FullyQualifiedErrorId | Should -BeLike 'HpcInvalidOutputPath*'
        $e.Exception.Message | Should -Match 'symbolic link'
        Get-Content $p.Precious | Should -Be 'mine'
    }

    It 'refuses, on a cluster over SSH, a link another user put in /tmp and an output that is a folder' -Skip:(-not $script:hasSshd -and -not $script:ci) {
        $name = "/tmp/hpcjobs-planted-$([guid]::NewGuid().ToString('N').Substring(0, 6)).out"
        Remote hpc-tcsh 'ln', '-s', '/etc/hostname', $name
        try {
            $e = { Submit-HpcJob -HostName hpc-bash -Scheduler Slurm -Command true -OutputPath $name } | Should -Throw -PassThru
            $e.FullyQualifiedErrorId | Should -BeLike 'HpcInvalidOutputPath*'
            $e.Exception.Message | Should -Match 'a link or another user''s file'
            $f = { Submit-HpcJob -HostName hpc-bash -Scheduler Slurm -Command true -OutputPath /tmp } | Should -Throw -PassThru
            $f.FullyQualifiedErrorId | Should -BeLike 'HpcInvalidOutputPath*'
            $f.Exception.Message | Should -Match 'is a folder'
        }
        finally { Remote hpc-tcsh 'rm', '-f', $name }
    }

    It 'names a remote working folder the login cannot enter, and an output folder it cannot write' -Skip:(-not $script:hasSshd -and -not $script:ci) {
        $e = { Submit-HpcJob -HostName hpc-bash -Scheduler Slurm -Command true -WorkingDirectory /root } | Should -Throw -PassThru
        $e.FullyQualifiedErrorId | Should -BeLike 'HpcWorkingDirectoryNotFound*'
        $e.Exception.Message | Should -Match 'cannot be entered'
        $f = { Submit-HpcJob -HostName hpc-bash -Scheduler Slurm -Command true -OutputPath /usr/out.log } | Should -Throw -PassThru
        $f.FullyQualifiedErrorId | Should -BeLike 'HpcInvalidOutputPath*'
        $f.Exception.Message | Should -Match 'not writable'
    }
}

Describe 'Reading output' {
    It 'says that -Error shows the output when the job has no error file of its own' {
        $job = Submit-HpcJob -Command sh, -c, 'echo out; echo err >&2' | Wait-HpcJob -Timeout 60
        $lines = $job | Receive-HpcJob -Error -WarningVariable w -WarningAction SilentlyContinue
        $lines | Should -Be 'out', 'err'
        "$w" | Should -Match 'no error file of its own'
        $split = Submit-HpcJob -Command sh, -c, 'echo out; echo err >&2' -ErrorPath err.log | Wait-HpcJob -Timeout 60
        $split | Receive-HpcJob -Error -WarningVariable w2 | Should -Be 'err'
        $w2 | Should -BeNullOrEmpty
    }
}

Describe 'Following output on a cluster over SSH' -Skip:(-not $script:hasSshd -and -not $script:ci) {
    It 'warns when the output is deleted while followed, as on this machine' {
        $job = Submit-HpcJob -HostName hpc-bash -Scheduler Slurm -Command sh, -c, 'echo one; sleep 6; echo two; sleep 2' -Name follow-deleted
        $deadline = (Get-Date).AddSeconds(60)
        do { Start-Sleep -Milliseconds 200; $path = ($job | Get-HpcJobStatus).StdOutPath } until (($path -and (Test-Path $path)) -or (Get-Date) -gt $deadline)
        # the test sshd is on this machine: the output is deleted here, as another session on the cluster would
        # rm, not Remove-Item: .NET reads another user's file as read-only and refuses, even for root
        $remover = Start-ThreadJob { param($path) Start-Sleep 2; rm -f -- $path } -ArgumentList $path
        $lines = $job | Receive-HpcJob -Wait -WarningVariable w -WarningAction SilentlyContinue
        $remover | Wait-Job | Remove-Job
        $lines | Should -Be 'one'
        "$w" | Should -Match "output '$([regex]::Escape($path))' on ssh://hpc-bash was deleted while followed"
    }
}

Describe 'A full disk under the Local store' -Skip:(-not $script:isRoot -and -not $script:ci) {
    It 'says the disk is full, not that permissions are wrong, and submits nothing' {
        $disk = Join-Path $script:work "fulldisk-$PID"
        New-Item -ItemType Directory $disk | Out-Null
        mount -t tmpfs -o size=256k tmpfs $disk
        $stateDir = $env:HPCJOBS_STATE_DIR
        try {
            chmod 700 $disk
            $env:HPCJOBS_STATE_DIR = Join-Path $disk 'state'
            (Submit-HpcJob -Scheduler Local -Command true).JobId | Should -Be '1'
            dd if=/dev/zero "of=$(Join-Path $disk 'fill')" bs=4k 2>$null
            $e = { Submit-HpcJob -Scheduler Local -Command true -ErrorAction Stop } | Should -Throw -PassThru
            $e.FullyQualifiedErrorId | Should -BeLike 'HpcStateUnusable*'
            $e.Exception.Message | Should -Match 'No space left on device.*disk \(or your quota\) holding it is full'
            $e.Exception.Message | Should -Not -Match 'permissions'
        }
        finally {
            $env:HPCJOBS_STATE_DIR = $stateDir
            pkill -f "daemon $disk"
            Start-Sleep -Milliseconds 500
            umount -l $disk
        }
    }
}

Describe 'SLURM refusals in words' -Skip:(-not $script:hasSlurm -and -not $script:ci) {
    It 'says what a partition cannot give when asked for more nodes than it has' {
        $e = { Submit-HpcJob -Scheduler Slurm -Command true -Resources @{ Nodes = 2; Partition = 'debug' } -ErrorAction Stop } | Should -Throw -PassThru
        $e.FullyQualifiedErrorId | Should -BeLike 'HpcSubmitFailed*'
        $e.Exception.Message | Should -Match "Node count specification invalid.*partition 'debug' cannot give 2 nodes.*Ask for fewer nodes, or another partition"
    }
}

Describe 'Waiting' {
    It 'returns the first job to end with -Any, whichever of several schedulers it is on' -Skip:(-not $script:hasSlurm -and -not $script:ci) {
        $slow = Submit-HpcJob -Scheduler Slurm -Command sleep, 30
        $fast = Submit-HpcJob -Scheduler Local -Command sleep, 1
        try {
            $clock = [Diagnostics.Stopwatch]::StartNew()
            $first = $slow, $fast | Wait-HpcJob -Any -Timeout 25
            $clock.Stop()
            @($first).JobId | Should -Be $fast.JobId
            @($first).Scheduler | Should -Be 'Local'
            ($slow | Get-HpcJobStatus).IsFinished | Should -BeFalse -Because 'the SLURM job was not waited for'
        }
        finally { $slow | Stop-HpcJob -Confirm:$false }
    }
}

Describe 'Listing another user''s jobs' {
    It 'says there is no such user on <Target>, where the scheduler would list nothing' -ForEach @(
        @{ Target = 'SLURM'; On = @{ Scheduler = 'Slurm' }; Where = 'on this machine'; Skip = -not $script:hasSlurm -and -not $script:ci }
        @{ Target = 'OpenPBS'; On = @{ Scheduler = 'Pbs' }; Where = 'on this machine'; Skip = -not $script:hasPbs -and -not $script:ci }
        @{ Target = 'SLURM over SSH'; On = @{ Scheduler = 'Slurm'; HostName = 'hpc-bash' }; Where = 'on ssh://'; Skip = -not $script:hasSshd -and -not $script:ci }
    ) {
        $e = { Get-HpcJobStatus @On -User nosuchuser42 -ErrorAction Stop } | Should -Throw -PassThru
        $e.FullyQualifiedErrorId | Should -BeLike 'HpcUserNotFound*'
        $e.Exception.Message | Should -Match "'nosuchuser42': there is no such user $([regex]::Escape($Where))"
        # a user who exists and has no jobs is an empty list, no error
        @(Get-HpcJobStatus @On -User nobody -ErrorAction Stop).Count | Should -Be 0
    }
}

Describe 'The shared-status folder' -Skip:(-not $script:hasSlurm -and -not $script:ci) {
    It 'is an error when HPCJOBS_STATUS_DIR names <Case>, never sharing silently turned off' -ForEach @(
        @{ Case = 'a file'; Make = { $f = Join-Path $script:work 'status-file'; Set-Content $f x; $f } }
        @{ Case = 'a folder every user may write'; Make = { $d = New-Item -ItemType Directory -Force (Join-Path $script:work 'status-1777'); chmod 1777 $d; "$d" } }
    ) {
        $job = Submit-HpcJob -Scheduler Slurm -Command true
        $folder = & $Make
        # a new pwsh: the folder is read when a process first shares status with a cluster
        $text = & $script:Pwsh -NoProfile -NonInteractive -Command "`$env:HPCJOBS_STATUS_DIR = '$folder'; Import-Module '$script:ModuleManifest'; try { Wait-HpcJob $($job.JobId) -Scheduler Slurm -Timeout 60 -ErrorAction Stop | Out-Null; 'no error' } catch { `$_.FullyQualifiedErrorId; `$_.Exception.Message }"
        $text[0] | Should -BeLike 'HpcInvalidSetting*'
        $text[1] | Should -Match "HPCJOBS_STATUS_DIR is '$([regex]::Escape($folder))'.*HPCJOBS_SHARED_STATUS=0"
        ($job | Wait-HpcJob -Timeout 60).State | Should -Be 'Completed'
    }
}

Describe 'A PBS job its dependency holds' -Skip:(-not $script:hasPbs -and -not $script:ci) {
    It 'is not released by Resume-HpcJob, which says why and what to do' {
        $first = Submit-HpcJob -Scheduler Pbs -Command sleep, 60
        $second = Submit-HpcJob -Scheduler Pbs -Command true -DependsOn $first
        try {
            ($second | Get-HpcJobStatus).HeldBy | Should -Be 'Dependency'
            $out = $second | Resume-HpcJob -PassThru -WarningVariable w -WarningAction SilentlyContinue
            $out | Should -BeNullOrEmpty
            "$w" | Should -Match "Job $([regex]::Escape($second.JobId)) is held until its dependencies are met.*released by itself"
            ($second | Get-HpcJobStatus).State | Should -Be 'Held'
        }
        finally { $second, $first | Stop-HpcJob -Confirm:$false }
    }
}

Describe 'A held PBS array' -Skip:(-not $script:hasPbs -and -not $script:ci) {
    It 'reads Held in every subjob, and Resume-HpcJob releases the array' {
        $array = Submit-HpcJob -Scheduler Pbs -Command true -ArrayRange 0-2 -Hold
        try {
            $held = @(Get-HpcJobStatus $array)
            $held.Count | Should -Be 3
            $held.State | Should -Be 'Held', 'Held', 'Held'
            $held[0].HeldBy | Should -Be 'User'
            $array | Resume-HpcJob
            $done = @($array | Wait-HpcJob -Timeout 120)
            $done.State | Should -Be 'Completed', 'Completed', 'Completed'
        }
        finally { $array | Stop-HpcJob -Confirm:$false -ErrorAction Ignore }
    }
}
