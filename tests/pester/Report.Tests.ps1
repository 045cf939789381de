# Export-HpcJobReport as a person meets it (issue 31): the page opened in Debian's headless Chromium, its DOM read back
# after its scripts ran, and screenshots at two sizes; the wide one goes to docs/images/ for the README.
BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
    $script:work = New-TestStateDirectory
    Push-Location $script:work
    # 20 tasks, every fifth fails with exit 3 after a line naming it; and one job that runs out of walltime
    $script:sweep = Submit-HpcJob -Command sh, -c, 'sleep 1; echo task $HPCJOBS_ARRAY_TASK_ID; [ $((HPCJOBS_ARRAY_TASK_ID % 5)) -ne 0 ] || { echo "boom on $HPCJOBS_ARRAY_TASK_ID"; exit 3; }' -ArrayRange 1-20 -Name sweep
    $script:slow = Submit-HpcJob -Command sleep, 30 -Name too-slow -Resources (New-HpcResourceSpec -Walltime 00:00:02)
    $script:done = @($script:sweep, $script:slow) | Wait-HpcJob -Timeout 120
    $script:report = Join-Path $script:work 'report.html'
    $script:file = $script:done | Export-HpcJobReport -Path $script:report -Title 'The sweep' -PassThru
    $script:dom = Get-RenderedDom $script:report
}
AfterAll { Pop-Location }

Describe 'Export-HpcJobReport' {
    It 'writes one page, and Chromium draws a timeline bar per task and a failures table of the failed ones' {
        $script:file.FullName | Should -Be $script:report
        $script:done.Count | Should -Be 21
        $script:dom | Should -Match 'data-rendered="yes"'
        $script:dom | Should -Match 'data-timeline-bars="21"'
        $failed = @($script:done | Where-Object State -ne 'Completed')
        $failed.Count | Should -Be 5
        $script:dom | Should -Match "data-rows=`"5`""
        foreach ($task in 5, 10, 15, 20) { $script:dom | Should -Match "(?s)<td>$($script:sweep.JobId)_$task</td>.*?exit 3.*?boom on $task" }
        $script:dom | Should -Match "(?s)<td>$($script:slow.JobId)</td><td>too-slow</td>.*?walltime reached"
        $script:dom | Should -Match '<h1 id="title">The sweep</h1>'
    }

    It 'asks for nothing outside the page: the policy forbids every request, and no element names an address' {
        $html = Get-Content -Raw $script:report
        $html | Should -Match "<meta http-equiv=`"Content-Security-Policy`" content=`"default-src 'none';"
        $script:dom | Should -Not -Match '(src|href)="?(https?:)?//'
        $script:dom | Should -Not -Match '<link '
        $html | Should -Match 'Chart\.js v4\.6\.2'   # the library is in the page itself
    }

    It 'is legible at two sizes (screenshots), the wide one kept for the README' {
        foreach ($size in @(@{ W = 1280; H = 1800 }, @{ W = 800; H = 1400 })) {
            $png = Join-Path $script:work "report-$($size.W).png"
            Save-Screenshot $script:report $png $size.W $size.H
            $got = Get-PngSize $png
            $got.Width | Should -Be $size.W
            $got.Height | Should -Be $size.H
            (Get-Item $png).Length | Should -BeGreaterThan 30KB   # a blank page is a few KB
        }
        $docs = Join-Path $PSScriptRoot '../../docs/images'
        if (Test-Path (Join-Path $PSScriptRoot '../../README.md')) {
            New-Item -ItemType Directory -Force $docs | Out-Null
            Copy-Item (Join-Path $script:work 'report-1280.png') (Join-Path $docs 'report.png')
        }
    }
}
