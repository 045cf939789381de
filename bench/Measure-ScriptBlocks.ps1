# Script blocks as jobs (issue 27), against what a user would do without HpcJobs, measured in the same run:
#   Local: 1..1000 | Invoke-HpcCommand { $_ * 2 }   against   1..1000 | ForEach-Object -Parallel { $_ * 2 } -ThrottleLimit 2
#   SLURM: 100 one-item tasks with Invoke-HpcCommand (results back as objects)   against   a raw sbatch --array=0-99 of
#          pwsh -c doing the same, each writing its result to a file, waited for with squeue, the 100 files read back.
# Each figure is the median of -Repeat runs, interleaved. Prints a table; asserts nothing. Run through build.ps1 Bench.
param(
    [Parameter(Mandatory)][string]$ModuleManifest,
    [int]$Repeat = 3,
    [string[]]$Sections = @('Local', 'Slurm')
)
$ErrorActionPreference = 'Stop'
Import-Module $ModuleManifest
$work = New-Item -ItemType Directory -Force (Join-Path ([IO.Path]::GetTempPath()) "hpcjobs-sb-bench-$PID")
Push-Location $work
function Median([double[]]$x) { $s = $x | Sort-Object; $s[[int][math]::Floor(($s.Count - 1) / 2)] }
function Seconds([scriptblock]$Run) { $sw = [Diagnostics.Stopwatch]::StartNew(); & $Run | Out-Null; $sw.Elapsed.TotalSeconds }
# the pwsh that runs this script, as the raw sbatch job starts it (a dotnet tool: dotnet pwsh.dll)
$pwshArgv = if ((Split-Path -Leaf ([Environment]::ProcessPath)) -like 'dotnet*') { @([Environment]::ProcessPath, (Join-Path $PSHOME 'pwsh.dll')) } else { @([Environment]::ProcessPath) }
$rows = [Collections.Generic.List[object]]::new()

if ($Sections -contains 'Local') {
    $ours = @(); $theirs = @()
    foreach ($i in 1..$Repeat) {
        $ours += Seconds { $r = 1..1000 | Invoke-HpcCommand -Scheduler Local { $_ * 2 }; if ($r.Count -ne 1000 -or $r[999] -ne 2000) { throw "Invoke-HpcCommand returned $($r.Count) results" } }
        $theirs += Seconds { 1..1000 | ForEach-Object -Parallel { $_ * 2 } -ThrottleLimit 2 }
    }
    $rows.Add([pscustomobject]@{ Case = '1..1000 { $_ * 2 } on Local'; HpcJobs = '{0:0.00} s' -f (Median $ours); Baseline = '{0:0.00} s' -f (Median $theirs); 'Baseline is' = 'ForEach-Object -Parallel -ThrottleLimit 2'; Ratio = '{0:0.00}x' -f ((Median $ours) / (Median $theirs)); Goal = '<= 2x' })
}

if ($Sections -contains 'Slurm') {
    $ours = @(); $theirs = @()
    foreach ($i in 1..$Repeat) {
        $ours += Seconds { $r = 0..99 | Invoke-HpcCommand -Scheduler Slurm -BatchSize 1 -Resources @{ Memory = '300MB' } { $_ * 2 }; if ($r.Count -ne 100) { throw "Invoke-HpcCommand returned $($r.Count) results" } }
        $theirs += Seconds {
            $out = New-Item -ItemType Directory -Force (Join-Path $work "raw-$i-$([guid]::NewGuid().ToString('N').Substring(0, 6))")
            $script = Join-Path $out 'task.sh'
            $pw = ($pwshArgv | ForEach-Object { "'$_'" }) -join ' '
            # sh puts the task's index into the command; pwsh computes and writes the result
            Set-Content $script "#!/bin/sh`nexec $pw -NoProfile -NonInteractive -Command `"`$SLURM_ARRAY_TASK_ID * 2 | Set-Content $out/r-`$SLURM_ARRAY_TASK_ID.txt`""
            $id = (sbatch --parsable --array=0-99 --mem=300M --output=/dev/null $script).Split(';')[0]
            while (squeue -h -j $id -o '%i' 2>$null) { Start-Sleep -Milliseconds 200 }
            $values = foreach ($t in 0..99) { [int](Get-Content "$out/r-$t.txt") }
            if ($values.Count -ne 100) { throw "raw sbatch left $($values.Count) results" }
        }
    }
    $rows.Add([pscustomobject]@{ Case = '100 one-item tasks on SLURM'; HpcJobs = '{0:0.00} s' -f (Median $ours); Baseline = '{0:0.00} s' -f (Median $theirs); 'Baseline is' = 'sbatch --array=0-99 of pwsh -c + squeue'; Ratio = '{0:0.00}x' -f ((Median $ours) / (Median $theirs)); Goal = '<= 1.2x' })
}

Pop-Location
Remove-Item -Recurse -Force $work -ErrorAction Ignore
$rows | Format-Table -AutoSize | Out-String -Width 200 | Write-Host
