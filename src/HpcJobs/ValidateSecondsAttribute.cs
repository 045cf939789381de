using System.Globalization;
using System.Management.Automation;

namespace HpcJobs;

/// <summary>
/// A number of seconds within a range. NaN and infinities are named as what they are (ValidateRange reports NaN as a
/// type mismatch with its limits).
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class ValidateSecondsAttribute(string parameter, double min, double max) : ValidateArgumentsAttribute
{
    protected override void Validate(object arguments, EngineIntrinsics engineIntrinsics)
    {
        if (arguments is not double seconds)
            return;
        if (double.IsFinite(seconds) && seconds >= min && seconds <= max)
            return;
        throw new ValidationMetadataException(
            string.Create(
                CultureInfo.InvariantCulture,
                $"-{parameter} {seconds} is not a number of seconds from {min} to {max}: give one in that range."
            )
        );
    }
}
