<#
.SYNOPSIS
    Lines of C# per folder of src/ and tests/, and the largest files: the tree's figures, measured, never typed.
.DESCRIPTION
    Prints a Markdown table of every folder of src/HpcJobs.Core (in the order of the layers block of
    docs/ARCHITECTURE.md), the cmdlet and agent projects and the test projects, and the files of src/ over 300 lines.
    With -Update it writes the same text into docs/ARCHITECTURE.md between its tree markers.
.EXAMPLE
    dotnet pwsh tools/Measure-Tree.ps1 -Update
#>
[CmdletBinding()]
param([switch] $Update)

$ErrorActionPreference = 'Stop'
$root = Split-Path $PSScriptRoot -Parent
$architecture = Join-Path $root 'docs/ARCHITECTURE.md'

function Get-CSharpLines([string] $Folder, [switch] $Recurse) {
    $files = Get-ChildItem -LiteralPath $Folder -Filter *.cs -File -Recurse:$Recurse |
        Where-Object { $_.FullName -notmatch '[\\/](obj|bin)[\\/]' }
    [pscustomobject]@{
        Files = @($files).Count
        Lines = ($files | ForEach-Object { [IO.File]::ReadAllLines($_.FullName).Count } | Measure-Object -Sum).Sum
    }
}

# the core's folders in layer order, as ARCHITECTURE.md lists them
$text = Get-Content -Raw -LiteralPath $architecture
$block = [regex]::Match($text, '(?s)```layers\n(.*?)```').Groups[1].Value
$layers = foreach ($line in $block -split "`n") {
    ($line -split '#')[0].Trim() -split '\s+' | Where-Object { $_ }
}

$rows = [Collections.Generic.List[string]]::new()
$rows.Add('| folder | files | lines |')
$rows.Add('|---|---:|---:|')
$core = Join-Path $root 'src/HpcJobs.Core'
foreach ($folder in $layers) {
    $m = Get-CSharpLines (Join-Path $core $folder) -Recurse
    $rows.Add("| ``src/HpcJobs.Core/$folder`` | $($m.Files) | $($m.Lines) |")
}
foreach ($project in 'src/HpcJobs', 'src/HpcJobs.LocalAgent', 'tests/HpcJobs.Core.Tests', 'tests/HpcJobs.Tests') {
    $m = Get-CSharpLines (Join-Path $root $project) -Recurse
    $rows.Add("| ``$project`` | $($m.Files) | $($m.Lines) |")
}
$total = Get-CSharpLines (Join-Path $root 'src') -Recurse
$rows.Add("| all of ``src/`` | $($total.Files) | $($total.Lines) |")
$rows.Add('')
$rows.Add('Files of `src/` over 300 lines (each over 400 says why in its header):')
$rows.Add('')
Get-ChildItem -LiteralPath (Join-Path $root 'src') -Filter *.cs -File -Recurse |
    Where-Object { $_.FullName -notmatch '[\\/](obj|bin)[\\/]' } |
    ForEach-Object { [pscustomobject]@{ Path = [IO.Path]::GetRelativePath($root, $_.FullName) -replace '\\', '/'; Lines = [IO.File]::ReadAllLines($_.FullName).Count } } |
    Where-Object Lines -GT 300 |
    Sort-Object Lines -Descending |
    ForEach-Object { $rows.Add("- ``$($_.Path)``: $($_.Lines)") }
$table = $rows -join "`n"

if (-not $Update) { return $table }
$begin = '<!-- tree: measured by tools/Measure-Tree.ps1 -Update; do not edit by hand -->'
$end = '<!-- tree end -->'
$pattern = [regex]::Escape($begin) + '(?s).*?' + [regex]::Escape($end)
if ($text -notmatch $pattern) { throw "docs/ARCHITECTURE.md has no tree markers ($begin … $end)" }
$text = [regex]::Replace($text, $pattern, { param($m) "$begin`n$table`n$end" })
[IO.File]::WriteAllText($architecture, $text)
Write-Host "docs/ARCHITECTURE.md: tree figures updated"
