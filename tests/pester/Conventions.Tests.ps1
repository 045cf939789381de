# Conventions every exported cmdlet follows, checked against the built module.
BeforeDiscovery {
    . $PSScriptRoot/TestHelpers.ps1
    $script:cmdlets = Get-Command -Module HpcJobs | ForEach-Object { @{ Name = $_.Name } }
}
BeforeAll { . $PSScriptRoot/TestHelpers.ps1 }

Describe 'The manifest' {
    It 'exports exactly the cmdlets it lists, and no functions or aliases' {
        $m = Import-PowerShellDataFile $script:ModuleManifest
        $m.FunctionsToExport | Should -BeNullOrEmpty
        $m.AliasesToExport | Should -BeNullOrEmpty
        (Get-Command -Module HpcJobs).Name | Sort-Object | Should -Be ($m.CmdletsToExport | Sort-Object)
    }
}

Describe '<Name>' -ForEach $script:cmdlets {
    BeforeAll { $script:cmd = Get-Command $Name; $script:help = Get-Help $Name -Full }
    It 'is a compiled cmdlet with an approved verb and an OutputType' {
        $cmd.CommandType | Should -Be 'Cmdlet'
        (Get-Verb).Verb | Should -Contain $cmd.Verb
        $cmd.OutputType.Count | Should -BeGreaterThan 0
    }
    It 'has help with a synopsis, a description, an example, and every parameter described' {
        $help.Synopsis | Should -Not -BeNullOrEmpty
        $help.Synopsis | Should -Not -Match '^\s*\S+ \[' # not the auto-generated syntax line
        ($help.description | Out-String).Trim() | Should -Not -BeNullOrEmpty
        @($help.examples.example).Count | Should -BeGreaterThan 0
        foreach ($p in $help.parameters.parameter) { ($p.description | Out-String).Trim() | Should -Not -BeNullOrEmpty -Because "-$($p.name)" }
    }
    It 'supports ShouldProcess exactly when it changes something' {
        # Invoke-HpcCommand submits an array job, so it asks as Submit-HpcJob does; Export- writes a file, as Export-Csv asks
        $changes = $Name -match '^(Submit|Stop|Suspend|Resume|Restart|Set|Export)-|^Invoke-HpcCommand$'
        $cmd.Parameters.ContainsKey('WhatIf') | Should -Be $changes
        $cmd.Parameters.ContainsKey('Confirm') | Should -Be $changes
    }
}

Describe 'Error ids' {
    It 'are listed in the README exactly as the code defines them, each with its category' {
        $readme = Get-Content -Raw (Join-Path $PSScriptRoot '../../README.md')
        $listed = [regex]::Matches($readme, '(?m)^\| `(Hpc\w+)` \| (\w+) \|') | ForEach-Object { @{ Id = $_.Groups[1].Value; Category = $_.Groups[2].Value } }
        $defined = [HpcJobs.Core.Model.HpcErrors]::All
        ($listed.Id | Sort-Object) | Should -Be ($defined.Id | Sort-Object)
        foreach ($e in $defined) { ($listed | Where-Object Id -eq $e.Id).Category | Should -Be "$($e.Category)" -Because $e.Id }
    }
    It 'are never written as string literals outside the catalogue' {
        $src = Join-Path $PSScriptRoot '../../src'
        $hits = Get-ChildItem $src -Recurse -Filter *.cs | Where-Object { $_.Name -ne 'HpcErrors.cs' -and $_.FullName -notmatch '[/\\](obj|bin)[/\\]' } | Select-String -CaseSensitive -Pattern '"Hpc(Invalid|Job|Script|Dependency|Submit|Scheduler|State|Wait|No)\w*"' |
            Where-Object { $_.Line -notmatch '\[Cmdlet\(|PSJobTypeName|^\s*///' } # cmdlet nouns, job type names and docs are not error ids
        $hits | Should -BeNullOrEmpty
    }
}
