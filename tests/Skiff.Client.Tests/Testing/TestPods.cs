using k8s.Models;

namespace Skiff.Client.Tests.Testing;

/// <summary>Minimal pods for the cache tests (which drive informers with <c>Skiff.Testing.Fakes.FakeListerWatcher</c>).</summary>
public static class TestPods
{
    public static V1Pod Pod(string name, string? ns = "default", string? label = null) => new()
    {
        ApiVersion = "v1",
        Kind = "Pod",
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns, Labels = label is null ? null : new Dictionary<string, string> { ["app"] = label } },
    };
}
