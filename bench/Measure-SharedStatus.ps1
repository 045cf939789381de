# What waiting costs the controller: K separate pwsh processes, each submitting one job and waiting for it, against one
# process submitting the same K jobs and waiting for all of them. SLURM's RPCs are counted by slurmctld itself (sdiag,
# reset before each window); OpenPBS's requests by the server's own log ("Type N request received"). Prints a table;
# asserts nothing. Run through build.ps1: `dotnet pwsh ./build.ps1 Bench` (needs the test cluster and server).
param(
    [Parameter(Mandatory)][string]$ModuleManifest,
    # bounded: "-K 10,50" given through pwsh -File arrives as one string, which would bind as 1050 processes
    [ValidateRange(1, 200)][int[]]$K = @(1, 10, 50),
    [int]$JobSeconds = 5,
    [string[]]$Sections = @('Slurm', 'Pbs'),
    [switch]$WithoutSharing
)
$ErrorActionPreference = 'Stop'
$work = New-Item -ItemType Directory -Force (Join-Path ([IO.Path]::GetTempPath()) "hpcjobs-shared-bench-$PID")

. (Join-Path $PSScriptRoot 'BenchHelpers.ps1')
$pwsh, $pwshArgs = $BenchPwsh, $BenchPwshArgs
$pbsLog = { Get-ChildItem /var/spool/pbs/server_logs -File | Sort-Object LastWriteTime | Select-Object -Last 1 }
function PbsRequests([datetime]$Since, [datetime]$Until) {
    # "11/29/2026 16:20:01.123456;0100;Server@host;Req;;Type 19 request received from root@host, sock=17"
    $n = 0; $types = @{}
    foreach ($line in Get-Content (& $pbsLog).FullName) {
        if ($line -notmatch '^(\d\d/\d\d/\d{4} \d\d:\d\d:\d\d)[^;]*;[^;]*;[^;]*;Req;;Type (\d+) request received from (\S+)') { continue }
        $at = [datetime]::ParseExact($Matches[1], 'MM/dd/yyyy HH:mm:ss', [Globalization.CultureInfo]::InvariantCulture)
        if ($at -lt $Since -or $at -gt $Until -or $Matches[3] -notlike 'root@*') { continue }
        $n++; $types[$Matches[2]] = 1 + [int]$types[$Matches[2]]
    }
    [pscustomobject]@{ Total = $n; Types = $types }
}

$child = Join-Path $work 'one-job.ps1'
Set-Content $child @'
param($Manifest, $Scheduler, $Seconds)
Import-Module $Manifest
Submit-HpcJob -Scheduler $Scheduler -Command sleep, $Seconds -Name sharedbench -OutputPath /dev/null | Wait-HpcJob | Out-Null
'@
$all = Join-Path $work 'all-jobs.ps1'
Set-Content $all @'
param($Manifest, $Scheduler, $Seconds, [int]$K)
Import-Module $Manifest
$jobs = foreach ($i in 1..$K) { Submit-HpcJob -Scheduler $Scheduler -Command sleep, $Seconds -Name sharedbench -OutputPath /dev/null }
$jobs | Wait-HpcJob | Out-Null
'@

function Window([string]$Scheduler, [int]$Processes, [int]$Jobs, [bool]$Share) {
    $env:HPCJOBS_STATUS_DIR = Join-Path $work "status-$([guid]::NewGuid().ToString('N'))"
    $env:HPCJOBS_SHARED_STATUS = if ($Share) { '1' } else { '0' }
    $started = Get-Date
    if ($Scheduler -eq 'Slurm') { $null = sdiag -r }
    Start-Sleep -Milliseconds 1100   # PBS log lines have whole seconds: nothing of the last window in this one
    $t = [Diagnostics.Stopwatch]::StartNew()
    $procs = if ($Processes -eq 1) {
        , (Start-Process $pwsh -ArgumentList ($pwshArgs + @('-File', $all, $ModuleManifest, $Scheduler, $JobSeconds, $Jobs)) -PassThru -NoNewWindow)
    } else {
        foreach ($i in 1..$Processes) { Start-Process $pwsh -ArgumentList ($pwshArgs + @('-File', $child, $ModuleManifest, $Scheduler, $JobSeconds)) -PassThru -NoNewWindow }
    }
    $procs | Wait-Process
    $seconds = $t.Elapsed.TotalSeconds
    $failed = @($procs | Where-Object ExitCode -ne 0).Count
    if ($Scheduler -eq 'Slurm') {
        $c = Get-SlurmClientRpcs
        $total = ($c.Values | Measure-Object -Sum).Sum
        $detail = ($c.GetEnumerator() | Sort-Object Value -Descending | ForEach-Object { "$($_.Key -replace '^REQUEST_','') $($_.Value)" }) -join ', '
    } else {
        Start-Sleep -Seconds 1
        $r = PbsRequests $started.AddSeconds(1) (Get-Date)
        $total = $r.Total
        $detail = ($r.Types.GetEnumerator() | Sort-Object Value -Descending | ForEach-Object { "type $($_.Key) $($_.Value)" }) -join ', '
    }
    Remove-Item Env:HPCJOBS_STATUS_DIR, Env:HPCJOBS_SHARED_STATUS
    [pscustomobject]@{ Total = $total; Seconds = $seconds; Detail = $detail; Failed = $failed }
}

$rows = [Collections.Generic.List[object]]::new()
foreach ($scheduler in $Sections) {
    if ($scheduler -eq 'Slurm' -and -not ((scontrol ping 2>$null) -match 'is UP')) { Write-Host '[bench] no SLURM controller: SLURM skipped'; continue }
    if ($scheduler -eq 'Pbs' -and -not (Test-Path /var/spool/pbs/server_logs)) { Write-Host '[bench] no OpenPBS server: PBS skipped'; continue }
    $unit = if ($scheduler -eq 'Slurm') { 'slurmctld RPCs (sdiag)' } else { 'server requests (server log)' }
    foreach ($n in $K) {
        Write-Host "[bench] $scheduler, K = ${n}: one process waiting for $n job(s)"
        $one = Window $scheduler 1 $n $true
        Write-Host "[bench] $scheduler, K = ${n}: $n processes each waiting for its own job"
        $many = Window $scheduler $n $n $true
        $rows.Add([pscustomobject]@{ Scheduler = $scheduler; K = $n; Window = "1 process, $n job(s)"; Calls = $one.Total; "Counted by" = $unit; Seconds = [math]::Round($one.Seconds, 1); 'Per second' = [math]::Round($one.Total / $one.Seconds, 2); Ratio = ''; Failed = $one.Failed; Detail = $one.Detail })
        $rows.Add([pscustomobject]@{ Scheduler = $scheduler; K = $n; Window = "$n processes, shared status"; Calls = $many.Total; "Counted by" = $unit; Seconds = [math]::Round($many.Seconds, 1); 'Per second' = [math]::Round($many.Total / $many.Seconds, 2); Ratio = '{0:0.00}x' -f ($many.Total / [math]::Max(1, $one.Total)); Failed = $many.Failed; Detail = $many.Detail })
        if ($WithoutSharing -and $n -gt 1) {
            Write-Host "[bench] $scheduler, K = ${n}: $n processes, sharing off (HPCJOBS_SHARED_STATUS=0)"
            $off = Window $scheduler $n $n $false
            $rows.Add([pscustomobject]@{ Scheduler = $scheduler; K = $n; Window = "$n processes, sharing off"; Calls = $off.Total; "Counted by" = $unit; Seconds = [math]::Round($off.Seconds, 1); 'Per second' = [math]::Round($off.Total / $off.Seconds, 2); Ratio = '{0:0.00}x' -f ($off.Total / [math]::Max(1, $one.Total)); Failed = $off.Failed; Detail = $off.Detail })
        }
    }
}
$rows | Format-Table -AutoSize -Wrap | Out-String -Width 220 | Write-Host

# Interactive latency (issue 28): Wait-HpcJob on a SLURM job that ended before the wait began, with sharing on and off,
# in one process that submitted it more than a shared interval earlier (the case that waited for the next refresh).
if ($Sections -contains 'Slurm' -and ((scontrol ping 2>$null) -match 'is UP')) {
    $latency = Join-Path $work 'ended-wait.ps1'
    Set-Content $latency @'
param($Manifest, [int]$N)
Import-Module $Manifest
$jobs = foreach ($i in 1..$N) { Submit-HpcJob -Scheduler Slurm -Command true -OutputPath /dev/null }
while (squeue -h -t all -j ($jobs.JobId -join ',') -o '%T' | Where-Object { $_ -ne 'COMPLETED' }) { Start-Sleep -Milliseconds 200 }
Start-Sleep 11   # past the slowest shared interval (10 s): the submissions no longer answer
foreach ($j in $jobs) { (Measure-Command { $j | Wait-HpcJob | Out-Null }).TotalSeconds }
'@
    $median = { param($x) $s = @($x | Sort-Object); $s[[int][math]::Floor(($s.Count - 1) / 2)] }
    $lat = foreach ($share in '1', '0') {
        $env:HPCJOBS_STATUS_DIR = Join-Path $work "status-lat-$share"
        $env:HPCJOBS_SHARED_STATUS = $share
        $times = & $pwsh @pwshArgs -File $latency $ModuleManifest 7 | ForEach-Object { [double]$_ }
        Remove-Item Env:HPCJOBS_STATUS_DIR, Env:HPCJOBS_SHARED_STATUS
        [pscustomobject]@{ Sharing = if ($share -eq '1') { 'on (default)' } else { 'off' }; 'Median s' = [math]::Round((& $median $times), 3); 'Max s' = [math]::Round(($times | Measure-Object -Maximum).Maximum, 3); Waits = $times.Count; Goal = if ($share -eq '1') { '<= 0.3 s' } else { '' } }
    }
    Write-Host '[bench] Wait-HpcJob on a SLURM job that had already ended (7 waits each)'
    $lat | Format-Table -AutoSize | Out-String -Width 160 | Write-Host
}
Remove-Item -Recurse -Force $work -ErrorAction Ignore
