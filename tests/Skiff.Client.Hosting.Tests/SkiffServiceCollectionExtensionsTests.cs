using System.Collections.Concurrent;
using k8s.Models;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Skiff.Client.Config;
using Skiff.Client.Hosting;
using Skiff.Client.Runtime;
using Skiff.Client.Typed;
using Skiff.Testing.ControlPlane;
using Xunit;

namespace Skiff.Client.Hosting.Tests;

public sealed class SkiffServiceCollectionExtensionsTests : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private TestControlPlane _cp = null!;

    public async Task InitializeAsync() => _cp = await TestControlPlane.StartAsync();

    public async Task DisposeAsync() => await _cp.DisposeAsync();

    private ClientConfig Config => ClientConfigLoader.FromKubeConfig(KubeConfigLoader.LoadFile(_cp.KubeconfigPath)) with { Qps = 0 };

    [Fact]
    public async Task AddController_ReconcilerFromDiInAFreshScope_SeesForAndOwnedChanges()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddSingleton<Seen>();
        builder.Services.AddScoped<PerReconcile>();
        builder.Services.AddSkiffManager(o => o.Client = Config)
            .AddController<ReplicaSetReconciler>(b => b.For<V1ReplicaSet>().Owns<V1Pod>());
        using var host = builder.Build();
        await host.StartAsync();
        var manager = host.Services.GetRequiredService<Manager>();
        await manager.Elected.WaitAsync(Deadline);
        var seen = host.Services.GetRequiredService<Seen>();
        var cs = host.Services.GetRequiredService<Clientset>();
        var ns = await NamespaceAsync(cs);

        var rs = await cs.AppsV1().ReplicaSets(ns).CreateAsync(new V1ReplicaSet
        {
            Metadata = new V1ObjectMeta { Name = "web" },
            Spec = new V1ReplicaSetSpec
            {
                Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = "web" } },
                Template = new V1PodTemplateSpec
                {
                    Metadata = new V1ObjectMeta { Labels = new Dictionary<string, string> { ["app"] = "web" } },
                    Spec = new V1PodSpec { Containers = [new V1Container { Name = "c", Image = "nginx" }] },
                },
            },
        });
        await seen.WaitForAsync(ns, "web", 1).WaitAsync(Deadline);

        await cs.CoreV1().Pods(ns).CreateAsync(new V1Pod
        {
            Metadata = new V1ObjectMeta
            {
                Name = "web-1",
                OwnerReferences = [new V1OwnerReference { ApiVersion = "apps/v1", Kind = "ReplicaSet", Name = "web", Uid = rs.Metadata.Uid, Controller = true }],
            },
            Spec = new V1PodSpec { Containers = [new V1Container { Name = "c", Image = "nginx" }] },
        });
        await seen.WaitForAsync(ns, "web", 2).WaitAsync(Deadline);

        // Each reconcile got its own scope: as many distinct scoped instances as reconciles.
        Assert.Equal(seen.Count(ns, "web"), seen.Scopes.Count);
        await host.StopAsync();
    }

    [Fact]
    public async Task AddSkiffManager_WithLeaderElection_HoldsTheLeaseAndReleasesItOnStop()
    {
        var id = "hosted-" + Guid.NewGuid().ToString("N")[..8];
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddSkiffManager(o =>
        {
            o.Client = Config;
            o.Manager = new ManagerOptions { LeaderElection = true, LeaderElectionId = "hosted-test", Identity = id };
        });
        using var host = builder.Build();
        await host.StartAsync();
        await host.Services.GetRequiredService<Manager>().Elected.WaitAsync(Deadline);
        var leases = host.Services.GetRequiredService<Clientset>().CoordinationV1().Leases("kube-system");
        Assert.Equal(id, (await leases.GetAsync("hosted-test")).Spec.HolderIdentity);

        await host.StopAsync();

        Assert.True(string.IsNullOrEmpty((await leases.GetAsync("hosted-test")).Spec.HolderIdentity));
    }

    [Fact]
    public void AddSkiffManager_Twice_Throws()
    {
        var services = new ServiceCollection();
        services.AddSkiffManager(o => o.Client = Config);
        Assert.Throws<InvalidOperationException>(() => services.AddSkiffManager());
    }

    private static async Task<string> NamespaceAsync(Clientset cs)
    {
        var name = "hosting-" + Guid.NewGuid().ToString("N")[..8];
        await cs.CoreV1().Namespaces().CreateAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = name } });
        return name;
    }

    /// <summary>A scoped dependency: one instance per reconcile.</summary>
    private sealed class PerReconcile
    {
        public Guid Id { get; } = Guid.NewGuid();
    }

    /// <summary>What the reconciler saw (a singleton).</summary>
    private sealed class Seen
    {
        private readonly ConcurrentDictionary<string, int> _counts = new();
        private readonly List<(string Key, int Count, TaskCompletionSource Done)> _waiters = [];

        public ConcurrentDictionary<Guid, byte> Scopes { get; } = new();

        public int Count(string ns, string name) => _counts.GetValueOrDefault($"{ns}/{name}");

        public void Record(ReconcileRequest request, PerReconcile scope)
        {
            Scopes[scope.Id] = 0;
            var key = $"{request.Namespace}/{request.Name}";
            var count = _counts.AddOrUpdate(key, 1, (_, c) => c + 1);
            lock (_waiters)
            {
                foreach (var w in _waiters.Where(w => w.Key == key && count >= w.Count).ToList())
                {
                    w.Done.TrySetResult();
                    _waiters.Remove(w);
                }
            }
        }

        public Task WaitForAsync(string ns, string name, int count)
        {
            lock (_waiters)
            {
                if (Count(ns, name) >= count)
                {
                    return Task.CompletedTask;
                }

                var tcs = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                _waiters.Add(($"{ns}/{name}", count, tcs));
                return tcs.Task;
            }
        }
    }

    /// <summary>Records each reconcile with the scoped dependency it was given.</summary>
    private sealed class ReplicaSetReconciler(Seen seen, PerReconcile scope) : IReconciler
    {
        public Task<ReconcileResult> ReconcileAsync(ReconcileRequest request, CancellationToken ct)
        {
            seen.Record(request, scope);
            return Task.FromResult(ReconcileResult.Done);
        }
    }
}
