# The README's demo: real jobs on the embedded Local scheduler, in a private state directory.
param([Parameter(Mandatory)][string]$ModuleManifest)
$ErrorActionPreference = 'Stop'
Import-Module $ModuleManifest
$work = New-Item -ItemType Directory -Force (Join-Path ([IO.Path]::GetTempPath()) "hpcjobs-demo-$PID")
Set-Location $work
Write-Host "Scheduler:"; Get-HpcScheduler -Scheduler Local -Detailed | Format-List | Out-Host

$spec = New-HpcResourceSpec -CpusPerTask 1 -Memory 256MB -Walltime 5m
Write-Host "Submitting a 6-task array (at most 2 at a time) and a job that runs after all of it succeeded..."
$array = Submit-HpcJob -Scheduler Local -Name squares -ArrayRange '1-6%2' -Resources $spec -Command 'sh', '-c', 'sleep 1; echo $((HPCJOBS_ARRAY_TASK_ID * HPCJOBS_ARRAY_TASK_ID))'
$sum = Submit-HpcJob -Scheduler Local -Name sum -DependsOn $array -Resources $spec -Command 'sh', '-c', "cat hpcjobs-$($array.JobId)_*.out | awk '{ s += `$1 } END { print s }'"
$array, $sum | Format-Table | Out-Host

$done = $array, $sum | Wait-HpcJob
Write-Host "Finished:"
$done | Format-Table | Out-Host
Write-Host "Sum of squares 1..6 computed by job $($sum.JobId): $(Get-Content $sum.StdOutPath -Raw)"
Write-Host "Output files are in $work"
