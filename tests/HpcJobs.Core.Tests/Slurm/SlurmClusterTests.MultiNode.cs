using HpcJobs.Core.Contract;
using HpcJobs.Core.Model;
using HpcJobs.Core.Tests.Support;
using HpcJobs.Core.Waiting;

namespace HpcJobs.Core.Tests.Slurm;

/// <summary>
/// The multi-node part of the test cluster (tests/cluster/start-slurm.sh): nodes n1..n3, each its own slurmd in its own
/// UTS namespace; n1 (2 GPUs, features gpu,intel, 2000 MB) and n2 (1 GPU, gpu,amd, 3000 MB) in partition "gpu"; all three
/// (n3: bigmem,amd, 6000 MB) in "multi"; QoS "high" allows one CPU per job; limits and associations are enforced.
/// </summary>
public sealed partial class SlurmClusterTests
{
    private async Task<string[]> OutputOf(JobInfo job)
    {
        var done = Assert.Single(await WaitAll(job));
        Assert.True(
            done.State == JobState.Completed,
            $"{done.JobId} ended {done.State} ({done.NativeState}, {done.Reason})"
        );
        return (await File.ReadAllLinesAsync(done.StdOutPath!)).Where(l => l.Length > 0).ToArray();
    }

    [SlurmFact]
    public async Task A_two_node_job_runs_its_tasks_on_two_different_nodes()
    {
        var job = await Submit(
            Cmd("srun", "hostname") with
            {
                Resources = new ResourceSpec
                {
                    Nodes = 2,
                    TasksPerNode = 2,
                    Partition = "multi",
                    Memory = ByteSize.Parse("100MB"),
                },
            }
        );
        var hosts = await OutputOf(job);
        Assert.Equal(4, hosts.Length);
        Assert.Equal(2, hosts.Distinct().Count());
        Assert.All(hosts, h => Assert.Matches("^n[1-3]$", h));
        var rec = await SlurmCluster.ShowJob(job.JobId);
        Assert.Equal("2", rec["NumNodes"]);
        JobUsage? usage = null;
        await Poll.Until(async () => (usage = (await _slurm.GetUsageAsync([job.JobId])).FirstOrDefault()) is not null);
        Assert.Equal(4, usage!.AllocatedCpus);
        Assert.Contains("2 nodes", usage.Note); // Measure-HpcJob says what it sums

        // status says where it ran, and a listing by partition finds it there only
        var status = Assert.Single((await _slurm.GetStatusAsync([job.JobId])).Jobs);
        Assert.Equal("multi", status.Partition);
        Assert.Matches(@"^n\[[1-3][-,][1-3]\]$", status.NodeList);
        Assert.Equal(rec["NodeList"], status.NodeList);
        var finished = new[] { JobState.Completed };
        var inMulti = await _slurm.ListJobsAsync(new JobListQuery { Partition = "multi", States = finished });
        var inGpu = await _slurm.ListJobsAsync(new JobListQuery { Partition = "gpu", States = finished });
        Assert.Contains(inMulti, j => j.JobId == job.JobId);
        Assert.DoesNotContain(inGpu, j => j.JobId == job.JobId);
        Assert.All(inGpu, j => Assert.Equal("gpu", j.Partition));
    }

    [SlurmFact]
    public async Task A_gpu_job_sees_its_gpu_and_the_controller_counts_it()
    {
        var job = await Submit(
            Cmd("sh", "-c", "echo \"$SLURMD_NODENAME $CUDA_VISIBLE_DEVICES\"") with
            {
                Resources = new ResourceSpec
                {
                    GpusPerNode = 2,
                    Partition = "gpu",
                    Memory = ByteSize.Parse("100MB"),
                },
            }
        );
        var rec = await SlurmCluster.ShowJob(job.JobId);
        Assert.Contains("gres/gpu=2", rec["TRES"]);
        Assert.Equal("n1 0,1", Assert.Single(await OutputOf(job))); // only n1 has two
    }

    [SlurmFact]
    public async Task A_constraint_lands_on_the_node_with_the_feature()
    {
        var job = await Submit(
            Cmd("hostname") with
            {
                Resources = new ResourceSpec
                {
                    Partition = "multi",
                    Constraint = "bigmem",
                    Memory = ByteSize.Parse("100MB"),
                },
            }
        );
        Assert.Equal("n3", Assert.Single(await OutputOf(job)));
    }

    [SlurmFact]
    public async Task A_qos_over_its_limit_and_an_account_without_association_are_refused_naming_the_value()
    {
        var qos = await Assert.ThrowsAsync<SubmitFailedException>(() =>
            Submit(
                Cmd("true") with
                {
                    Resources = new ResourceSpec { Qos = "high", CpusPerTask = 2 },
                }
            )
        );
        Assert.Equal(HpcErrors.SubmitFailed, qos.Error);
        Assert.Contains("'high'", qos.Message);
        Assert.Contains("QOS", qos.Message, StringComparison.OrdinalIgnoreCase);

        var account = await Assert.ThrowsAsync<SubmitFailedException>(() =>
            Submit(Cmd("true") with { Resources = new ResourceSpec { Account = "nosuchaccount" } })
        );
        Assert.Contains("'nosuchaccount'", account.Message);
        Assert.Contains("Invalid account", account.Message);

        // within the limit, and an account the user has: accepted, and recorded
        var ok = await Submit(
            Cmd("true") with
            {
                Resources = new ResourceSpec
                {
                    Qos = "high",
                    CpusPerTask = 1,
                    Account = "project123",
                },
            }
        );
        var rec = await SlurmCluster.ShowJob(ok.JobId);
        Assert.Equal(("high", "project123"), (rec["QOS"], rec["Account"]));
    }

    [SlurmFact]
    public async Task A_request_larger_than_any_node_is_refused_not_left_waiting()
    {
        foreach (
            var spec in new[]
            {
                new ResourceSpec { Partition = "gpu", GpusPerNode = 3 },
                new ResourceSpec { Partition = "multi", Memory = ByteSize.Parse("7GB") },
            }
        )
        {
            var e = await Assert.ThrowsAsync<SubmitFailedException>(() =>
                Submit(Cmd("true") with { Resources = spec })
            );
            Assert.Contains("Requested node configuration is not available", e.Message);
            Assert.Contains("no node", e.Message);
        }
    }
}
