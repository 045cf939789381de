using HpcJobs.Core.Model;
using HpcJobs.Core.Tests.Support;
using HpcJobs.Core.Waiting;

namespace HpcJobs.Core.Tests.Pbs;

/// <summary>
/// The OpenPBS test server's vnodes (tests/cluster/start-openpbs.sh): the host's own (2 CPUs) and two child vnodes of one
/// CPU and one GPU each (ngpus, a custom consumable resource).
/// </summary>
public sealed partial class OpenPbsServerTests
{
    [PbsFact]
    public async Task A_two_chunk_gpu_job_is_placed_on_two_vnodes_and_sees_its_node_file()
    {
        var job = await _pbs.SubmitAsync(
            Cmd("sh", "-c", "wc -l < \"$PBS_NODEFILE\"") with
            {
                Resources = new ResourceSpec { Nodes = 2, GpusPerNode = 1 },
            }
        );
        var done = Assert.Single(await WaitAll(job));
        Assert.Equal(JobState.Completed, done.State);
        Assert.Equal("2", File.ReadAllText(done.StdOutPath!).Trim()); // one line per chunk
        var a = await PbsServer.Attributes(job.JobId);
        Assert.Equal("2:ncpus=1:ngpus=1", a["Resource_List.select"]);
        var vnodes = System
            .Text.RegularExpressions.Regex.Matches(a["exec_vnode"], @"\(([^:)]+):")
            .Select(m => m.Groups[1].Value);
        Assert.Equal(2, vnodes.Distinct().Count());
        Assert.Contains("ngpus=1", a["exec_vnode"]);
        Assert.Equal("workq", done.Partition);
        Assert.Equal(string.Join(',', vnodes.Distinct()), done.NodeList);
    }

    [PbsFact]
    public async Task More_gpus_than_the_host_has_can_never_run_and_is_not_waited_for()
    {
        var stuck = await NeverWaitedFor(new ResourceSpec { GpusPerNode = 3 });
        Assert.StartsWith("CanNeverRun: Insufficient amount of resource: ngpus", stuck.Reason);
    }

    /// <summary>
    /// Submits a job asking for <paramref name="resources"/>, which PBS accepts and then calls Can Never Run: Wait stops
    /// waiting for it within its 60 s time-out; the job is its single CannotRun answer (and is deleted after).
    /// </summary>
    private async Task<JobInfo> NeverWaitedFor(ResourceSpec resources)
    {
        var never = await _pbs.SubmitAsync(Cmd("true") with { Resources = resources });
        try
        {
            var r = await JobWaiter.WaitAsync(
                _pbs,
                [never.JobId],
                new WaitOptions { Timeout = TimeSpan.FromSeconds(60) }
            );
            Assert.False(r.TimedOut);
            return Assert.Single(r.CannotRun);
        }
        finally
        {
            await _pbs.CancelAsync([never]);
        }
    }
}
