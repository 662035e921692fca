using Skiff.Client.Config;
using Skiff.Client.Runtime;

namespace Skiff.Client.Hosting;

/// <summary>What <see cref="SkiffServiceCollectionExtensions.AddSkiffManager"/> builds the manager from.</summary>
public sealed class SkiffManagerOptions
{
    /// <summary>How to reach the API server; null: <see cref="ClientConfigLoader.LoadDefault"/> (kubeconfig, then in-cluster).</summary>
    public ClientConfig? Client { get; set; }

    /// <summary>The manager's options (namespace, resync, leader election…); its logger factory defaults to the host's.</summary>
    public ManagerOptions Manager { get; set; } = new();
}
