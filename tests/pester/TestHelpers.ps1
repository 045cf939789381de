# Shared by every *.Tests.ps1: imports the built module once and gives each test file a private Local state directory.
$script:ModuleManifest = $env:HPCJOBS_TEST_MODULE
if (-not $script:ModuleManifest) { throw 'Run the Pester tests through build.ps1 Test (HPCJOBS_TEST_MODULE is not set).' }
Import-Module $script:ModuleManifest -Force
$script:Pwsh = Join-Path $PSHOME pwsh

function New-TestStateDirectory {
    $dir = Join-Path ([IO.Path]::GetTempPath()) "hpcjobs-pester-$([guid]::NewGuid().ToString('N').Substring(0, 8))"
    New-Item -ItemType Directory -Force $dir | Out-Null
    $dir
}

# Runs a script block in a separate pwsh process (a second user session), returning its output objects via CLIXML.
function Invoke-InNewPwsh([string]$Script) {
    $full = "Import-Module '$script:ModuleManifest'; `$ErrorActionPreference = 'Stop'; $Script"
    $out = & $script:Pwsh -NoProfile -NonInteractive -OutputFormat xml -Command $full
    if ($LASTEXITCODE -ne 0) { throw "child pwsh failed: $out" }
    $out
}

# Command lines of the live processes whose argv equals $Argv exactly (to prove a process tree is gone).
function Get-ProcessWithArgv([string[]]$Argv) {
    $want = ($Argv -join "`0") + "`0"
    Get-ChildItem /proc -Directory | Where-Object Name -match '^\d+$' | Where-Object {
        try { [IO.File]::ReadAllText("/proc/$($_.Name)/cmdline") -eq $want } catch { $false }
    }
}
