# What watching costs the SLURM controller (issue 31): for one window each, 50 jobs are
#   watched by one Watch-HpcJob (in a pwsh of its own, -Plain: a console changes only the drawing),
#   waited for by one Wait-HpcJob,
#   and polled the way people watch a queue by hand: squeue --me every 2 s (watch -n 2 squeue --me).
# slurmctld counts the RPCs itself (sdiag, reset before each window). The jobs are submitted before the windows and
# cancelled after them, so submissions are not counted. Prints a table; asserts nothing. Run through build.ps1 Bench.
param(
    [Parameter(Mandatory)][string]$ModuleManifest,
    [ValidateRange(1, 500)][int]$Jobs = 50,
    [ValidateRange(10, 600)][int]$Seconds = 60
)
$ErrorActionPreference = 'Stop'
if (-not ((scontrol ping 2>$null) -match 'is UP')) { Write-Host '[bench] no SLURM controller: watch bench skipped'; return }
Import-Module $ModuleManifest
$work = New-Item -ItemType Directory -Force (Join-Path ([IO.Path]::GetTempPath()) "hpcjobs-watch-bench-$PID")
. (Join-Path $PSScriptRoot 'BenchHelpers.ps1')
$pwsh, $pwshArgs = $BenchPwsh, $BenchPwshArgs

$env:HPCJOBS_STATUS_DIR = Join-Path $work 'status'
$submitted = foreach ($i in 1..$Jobs) { Submit-HpcJob -Scheduler Slurm -Command sleep, ($Seconds * 5) -Name watchbench -OutputPath /dev/null }
$ids = $submitted.JobId -join ','
$watchScript = Join-Path $work 'watch.ps1'
Set-Content $watchScript "param(`$Manifest, `$Ids) Import-Module `$Manifest; Watch-HpcJob -Scheduler Slurm -Plain (`$Ids -split ',') 6>`$null"
$waitScript = Join-Path $work 'wait.ps1'
Set-Content $waitScript "param(`$Manifest, `$Ids, `$Seconds) Import-Module `$Manifest; Wait-HpcJob -Scheduler Slurm (`$Ids -split ',') -Timeout `$Seconds -ErrorAction SilentlyContinue | Out-Null"

$windows = [ordered]@{
    "Watch-HpcJob, one pwsh, $Jobs jobs" = {
        $p = Start-Process $pwsh -ArgumentList ($pwshArgs + @('-File', $watchScript, $ModuleManifest, $ids)) -PassThru -NoNewWindow
        Start-Sleep -Seconds $Seconds
        Stop-Process -Id $p.Id
    }
    "Wait-HpcJob, one pwsh, $Jobs jobs" = {
        Start-Process $pwsh -ArgumentList ($pwshArgs + @('-File', $waitScript, $ModuleManifest, $ids, $Seconds)) -PassThru -NoNewWindow | Wait-Process
    }
    'squeue --me every 2 s (watch -n 2)' = {
        $until = (Get-Date).AddSeconds($Seconds)
        while ((Get-Date) -lt $until) { squeue --me > $null; Start-Sleep -Seconds 2 }
    }
}
$rows = foreach ($name in $windows.Keys) {
    Write-Host "[bench] $name for $Seconds s"
    Remove-Item -Recurse -Force $env:HPCJOBS_STATUS_DIR -ErrorAction Ignore   # each window starts with no snapshot
    $null = sdiag -r
    $t = [Diagnostics.Stopwatch]::StartNew()
    & $windows[$name]
    $elapsed = $t.Elapsed.TotalSeconds
    $c = Get-SlurmClientRpcs
    $total = ($c.Values | Measure-Object -Sum).Sum
    [pscustomobject]@{
        Window       = $name
        'RPCs (sdiag)' = [int]$total
        Seconds      = [math]::Round($elapsed, 1)
        'Per minute' = [math]::Round($total / $elapsed * 60, 1)
        Detail       = ($c.GetEnumerator() | Sort-Object Value -Descending | ForEach-Object { "$($_.Key -replace '^REQUEST_','') $($_.Value)" }) -join ', '
    }
}
$submitted | Stop-HpcJob
Remove-Item Env:HPCJOBS_STATUS_DIR
$rows | Format-Table -AutoSize -Wrap | Out-String -Width 200 | Write-Host
Remove-Item -Recurse -Force $work -ErrorAction Ignore
