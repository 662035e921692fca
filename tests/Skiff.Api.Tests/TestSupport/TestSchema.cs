using Skiff.Api.Patch;

namespace Skiff.Api.Tests.TestSupport;

/// <summary>A tiny hand-built <see cref="IPatchSchema"/> for tests.</summary>
public sealed class TestSchema : IPatchSchema
{
    private readonly Dictionary<string, TestSchema> _fields = new();

    public TestSchema? ItemSchema { get; set; }

    public TestSchema? AdditionalProperties { get; set; }

    public string? PatchMergeKey { get; set; }

    public IReadOnlyList<string> PatchStrategies { get; set; } = Array.Empty<string>();

    public string? ListType { get; set; }

    public IReadOnlyList<string> ListMapKeys { get; set; } = Array.Empty<string>();

    public string? MapType { get; set; }

    public IPatchSchema? Items => ItemSchema;

    public bool IsMap => AdditionalProperties is not null;

    public IPatchSchema? Field(string name) => _fields.TryGetValue(name, out var f) ? f : AdditionalProperties;

    public TestSchema With(string name, TestSchema field)
    {
        _fields[name] = field;
        return this;
    }

    public static TestSchema Object() => new();

    public static TestSchema MergeList(string key, TestSchema items) =>
        new() { PatchMergeKey = key, PatchStrategies = new[] { "merge" }, ItemSchema = items, ListType = "map", ListMapKeys = new[] { key } };

    public static TestSchema PrimitiveMergeList() => new() { PatchStrategies = new[] { "merge" }, ListType = "set" };

    public static TestSchema AtomicList(TestSchema? items = null) => new() { ItemSchema = items, ListType = "atomic" };

    /// <summary>A Pod-like schema: metadata (labels, finalizers merge), spec.containers (merge by name; env, ports merge), volumes (retainKeys).</summary>
    public static TestSchema Pod()
    {
        var env = MergeList("name", Object());
        var ports = new TestSchema { PatchMergeKey = "containerPort", PatchStrategies = new[] { "merge" }, ItemSchema = Object(), ListType = "map", ListMapKeys = new[] { "containerPort", "protocol" } };
        var container = Object().With("env", env).With("ports", ports).With("args", AtomicList());
        var volume = Object();
        var volumes = new TestSchema { PatchMergeKey = "name", PatchStrategies = new[] { "merge", "retainKeys" }, ItemSchema = volume, ListType = "map", ListMapKeys = new[] { "name" } };
        var spec = Object()
            .With("containers", MergeList("name", container))
            .With("initContainers", MergeList("name", container))
            .With("volumes", volumes)
            .With("tolerations", AtomicList());
        var meta = Object()
            .With("labels", new TestSchema { AdditionalProperties = new TestSchema() })
            .With("finalizers", PrimitiveMergeList())
            .With("ownerReferences", MergeList("uid", Object()));
        return Object().With("metadata", meta).With("spec", spec);
    }
}
