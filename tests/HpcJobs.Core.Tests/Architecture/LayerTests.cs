using System.Reflection;
using System.Reflection.Emit;
using HpcJobs.Core.Model;
using HpcJobs.Core.Tests.Support;

namespace HpcJobs.Core.Tests.Architecture;

/// <summary>
/// The layers of HpcJobs.Core as docs/ARCHITECTURE.md lists them, checked on the compiled assembly: every type's
/// signatures and every method body (the IL's type, method and field tokens), so a fully qualified call that no
/// <c>using</c> shows is seen too.
/// </summary>
[Trait("Category", "Unit")]
public sealed class LayerTests
{
    private static readonly Assembly Core = typeof(JobInfo).Assembly;

    [Fact]
    public void No_folder_of_the_core_uses_a_higher_layer_or_a_sibling()
    {
        var layers = Layers();
        var broken = References()
            .Where(r => !Allowed(layers, Folder(r.From), Folder(r.To)))
            .Select(r => $"{r.From.FullName} uses {r.To.FullName}")
            .Distinct()
            .Order()
            .ToList();
        Assert.True(broken.Count == 0, "Against the layers of docs/ARCHITECTURE.md:\n" + string.Join('\n', broken));
    }

    [Fact]
    public void Every_folder_of_the_core_has_its_place_in_the_layer_list()
    {
        var listed = Layers().SelectMany(l => l).ToHashSet();
        var folders = Core.GetTypes().Select(Folder).OfType<string>().Distinct().Order().ToList();
        Assert.Equal(folders, listed.Order());
    }

    [Fact]
    public void No_back_end_knows_whether_its_commands_run_over_SSH_nor_that_its_status_is_shared()
    {
        // a request goes to a cluster through the kit's submission flows (Kit/ScriptSubmission); the shared status reads
        // a back end through Kit/IClusterBackEnd, and the resolver asks it for a probe's recent answer
        string[] backEnds = ["Local", "Slurm", "Pbs", "GridEngine"];
        var known = References()
            .Where(r => backEnds.Contains(Folder(r.From)) && Folder(r.To) is "Remote" or "Waiting")
            .Select(r => $"{r.From.FullName} uses {r.To.FullName}")
            .Distinct()
            .Order()
            .ToList();
        Assert.True(known.Count == 0, string.Join('\n', known));
    }

    [Fact]
    public void The_scan_sees_a_reference_only_a_method_body_makes()
    {
        // JobRequest's validation calls Platform's file status in its body alone: no field, parameter or return type
        // names it, so only reading the IL finds it
        Assert.Contains(
            References(),
            r => r.From == typeof(JobRequest) && r.To.FullName == "HpcJobs.Core.Platform.Native"
        );
    }

    /// <summary>The ```layers block of ARCHITECTURE.md: lowest first, one layer per line, siblings on one line.</summary>
    private static List<string[]> Layers()
    {
        var text = File.ReadAllText(Path.Combine(SlurmCluster.RepoRoot, "docs", "ARCHITECTURE.md"));
        var start = text.IndexOf("```layers\n", StringComparison.Ordinal);
        Assert.True(start >= 0, "docs/ARCHITECTURE.md has no ```layers block");
        start += "```layers\n".Length;
        var end = text.IndexOf("```", start, StringComparison.Ordinal);
        return text[start..end]
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(line => line.Split("#")[0].Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(names => names.Length > 0)
            .ToList();
    }

    /// <summary>A folder may use its own, and any layer below its own; never a sibling on its line.</summary>
    private static bool Allowed(List<string[]> layers, string? from, string? to)
    {
        if (from is null || to is null || from == to)
            return true;
        int Level(string folder) => layers.FindIndex(l => l.Contains(folder));
        return Level(to) < Level(from);
    }

    /// <summary>HpcJobs.Core.Kit.JobMemory → Kit; null for what is not the core's (System, generated code).</summary>
    private static string? Folder(Type type)
    {
        var ns = type.Namespace ?? "";
        return ns.StartsWith("HpcJobs.Core.", StringComparison.Ordinal)
            ? ns["HpcJobs.Core.".Length..].Split('.')[0]
            : null;
    }

    private static List<(Type From, Type To)> References()
    {
        var found = new List<(Type, Type)>();
        foreach (var type in Core.GetTypes())
        {
            var outer = type;
            while (outer.DeclaringType is { } d)
                outer = d;
            void Add(Type? t)
            {
                foreach (var used in Unwrap(t))
                    if (used.Assembly == Core)
                        found.Add((outer, used));
            }
            Add(type.BaseType);
            foreach (var i in type.GetInterfaces())
                Add(i);
            const BindingFlags all =
                BindingFlags.Public
                | BindingFlags.NonPublic
                | BindingFlags.Instance
                | BindingFlags.Static
                | BindingFlags.DeclaredOnly;
            foreach (var f in type.GetFields(all))
                Add(f.FieldType);
            foreach (var p in type.GetProperties(all))
                Add(p.PropertyType);
            foreach (var m in type.GetMethods(all).Cast<MethodBase>().Concat(type.GetConstructors(all)))
            {
                if (m is MethodInfo mi)
                    Add(mi.ReturnType);
                foreach (var p in m.GetParameters())
                    Add(p.ParameterType);
                foreach (var t in BodyReferences(m))
                    Add(t);
            }
        }
        return found;
    }

    /// <summary>A type with its element and generic argument types (List&lt;JobInfo&gt;[] → List, JobInfo).</summary>
    private static IEnumerable<Type> Unwrap(Type? type)
    {
        if (type is null || type.IsGenericParameter)
            yield break;
        if (type.HasElementType)
        {
            foreach (var t in Unwrap(type.GetElementType()))
                yield return t;
            yield break;
        }
        yield return type.IsGenericType ? type.GetGenericTypeDefinition() : type;
        if (type.IsGenericType)
            foreach (var argument in type.GetGenericArguments())
            foreach (var t in Unwrap(argument))
                yield return t;
    }

    private static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!)
        .ToDictionary(o => o.Value);

    /// <summary>The types a method body names: the declaring types of the methods and fields it uses, and the types.</summary>
    private static IEnumerable<Type> BodyReferences(MethodBase method)
    {
        byte[]? il;
        try
        {
            il = method.GetMethodBody()?.GetILAsByteArray();
        }
        catch (Exception e) when (e is InvalidOperationException or NotSupportedException)
        {
            il = null;
        }
        if (il is null)
            yield break;
        var typeArguments = method.DeclaringType is { IsGenericType: true } d ? d.GetGenericArguments() : null;
        var methodArguments = method.IsGenericMethod ? method.GetGenericArguments() : null;
        for (var i = 0; i < il.Length; )
        {
            short value = il[i] == 0xFE ? (short)(0xFE00 | il[i + 1]) : il[i];
            i += il[i] == 0xFE ? 2 : 1;
            var op = OpCodesByValue[value];
            switch (op.OperandType)
            {
                case OperandType.InlineMethod
                or OperandType.InlineField
                or OperandType.InlineType
                or OperandType.InlineTok:
                    var token = BitConverter.ToInt32(il, i);
                    MemberInfo? member;
                    try
                    {
                        member = method.Module.ResolveMember(token, typeArguments, methodArguments);
                    }
                    catch (ArgumentException)
                    {
                        member = null;
                    }
                    if (member is Type t)
                        yield return t;
                    else if (member?.DeclaringType is { } declaring)
                    {
                        yield return declaring;
                        if (member is MethodInfo { IsGenericMethod: true } generic)
                            foreach (var a in generic.GetGenericArguments())
                                yield return a;
                    }
                    i += 4;
                    break;
                case OperandType.InlineSwitch:
                    i += 4 + (4 * BitConverter.ToInt32(il, i));
                    break;
                case OperandType.InlineNone:
                    break;
                case OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar:
                    i += 1;
                    break;
                case OperandType.InlineVar:
                    i += 2;
                    break;
                case OperandType.InlineI8 or OperandType.InlineR:
                    i += 8;
                    break;
                default:
                    i += 4;
                    break;
            }
        }
    }
}
