# Benchmark of the Local scheduler against xargs -P <cpus> in the same run (issue 10's targets). Prints a table; asserts
# nothing. Run through build.ps1: `dotnet pwsh ./build.ps1 Bench`, or alone with -ModuleManifest module/HpcJobs.psd1.
param([Parameter(Mandatory)][string]$ModuleManifest, [int]$Jobs = 1000, [int]$Repeat = 3, [int]$StoreSize = 100000)
$ErrorActionPreference = 'Stop'
$env:HPCJOBS_STATE_DIR = Join-Path ([IO.Path]::GetTempPath()) "hpcjobs-bench-local-$PID"
$env:HPCJOBS_SCHEDULER = 'Local'
Import-Module $ModuleManifest
$work = New-Item -ItemType Directory -Force (Join-Path ([IO.Path]::GetTempPath()) "hpcjobs-bench-local-work-$PID")
Set-Location $work
Set-Content ./true.sh "#!/bin/sh`ntrue"
$cpus = [Environment]::ProcessorCount

# machine-wide CPU time (all processes), from /proc/stat, in milliseconds
function CpuMs { $f = (Get-Content /proc/stat -TotalCount 1) -split '\s+'; ([long]$f[1] + [long]$f[2] + [long]$f[3] + [long]$f[6] + [long]$f[7]) * 10 }
function Mid($xs) { ($xs | Sort-Object)[[int][math]::Floor(@($xs).Count / 2)] }
$rows = [System.Collections.Generic.List[object]]::new()
function Row($What, $Value, $Unit, $Raw, $Target) {
    $rows.Add([pscustomobject]@{ Measurement = $What; HpcJobs = "$([math]::Round($Value, 2)) $Unit"; 'xargs/bash, same run' = $Raw; Target = $Target })
}

$null = Submit-HpcJob -Command true -OutputPath /dev/null | Wait-HpcJob   # warm-up: starts the daemon, JIT
$files = @(Get-Item ./true.sh) * $Jobs

Write-Host "[bench] $Jobs trivial jobs through a pipeline, $Repeat rounds"
$e2e = @(); $submit = @(); $cpu = @(); $xargs = @(); $xcpu = @()
foreach ($round in 1..$Repeat) {
    $c0 = CpuMs
    $t = [Diagnostics.Stopwatch]::StartNew()
    $submitted = $files | Submit-HpcJob -OutputPath /dev/null
    $submit += $t.Elapsed.TotalMilliseconds / $Jobs
    $null = $submitted | Wait-HpcJob
    $e2e += $t.Elapsed.TotalSeconds
    $cpu += ((CpuMs) - $c0) / $Jobs
    $c0 = CpuMs
    $t = [Diagnostics.Stopwatch]::StartNew()
    bash -c "seq $Jobs | xargs -P $cpus -I{} true"
    $xargs += $t.Elapsed.TotalSeconds
    $xcpu += ((CpuMs) - $c0) / $Jobs
}
Row "$Jobs trivial jobs, pipeline submit + wait, end to end" (Mid $e2e) 's' ("{0:0.00} s (seq | xargs -P $cpus true)" -f (Mid $xargs)) '<= 5 s'
Row 'Submit-HpcJob per job inside the pipeline' (Mid $submit) 'ms' '' '<= 2 ms'
Row 'CPU per trivial job, machine-wide, all processes' (Mid $cpu) 'ms' ('{0:0.00} ms (xargs)' -f (Mid $xcpu)) '<= 5 ms'

Write-Host "[bench] an array of $Jobs trivial tasks, $Repeat rounds"
$arr = @()
foreach ($round in 1..$Repeat) {
    $t = [Diagnostics.Stopwatch]::StartNew()
    $null = Submit-HpcJob -Command true -ArrayRange "1-$Jobs" -OutputPath /dev/null | Wait-HpcJob
    $arr += $t.Elapsed.TotalSeconds
}
Row "array of $Jobs trivial tasks, submit + wait" (Mid $arr) 's' ("{0:0.00} s (xargs, above)" -f (Mid $xargs)) '<= 3 s'

Write-Host "[bench] Wait-HpcJob wake-up after the last job ends, $Repeat rounds"
$late = @(); $lateAny = @()
foreach ($round in 1..$Repeat) {
    $j = Submit-HpcJob -Command sleep, 2
    $done = $j | Wait-HpcJob
    $late += ((Get-Date) - $done.EndTime.LocalDateTime).TotalMilliseconds
    $a = Submit-HpcJob -Command sleep, 1; $b = Submit-HpcJob -Command sleep, 30
    $first = $a, $b | Wait-HpcJob -Any
    $lateAny += ((Get-Date) - $first.EndTime.LocalDateTime).TotalMilliseconds
    $b | Stop-HpcJob -Confirm:$false
}
Row 'Wait-HpcJob returns after the job ended' (Mid $late) 'ms' '' '<= 100 ms'
Row 'Wait-HpcJob -Any returns after the first ended' (Mid $lateAny) 'ms' '' '<= 100 ms'

Write-Host "[bench] $StoreSize finished jobs in the store against an empty one (core API, two state folders)"
$big = Join-Path ([IO.Path]::GetTempPath()) "hpcjobs-bench-bigstore-$PID"
$small = Join-Path ([IO.Path]::GetTempPath()) "hpcjobs-bench-smallstore-$PID"
$bigLocal = [HpcJobs.Core.Local.LocalScheduler]::new($big)
$smallLocal = [HpcJobs.Core.Local.LocalScheduler]::new($small)
$template = [IO.File]::ReadAllText((Join-Path $env:HPCJOBS_STATE_DIR "units/$($submitted[0].JobId).json"))
$units = Join-Path $big 'units'
foreach ($i in 1..$StoreSize) { [IO.File]::WriteAllText("$units/$i.json", ($template -replace '"Id": "\d+"', "`"Id`": `"$i`"")) }
Set-Content (Join-Path $big 'next-id') ($StoreSize + 1)
function MedianMs([scriptblock]$Block, [int]$Times = 21) {
    $null = & $Block
    Mid @(foreach ($i in 1..$Times) { (Measure-Command { $null = & $Block }).TotalMilliseconds })
}
$results = @{}
foreach ($case in @(@{ Name = 'empty'; Local = $smallLocal }, @{ Name = 'big'; Local = $bigLocal })) {
    $l = $case.Local
    $req = [HpcJobs.Core.Model.JobRequest]@{ Command = [string[]]@('true'); WorkingDirectory = "$work"; OutputPath = '/dev/null' }
    $one = $l.SubmitAsync($req).GetAwaiter().GetResult()
    $results[$case.Name] = @{
        Status = MedianMs { $l.GetStatusAsync([string[]]@($one.JobId)).GetAwaiter().GetResult() }
        Submit = MedianMs { $l.SubmitAsync($req).GetAwaiter().GetResult() }
        Pass   = MedianMs { $l.ScheduleAsync([Threading.CancellationToken]::None).GetAwaiter().GetResult() }
    }
}
foreach ($what in 'Status', 'Submit', 'Pass') {
    $label = @{ Status = 'status of one job'; Submit = 'submit of one job (core)'; Pass = 'a scheduling pass (daemon round trip)' }[$what]
    $ratio = $results.big[$what] / $results.empty[$what]
    Row "$label with $StoreSize finished jobs in the store" $results.big[$what] 'ms' ('{0:0.00} ms with an empty store: {1:0.00}x' -f $results.empty[$what], $ratio) '<= 2x empty'
}
Remove-Item -Recurse -Force $big, $small -ErrorAction Ignore

Write-Host "[bench] Receive-HpcJob -Tail 10 of a 2 GB output (bounded memory, time not proportional to the file)"
$bigOut = Join-Path $work 'big.out'
$tailJob = Submit-HpcJob -Command sh, -c, "yes 'a line of job output, 0123456789' | head -c 2147483648" -OutputPath $bigOut | Wait-HpcJob
$tailMs = @(); $tailAlloc = @(); $rawTail = @()
foreach ($round in 1..$Repeat) {
    $a0 = [GC]::GetTotalAllocatedBytes($true)
    $tailMs += (Measure-Command { $null = $tailJob | Receive-HpcJob -Tail 10 }).TotalMilliseconds
    $tailAlloc += ([GC]::GetTotalAllocatedBytes($true) - $a0) / 1MB
    $rawTail += (Measure-Command { $null = tail -n 10 $bigOut }).TotalMilliseconds
}
Row 'Receive-HpcJob -Tail 10 of a 2 GB output' (Mid $tailMs) 'ms' ('{0:0.0} ms (tail -n 10)' -f (Mid $rawTail)) 'bounded'
Row 'memory allocated by that Receive-HpcJob -Tail 10' (Mid $tailAlloc) 'MB' '' 'not proportional to the file'
Remove-Item $bigOut

$rows | Format-Table -AutoSize | Out-String -Width 200 | Write-Host
"| Measurement | HpcJobs | xargs/bash, same run | Target |"
"|---|---:|---|---|"
foreach ($r in $rows) { "| $($r.Measurement) | $($r.HpcJobs) | $($r.'xargs/bash, same run') | $($r.Target) |" }
