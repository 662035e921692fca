using System.Text.Json.Nodes;

namespace Skiff.ApiServer.Registry.Core;

/// <summary>upstream's <c>GetAccessModesAsString</c>: RWO, ROX, RWX, RWOP in that order, comma-joined.</summary>
public static class AccessModes
{
    /// <summary>The short form of an access-mode list.</summary>
    public static string Format(JsonArray? modes)
    {
        var set = (modes ?? []).Select(JsonPath.AsString).ToHashSet();
        var list = new List<string>();
        if (set.Contains("ReadWriteOnce")) list.Add("RWO");
        if (set.Contains("ReadOnlyMany")) list.Add("ROX");
        if (set.Contains("ReadWriteMany")) list.Add("RWX");
        if (set.Contains("ReadWriteOncePod")) list.Add("RWOP");
        return string.Join(",", list);
    }
}
