# Source manifest. Importable from the repository root after `./build.ps1 Build`; the build writes a copy with
# paths relative to module/ into module/HpcJobs.psd1, which is the module to install or copy elsewhere.
@{
    RootModule           = 'module/HpcJobs.dll'
    ModuleVersion        = '0.7.0'
    GUID                 = '3f8f6f0e-6a52-4c1e-9d7e-2b4d7c9a51e3'
    Author               = 'HpcJobs developers'
    Description          = 'Submit, watch, wait for and cancel batch jobs on SLURM, PBS or the local machine, with typed job objects.'
    PowerShellVersion    = '7.4'
    CompatiblePSEditions = @('Core')
    FormatsToProcess     = @('module/HpcJobs.format.ps1xml')
    CmdletsToExport      = @('Submit-HpcJob', 'Get-HpcJobStatus', 'Wait-HpcJob', 'Stop-HpcJob', 'Suspend-HpcJob', 'Resume-HpcJob', 'Restart-HpcJob', 'Set-HpcJob', 'Receive-HpcJob', 'Measure-HpcJob', 'New-HpcResourceSpec', 'Get-HpcScheduler', 'Invoke-HpcCommand', 'Watch-HpcJob', 'Export-HpcJobReport')
    FunctionsToExport    = @()
    AliasesToExport      = @()
    VariablesToExport    = @()
    PrivateData          = @{
        PSData = @{
            Tags         = @('HPC', 'SLURM', 'PBS', 'OpenPBS', 'Torque', 'GridEngine', 'SGE', 'batch', 'jobs', 'cluster', 'scheduler', 'Linux', 'PSEdition_Core')
            LicenseUri   = 'https://opensource.org/license/mit'
            # build.ps1 copies the current version's section of docs/CHANGELOG.md here in module/HpcJobs.psd1
            ReleaseNotes = 'See docs/CHANGELOG.md.'
        }
    }
}
