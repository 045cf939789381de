using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using HpcJobs.Core.Model;
using HpcJobs.Core.ScriptBlocks;

namespace HpcJobs;

/// <summary>
/// A script block as it travels to the node (issue 27): its text with each <c>$using:name</c> turned into a lookup of
/// the value taken now (as Start-ThreadJob takes them), the arguments and the input serialized as CLIXML, as remoting
/// and PowerShell jobs serialize them. What cannot travel is refused here, before anything is submitted.
/// </summary>
internal static class ScriptBlockPayloads
{
    /// <summary>How deep objects are serialized, both ways (Export-Clixml's default is 2).</summary>
    public const int Depth = 3;

    private const string UsingTable = "${__HpcJobsUsing}";

    public static ScriptBlockPayload Build(
        ScriptBlock scriptBlock,
        object[] argumentList,
        string[] modules,
        IReadOnlyList<string>? taskInputs,
        IReadOnlyList<string> pwsh,
        PSCmdlet caller,
        string? workingDirectory
    )
    {
        var (text, usingValues) = Rewrite(scriptBlock, caller.SessionState);
        var payload = new Hashtable
        {
            ["Version"] = 1,
            ["ScriptBlock"] = text,
            ["Using"] = usingValues,
            ["ArgumentList"] = argumentList.Select(a => PSSerializer.Serialize(a, Depth)).ToArray(),
            ["Modules"] = modules,
            ["WorkingDirectory"] = workingDirectory,
            ["Depth"] = Depth,
            ["VerbosePreference"] = Preference(caller, "VerbosePreference", "SilentlyContinue"),
            ["DebugPreference"] = Preference(caller, "DebugPreference", "SilentlyContinue"),
        };
        return new ScriptBlockPayload(PSSerializer.Serialize(payload, 2), taskInputs, pwsh);
    }

    /// <summary>One task's input items, as the runner reads them (an array: one more level of depth).</summary>
    public static string SerializeInput(IReadOnlyList<object?> items) =>
        PSSerializer.Serialize(items.ToArray(), Depth + 1);

    private static string Preference(PSCmdlet caller, string name, string fallback)
    {
        var value = caller.SessionState.PSVariable.GetValue(name);
        // -Verbose/-Debug on the cmdlet itself count too
        if (name == "VerbosePreference" && caller.MyInvocation.BoundParameters.ContainsKey("Verbose"))
            return "Continue";
        if (name == "DebugPreference" && caller.MyInvocation.BoundParameters.ContainsKey("Debug"))
            return "Continue";
        return value?.ToString() is { Length: > 0 } v && v != "Inquire" ? v : fallback;
    }

    /// <summary>
    /// The text the node runs, and the <c>$using:</c> values (serialized) it reads. A script block bound to a module or a
    /// closure (GetNewClosure) is refused: its variables are not in the text and would silently be $null there.
    /// </summary>
    private static (string Text, Hashtable Using) Rewrite(ScriptBlock scriptBlock, SessionState state)
    {
        if (scriptBlock.Module is { } module)
            throw new InvalidJobRequestException(
                $"The script block belongs to module '{module.Name}' (a closure from GetNewClosure(), or a block defined "
                    + "inside a module): its variables live in that module and cannot travel to the node. Pass the "
                    + "values with $using:name or -ArgumentList instead.",
                HpcErrors.ScriptBlockNotSupported
            );
        var ast = scriptBlock.Ast;
        var origin = ast.Extent.StartOffset;
        var text = ast.Extent.Text;
        // a literal's extent holds its braces; the text of [scriptblock]::Create('...') has none of its own
        var braces = text != scriptBlock.ToString() && text.StartsWith('{') && text.EndsWith('}');
        var usingValues = new Hashtable(StringComparer.OrdinalIgnoreCase);
        var usings = ast.FindAll(a => a is UsingExpressionAst, searchNestedScriptBlocks: true)
            .Cast<UsingExpressionAst>()
            .OrderByDescending(u => UsingExpressionAst.ExtractUsingVariable(u).Extent.StartOffset)
            .ToList();
        foreach (var u in usings)
        {
            // $using:name, and around it what the node evaluates on the value: $using:table['key'], $using:x.Count
            var variable = UsingExpressionAst.ExtractUsingVariable(u);
            var path = variable.VariablePath.UserPath;
            var name = path.StartsWith("using:", StringComparison.OrdinalIgnoreCase) ? path[6..] : path;
            if (state.PSVariable.Get(name) is not { } found)
                throw new InvalidJobRequestException(
                    $"'{u.Extent.Text}': there is no variable '{name}' here to take its value from.",
                    HpcErrors.ScriptBlockNotSupported
                );
            if (!usingValues.ContainsKey(name))
                usingValues[name] = PSSerializer.Serialize(found.Value, Depth);
            var start = variable.Extent.StartOffset - origin;
            text =
                text[..start]
                + $"{UsingTable}['{name.Replace("'", "''")}']"
                + text[(variable.Extent.EndOffset - origin)..];
        }
        if (braces)
            text = text[1..^1];
        return (text, usingValues);
    }

    /// <summary>
    /// How pwsh starts on the node: -PwshPath or $env:HPCJOBS_PWSH; else, on this machine's file system, the pwsh that
    /// runs this session (its executable, or dotnet and pwsh.dll for pwsh as a dotnet tool); else pwsh from PATH there.
    /// </summary>
    public static IReadOnlyList<string> PwshCommand(string? given, bool onCluster)
    {
        if ((given ?? System.Environment.GetEnvironmentVariable("HPCJOBS_PWSH")) is { Length: > 0 } chosen)
            return [chosen];
        if (onCluster)
            return ["pwsh"];
        var home = AppContext.BaseDirectory;
        var executable = Path.Combine(home, "pwsh");
        if (File.Exists(executable) && !OperatingSystem.IsWindows())
            return [executable];
        var dll = Path.Combine(home, "pwsh.dll");
        if (
            System.Environment.ProcessPath is { } process
            && Path.GetFileNameWithoutExtension(process) == "dotnet"
            && File.Exists(dll)
        )
            return [process, dll];
        return ["pwsh"];
    }
}
