using System.Collections;
using System.Globalization;
using System.Management.Automation;
using HpcJobs.Core.Model;

namespace HpcJobs;

/// <summary>
/// Lets -Resources take a hashtable (<c>@{Cpus=4; Memory='8GB'}</c>) as well as a ResourceSpec. A bad key or value fails the
/// binding with a message that names it and lists the valid keys, instead of PowerShell's list of .NET type names.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
public sealed class ResourceSpecTransformationAttribute : ArgumentTransformationAttribute
{
    public override object? Transform(EngineIntrinsics engineIntrinsics, object? inputData)
    {
        var value = inputData is PSObject { BaseObject: not PSCustomObject } ps ? ps.BaseObject : inputData;
        IEnumerable<KeyValuePair<string, object?>> pairs;
        switch (value)
        {
            case null or ResourceSpec:
                return value;
            case IDictionary d:
                pairs = d.Cast<DictionaryEntry>()
                    .Select(e => new KeyValuePair<string, object?>(
                        Convert.ToString(e.Key, CultureInfo.InvariantCulture) ?? "",
                        e.Value is PSObject p ? p.BaseObject : e.Value
                    ));
                break;
            case PSObject custom:
                pairs = custom.Properties.Select(p => new KeyValuePair<string, object?>(
                    p.Name,
                    p.Value is PSObject v ? v.BaseObject : p.Value
                ));
                break;
            default:
                throw new ArgumentTransformationMetadataException(
                    "-Resources takes a ResourceSpec (New-HpcResourceSpec) or a hashtable with the keys "
                        + $"{string.Join(", ", ResourceSpec.DictionaryKeys)}; "
                        + $"'{value}' (of type {value.GetType().Name}) is neither."
                );
        }
        try
        {
            return ResourceSpec.FromDictionary(pairs);
        }
        catch (InvalidResourceSpecException e)
        {
            throw new ArgumentTransformationMetadataException($"-Resources: {e.Message}", e);
        }
    }
}
