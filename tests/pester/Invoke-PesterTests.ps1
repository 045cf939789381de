# Runs the Pester tests against the built module and prints "pester: N passed, N failed, N skipped".
# Started by build.ps1 in a fresh pwsh, because a loaded binary module cannot be unloaded.
param(
    [Parameter(Mandatory)][string]$PesterPsd1,
    [Parameter(Mandatory)][string]$Path,
    [Parameter(Mandatory)][string]$ModuleManifest,
    # tests to leave out: the installed-package pass leaves out OncePerRun, the slow tests of a scheduler's own behaviour
    [string[]]$ExcludeTag = @()
)
$ErrorActionPreference = 'Stop'
$PSStyle.OutputRendering = 'PlainText'
$env:HPCJOBS_TEST_MODULE = (Resolve-Path $ModuleManifest).Path
# one private Local state directory for the whole run (child pwsh processes inherit it); Local unless a test says otherwise
$env:HPCJOBS_STATE_DIR = Join-Path ([IO.Path]::GetTempPath()) "hpcjobs-pester-state-$PID"
$env:HPCJOBS_SCHEDULER = 'Local'
Import-Module $PesterPsd1
$c = New-PesterConfiguration
$c.Run.Path = $Path
$c.Run.PassThru = $true
if ($ExcludeTag) { $c.Filter.ExcludeTag = $ExcludeTag }
$c.Output.Verbosity = 'Detailed'
$c.Output.RenderMode = 'Plaintext'
$c.TestResult.Enabled = $false
$r = Invoke-Pester -Configuration $c
"pester: $($r.PassedCount) passed, $($r.FailedCount) failed, $($r.SkippedCount) skipped"
if ($r.Result -ne 'Passed' -or $r.TotalCount -eq 0) { exit 1 }
exit 0
