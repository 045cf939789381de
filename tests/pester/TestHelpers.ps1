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

# Debian's Chromium, headless: the page's DOM after its scripts ran, and screenshots (issue 31). --no-sandbox: CI runs as root.
$script:ChromiumArgs = @('--headless', '--no-sandbox', '--disable-gpu', '--hide-scrollbars', '--virtual-time-budget=5000')
function Get-RenderedDom([string]$File) {
    (& chromium @script:ChromiumArgs --dump-dom "file://$File" 2>$null) -join "`n"
}
function Save-Screenshot([string]$File, [string]$Png, [int]$Width, [int]$Height) {
    $null = & chromium @script:ChromiumArgs "--window-size=$Width,$Height" "--screenshot=$Png" "file://$File" 2>&1
    if (-not (Test-Path $Png)) { throw "chromium wrote no screenshot of $File" }
}
# A PNG's width and height, from its IHDR chunk (bytes 16-23, big-endian).
function Get-PngSize([string]$Png) {
    $b = [IO.File]::ReadAllBytes($Png)
    $be = { param($o) ([int]$b[$o] -shl 24) -bor ([int]$b[$o + 1] -shl 16) -bor ([int]$b[$o + 2] -shl 8) -bor [int]$b[$o + 3] }
    [pscustomobject]@{ Width = & $be 16; Height = & $be 20 }
}
