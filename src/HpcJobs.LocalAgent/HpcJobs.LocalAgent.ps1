# The Local scheduler's daemon run inside pwsh itself: for a pwsh that carries its own .NET runtime (Microsoft's
# .deb/.rpm/.tar.gz, Homebrew), where no dotnet host exists to run HpcJobs.LocalAgent.dll. Started detached by the Local
# scheduler's clients as `pwsh -NoProfile -NonInteractive -File HpcJobs.LocalAgent.ps1 daemon STATE_DIR`, not by hand.
param([Parameter(Mandatory)][ValidateSet('daemon')][string]$Verb, [Parameter(Mandatory)][string]$StateDirectory)
$ErrorActionPreference = 'Stop'
Add-Type -LiteralPath (Join-Path $PSScriptRoot 'HpcJobs.Core.dll')
exit [HpcJobs.Core.Local.LocalDaemon]::Run($StateDirectory)
