#!/usr/bin/env pwsh
<#
.SYNOPSIS
    Builds, tests and demonstrates HpcJobs.
.DESCRIPTION
    Tasks (run in the order given):
      Build  - compiles the solution and assembles the importable module in module/ (DLLs, manifest, format views, help).
      Test   - Build, then the xUnit core tests and the Pester module tests (in a child pwsh), then one total line.
      Demo   - Build, then submits a small array and a dependent job on the Local scheduler, waits with progress, shows them.
      Package - Build, then out/HpcJobs.<version>.nupkg from module/ (Compress-PSResource), for Install-PSResource.
      Bench  - Build, then the benchmark script in bench/ (prints a table), and the newest mutation score.
      Mutate - Stryker.NET over the core's pure code with the fast unit tests (Category=Unit); prints the score per file.
      Clean  - removes build output and module/.
    Run it with the repository's own pwsh: `dotnet tool restore && dotnet pwsh ./build.ps1 Test`.
.EXAMPLE
    ./build.ps1 Build Test
#>
[CmdletBinding()]
param(
    [ValidateSet('Build', 'Test', 'Package', 'Demo', 'Bench', 'Mutate', 'Clean')]
    [string[]]$Task = @('Build'),
    [ValidateSet('Debug', 'Release')]
    [string]$Configuration = 'Release'
)
$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
$env:DOTNET_NOLOGO = '1'; $env:DOTNET_CLI_TELEMETRY_OPTOUT = '1'; $env:NO_COLOR = '1'
$env:POWERSHELL_TELEMETRY_OPTOUT = '1'; $env:POWERSHELL_UPDATECHECK = 'Off'
$Root = $PSScriptRoot
$ModuleDir = Join-Path $Root 'module'
$Tools = Join-Path $Root '.tools'
$Pwsh = Join-Path $PSHOME pwsh   # the pwsh running this build (also under `dotnet pwsh`); children use the same one

$script:Started = Get-Date
function Step([string]$Message) { Write-Host "[build $(Get-Date -Format HH:mm:ss)] $Message" }
function Exec([string]$What, [scriptblock]$Command) {
    & $Command
    if ($LASTEXITCODE -ne 0) { throw "$What failed (exit $LASTEXITCODE)" }
}

# The one version number: Directory.Build.props (assemblies), HpcJobs.psd1 and the newest docs/CHANGELOG.md section agree.
function Get-HpcJobsVersion {
    $props = ([xml](Get-Content -Raw (Join-Path $Root 'Directory.Build.props'))).Project.PropertyGroup.Version | Where-Object { $_ }
    $manifest = (Import-PowerShellDataFile (Join-Path $Root 'HpcJobs.psd1')).ModuleVersion
    $changelog = (Select-String -Path (Join-Path $Root 'docs/CHANGELOG.md') -Pattern '^## (\S+)' | Select-Object -First 1).Matches[0].Groups[1].Value
    if ($props -ne $manifest -or $props -ne $changelog) {
        throw "Version numbers differ: Directory.Build.props $props, HpcJobs.psd1 $manifest, docs/CHANGELOG.md $changelog. Make them one."
    }
    $props
}

# The newest docs/CHANGELOG.md section, without its heading: the manifest's ReleaseNotes.
function Get-ReleaseNotes {
    $lines = Get-Content (Join-Path $Root 'docs/CHANGELOG.md')
    $start = [array]::FindIndex($lines, [Predicate[string]] { $args[0] -like '## *' })
    $end = [array]::FindIndex($lines, $start + 1, [Predicate[string]] { $args[0] -like '## *' })
    ($lines[($start + 1)..($(if ($end -lt 0) { $lines.Count } else { $end }) - 1)] -join "`n").Trim()
}

# Compiles the solution and assembles module/ from a fixed list of files (never "the whole bin").
function Invoke-Build {
    $version = Get-HpcJobsVersion
    Step "dotnet build ($Configuration), version $version"
    Exec 'dotnet build' { dotnet build (Join-Path $Root 'HpcJobs.sln') -c $Configuration --nologo -v quiet -clp:ErrorsOnly }
    $bin = Join-Path $Root "src/HpcJobs/bin/$Configuration/net8.0"
    if (Test-Path $ModuleDir) { Get-ChildItem $ModuleDir -Exclude README.md | Remove-Item -Recurse -Force }
    New-Item -ItemType Directory -Force $ModuleDir | Out-Null
    $files = 'HpcJobs.dll', 'HpcJobs.Core.dll', 'CliWrap.dll',
             'HpcJobs.LocalAgent.dll', 'HpcJobs.LocalAgent.runtimeconfig.json', 'HpcJobs.LocalAgent.deps.json',
             'HpcJobs.LocalAgent.ps1'
    foreach ($f in $files) { Copy-Item (Join-Path $bin $f) $ModuleDir }
    Copy-Item (Join-Path $Root 'src/HpcJobs/HpcJobs.format.ps1xml') $ModuleDir
    New-Item -ItemType Directory -Force (Join-Path $ModuleDir 'en-US') | Out-Null
    Copy-Item (Join-Path $Root 'docs/about_HpcJobs.help.txt') (Join-Path $ModuleDir 'en-US')
    $manifest = (Get-Content -Raw (Join-Path $Root 'HpcJobs.psd1')) -replace "module/", '' -replace '(?m)^\s*# build\.ps1 copies.*\n', ''
    $manifest = $manifest.Replace("ReleaseNotes = 'See docs/CHANGELOG.md.'", "ReleaseNotes = @'`n$(Get-ReleaseNotes)`n'@")
    Set-Content (Join-Path $ModuleDir 'HpcJobs.psd1') $manifest
    Step 'help (MAML) from docs/HpcJobs.help.psd1'
    Exec 'help generation' { & $Pwsh -NoProfile -NonInteractive -File (Join-Path $Root 'tools/New-HpcJobsHelp.ps1') `
        -ModuleManifest (Join-Path $ModuleDir 'HpcJobs.psd1') -HelpSource (Join-Path $Root 'docs/HpcJobs.help.psd1') `
        -OutFile (Join-Path $ModuleDir 'HpcJobs.dll-Help.xml') }
    Step "module assembled in $ModuleDir"
}

# out/HpcJobs.<version>.nupkg: module/ without its README, plus the licence; what Install-PSResource installs.
function Invoke-Package {
    $version = Get-HpcJobsVersion
    $out = Join-Path $Root 'out'
    $stage = Join-Path $out 'stage/HpcJobs'
    Remove-Item -Recurse -Force (Join-Path $out 'stage'), (Join-Path $out "HpcJobs.$version.nupkg") -ErrorAction Ignore
    New-Item -ItemType Directory -Force $stage | Out-Null
    Get-ChildItem $ModuleDir -Exclude README.md | Copy-Item -Destination $stage -Recurse
    Copy-Item (Join-Path $Root 'LICENSE') $stage
    Import-Module Microsoft.PowerShell.PSResourceGet
    Compress-PSResource -Path $stage -DestinationPath $out
    $nupkg = Join-Path $out "HpcJobs.$version.nupkg"
    if (-not (Test-Path $nupkg)) { throw "Compress-PSResource wrote no $nupkg" }
    Step "package: $nupkg ($([math]::Round((Get-Item $nupkg).Length / 1KB)) KB, $(@(Get-ChildItem -Recurse -File $stage).Count) files)"
    $nupkg
}

# A self-contained pwsh like Microsoft's packages (its own .NET inside, no dotnet host), built once from the project's
# copy of the recipe (tools/standalone-pwsh) into .tools/standalone-pwsh, and rebuilt when the recipe changes.
function Get-StandalonePwsh {
    $recipe = Join-Path $Root 'tools/standalone-pwsh'
    $dir = Join-Path $Tools 'standalone-pwsh'
    $stamp = (Get-ChildItem $recipe -File | Sort-Object Name | Get-FileHash | ForEach-Object Hash) -join ''
    $stampFile = Join-Path $Tools 'standalone-pwsh.stamp'
    if ((Test-Path (Join-Path $dir 'pwsh')) -and (Test-Path $stampFile) -and (Get-Content -Raw $stampFile).Trim() -eq $stamp) {
        return Join-Path $dir 'pwsh'
    }
    Step 'self-contained pwsh: building from NuGet Microsoft.PowerShell.SDK (tools/standalone-pwsh/build.sh, about a minute)'
    Remove-Item -Recurse -Force $dir -ErrorAction Ignore
    Exec 'standalone pwsh build' { bash (Join-Path $recipe 'build.sh') $dir | Out-Host }
    Set-Content $stampFile $stamp
    Join-Path $dir 'pwsh'
}

function Get-Pester {
    $psd1 = Join-Path $Tools 'packages/pester/5.7.1/tools/Pester.psd1'
    if (-not (Test-Path $psd1)) {
        Step 'restoring Pester 5.7.1 from NuGet'
        Exec 'Pester restore' { dotnet restore (Join-Path $Root 'tools/Pester.csproj') --packages (Join-Path $Tools 'packages') -v quiet }
    }
    $psd1
}

# The SLURM tests need the real single-node cluster. As root on a machine without one, start it (tests/cluster);
# otherwise say so: the SLURM tests skip on a developer's machine and fail in CI.
function Start-TestCluster {
    $up = (Get-Command scontrol -ErrorAction Ignore) -and ((scontrol ping 2>$null) -match 'is UP')
    if ($up) { Step 'SLURM test cluster: already up'; return }
    $isRoot = (id -u) -eq '0'
    if (-not $isRoot) { Step 'SLURM test cluster: not running and not root; SLURM tests will skip (run: sudo bash tests/cluster/start-slurm.sh)'; return }
    Step 'SLURM test cluster: starting (tests/cluster/start-slurm.sh; installs slurm-wlm, munge, MariaDB on first run)'
    Exec 'start-slurm.sh' { bash (Join-Path $Root 'tests/cluster/start-slurm.sh') }
}

# The PBS tests need the real OpenPBS server (tests/cluster/start-openpbs.sh). Building it needs the OpenPBS source, which
# CI's set-up (.ci/run) passes from ../shared/reference/pbs; here it is only started when already built in /opt/pbs.
function Start-TestPbsServer {
    if (-not (Test-Path /opt/pbs/sbin/pbs_server.bin)) {
        Step 'OpenPBS test server: not built; PBS tests will skip (build: sudo bash tests/cluster/start-openpbs.sh path/to/openpbs-src.tar.gz)'
        return
    }
    if ((id -u) -ne '0') { Step 'OpenPBS test server: not root; PBS tests run only if it is up'; return }
    Step 'OpenPBS test server: starting (tests/cluster/start-openpbs.sh)'
    Exec 'start-openpbs.sh' { bash (Join-Path $Root 'tests/cluster/start-openpbs.sh') }
}

# The Grid Engine tests need a real qmaster and execd (tests/cluster/start-sge.sh: Debian's gridengine-* packages, about
# 15 s the first time with the packages fetched). Only as root: it installs packages and configures the cell.
function Start-TestGridEngine {
    if ((id -u) -ne '0') { Step 'Grid Engine test cell: not root; Grid Engine tests run only if it is up (run: sudo bash tests/cluster/start-sge.sh)'; return }
    Step 'Grid Engine test cell: starting (tests/cluster/start-sge.sh; installs gridengine-* on first run)'
    Exec 'start-sge.sh' { bash (Join-Path $Root 'tests/cluster/start-sge.sh') }
}

# The remote tests need a real sshd on 127.0.0.1 with test users (tests/cluster/start-sshd.sh: its own port, config and
# host keys; installs openssh-server and tcsh on first run). Only as root: it adds users and an Include to ~/.ssh/config.
# Debian packages the tests drive as a person would: tmux (Watch-HpcJob in a real terminal, read back with capture-pane)
# and Chromium (Export-HpcJobReport's page opened headless, its DOM read back, screenshots).
# Only as root, only those missing; without them those tests fail and say what is missing.
function Install-TestTool {
    $missing = @(@{ Command = 'tmux'; Package = 'tmux' }, @{ Command = 'chromium'; Package = 'chromium' } | Where-Object { -not (Get-Command $_.Command -CommandType Application -ErrorAction Ignore) })
    if ($missing.Count -eq 0) { return }
    $packages = $missing.Package -join ' '
    if ((id -u) -ne '0') { Step "test tools missing: $packages (run: sudo apt-get install $packages)"; return }
    Step "test tools: apt-get install $packages"
    if (-not (Get-ChildItem /var/lib/apt/lists -Filter '*_Packages*' -ErrorAction Ignore)) { Exec 'apt-get update' { apt-get update -qq } }
    Exec 'apt-get install' { env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends @($missing.Package) }
}

function Start-TestSshd {
    if ((id -u) -ne '0') { Step 'test sshd: not root; remote tests run only if it is up (run: sudo bash tests/cluster/start-sshd.sh)'; return }
    Step 'test sshd: starting (tests/cluster/start-sshd.sh)'
    Exec 'start-sshd.sh' { bash (Join-Path $Root 'tests/cluster/start-sshd.sh') }
}

# The failed tests in Pester's detailed output: the [-] lines, with the Describe they ran in.
function Get-PesterFailure([string[]]$Lines) {
    $describe = ''
    foreach ($line in $Lines) {
        if ($line -match '^Describing (.*)') { $describe = $Matches[1] }
        elseif ($line -match '^\s*\[-\] (.*?)( \d+(\.\d+)?m?s \(.*)?$') { "$describe > $($Matches[1])" }
    }
}

function Invoke-Test {
    $passed = 0; $failed = 0
    # what failed, repeated just above the total line: CI keeps only the tail of a long log
    $failures = [Collections.Generic.List[string]]::new()
    Step 'format: dotnet csharpier check . (fix with: dotnet csharpier format .)'
    dotnet csharpier check $Root
    if ($LASTEXITCODE -ne 0) { Step 'format check FAILED: files above are not formatted'; $failed++; $failures.Add('format check') } else { $passed++ }
    Start-TestCluster
    Start-TestPbsServer
    Start-TestGridEngine
    Start-TestSshd
    Install-TestTool
    foreach ($project in 'tests/HpcJobs.Core.Tests', 'tests/HpcJobs.Tests') {
        Step "xUnit: $project"
        # the console logger at minimal: a failed test's message and stack trace are in the log (-v quiet alone hides them)
        $out = dotnet test (Join-Path $Root $project) -c $Configuration --nologo -v quiet --logger 'console;verbosity=minimal' 2>&1 | ForEach-Object { Write-Host $_; $_ }
        $xunitExit = $LASTEXITCODE
        $summary = $out | Select-String 'Failed:\s+(\d+), Passed:\s+(\d+)' | Select-Object -Last 1
        if (-not $summary) { throw "xUnit printed no summary for $project (exit $xunitExit)" }
        $failed += [int]$summary.Matches[0].Groups[1].Value; $passed += [int]$summary.Matches[0].Groups[2].Value
        # "-v quiet" prints a failed test as "[xUnit.net 00:01:27.27]     Namespace.Class.Test [FAIL]"
        $out | Select-String '^\[xUnit\.net [^\]]*\]\s+(\S.*) \[FAIL\]' | ForEach-Object { $failures.Add("xUnit $($_.Matches[0].Groups[1].Value)") }
        if ($xunitExit -ne 0 -and [int]$summary.Matches[0].Groups[1].Value -eq 0) { $failed++; $failures.Add("xUnit $project exited $xunitExit with no failed test") }
    }

    Set-ClusterPwsh
    Step 'Pester: tests/pester (child pwsh, against module/HpcJobs.psd1)'
    $pester = Get-Pester
    $out = & $Pwsh -NoProfile -NonInteractive -File (Join-Path $Root 'tests/pester/Invoke-PesterTests.ps1') -PesterPsd1 $pester `
        -Path (Join-Path $Root 'tests/pester') -ModuleManifest (Join-Path $ModuleDir 'HpcJobs.psd1') 2>&1 | ForEach-Object { Write-Host $_; "$_" }
    $pesterExit = $LASTEXITCODE
    $summary = $out | Select-String '^pester: (\d+) passed, (\d+) failed' | Select-Object -Last 1
    if (-not $summary) { throw "Pester printed no summary (exit $pesterExit)" }
    $passed += [int]$summary.Matches[0].Groups[1].Value; $failed += [int]$summary.Matches[0].Groups[2].Value
    Get-PesterFailure $out | ForEach-Object { $failures.Add("Pester $_") }
    if ($pesterExit -ne 0 -and [int]$summary.Matches[0].Groups[2].Value -eq 0) { $failed++; $failures.Add("Pester exited $pesterExit with no failed test") }

    if ($IsLinux) {
        $result = Invoke-InstalledTest -PesterPsd1 $pester
        $passed += $result.Passed; $failed += $result.Failed
        $result.Failures | ForEach-Object { $failures.Add("installed package: $_") }
    }

    Step "tests took $([int]((Get-Date) - $script:Started).TotalSeconds) s in all"
    if ($failures.Count) { Step "what failed ($($failures.Count)):"; $failures | ForEach-Object { Write-Host "  $_" } }
    Write-Host "$passed passed, $failed failed"
    if ($failed -gt 0) { exit 1 }
}

# Script-block jobs over SSH run as the test sshd's users, who cannot read root's dotnet-tool pwsh: as root, a copy of
# the self-contained pwsh goes to /opt/hpcjobs-test-pwsh (readable by all), refreshed when the build changes, and the
# tests pass it as -PwshPath ($env:HPCJOBS_TEST_CLUSTER_PWSH).
function Set-ClusterPwsh {
    if ((id -u) -ne '0') { return }
    $standalone = Split-Path (Get-StandalonePwsh)
    $target = '/opt/hpcjobs-test-pwsh'
    $stamp = (Get-Content -Raw -LiteralPath (Join-Path $Tools 'standalone-pwsh.stamp')).Trim()
    $stampFile = "$target.stamp"
    if (-not (Test-Path "$target/pwsh") -or "$(Get-Content -Raw -LiteralPath $stampFile -ErrorAction Ignore)".Trim() -ne $stamp) {
        Step "pwsh for the test clusters' users: copying the self-contained pwsh to $target"
        Remove-Item -Recurse -Force $target -ErrorAction Ignore
        Exec 'copy pwsh' { cp -a $standalone $target }
        Exec 'chmod pwsh' { chmod -R a+rX $target }
        Set-Content -LiteralPath $stampFile -Value $stamp
    }
    $env:HPCJOBS_TEST_CLUSTER_PWSH = "$target/pwsh"
}

# The package installed with Install-PSResource into a clean home, then the demo's flow and the Pester suite (but OncePerRun)
# against the installed copy, all under a self-contained pwsh; as root with .NET hidden (tools/standalone-pwsh/
# without-dotnet.sh), as on a machine where pwsh came from Microsoft's packages.
function Invoke-InstalledTest([string]$PesterPsd1) {
    $nupkg = Invoke-Package
    $standalone = Get-StandalonePwsh
    $home_ = Join-Path ([IO.Path]::GetTempPath()) "hpcjobs-install-home-$PID"
    Remove-Item -Recurse -Force $home_ -ErrorAction Ignore
    New-Item -ItemType Directory -Force $home_ | Out-Null
    $script = Join-Path $Root 'tests/install/Test-InstalledModule.ps1'
    # the environment is set here, not inherited (without-dotnet.sh starts from a clean one)
    $arguments = @("CI=$env:CI", "HOME=$home_", "HPCJOBS_TEST_CLUSTER_PWSH=$env:HPCJOBS_TEST_CLUSTER_PWSH", $standalone, '-NoProfile', '-NonInteractive', '-File', $script,
        '-PackageFolder', (Split-Path $nupkg), '-Version', (Get-HpcJobsVersion), '-PesterPsd1', $PesterPsd1,
        '-TestsPath', (Join-Path $Root 'tests/pester'), '-Demo', (Join-Path $Root 'tools/Demo.ps1'))
    if ((id -u) -eq '0') {
        Step 'installed package: Install-PSResource + demo + Pester under a self-contained pwsh, .NET hidden'
        $out = & bash (Join-Path $Root 'tools/standalone-pwsh/without-dotnet.sh') env HPCJOBS_EXPECT_NO_DOTNET=1 @arguments 2>&1 | ForEach-Object { Write-Host $_; "$_" }
    } else {
        Step 'installed package: Install-PSResource + demo + Pester under a self-contained pwsh (not root: .NET stays visible)'
        $out = & env @arguments 2>&1 | ForEach-Object { Write-Host $_; "$_" }
    }
    $exit = $LASTEXITCODE
    $failures = [Collections.Generic.List[string]]::new()
    Get-PesterFailure $out | ForEach-Object { $failures.Add($_) }
    $counts = foreach ($prefix in 'install', 'pester') {
        $line = $out | Select-String "^${prefix}: (\d+) passed, (\d+) failed" | Select-Object -Last 1
        if ($line) { [pscustomobject]@{ Passed = [int]$line.Matches[0].Groups[1].Value; Failed = [int]$line.Matches[0].Groups[2].Value } }
        else { $failures.Add("no '${prefix}: N passed, N failed' line"); [pscustomobject]@{ Passed = 0; Failed = 1 } }
    }
    $result = [pscustomobject]@{ Passed = ($counts | Measure-Object Passed -Sum).Sum; Failed = ($counts | Measure-Object Failed -Sum).Sum; Failures = $failures }
    if ($exit -ne 0 -and $result.Failed -eq 0) { $result.Failed++; $failures.Add("exited $exit with no failed test") }
    Remove-Item -Recurse -Force $home_ -ErrorAction Ignore
    $result
}

# Mutation testing (issue 22): Stryker.NET (a local dotnet tool) over the files listed in the core tests'
# stryker-config.json, with the unit tests only. The HTML report stays in StrykerOutput/ (ignored by git).
$StrykerProject = Join-Path $Root 'tests/HpcJobs.Core.Tests'

function Invoke-Mutate {
    Step 'Stryker.NET: dotnet dotnet-stryker (tests/HpcJobs.Core.Tests/stryker-config.json; several minutes on 2 cores)'
    Push-Location $StrykerProject
    try { Exec 'stryker' { dotnet dotnet-stryker --config-file stryker-config.json --reporter progress --reporter json --reporter html } }
    finally { Pop-Location }
    Show-MutationScore
}

# Score per file of the newest Stryker report: killed (and timed out) over killed + survived + not covered.
function Show-MutationScore {
    $report = Get-ChildItem (Join-Path $StrykerProject 'StrykerOutput') -Recurse -Filter mutation-report.json -ErrorAction Ignore |
        Sort-Object LastWriteTime | Select-Object -Last 1
    if (-not $report) { Step 'mutation score: no Stryker report yet (./build.ps1 Mutate)'; return }
    $json = Get-Content -Raw $report.FullName | ConvertFrom-Json -AsHashtable
    $rows = foreach ($file in $json.files.Keys | Sort-Object) {
        $m = @($json.files[$file].mutants)
        $killed = @($m | Where-Object { $_.status -in 'Killed', 'Timeout' }).Count
        $survived = @($m | Where-Object status -eq 'Survived').Count
        $uncovered = @($m | Where-Object status -eq 'NoCoverage').Count
        $tested = $killed + $survived + $uncovered
        if ($tested -eq 0) { continue }
        [pscustomobject]@{
            File = [IO.Path]::GetRelativePath($Root, $file); Killed = $killed; Survived = $survived; NoCoverage = $uncovered
            Score = [math]::Round(100 * $killed / $tested, 1)
        }
    }
    $all = ($rows | Measure-Object Killed -Sum).Sum; $tested = ($rows | ForEach-Object { $_.Killed + $_.Survived + $_.NoCoverage } | Measure-Object -Sum).Sum
    Step "mutation score per file (Stryker report of $($report.LastWriteTime.ToString('yyyy-MM-dd HH:mm')))"
    $rows | Format-Table -AutoSize | Out-String -Width 160 | Write-Host
    Write-Host ("mutation score, all files: {0:0.0} % ({1} of {2} mutants killed)" -f (100 * $all / [math]::Max(1, $tested)), $all, $tested)
}

foreach ($t in $Task) {
    switch ($t) {
        'Clean' {
            Step 'clean'
            Get-ChildItem $Root -Recurse -Directory -Include bin, obj | Remove-Item -Recurse -Force
            if (Test-Path $ModuleDir) { Get-ChildItem $ModuleDir -Exclude README.md | Remove-Item -Recurse -Force }
            Remove-Item -Recurse -Force (Join-Path $StrykerProject 'StrykerOutput') -ErrorAction Ignore
        }
        'Build' { Invoke-Build }
        'Package' { if ($Task -notcontains 'Build') { Invoke-Build }; Invoke-Package | Out-Null }
        'Test' { if ($Task -notcontains 'Build') { Invoke-Build }; Invoke-Test }
        'Demo' {
            if ($Task -notcontains 'Build') { Invoke-Build }
            Exec 'demo' { & $Pwsh -NoProfile -File (Join-Path $Root 'tools/Demo.ps1') -ModuleManifest (Join-Path $ModuleDir 'HpcJobs.psd1') }
        }
        'Bench' {
            if ($Task -notcontains 'Build') { Invoke-Build }
            Exec 'bench (Local scheduler)' { & $Pwsh -NoProfile -File (Join-Path $Root 'bench/Measure-LocalScheduler.ps1') -ModuleManifest (Join-Path $ModuleDir 'HpcJobs.psd1') }
            Exec 'bench (SLURM, PBS)' { & $Pwsh -NoProfile -File (Join-Path $Root 'bench/Measure-HpcJobs.ps1') -ModuleManifest (Join-Path $ModuleDir 'HpcJobs.psd1') }
            Exec 'bench (shared status: K waiting processes against one)' { & $Pwsh -NoProfile -File (Join-Path $Root 'bench/Measure-SharedStatus.ps1') -ModuleManifest (Join-Path $ModuleDir 'HpcJobs.psd1') -WithoutSharing }
            Exec 'bench (script blocks: Invoke-HpcCommand against ForEach-Object -Parallel and raw sbatch)' { & $Pwsh -NoProfile -File (Join-Path $Root 'bench/Measure-ScriptBlocks.ps1') -ModuleManifest (Join-Path $ModuleDir 'HpcJobs.psd1') }
            Exec 'bench (watching: Watch-HpcJob against Wait-HpcJob and watch -n 2 squeue, counted by sdiag)' { & $Pwsh -NoProfile -File (Join-Path $Root 'bench/Measure-Watch.ps1') -ModuleManifest (Join-Path $ModuleDir 'HpcJobs.psd1') }
            Exec 'bench (a cluster over SSH)' { & $Pwsh -NoProfile -File (Join-Path $Root 'bench/Measure-Remote.ps1') -ModuleManifest (Join-Path $ModuleDir 'HpcJobs.psd1') }
            Show-MutationScore
        }
        'Mutate' { Invoke-Mutate }
    }
}
