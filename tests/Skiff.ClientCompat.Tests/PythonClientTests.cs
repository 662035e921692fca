using Xunit;

namespace Skiff.ClientCompat.Tests;

/// <summary>
/// The official Python client (Debian's python3-kubernetes 22.6) against the in-process server; each scenario is a
/// function of python/compat_client.py asserting what the client's typed models return.
/// </summary>
public sealed class PythonClientTests(ControlPlaneFixture f) : IClassFixture<ControlPlaneFixture>
{
    /// <summary>Create, get, list with a label selector, JSON and strategic merge patches, and error bodies.</summary>
    [SkippableFact]
    public Task Crud() => ExternalClient.RunPythonAsync("crud", f.Cp.KubeconfigPath);

    /// <summary><c>watch.Watch().stream</c> from a resourceVersion with a label selector (the client sends watch=True).</summary>
    [SkippableFact]
    public Task WatchFromResourceVersion() => ExternalClient.RunPythonAsync("watch", f.Cp.KubeconfigPath);

    /// <summary>Delete a collection by label selector.</summary>
    [SkippableFact]
    public Task DeleteCollection() => ExternalClient.RunPythonAsync("delete_collection", f.Cp.KubeconfigPath);

    /// <summary><c>utils.create_from_yaml</c> of samples/every-kind.yaml, then typed reads (and status reads) of every kind.</summary>
    [SkippableFact]
    public Task CreateFromMultiDocumentYaml_ThenTypedReadsOfEveryKind() => ExternalClient.RunPythonAsync("create_from_yaml", f.Cp.KubeconfigPath);
}
