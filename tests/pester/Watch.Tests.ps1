# Watch-HpcJob as a person meets it (issue 31): a real pwsh in a real terminal (tmux, read back with capture-pane) at 80
# and 200 columns, jobs that finish while watched, q and Ctrl+C giving the shell back; and the plain lines a script or CI
# log gets instead.
BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
    $script:work = New-TestStateDirectory
    Push-Location $script:work
    # a tmux server of its own, started with this process's environment (the Local state folder, the module to test)
    $script:socket = "hpcjobs-watch-$PID"
    function Invoke-Tmux { & tmux -L $script:socket @args }
    function Start-Terminal([string]$Name, [int]$Width, [int]$Height) {
        # the tmux server outlives this call: it must not hold the pipe pwsh reads a native command's output from
        & bash -c 'exec tmux -L "$0" new-session -d -s "$1" -x "$2" -y "$3" -- bash --norc --noprofile </dev/null >/dev/null 2>&1' `
            $script:socket $Name $Width $Height
        Invoke-Tmux set-option -t $Name status off | Out-Null
        Invoke-Tmux send-keys -t $Name "PS1='shell> '; clear" Enter
    }
    function Read-Screen([string]$Name) { Invoke-Tmux capture-pane -p -t $Name }
    # waits until the screen shows $Pattern, returning the screen; fails with what the screen showed
    function Wait-Screen([string]$Name, [string]$Pattern, [int]$Seconds = 60) {
        $until = (Get-Date).AddSeconds($Seconds)
        do {
            $screen = (Read-Screen $Name) -join "`n"
            if ($screen -match $Pattern) { return $screen }
            Start-Sleep -Milliseconds 200
        } while ((Get-Date) -lt $until)
        throw "after $Seconds s the screen does not show /$Pattern/:`n$screen"
    }
    # the screen as a picture for the README (docs/images/watch.png): the captured text in a terminal's colours, through Chromium
    function Save-TerminalPicture([string[]]$Lines, [int]$Width, [int]$Height) {
        $readme = Join-Path $PSScriptRoot '../../README.md'
        if (-not (Test-Path $readme)) { return }
        $text = [System.Net.WebUtility]::HtmlEncode(($Lines -join "`n"))
        $html = Join-Path $script:work 'watch.html'
        Set-Content $html "<!DOCTYPE html><html><body style='margin:0;background:#1e1e1e'><pre style='margin:0;padding:8px;color:#e0e0e0;font:14px/1.25 DejaVu Sans Mono,monospace'>$text</pre></body></html>"
        $png = Join-Path $script:work 'watch.png'
        Save-Screenshot $html $png ([int]($Width * 8.5 + 16)) ([int]($Height * 17.5 + 16))
        $docs = Join-Path $PSScriptRoot '../../docs/images'
        New-Item -ItemType Directory -Force $docs | Out-Null
        Copy-Item $png (Join-Path $docs 'watch.png')
    }
    # runs Watch-HpcJob in a pwsh of its own in the terminal, from a script file (no quoting through bash)
    function Start-Watch([string]$Name, [string]$Arguments) {
        $script = Join-Path $script:work "$Name.ps1"
        Set-Content $script "Import-Module '$script:ModuleManifest'`nWatch-HpcJob $Arguments`n'WATCH-ENDED'"
        Invoke-Tmux send-keys -t $Name "'$script:Pwsh' -NoProfile -File '$script'" Enter
    }
}
AfterAll {
    Invoke-Tmux kill-server 2>$null
    Get-ChildItem (Join-Path $env:HPCJOBS_STATE_DIR 'active') -ErrorAction SilentlyContinue | ForEach-Object Name | Stop-HpcJob -ErrorAction SilentlyContinue
    Pop-Location
}

Describe 'Watch-HpcJob in a terminal' {
    It 'draws at <Width> columns, follows a job to its end, and q gives the shell back' -TestCases @(
        @{ Width = 80; Height = 24 }
        @{ Width = 200; Height = 30 }
    ) {
        $sweep = Submit-HpcJob -Command 'sh', '-c', 'sleep $((HPCJOBS_ARRAY_TASK_ID % 3 + 1))' -ArrayRange 1-6 -Name sweep
        $short = Submit-HpcJob -Command 'sleep', '3' -Name finisher
        $long = Submit-HpcJob -Command 'sleep', '300' -Name long-one -Resources (New-HpcResourceSpec -Walltime 01:00:00)
        $name = "w$Width"
        Start-Terminal $name $Width $Height
        Start-Watch $name "$($sweep.JobId), $($short.JobId), $($long.JobId)"
        $screen = Wait-Screen $name '(?m)^Local: 8 jobs: .* q quits'
        $screen | Should -Match '(?m)^JOBID +NAME +STATE +TIME +INFO$'
        Invoke-Tmux display-message -p -t $name '#{alternate_on}' | Should -Be 1

        # the array is one row with its bar; the short job ends while watched, and says how
        $screen = Wait-Screen $name "(?m)^$($short.JobId) +finisher +Completed +0:00:0\d +exit 0$"
        $screen | Should -Match "(?m)^$($sweep.JobId) +sweep +\w+ +\S+ +\[[#>.]+\] \d/6 ended"
        $screen = Wait-Screen $name "(?m)^$($sweep.JobId) +sweep +Completed .*6/6 ended: Completed 6"
        $screen | Should -Match "(?m)^$($long.JobId) +long-one +Running +0:00:\d\d/1:00:00"
        # running first, then what ended
        $rows = (Read-Screen $name) -match '^\d+ '
        $rows[0] | Should -Match "^$($long.JobId) "
        # every line fits: nothing wrapped onto a line of its own
        (Read-Screen $name) | Where-Object { $_ -ne '' } | ForEach-Object { $_ | Should -Match '^(Local: |JOBID|\d+ )' }
        (Read-Screen $name) | ForEach-Object { $_.Length | Should -BeLessThan $Width }
        if ($Width -eq 80) { Save-TerminalPicture (Read-Screen $name) $Width $Height }

        Invoke-Tmux send-keys -t $name q
        $screen = Wait-Screen $name '(?m)^WATCH-ENDED'
        $screen | Should -Match '(?m)^Local: 8 jobs: Running 1, Completed 7$'
        $screen | Should -Not -Match 'JOBID'
        Invoke-Tmux display-message -p -t $name '#{alternate_on}' | Should -Be 0
        Stop-HpcJob $long
    }

    It 'gives the shell back on Ctrl+C too, with the cursor shown again' {
        $long = Submit-HpcJob -Command 'sleep', '300' -Name interrupted
        Start-Terminal ctrlc 100 20
        Start-Watch ctrlc $long.JobId
        Wait-Screen ctrlc "(?m)^$($long.JobId) +interrupted +Running" | Out-Null
        Invoke-Tmux display-message -p -t ctrlc '#{cursor_flag}' | Should -Be 0
        Invoke-Tmux send-keys -t ctrlc C-c
        $screen = Wait-Screen ctrlc '(?m)^shell>\s*$'
        $screen | Should -Not -Match 'JOBID'
        Invoke-Tmux display-message -p -t ctrlc '#{alternate_on}' | Should -Be 0
        Invoke-Tmux display-message -p -t ctrlc '#{cursor_flag}' | Should -Be 1
        Stop-HpcJob $long
    }

    It 'ends by itself with -UntilFinished and passes the jobs on down the pipeline' {
        $jobs = 1..2 | ForEach-Object { Submit-HpcJob -Command 'sh', '-c', "sleep $_; exit $($_ - 1)" -Name "until$_" }
        Start-Terminal until 80 20
        Start-Watch until "$($jobs.JobId -join ', ') -UntilFinished | ForEach-Object { 'GOT ' + `$_.JobId + ' ' + `$_.State }"
        $screen = Wait-Screen until '(?m)^WATCH-ENDED'
        $screen | Should -Match "(?m)^GOT $($jobs[0].JobId) Completed$"
        $screen | Should -Match "(?m)^GOT $($jobs[1].JobId) Failed$"
        $screen | Should -Match '(?m)^Local: 2 jobs: Completed 1, Failed 1$'
    }
}

Describe 'Watch-HpcJob where there is no live console' {
    It 'prints a line per job when first seen and per change of state, and -UntilFinished returns the jobs' {
        $job = Submit-HpcJob -Command 'sh', '-c', 'sleep 2; exit 4' -Name plain
        $out = Watch-HpcJob $job -UntilFinished 6>&1
        $lines = @($out | Where-Object { $_ -is [System.Management.Automation.InformationRecord] } | ForEach-Object { "$_" })
        $returned = @($out | Where-Object { $_ -is [HpcJobs.Core.Model.JobInfo] })
        $lines[0] | Should -Match "^\d\d:\d\d:\d\d $($job.JobId) \(plain\) (Pending|Running)"
        $lines[-1] | Should -Match "^\d\d:\d\d:\d\d $($job.JobId) \(plain\) (Pending|Running) -> Failed: exit 4$"
        $returned.JobId | Should -Be $job.JobId
        $returned.State | Should -Be 'Failed'
    }

    It 'refuses a state or a user name that is not one, before watching anything' {
        { Watch-HpcJob -State Bogus } | Should -Throw -ErrorId 'CannotConvertArgumentNoMessage,HpcJobs.Commands.WatchHpcJobCommand'
        { Watch-HpcJob -User 'a b' } | Should -Throw -ErrorId 'ParameterArgumentValidationError,HpcJobs.Commands.WatchHpcJobCommand'
    }
}
