using HpcJobs.Core.Tests.Support;

namespace HpcJobs.Core.Tests.Architecture;

/// <summary>The tree stays readable: long files say why they are long, and the figures in ARCHITECTURE.md name every folder.</summary>
[Trait("Category", "Unit")]
public sealed class TreeTests
{
    private static IEnumerable<string> SourceFiles() =>
        Directory
            .EnumerateFiles(Path.Combine(SlurmCluster.RepoRoot, "src"), "*.cs", SearchOption.AllDirectories)
            .Where(f =>
                !f.Contains("/obj/", StringComparison.Ordinal) && !f.Contains("/bin/", StringComparison.Ordinal)
            );

    [Fact]
    public void A_source_file_over_400_lines_says_why_in_its_header()
    {
        var unexplained = SourceFiles()
            .Where(f => File.ReadAllLines(f).Length > 400)
            .Where(f =>
                !File.ReadLines(f).Take(20).Any(l => l.StartsWith("// Over 400 lines: ", StringComparison.Ordinal))
            )
            .Select(f => Path.GetRelativePath(SlurmCluster.RepoRoot, f))
            .ToList();
        Assert.True(
            unexplained.Count == 0,
            "Cut these at a seam, or say why not in a '// Over 400 lines: ' header line:\n"
                + string.Join('\n', unexplained)
        );
    }

    [Fact]
    public void The_tree_figures_in_ARCHITECTURE_md_name_every_folder_of_the_core()
    {
        var text = File.ReadAllText(Path.Combine(SlurmCluster.RepoRoot, "docs", "ARCHITECTURE.md"));
        var core = Path.Combine(SlurmCluster.RepoRoot, "src", "HpcJobs.Core");
        foreach (
            var folder in Directory
                .EnumerateDirectories(core)
                .Select(Path.GetFileName)
                .Where(f => f is not ("obj" or "bin"))
        )
            Assert.Contains($"| `src/HpcJobs.Core/{folder}` |", text);
    }
}
