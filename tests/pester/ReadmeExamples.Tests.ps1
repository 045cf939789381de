# The README's resource examples (a GPU job with a QoS, a 2-node job on an account, a constraint) run as they are written
# there, on the real multi-node SLURM test cluster, and get what they ask for. Skipped without a cluster, except in CI.
BeforeDiscovery {
    $script:noCluster = -not ((Get-Command scontrol -ErrorAction Ignore) -and ((scontrol ping 2>$null) -match 'is UP'))
    $script:skip = $script:noCluster -and $env:CI -ne 'true'
}
BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
    $script:work = New-TestStateDirectory
    Push-Location $script:work
    # the fenced block after the README's marker line, exactly as a reader copies it
    $readme = Get-Content -Raw (Join-Path $PSScriptRoot '../../README.md')
    $marker = '<!-- run by tests/pester/ReadmeExamples.Tests.ps1 -->'
    if ($readme -notmatch "(?s)$([regex]::Escape($marker))\s*``````powershell\r?\n(.*?)``````") { throw "README: no code block after '$marker'" }
    $script:example = $Matches[1]
    function ShowJob([string]$Id) {
        $h = @{}
        foreach ($pair in (scontrol -o show job $Id) -split ' ') { $k, $v = $pair -split '=', 2; $h[$k] = $v }
        $h
    }
}
AfterAll { Pop-Location }

Describe 'The README resource examples' -Skip:$script:skip {
    BeforeAll {
        if ($script:noCluster) { throw 'CI=true and no SLURM test cluster is running: the README examples must not pass without one.' }
        $PSDefaultParameterValues['Submit-HpcJob:Scheduler'] = 'Slurm'
        $script:lines = @(. ([scriptblock]::Create($script:example)))
        $script:jobs = @{ Gpu = $gpu; Mpi = $mpi; Big = $big }
    }
    AfterAll { $PSDefaultParameterValues.Remove('Submit-HpcJob:Scheduler') }

    It 'runs every job to completion' {
        foreach ($name in 'Gpu', 'Mpi', 'Big') {
            (Get-HpcJobStatus -Scheduler Slurm $script:jobs[$name].JobId).State | Should -Be 'Completed' -Because "the $name example"
        }
    }

    It 'gives the GPU job its GPU, on partition gpu with QoS high' {
        $rec = ShowJob $script:jobs.Gpu.JobId
        $rec.Partition | Should -Be 'gpu'
        $rec.QOS | Should -Be 'high'
        $rec.TRES | Should -Match 'gres/gpu=1'
        $out = @(($script:lines | Where-Object JobId -eq $script:jobs.Gpu.JobId).Line)
        $out | Should -HaveCount 1
        $out[0] | Should -Match '^GPU 0 on n[12]$'
    }

    It 'runs the MPI-style job on two nodes, two tasks each, charged to project123' {
        $rec = ShowJob $script:jobs.Mpi.JobId
        $rec.Account | Should -Be 'project123'
        $rec.NumNodes | Should -Be '2'
        $hosts = @(($script:lines | Where-Object JobId -eq $script:jobs.Mpi.JobId).Line)
        $hosts | Should -HaveCount 4
        @($hosts | Sort-Object -Unique) | Should -HaveCount 2
    }

    It 'lists each job under its own partition, with the nodes it ran on' {
        $inGpu = @(Get-HpcJobStatus -Scheduler Slurm -Partition gpu -State Completed)
        $inGpu.JobId | Should -Contain $script:jobs.Gpu.JobId
        $inGpu.JobId | Should -Not -Contain $script:jobs.Mpi.JobId
        ($inGpu | Where-Object JobId -eq $script:jobs.Gpu.JobId).NodeList | Should -Match '^n[12]$'
        $inMulti = @(Get-HpcJobStatus -Scheduler Slurm -Partition multi -State Completed)
        ($inMulti | Where-Object JobId -eq $script:jobs.Big.JobId).NodeList | Should -Be 'n3'
        $none = Get-HpcJobStatus -Scheduler Slurm -Partition gpux -WarningVariable warned 3>$null
        $none | Should -BeNullOrEmpty
        "$warned" | Should -Match "Slurm has no partition 'gpux'; its partitions are: .*gpu.*multi"
    }

    It 'puts the bigmem job on the only node with that feature' {
        (ShowJob $script:jobs.Big.JobId).NodeList | Should -Be 'n3'
        @($script:lines | Where-Object JobId -eq $script:jobs.Big.JobId).Line | Should -Be 'n3'
    }
}

Describe 'The README sweep with Invoke-HpcCommand' -Skip:$script:skip {
    It 'runs as written and returns the five best seeds as objects' {
        $readme = Get-Content -Raw (Join-Path $PSScriptRoot '../../README.md')
        $marker = '<!-- sweep run by tests/pester/ReadmeExamples.Tests.ps1 -->'
        if ($readme -notmatch "(?s)$([regex]::Escape($marker))\s*``````powershell\r?\n(.*?)``````") { throw "README: no code block after '$marker'" }
        $PSDefaultParameterValues['Invoke-HpcCommand:Scheduler'] = 'Slurm'
        try { $best = @(. ([scriptblock]::Create($Matches[1]))) }
        finally { $PSDefaultParameterValues.Remove('Invoke-HpcCommand:Scheduler') }
        $results.Count | Should -Be 100
        $results.Seed | Should -Be (1..100)
        $best.Count | Should -Be 5
        $expected = 1..100 | ForEach-Object { [pscustomobject]@{ Seed = $_; Loss = [math]::Round([math]::Abs([math]::Sin($_)), 4) } } | Sort-Object Loss | Select-Object -First 5
        $best.Seed | Should -Be $expected.Seed
    }
}
