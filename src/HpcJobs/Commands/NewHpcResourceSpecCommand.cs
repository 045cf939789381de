using System.Management.Automation;
using HpcJobs.Core.Contract;
using HpcJobs.Core.Model;

namespace HpcJobs.Commands;

/// <summary>
/// Builds a validated ResourceSpec: counts, memory (512MB, 4GB, 1.5TB), walltime (HH:MM:SS, D-HH:MM:SS, 90m, 2h, 1d),
/// names.
/// </summary>
[Cmdlet(VerbsCommon.New, "HpcResourceSpec")]
[OutputType(typeof(ResourceSpec))]
public sealed class NewHpcResourceSpecCommand : HpcCmdlet
{
    [Parameter]
    public int? Nodes { get; set; }

    [Parameter]
    public int? TasksPerNode { get; set; }

    [Parameter]
    [Alias("Cpus")]
    public int? CpusPerTask { get; set; }

    [Parameter]
    [Alias("Gpus")]
    public int? GpusPerNode { get; set; }

    /// <summary>A size with a unit (4GB, 512MB) or a number of bytes (PowerShell's 4GB literal).</summary>
    [Parameter]
    [Alias("Mem")]
    [ArgumentCompleter(typeof(MemoryCompleter))]
    public string? Memory { get; set; }

    /// <summary>HH:MM:SS, D-HH:MM:SS, 90m, 2h, 1d, or a TimeSpan.</summary>
    [Parameter]
    [Alias("Time")]
    [ArgumentCompleter(typeof(WalltimeCompleter))]
    public string? Walltime { get; set; }

    [Parameter]
    [Alias("Queue")]
    [CatalogCompleter(CatalogKind.Partition)]
    public string? Partition { get; set; }

    [Parameter]
    [CatalogCompleter(CatalogKind.Qos)]
    public string? Qos { get; set; }

    [Parameter]
    [CatalogCompleter(CatalogKind.Account)]
    public string? Account { get; set; }

    [Parameter]
    public string? Constraint { get; set; }

    protected override void ProcessRecord()
    {
        try
        {
            WriteObject(
                new ResourceSpec
                {
                    Nodes = Nodes,
                    TasksPerNode = TasksPerNode,
                    CpusPerTask = CpusPerTask,
                    GpusPerNode = GpusPerNode,
                    Memory = Memory is null ? null : ByteSize.Parse(Memory),
                    Walltime = Walltime is null ? null : Core.Model.Walltime.Parse(Walltime),
                    Partition = Partition,
                    Qos = Qos,
                    Account = Account,
                    Constraint = Constraint,
                }
            );
        }
        catch (InvalidResourceSpecException e)
        {
            ThrowTerminatingError(ToErrorRecord(e, e.Value));
        }
    }
}
