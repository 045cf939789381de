# HpcJobs script-block runner (issue 27): runs one task of a script-block job on the compute node and writes every
# record it produces, in the order produced, to result.txt (result-TASK.txt in an array) in the job's payload folder.
# Each line is KIND<TAB>DATA: Output, Error, Warning, Verbose, Debug and Information carry base64 CLIXML; Step says
# which step failed on which host (pwsh, payload, module, folder); Failure is a terminating error; End closes a task
# that ran to its end. Receive-HpcJob reads the lines back as objects and replays the streams.
param([Parameter(Mandatory)][string]$Folder, [string]$Task, [int]$FirstTask = 0)

$ErrorActionPreference = 'Stop'
$hpcHost = [System.Net.Dns]::GetHostName()
$resultPath = Join-Path $Folder $(if ($Task) { "result-$Task.txt" } else { 'result.txt' })
$resultWriter = [System.IO.StreamWriter]::new($resultPath, $true, [System.Text.UTF8Encoding]::new($false))
$resultWriter.AutoFlush = $true

function Write-HpcRecord([string]$Kind, $Value, [int]$Depth = 1) {
    $xml = [System.Management.Automation.PSSerializer]::Serialize($Value, $Depth)
    $resultWriter.WriteLine($Kind + "`t" + [Convert]::ToBase64String([System.Text.Encoding]::UTF8.GetBytes($xml)))
}
function Write-HpcStep([string]$Step, [string]$Message, [int]$ExitCode) {
    $resultWriter.WriteLine("Step`t$Step`t$hpcHost`t" + ($Message -replace '[\r\n\t]+', ' '))
    [Console]::Error.WriteLine("HpcJobs: $Message")
    $resultWriter.Dispose()
    exit $ExitCode
}
function ConvertTo-HpcError([System.Management.Automation.ErrorRecord]$Record) {
    [ordered]@{
        Message          = $Record.ToString()
        ErrorId          = $Record.FullyQualifiedErrorId
        Category         = [string]$Record.CategoryInfo.Category
        TargetObject     = if ($null -ne $Record.TargetObject) { [string]$Record.TargetObject }
        ExceptionType    = $Record.Exception.GetType().FullName
        ScriptStackTrace = (@($Record.ScriptStackTrace -split '\r?\n') -notmatch 'runner\.ps1') -join "`n"
        PositionMessage  = $Record.InvocationInfo.PositionMessage
        Host             = $hpcHost
        Task             = $Task
    }
}

# the folder must be this user's and private: its payload is run, and what is written here is deserialized later
$item = Get-Item -LiteralPath $Folder -Force
if ($item.UnixMode -notmatch '^d.{3}-{6}$' -or $item.User -ne [Environment]::UserName) {
    Write-HpcStep folder "the payload folder $Folder on $hpcHost is $($item.UnixMode) owned by $($item.User); it must be private to $([Environment]::UserName) (drwx------)" 2
}
try {
    $payload = [System.Management.Automation.PSSerializer]::Deserialize([System.IO.File]::ReadAllText((Join-Path $Folder 'payload.clixml')))
}
catch { Write-HpcStep payload "cannot read the payload on ${hpcHost}: $($_.Exception.Message)" 2 }

foreach ($module in $payload.Modules) {
    try { Import-Module $module -ErrorAction Stop }
    catch { Write-HpcStep module "cannot import module '$module' on ${hpcHost}: $($_.Exception.Message). Install it there, or give its path on the shared file system to -ImportModule." 3 }
}
if ($payload.WorkingDirectory) {
    try { Set-Location -LiteralPath $payload.WorkingDirectory }
    catch { Write-HpcStep folder "the working folder '$($payload.WorkingDirectory)' is not on ${hpcHost}: $($_.Exception.Message)" 2 }
}

$hpcScript = [scriptblock]::Create($payload.ScriptBlock)
${__HpcJobsUsing} = @{}
foreach ($name in @($payload.Using.Keys)) { ${__HpcJobsUsing}[$name] = [System.Management.Automation.PSSerializer]::Deserialize($payload.Using[$name]) }
# added one by one: an argument that is an array must stay one argument, not be unrolled into several
$hpcArgumentList = [System.Collections.Generic.List[object]]::new()
foreach ($a in $payload.ArgumentList) { $hpcArgumentList.Add([System.Management.Automation.PSSerializer]::Deserialize($a)) }
$hpcArguments = $hpcArgumentList.ToArray()
$HpcTaskIndex = if ($Task) { [int]$Task - $FirstTask } else { $null }
$hpcInputPath = Join-Path $Folder $(if ($Task) { "input-$Task.clixml" } else { 'input.clixml' })
$hpcHasInput = Test-Path -LiteralPath $hpcInputPath
$hpcItems = if ($hpcHasInput) { @([System.Management.Automation.PSSerializer]::Deserialize([System.IO.File]::ReadAllText($hpcInputPath))) }
$hpcDepth = [int]$payload.Depth

$VerbosePreference = $payload.VerbosePreference
$DebugPreference = $payload.DebugPreference
$WarningPreference = 'Continue'
$InformationPreference = 'Continue'
$ErrorActionPreference = 'Continue'   # as in Start-ThreadJob and Invoke-Command: the submitter's does not travel
$ProgressPreference = 'SilentlyContinue'

$hpcFailed = $false
try {
    # a script block, not $( ): records stream to the file as they are written, one input item after another
    & {
        if ($hpcHasInput) { $hpcItems | ForEach-Object { & $hpcScript @hpcArguments } }
        else { & $hpcScript @hpcArguments }
    } *>&1 | ForEach-Object {
        $record = $_
        try {
            # if/elseif, not switch: switch would enumerate an array that was output as one object
            if ($record -is [System.Management.Automation.ErrorRecord]) { Write-HpcRecord Error (ConvertTo-HpcError $record) 2 }
            elseif ($record -is [System.Management.Automation.WarningRecord]) { Write-HpcRecord Warning $record.Message }
            elseif ($record -is [System.Management.Automation.VerboseRecord]) { Write-HpcRecord Verbose $record.Message }
            elseif ($record -is [System.Management.Automation.DebugRecord]) { Write-HpcRecord Debug $record.Message }
            elseif ($record -is [System.Management.Automation.InformationRecord]) {
                Write-HpcRecord Information ([ordered]@{ MessageData = [string]$record.MessageData; Source = $record.Source; Tags = @($record.Tags) }) 2
            }
            else { Write-HpcRecord Output $record $hpcDepth }
        }
        catch {
            Write-HpcRecord Error ([ordered]@{
                    Message = "an output object of type $($record.GetType().FullName) could not be serialized on ${hpcHost}: $($_.Exception.Message)"
                    ErrorId = 'ResultNotSerializable'; Category = 'WriteError'; ExceptionType = $_.Exception.GetType().FullName
                    Host = $hpcHost; Task = $Task
                }) 2
        }
    }
}
catch {
    $hpcFailed = $true
    Write-HpcRecord Failure (ConvertTo-HpcError $_) 2
}
Write-HpcRecord End ([ordered]@{ Host = $hpcHost; Task = $Task; Failed = $hpcFailed }) 2
$resultWriter.Dispose()
exit $(if ($hpcFailed) { 1 } else { 0 })
