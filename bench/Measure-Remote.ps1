# A cluster over SSH (the test sshd of tests/cluster/start-sshd.sh, SLURM behind it): HpcJobs' one session against raw
# ssh with a ControlMaster socket doing the same command, in the same run. Prints a table; asserts nothing.
# Run through build.ps1: `dotnet pwsh ./build.ps1 Bench`.
param([Parameter(Mandatory)][string]$ModuleManifest, [string]$HostName = 'hpc-bash', [int]$Repeat = 20)
$ErrorActionPreference = 'Stop'
if (-not (Test-Path /etc/hpcjobs-sshd/client_config)) { Write-Host '[bench] no test sshd (tests/cluster/start-sshd.sh): remote rows skipped'; return }
$env:HPCJOBS_SSH_BATCHMODE = '1'
Import-Module $ModuleManifest
$rows = [Collections.Generic.List[object]]::new()
function Row($What, $Ms, $Note) { $rows.Add([pscustomobject]@{ Measurement = $What; 'Median ms' = [math]::Round($Ms, 1); Note = $Note }) }
function Mid($xs) { ($xs | Sort-Object)[[int][math]::Floor(@($xs).Count / 2)] }
function BashLoopMs([string]$Body, [int]$Times) {
    $t = (bash -c "s=`$(date +%s%N); for i in `$(seq $Times); do $Body; done; echo `$(( (`$(date +%s%N) - s) / 1000 ))") / 1000.0
    $t / $Times
}
$socket = "/tmp/hpcjobs-bench-cm-$PID"
$accepted = { @(Select-String -Path /var/log/hpcjobs-sshd.log -SimpleMatch 'Accepted publickey for ' -ErrorAction Ignore).Count }

# first connect: ssh's handshake and login, HpcJobs' remote loop, the SLURM probe (command -v, scontrol ping)
$before = & $accepted
$first = (Measure-Command { $null = Get-HpcScheduler -HostName $HostName -Scheduler Slurm }).TotalMilliseconds
$rawFirst = Mid (1..5 | ForEach-Object { (Measure-Command { ssh -o BatchMode=yes $HostName true }).TotalMilliseconds })
Row 'first connect (Get-HpcScheduler -HostName: login + probe)' $first ('raw "ssh host true" (new connection each): {0:0} ms' -f $rawFirst)

ssh -o BatchMode=yes -o ControlMaster=yes -o ControlPath=$socket -o ControlPersist=120 -N -f $HostName
try {
    $runner = [HpcJobs.Core.Remote.SshSessionRunner]::For([HpcJobs.Core.Remote.RemoteHost]::new($HostName))
    $null = $runner.RunAsync('true', [string[]]@()).GetAwaiter().GetResult()
    $ours = Mid (1..$Repeat | ForEach-Object { (Measure-Command { $null = $runner.RunAsync('true', [string[]]@()).GetAwaiter().GetResult() }).TotalMilliseconds })
    $raw = BashLoopMs "ssh -o ControlPath=$socket $HostName true" $Repeat
    Row 'one command over the warm connection (true)' $ours ('raw ssh over a ControlMaster socket: {0:0.0} ms ({1:0.00}x)' -f $raw, ($ours / $raw))

    $id = (ssh -o ControlPath=$socket $HostName sbatch --parsable --hold --array=0-999 -o /dev/null --wrap true).Trim()
    try {
        $null = Get-HpcJobStatus -HostName $HostName -Scheduler Slurm -Id $id
        $status = Mid (1..5 | ForEach-Object { (Measure-Command { $script:tasks = Get-HpcJobStatus -HostName $HostName -Scheduler Slurm -Id $id }).TotalMilliseconds })
        $rawStatus = BashLoopMs "ssh -o ControlPath=$socket $HostName squeue -h -t all -j $id -o %i >/dev/null" 5
        Row "Get-HpcJobStatus of a 1,000-task array ($(@($script:tasks).Count) JobInfos)" $status ('raw ssh squeue -j (text only): {0:0} ms' -f $rawStatus)
    } finally { ssh -o ControlPath=$socket $HostName scancel $id }

    $submit = (Measure-Command { $script:jobs = 1..100 | ForEach-Object { Submit-HpcJob -HostName $HostName -Scheduler Slurm -Command true -Hold -OutputPath /dev/null } }).TotalMilliseconds / 100
    ssh -o ControlPath=$socket $HostName scancel ($script:jobs.JobId -join ' ').Split(' ')
    $rawSubmit = BashLoopMs "ssh -o ControlPath=$socket $HostName sbatch --parsable --hold -J benchraw -o /dev/null --wrap true >/dev/null" 100
    ssh -o ControlPath=$socket $HostName scancel -n benchraw
    Row '100 submissions, per job (Submit-HpcJob -HostName)' $submit ('raw ssh sbatch over ControlMaster: {0:0.0} ms ({1:0.00}x)' -f $rawSubmit, ($submit / $rawSubmit))
} finally { ssh -o ControlPath=$socket -O exit $HostName 2>$null }
$ours = (& $accepted) - $before - 6
Row 'sshd logins by HpcJobs in this whole run' $ours "sshd's 'Accepted publickey' lines, minus the raw rows' own 6 (5 connects + 1 master)"
$rows | Format-Table -AutoSize -Wrap | Out-String -Width 200 | Write-Host
