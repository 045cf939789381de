# What the benchmarks share: the pwsh that runs child scripts, and slurmctld's own count of the RPCs clients sent.

# The pwsh running this script and the arguments that start another of it (dotnet pwsh needs its tool dll first).
$BenchPwsh = (Get-Process -Id $PID).Path
$BenchPwshArgs = if ((Split-Path -Leaf $BenchPwsh) -like 'dotnet*') { @([Environment]::GetCommandLineArgs()[0], '-NoProfile') } else { @('-NoProfile') }

# The RPCs HpcJobs and the raw tools send are counted; slurmd's, sdiag's own and accounting's are left out.
$SlurmDaemonRpcs = 'REQUEST_STATS_INFO', 'REQUEST_COMPLETE_BATCH_SCRIPT', 'MESSAGE_NODE_REGISTRATION_STATUS', 'REQUEST_STEP_COMPLETE',
    'MESSAGE_EPILOG_COMPLETE', 'REQUEST_COMPLETE_PROLOG', 'REQUEST_JOB_STEP_CREATE', 'REQUEST_UPDATE_NODE', 'REQUEST_PERSIST_INIT',
    'ACCOUNTING_UPDATE_MSG', 'REQUEST_JOB_READY', 'REQUEST_SHUTDOWN', 'REQUEST_RECONFIGURE'

# Client RPCs by message type since the last 'sdiag -r', as slurmctld counts them.
function Get-SlurmClientRpcs {
    $section = $false; $counts = @{}
    foreach ($line in sdiag) {
        if ($line -match 'statistics by message type') { $section = $true; continue }
        if ($line -match 'statistics by user') { break }
        if ($section -and $line -match '^\s*(\S+)\s+\(\s*\d+\)\s+count:(\d+)' -and $SlurmDaemonRpcs -notcontains $Matches[1]) {
            $counts[$Matches[1]] = [int]$Matches[2]
        }
    }
    $counts
}
