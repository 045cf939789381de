# The Local store damaged under the cmdlets, each scenario in fresh pwsh processes with a state folder of its own.
BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
    function New-State { Join-Path (New-TestStateDirectory) 'state' }
    # runs $Script in a child pwsh on the Local scheduler with state folder $State; returns "ErrorId|message" lines and objects' ids
    function Invoke-Local([string]$State, [string]$Script) {
        $full = "`$env:HPCJOBS_STATE_DIR = '$State'; `$env:HPCJOBS_SCHEDULER = 'Local'; Import-Module '$script:ModuleManifest'; " +
            "& { $Script } 2>&1 | ForEach-Object { if (`$_ -is [System.Management.Automation.ErrorRecord]) { 'ERR|' + `$_.FullyQualifiedErrorId.Split(',')[0] + '|' + `$_.Exception.Message } elseif (`$_.JobId) { 'JOB|' + `$_.JobId + '|' + `$_.State } else { `"`$_`" } }"
        & $script:Pwsh -NoProfile -NonInteractive -Command $full
    }
}

Describe 'The Local store under damage' {
    It 'answers healthy jobs and names the unreadable record of a damaged one' {
        $state = New-State
        Invoke-Local $state 'Submit-HpcJob -Command true; Submit-HpcJob -Command true' | Out-Null
        Set-Content (Join-Path $state 'units/1.json') '{ "Id": "1", "Sta'
        $out = Invoke-Local $state 'Get-HpcJobStatus 1, 2'
        $out | Where-Object { $_ -like 'JOB|2|*' } | Should -Not -BeNullOrEmpty
        $err = $out | Where-Object { $_ -like 'ERR|*' }
        $err | Should -HaveCount 1
        $err | Should -BeLike "ERR|HpcStateCorrupt|*$state/units/1.json*Move it aside*"
    }

    It 'refuses a state folder that is a file, naming it and the variable to change' {
        $state = New-State
        Set-Content $state 'a file'
        $out = Invoke-Local $state 'Submit-HpcJob -Command true'
        $out | Should -BeLike "ERR|HpcStateUnusable|*'$state'*is a regular file, not a folder*HPCJOBS_STATE_DIR*"
    }

    It 'never reuses an id when next-id is garbage, and the submission returns its job' {
        $state = New-State
        Invoke-Local $state 'Submit-HpcJob -Command sleep, 20; Submit-HpcJob -Command true' | Out-Null
        Set-Content (Join-Path $state 'next-id') 'garbage'
        Set-Content (Join-Path $state 'units/2.json') 'not json'
        $out = Invoke-Local $state 'Submit-HpcJob -Command true'
        $out | Should -BeLike 'JOB|3|*'
        (Invoke-Local $state 'Get-HpcJobStatus 1').Split('|')[2] | Should -BeIn @('Running', 'Pending')
        Invoke-Local $state 'Stop-HpcJob 1 -Confirm:$false' | Out-Null
    }

    It 'gives two processes submitting at once 40 unique ids while a record is corrupt' {
        $state = New-State
        Invoke-Local $state 'Submit-HpcJob -Command true' | Out-Null
        Set-Content (Join-Path $state 'units/1.json') '{'
        $script = "`$env:HPCJOBS_STATE_DIR = '$state'; `$env:HPCJOBS_SCHEDULER = 'Local'; Import-Module '$script:ModuleManifest'; 1..20 | ForEach-Object { (Submit-HpcJob -Command true).JobId }"
        $a = Start-Job { param($p, $s) & $p -NoProfile -NonInteractive -Command $s } -ArgumentList $script:Pwsh, $script
        $b = Start-Job { param($p, $s) & $p -NoProfile -NonInteractive -Command $s } -ArgumentList $script:Pwsh, $script
        $ids = @($a, $b | Wait-Job -Timeout 120 | Receive-Job)
        $ids | Should -HaveCount 40
        ($ids | Sort-Object -Unique) | Should -HaveCount 40
        $ids | Should -Not -Contain '1'
        $done = Invoke-Local $state "Wait-HpcJob $($ids -join ',') -Timeout 120"
        @($done | Where-Object { $_ -like 'JOB|*|Completed' }) | Should -HaveCount 40
    }
}
