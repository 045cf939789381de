# Benchmark on the real SLURM test cluster and OpenPBS server: status cost vs raw squeue/qstat and a per-job loop,
# submission cost vs raw sbatch/qsub.
# Prints a table; asserts nothing. Run through build.ps1: `dotnet pwsh ./build.ps1 Bench` (needs tests/cluster/start-slurm.sh).
param([Parameter(Mandatory)][string]$ModuleManifest, [int]$Repeat = 10, [int]$Submissions = 200, [string[]]$Sections = @('Slurm', 'Pbs'))
$ErrorActionPreference = 'Stop'
Import-Module $ModuleManifest
if ($Sections -contains 'Slurm' -and -not ((scontrol ping 2>$null) -match 'is UP')) { throw 'No SLURM controller answers: start tests/cluster/start-slurm.sh first.' }
$work = New-Item -ItemType Directory -Force (Join-Path ([IO.Path]::GetTempPath()) "hpcjobs-bench-$PID")
Set-Location $work

function Median([scriptblock]$Block, [int]$Times = $Repeat) {
    $null = & $Block   # warm-up (JIT, caches)
    $ms = foreach ($i in 1..$Times) { (Measure-Command { $null = & $Block }).TotalMilliseconds }
    ($ms | Sort-Object)[[int][math]::Floor($ms.Count / 2)]
}
# Wall time of a bash loop, per iteration: the cost of typing the command by hand, without PowerShell in the way.
function BashLoopMs([string]$Body, [int]$Times) {
    $t = (bash -c "s=`$(date +%s%N); for i in `$(seq $Times); do $Body; done; echo `$(( (`$(date +%s%N) - s) / 1000 ))") / 1000.0
    $t / $Times
}
function Mid($xs) { ($xs | Sort-Object)[[int][math]::Floor($xs.Count / 2)] }
$rows = [System.Collections.Generic.List[object]]::new()
function Row($What, $Jobs, $Ms, $Calls, $Note) { $rows.Add([pscustomobject]@{ Measurement = $What; Jobs = $Jobs; 'Median ms' = [math]::Round($Ms, 1); 'Scheduler calls' = $Calls; Note = $Note }) }

if ($Sections -contains 'Slurm') {
Write-Host "[bench] submitting 500 held jobs with raw sbatch (status targets)"
$ids = 1..500 | ForEach-Object { (sbatch --parsable --hold -J bench --wrap true).Trim() }
try {
    $core = [HpcJobs.Core.Slurm.SlurmScheduler]::new()
    $fmt = '%i|%T|%r|%A|%K|%F'
    foreach ($n in 1, 100, 500) {
        $some = $ids[0..($n - 1)]
        $list = $some -join ','
        $raw = BashLoopMs "squeue -h -t all -j $list -o '$fmt' >/dev/null" $Repeat
        Row 'raw squeue -j <ids>, one call from bash' $n $raw 1 ''
        $before = $core.SchedulerCalls
        $null = $core.GetStatusAsync([string[]]$some).GetAwaiter().GetResult()
        $calls = $core.SchedulerCalls - $before
        $ours = Median { Get-HpcJobStatus -Scheduler Slurm -Id $some }
        Row 'Get-HpcJobStatus' $n $ours $calls ('{0:0.00}x raw squeue' -f ($ours / $raw))
        if ($n -gt 1) {
            $loopTimes = [math]::Max(1, [math]::Floor($Repeat / 3))
            $loop = BashLoopMs "for id in $($some -join ' '); do squeue -h -t all -j `$id -o '$fmt' >/dev/null; done" $loopTimes
            Row 'per-job squeue loop (naive tools)' $n $loop $n ('{0:0.0}x Get-HpcJobStatus' -f ($loop / $ours))
        }
    }
} finally {
    Write-Host "[bench] cancelling the held jobs"
    scancel ($ids -join ' ').Split(' ')
}

# a held array, every task queued (issue 28): status by the array's id against squeue -r of the same columns; sacct is
# asked once (the array's tasks are then known), not on every call
foreach ($n in 1000) {
    $array = (sbatch --parsable --hold -J benchArray --array=0-$($n - 1) -o /dev/null --wrap true).Trim()
    try {
        $raw = BashLoopMs "squeue -h -r -t all -j $array -o '$fmt' >/dev/null" $Repeat
        Row "raw squeue -r -j <array of $n tasks>" $n $raw 1 ''
        $before = $core.SchedulerCalls
        $null = $core.GetStatusAsync([string[]]@($array)).GetAwaiter().GetResult()
        $first = $core.SchedulerCalls - $before
        $before = $core.SchedulerCalls
        $null = $core.GetStatusAsync([string[]]@($array)).GetAwaiter().GetResult()
        $later = $core.SchedulerCalls - $before
        $ours = Median { Get-HpcJobStatus -Scheduler Slurm -Id $array }
        Row "Get-HpcJobStatus <array of $n tasks>" $n $ours "$first, then $later" ('{0:0.00}x raw squeue -r' -f ($ours / $raw))
    }
    finally { scancel $array }
}

Write-Host "[bench] $Submissions submissions each way, in alternating rounds of 50 (jobs cancelled after each round, so both see the same controller load)"
$rounds = [math]::Max(1, [math]::Floor($Submissions / 50))
$raw = @(); $loop = @(); $pwshRaw = @(); $piped = @()
$scripts = 1..50 | ForEach-Object { $f = Join-Path $work "s$_.sh"; Set-Content $f "#!/bin/sh`ntrue"; Get-Item $f }
$null = Submit-HpcJob -Scheduler Slurm -Command true -Name benchours -OutputPath /dev/null   # warm-up
foreach ($round in 1..$rounds) {
    $raw += BashLoopMs "sbatch --parsable -J benchraw -o /dev/null --wrap true >/dev/null" 50
    scancel -n benchraw
    $loop += (Measure-Command { foreach ($i in 1..50) { $null = Submit-HpcJob -Scheduler Slurm -Command true -Name benchours -OutputPath /dev/null } }).TotalMilliseconds / 50
    scancel -n benchours
    $pwshRaw += (Measure-Command { foreach ($i in 1..50) { $null = sbatch --parsable -J benchraw -o /dev/null --wrap true } }).TotalMilliseconds / 50
    scancel -n benchraw
    $piped += (Measure-Command { $null = $scripts | Submit-HpcJob -Scheduler Slurm -Name benchours -OutputPath /dev/null }).TotalMilliseconds / 50
    scancel -n benchours
}
$rawPerJob = Mid $raw
Row 'raw sbatch in a bash loop, per job' ($rounds * 50) $rawPerJob 1 ''
Row 'Submit-HpcJob, one call per job (pwsh loop)' ($rounds * 50) (Mid $loop) 1 ('{0:0.00}x raw sbatch' -f ((Mid $loop) / $rawPerJob))
Row 'Get-ChildItem *.sh | Submit-HpcJob, per job' ($rounds * 50) (Mid $piped) 1 ('{0:0.00}x raw sbatch' -f ((Mid $piped) / $rawPerJob))
Row 'raw sbatch typed in pwsh (pwsh loop), per job' ($rounds * 50) (Mid $pwshRaw) 1 ('Submit-HpcJob is {0:0.00}x this' -f ((Mid $loop) / (Mid $pwshRaw)))
}

# ---- PBS (the real OpenPBS test server, tests/cluster/start-openpbs.sh), when it answers
$qstat = '/opt/pbs/bin/qstat'
if ((Test-Path $qstat) -and (& $qstat -B 2>$null)) {
    Write-Host "[bench] PBS: 100 held jobs with raw qsub (status targets)"
    $pbsIds = 1..100 | ForEach-Object { (bash -c "echo true | /opt/pbs/bin/qsub -h -o /dev/null -e /dev/null").Trim() }
    try {
        $pbs = [HpcJobs.Core.Pbs.PbsScheduler]::new([HpcJobs.Core.Pbs.PbsIdentity]::FromVersionOutput(
            [HpcJobs.Core.Processes.ProcessResult]::new(0, (& $qstat --version), ''), $false),
            [HpcJobs.Core.Processes.CommandDirectoryRunner]::new([HpcJobs.Core.Processes.CliWrapProcessRunner]::Instance, '/opt/pbs/bin', [System.Collections.Generic.HashSet[string]]@('qsub', 'qstat', 'qdel', 'qselect')), $null, $null)
        # calls spaced 1.2 s apart: qstat sleeps 200 ms when the same user called it within the same second, and every
        # PBS client call holds a reserved port for a minute (TIME_WAIT), so a tight loop measures the port pool instead
        function SpacedMedianMs([scriptblock]$Block, [int]$Times = 5) {
            Mid @(foreach ($i in 1..$Times) { Start-Sleep -Milliseconds 1200; (Measure-Command { $null = & $Block }).TotalMilliseconds })
        }
        foreach ($n in 1, 100) {
            $some = $pbsIds[0..($n - 1)]
            $raw = SpacedMedianMs { /opt/pbs/bin/qstat -f -F json -x -t @some }
            Row 'PBS: raw qstat -f -F json -x -t <ids>, one call (from pwsh)' $n $raw 1 ''
            $before = $pbs.SchedulerCalls
            $null = $pbs.GetStatusAsync([string[]]$some).GetAwaiter().GetResult()
            $calls = $pbs.SchedulerCalls - $before
            Start-Sleep -Milliseconds 1200
            $null = Get-HpcJobStatus -Scheduler Pbs -Id $some   # this session learns the server's JSON behaviour once
            $ours = SpacedMedianMs { Get-HpcJobStatus -Scheduler Pbs -Id $some }
            $note = if ($n -gt 1) { '; this OpenPBS lists only the first job of -F json, so HpcJobs asks in text (1 call once learnt)' } else { '' }
            Row 'PBS: Get-HpcJobStatus' $n $ours $calls (('{0:0.00}x raw qstat' -f ($ours / $raw)) + $note)
        }
    } finally {
        & /opt/pbs/bin/qdel $pbsIds 2>$null
    }
    Write-Host "[bench] PBS: 50 submissions each way"
    $rawQsub = BashLoopMs "cd /tmp && echo true | /opt/pbs/bin/qsub -o /dev/null -e /dev/null >/dev/null" 50
    Row 'PBS: raw qsub in a bash loop, per job' 50 $rawQsub 1 ''
    $null = Submit-HpcJob -Scheduler Pbs -Command true -OutputPath /dev/null   # warm-up
    $oursQsub = (Measure-Command { foreach ($i in 1..50) { $null = Submit-HpcJob -Scheduler Pbs -Command true -OutputPath /dev/null } }).TotalMilliseconds / 50
    Row 'PBS: Submit-HpcJob, one call per job (pwsh loop)' 50 $oursQsub 1 ('{0:0.00}x raw qsub' -f ($oursQsub / $rawQsub))
} else { Write-Host '[bench] PBS: no OpenPBS server answers (tests/cluster/start-openpbs.sh); PBS rows skipped' }

$rows | Format-Table -AutoSize | Out-String -Width 200 | Write-Host
"| Measurement | Jobs | Median ms | Scheduler calls | Note |"
"|---|---:|---:|---:|---|"
foreach ($r in $rows) { "| $($r.Measurement.Replace("|", "\|")) | $($r.Jobs) | $($r.'Median ms') | $($r.'Scheduler calls') | $($r.Note) |" }
