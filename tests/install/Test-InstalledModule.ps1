# Installs the HpcJobs package with PSResourceGet from a local folder repository into this (clean) home, as a user
# would, then runs the README demo's flow and the Pester suite (all but OncePerRun) against the installed copy, never module/.
# Started by build.ps1 Test under a self-contained pwsh; prints "install: N passed, N failed" and the Pester total.
param(
    [Parameter(Mandatory)][string]$PackageFolder,
    [Parameter(Mandatory)][string]$Version,
    [Parameter(Mandatory)][string]$PesterPsd1,
    [Parameter(Mandatory)][string]$TestsPath,
    [Parameter(Mandatory)][string]$Demo
)
$ErrorActionPreference = 'Stop'
$PSStyle.OutputRendering = 'PlainText'
$script:passed = 0; $script:failed = 0
function Check([string]$What, [bool]$Ok, [string]$Detail = '') {
    if ($Ok) { $script:passed++; Write-Host "  [+] $What" } else { $script:failed++; Write-Host "  [-] $What $Detail" }
}

$pwsh = Join-Path $PSHOME pwsh
$dotnetWorks = try { & dotnet --info *> $null; $LASTEXITCODE -eq 0 } catch { $false }
Write-Host "pwsh $($PSVersionTable.PSVersion) at $PSHOME; a working dotnet: $dotnetWorks; HOME $HOME"
if ($env:HPCJOBS_EXPECT_NO_DOTNET -eq '1') { Check 'no .NET is usable here (dotnet --info fails)' (-not $dotnetWorks) }
Register-PSResourceRepository -Name HpcJobsTest -Uri $PackageFolder -Trusted
Install-PSResource -Name HpcJobs -Version $Version -Repository HpcJobsTest -Scope CurrentUser -Quiet
$installed = Get-InstalledPSResource -Name HpcJobs
$installed | Format-List Name, Version, LicenseUri, InstalledLocation | Out-Host
Check 'Get-InstalledPSResource shows the version' ("$($installed.Version)" -eq $Version) "got $($installed.Version)"
Check 'and the licence' ("$($installed.LicenseUri)" -match 'license/mit') "got '$($installed.LicenseUri)'"
$module = Get-Module -ListAvailable HpcJobs
Check 'the module is found on the module path, in the clean home' (@($module).Count -eq 1 -and $module.Path.StartsWith($HOME)) "$($module.Path)"
$manifest = $module.Path
$files = Get-ChildItem -Recurse -File (Split-Path $manifest) | ForEach-Object Name
Check 'the package holds only what runs (no tests, pdb, README)' (-not ($files -match '\.pdb$|Tests|^README')) ($files -join ', ')
Check 'it carries the licence text' ($files -contains 'LICENSE')

$info = & $pwsh -NoProfile -NonInteractive -Command "Import-Module HpcJobs; (Get-Module HpcJobs).Version.ToString(); [HpcJobs.Core.Model.JobInfo].Assembly.GetName().Version.ToString(3); (Get-HpcScheduler -Scheduler Local).Candidates[0].Reason"
Check 'Import-Module HpcJobs by name gives the same version as its assemblies' ($info[0] -eq $Version -and $info[1] -eq $Version) ($info -join ' | ')
Check 'Local is usable, its daemon on this pwsh' ($info[2] -match 'usable here; its daemon runs on this pwsh') $info[2]

$demo = & $pwsh -NoProfile -NonInteractive -File $Demo -ModuleManifest $manifest 2>&1 | ForEach-Object { Write-Host $_; "$_" }
Check 'the README demo (an array and a dependent job on Local) runs to its result' (($demo -join "`n") -match 'Sum of squares 1\.\.6 computed by job \d+: 91') "exit $LASTEXITCODE"

Write-Host "install: $script:passed passed, $script:failed failed"
# the whole suite but the tests tagged OncePerRun (slow tests of a scheduler's own behaviour, not of the package: the
# module-folder pass runs them)
& $pwsh -NoProfile -NonInteractive -File (Join-Path $TestsPath 'Invoke-PesterTests.ps1') -PesterPsd1 $PesterPsd1 -Path $TestsPath -ModuleManifest $manifest -ExcludeTag OncePerRun
exit ([int]($LASTEXITCODE -ne 0 -or $script:failed -gt 0))
