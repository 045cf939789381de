namespace HpcJobs.Core.Kit;

/// <summary>
/// The common Reason codes of SLURM (squeue(1), JOB REASON CODES), which the Local scheduler uses too, in plain words:
/// what each means, and what you can do (<see cref="Model.JobInfo.ReasonExplained"/>). PBS's reasons are its comment,
/// already in words.
/// </summary>
public static class ReasonWords
{
    private static readonly Dictionary<string, string> Words = new(StringComparer.OrdinalIgnoreCase)
    {
        ["Priority"] =
            "Jobs with a higher priority are ahead of it; it starts when they have. Nothing to do but wait "
            + "(a smaller or shorter request can start sooner, through backfill).",
        ["Resources"] =
            "It is next, but the nodes it needs are busy; it starts when they free up (see EstimatedStart).",
        ["Dependency"] = "It waits for the jobs it depends on to end.",
        ["DependencyNeverSatisfied"] =
            "What it depends on ended the wrong way: it will never start. Stop it, and "
            + "submit it again without the dependency or after fixing the job it waited for.",
        ["BeginTime"] =
            "It was asked not to start before a given time (-BeginTime), or was requeued and waits its "
            + "turn again.",
        ["JobHeldUser"] = "You held it (Suspend-HpcJob, -Hold): Resume-HpcJob releases it.",
        ["JobHeldAdmin"] = "An administrator held it: only they can release it.",
        ["JobArrayTaskLimit"] = "Its array's throttle (-ArrayRange ...%N) lets only so many tasks run at once.",
        ["QOSMaxJobsPerUserLimit"] =
            "You already run as many jobs as your QoS allows; it starts when one of them "
            + "ends (or use another QoS).",
        ["QOSMaxSubmitJobPerUserLimit"] = "You have as many jobs queued as your QoS allows.",
        ["QOSMaxCpuPerUserLimit"] = "Your running jobs already use all the CPUs your QoS allows you.",
        ["QOSMaxWallDurationPerJobLimit"] =
            "Its walltime is longer than its QoS allows: it will not start. Lower it "
            + "(Set-HpcJob -Walltime) or use another QoS.",
        ["QOSGrpCpuLimit"] = "All jobs of its QoS together use the CPUs the QoS allows; it starts when some end.",
        ["AssocGrpCPULimit"] =
            "Your account's jobs together use all the CPUs the account is allowed; it starts when " + "some end.",
        ["AssocGrpNodeLimit"] = "Your account's jobs together use all the nodes the account is allowed.",
        ["AssocMaxJobsLimit"] = "Your account runs as many jobs as it may at once.",
        ["AssocGrpMemLimit"] = "Your account's jobs together use all the memory the account is allowed.",
        ["ReqNodeNotAvail"] =
            "A node it needs is down, drained or reserved. It starts when the node is back, unless "
            + "you asked for nodes that will not come back (remove the node request).",
        ["PartitionDown"] =
            "Its partition is down: it waits until an administrator brings it up, or move it "
            + "(Set-HpcJob -Partition).",
        ["PartitionInactive"] = "Its partition takes no jobs now; move it (Set-HpcJob -Partition).",
        ["PartitionNodeLimit"] =
            "It asks for more nodes than its partition allows: it will not start. Ask for fewer, "
            + "or move it to a larger partition.",
        ["PartitionTimeLimit"] =
            "Its walltime is longer than its partition allows: it will not start. Lower it "
            + "(Set-HpcJob -Walltime) or move it (Set-HpcJob -Partition).",
        ["Reservation"] = "It waits for its advanced reservation to begin.",
        ["Licenses"] = "The licenses it asked for are all in use.",
        ["BadConstraints"] = "No node has the features it asks for (-Constraint): it will not start as it is.",
        ["InvalidQOS"] = "Its QoS is not one its account may use: it will not start. Set-HpcJob -Qos fixes it.",
        ["InvalidAccount"] = "Its account does not exist or you may not use it: Set-HpcJob -Account fixes it.",
        ["NodeDown"] = "A node it was given is down; it starts again when SLURM finds others.",
        ["launch failed requeued held"] =
            "Its start failed on a node (its working folder or output missing there?) "
            + "and SLURM held it: see the node's slurmd log, then Resume-HpcJob.",
        ["TimeLimit"] = "It ran for its whole walltime and was ended.",
        ["NonZeroExitCode"] = "Its program ended with a non-zero exit code (ExitCode).",
    };

    /// <summary>The plain-words explanation of <paramref name="reason"/>, or null for a code without one.</summary>
    public static string? Explain(string? reason)
    {
        if (string.IsNullOrWhiteSpace(reason))
            return null;
        var code = reason.Trim();
        if (Words.TryGetValue(code, out var words))
            return words;
        // "ReqNodeNotAvail, UnavailableNodes:n1", "Dependency: ..."
        var head = code.Split([',', ':', '('], 2)[0].Trim();
        return Words.GetValueOrDefault(head);
    }
}
