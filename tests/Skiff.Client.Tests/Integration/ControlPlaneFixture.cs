using Skiff.ApiServer.Registry;
using Skiff.Client.Config;
using Skiff.Client.Typed;
using Skiff.Testing.ControlPlane;
using Xunit;

namespace Skiff.Client.Tests.Integration;

/// <summary>
/// One real in-process API server (Kestrel on 127.0.0.1, memory store, the built-in resource catalogue) per test class,
/// and client configs built from its admin kubeconfig the way a user's program would build them.
/// </summary>
public sealed class ControlPlaneFixture : IAsyncLifetime
{
    public TestControlPlane Cp { get; private set; } = null!;

    public async Task InitializeAsync()
        => Cp = await TestControlPlane.StartAsync(BuiltInResources.Create(new BuiltInResourceOptions()));

    public async Task DisposeAsync() => await Cp.DisposeAsync();

    /// <summary>The admin kubeconfig's current context, without client-side throttling.</summary>
    public ClientConfig Config(Func<HttpMessageHandler, HttpMessageHandler>? wrap = null)
        => ClientConfigLoader.FromKubeConfig(KubeConfigLoader.LoadFile(Cp.KubeconfigPath)) with { Qps = 0, WrapTransport = wrap };

    public Clientset Clientset(Func<HttpMessageHandler, HttpMessageHandler>? wrap = null) => new(Config(wrap));

    /// <summary>A fresh namespace, created on the server, so tests of one class do not see each other's objects.</summary>
    public async Task<string> NamespaceAsync(Clientset cs, string prefix = "t")
    {
        var name = $"{prefix}-{Guid.NewGuid().ToString("N")[..8]}";
        await cs.CoreV1().Namespaces().CreateAsync(new k8s.Models.V1Namespace { Metadata = new() { Name = name } });
        return name;
    }
}
