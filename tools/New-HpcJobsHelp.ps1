# Writes module/HpcJobs.dll-Help.xml (MAML) from docs/HpcJobs.help.psd1 and the cmdlets' own metadata.
# Run in a child pwsh by build.ps1 (it loads the built module, which cannot be unloaded afterwards).
param([Parameter(Mandatory)][string]$ModuleManifest, [Parameter(Mandatory)][string]$HelpSource, [Parameter(Mandatory)][string]$OutFile)
$ErrorActionPreference = 'Stop'
Import-Module $ModuleManifest
$help = Import-PowerShellDataFile $HelpSource
# -WhatIf and -Confirm are shown and described like any parameter, as pwsh's own help does; the others are <CommonParameters>
$common = [System.Management.Automation.Cmdlet]::CommonParameters + @('UseTransaction')
function Esc([string]$s) { [System.Security.SecurityElement]::Escape($s) }
# what users read in SYNTAX: SchedulerKind, not Nullable`1; JobReference[]; switches have no value
function TypeName([type]$t) {
    $u = [Nullable]::GetUnderlyingType($t)
    if ($u) { return $u.Name }
    $t.Name
}
function ValueOf($p) {
    if ($p.ParameterType -eq [System.Management.Automation.SwitchParameter]) { return '' }
    "<command:parameterValue required=`"true`">$(Esc (TypeName $p.ParameterType))</command:parameterValue>"
}
function Para([string]$s) { ($s -split "`n" | ForEach-Object { "<maml:para>$(Esc $_)</maml:para>" }) -join '' }

$sb = [System.Text.StringBuilder]::new()
[void]$sb.AppendLine('<?xml version="1.0" encoding="utf-8"?>')
[void]$sb.AppendLine('<helpItems schema="maml" xmlns="http://msh" xmlns:maml="http://schemas.microsoft.com/maml/2004/10" xmlns:command="http://schemas.microsoft.com/maml/dev/command/2004/10" xmlns:dev="http://schemas.microsoft.com/maml/dev/2004/10">')
foreach ($cmd in Get-Command -Module HpcJobs -CommandType Cmdlet | Sort-Object Name) {
    $text = $help[$cmd.Name]
    if (-not $text) { throw "docs/HpcJobs.help.psd1 has no entry for $($cmd.Name)" }
    $params = $cmd.Parameters.Values | Where-Object Name -notin $common
    # parameters every cluster cmdlet shares (-HostName, ...) are described once, in SharedParameters
    foreach ($p in $params) { if (-not $text.Parameters[$p.Name] -and $help.SharedParameters[$p.Name]) { $text.Parameters[$p.Name] = $help.SharedParameters[$p.Name] } }
    foreach ($p in $params) { if (-not $text.Parameters[$p.Name]) { throw "$($cmd.Name) -$($p.Name) has no description in docs/HpcJobs.help.psd1" } }
    [void]$sb.AppendLine('<command:command>')
    [void]$sb.AppendLine("<command:details><command:name>$($cmd.Name)</command:name><maml:description>$(Para $text.Synopsis)</maml:description><command:verb>$($cmd.Verb)</command:verb><command:noun>$($cmd.Noun)</command:noun></command:details>")
    [void]$sb.AppendLine("<maml:description>$(Para $text.Description)</maml:description>")
    [void]$sb.AppendLine('<command:syntax>')
    foreach ($set in $cmd.ParameterSets) {
        [void]$sb.AppendLine("<command:syntaxItem><maml:name>$($cmd.Name)</maml:name>")
        foreach ($sp in $set.Parameters | Where-Object Name -notin $common) {
            $pos = if ($sp.Position -ge 0) { $sp.Position + 1 } else { 'named' }
            [void]$sb.AppendLine("<command:parameter required=`"$($sp.IsMandatory.ToString().ToLower())`" position=`"$pos`"><maml:name>$($sp.Name)</maml:name>$(ValueOf $sp)</command:parameter>")
        }
        [void]$sb.AppendLine('</command:syntaxItem>')
    }
    [void]$sb.AppendLine('</command:syntax><command:parameters>')
    foreach ($p in $params) {
        $attrs = $p.Attributes | Where-Object { $_ -is [System.Management.Automation.ParameterAttribute] }
        $pipe = @(if ($attrs | Where-Object ValueFromPipeline) { 'ByValue' }; if ($attrs | Where-Object ValueFromPipelineByPropertyName) { 'ByPropertyName' }) -join ', '
        $pipeText = if ($pipe) { "True ($pipe)" } else { 'False' }
        $mandatory = [bool]($attrs | Where-Object Mandatory)
        $position = ($attrs | Where-Object { $_.Position -ge 0 } | Select-Object -First 1).Position
        $pos = if ($null -ne $position) { $position + 1 } else { 'named' }
        [void]$sb.AppendLine("<command:parameter required=`"$($mandatory.ToString().ToLower())`" pipelineInput=`"$pipeText`" position=`"$pos`" aliases=`"$(($p.Aliases) -join ', ')`"><maml:name>$($p.Name)</maml:name><maml:description>$(Para $text.Parameters[$p.Name])</maml:description>$(ValueOf $p)<dev:type><maml:name>$(Esc (TypeName $p.ParameterType))</maml:name></dev:type></command:parameter>")
    }
    [void]$sb.AppendLine('</command:parameters>')
    if (-not $text.Inputs -or -not $text.Outputs) { throw "docs/HpcJobs.help.psd1: $($cmd.Name) needs Inputs and Outputs" }
    [void]$sb.AppendLine('<command:inputTypes>')
    foreach ($t in $text.Inputs) { [void]$sb.AppendLine("<command:inputType><dev:type><maml:name>$(Esc $t.Type)</maml:name></dev:type><maml:description>$(Para $t.Description)</maml:description></command:inputType>") }
    [void]$sb.AppendLine('</command:inputTypes><command:returnValues>')
    foreach ($t in $text.Outputs) { [void]$sb.AppendLine("<command:returnValue><dev:type><maml:name>$(Esc $t.Type)</maml:name></dev:type><maml:description>$(Para $t.Description)</maml:description></command:returnValue>") }
    [void]$sb.AppendLine('</command:returnValues><command:examples>')
    $i = 0
    foreach ($ex in $text.Examples) {
        $i++
        [void]$sb.AppendLine("<command:example><maml:title>-------------------------- Example $i --------------------------</maml:title><dev:code>$(Esc $ex.Code)</dev:code><dev:remarks>$(Para $ex.Remarks)</dev:remarks></command:example>")
    }
    [void]$sb.AppendLine('</command:examples></command:command>')
}
[void]$sb.AppendLine('</helpItems>')
[System.IO.File]::WriteAllText($OutFile, $sb.ToString())
"help: wrote $OutFile"
