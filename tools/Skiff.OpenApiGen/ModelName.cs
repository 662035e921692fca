using System.Text.RegularExpressions;

namespace Skiff.OpenApiGen;

/// <summary>
/// A KubernetesClient model class name taken apart: <c>V1PodSpec</c> → version v1, short name PodSpec;
/// <c>Corev1Event</c> → client prefix Core, version v1, short name Event (the client adds the group prefix when two
/// packages define the same name).
/// </summary>
internal sealed partial record ModelName(string? ClientPrefix, string Version, string ShortName)
{
    public static ModelName? Parse(string className)
    {
        var m = Pattern().Match(className);
        if (!m.Success)
        {
            return null;
        }

        return m.Groups["prefix"].Success
            ? new ModelName(m.Groups["prefix"].Value, m.Groups["pver"].Value, m.Groups["short"].Value)
            : new ModelName(null, "v" + m.Groups["ver"].Value, m.Groups["short"].Value);
    }

    [GeneratedRegex(@"^(?:(?<prefix>[A-Z][a-z]+)(?<pver>v\d+(?:alpha\d+|beta\d+)?)|V(?<ver>\d+(?:alpha\d+|beta\d+)?))(?<short>[A-Z].*)$")]
    private static partial Regex Pattern();
}
