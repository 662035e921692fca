using Xunit;

namespace Skiff.ClientCompat.Tests;

/// <summary>The official JavaScript client (@kubernetes/client-node 1.x on Node 20) against the in-process server.</summary>
public sealed class JavaScriptClientTests(ControlPlaneFixture f) : IClassFixture<ControlPlaneFixture>
{
    /// <summary>List, then watch from the list's resourceVersion with a label selector.</summary>
    [SkippableFact]
    public Task ListWatch() => ExternalClient.RunNodeAsync("list-watch", f.Cp.KubeconfigPath);

    /// <summary><c>makeInformer</c>: adds, updates and deletes reach the handlers and the cache.</summary>
    [SkippableFact]
    public Task Informer() => ExternalClient.RunNodeAsync("informer", f.Cp.KubeconfigPath);

    /// <summary>JSON, merge and strategic merge patches as the client sends them, and the cordon JSON patch.</summary>
    [SkippableFact]
    public Task Patch() => ExternalClient.RunNodeAsync("patch", f.Cp.KubeconfigPath);
}
