using System.Text.Json.Nodes;
using Skiff.ApiServer.Registry;

namespace Skiff.ApiServer.Tests.Registry;

/// <summary>Runs a strategy's create and update pipelines in the generic store's order and returns the error texts.</summary>
internal static class StrategyHarness
{
    public static JsonObject Parse(string json) => (JsonObject)JsonNode.Parse(json)!;

    public static (JsonObject Obj, List<string> Errors) Create(IResourceStrategy s, string json)
    {
        var obj = Parse(json);
        s.PrepareForCreate(obj);
        s.ApplyDefaults(obj);
        return (obj, s.ValidateCreate(obj).Select(e => e.ToString()).ToList());
    }

    public static (JsonObject Obj, List<string> Errors) Update(IResourceStrategy s, JsonObject old, Action<JsonObject> change)
    {
        var obj = (JsonObject)old.DeepClone();
        change(obj);
        s.PrepareForUpdate(obj, old);
        s.ApplyDefaults(obj);
        return (obj, s.ValidateUpdate(obj, old).Select(e => e.ToString()).ToList());
    }
}
