using System.Collections.Concurrent;
using k8s.Models;
using Microsoft.Extensions.Time.Testing;
using Skiff.Client.Cache;
using Skiff.Client.Events;
using Skiff.Client.Options;
using Skiff.Client.Rest;
using Skiff.Client.Runtime;
using Skiff.Client.Typed;
using Xunit;

namespace Skiff.Client.Tests.Integration;

/// <summary>The controller runtime (manager, builder, controller, event recorder) against the real in-process API server.</summary>
public sealed class ControllerRuntimeIntegrationTests(ControlPlaneFixture fx) : IClassFixture<ControlPlaneFixture>
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    /// <summary>Ensures a ConfigMap "ns-info" (owned by the namespace) in every namespace labelled <c>cm-test=&lt;label&gt;</c>; fails each namespace's first attempt.</summary>
    private sealed class ConfigMapPerNamespace(Clientset cs, Lister<V1Namespace> namespaces, string label) : IReconciler
    {
        public ConcurrentDictionary<string, int> Attempts { get; } = new();

        public async Task<ReconcileResult> ReconcileAsync(ReconcileRequest request, CancellationToken ct)
        {
            Assert.Null(request.Namespace);
            var ns = namespaces.Get(null, request.Name);
            if (ns?.Metadata.Labels?.TryGetValue("cm-test", out var v) != true || v != label)
            {
                return ReconcileResult.Done;
            }

            if (Attempts.AddOrUpdate(request.Name, 1, (_, n) => n + 1) == 1)
            {
                throw new InvalidOperationException("transient failure on the first attempt");
            }

            var cms = cs.CoreV1().ConfigMaps(request.Name);
            try
            {
                await cms.GetAsync("ns-info", ct: ct);
            }
            catch (KubernetesApiException e) when (e.IsNotFound)
            {
                var cm = TestObjects.ConfigMap("ns-info", ns.Metadata.Name);
                cm.Metadata.OwnerReferences =
                [
                    new V1OwnerReference { ApiVersion = "v1", Kind = "Namespace", Name = ns.Metadata.Name, Uid = ns.Metadata.Uid, Controller = true },
                ];
                await cms.CreateAsync(cm, ct: ct);
            }

            return ReconcileResult.Done;
        }
    }

    private static async Task<V1Namespace> LabelledNamespaceAsync(Clientset cs, string label)
        => await cs.CoreV1().Namespaces().CreateAsync(new V1Namespace
        {
            Metadata = new V1ObjectMeta { Name = $"cm-{Guid.NewGuid().ToString("N")[..8]}", Labels = new Dictionary<string, string> { ["cm-test"] = label } },
        });

    [Fact]
    public async Task Manager_ConfigMapPerNamespace_ConvergesRetriesAndRepairs()
    {
        using var cs = fx.Clientset();
        var label = Guid.NewGuid().ToString("N")[..8];
        var manager = new Manager(cs);
        var reconciler = new ConfigMapPerNamespace(cs, manager.Informers.Informer<V1Namespace>().Lister, label);
        var controller = manager.CreateController().For<V1Namespace>().Owns<V1ConfigMap>().WithWorkers(2).Complete(reconciler);
        var before = await LabelledNamespaceAsync(cs, label); // exists before the manager starts
        using var stop = new CancellationTokenSource();
        var run = manager.RunAsync(stop.Token);
        await manager.Elected.WaitAsync(Deadline);
        var after = await LabelledNamespaceAsync(cs, label);

        var cm1 = await Until.ExistsAsync(cs.CoreV1().ConfigMaps(before.Metadata.Name), c => c.Metadata.Name == "ns-info");
        var cm2 = await Until.ExistsAsync(cs.CoreV1().ConfigMaps(after.Metadata.Name), c => c.Metadata.Name == "ns-info");
        Assert.Equal(before.Metadata.Uid, Assert.Single(cm1.Metadata.OwnerReferences).Uid);
        Assert.Equal(after.Metadata.Name, cm2.Data["k"]);
        Assert.True(reconciler.Attempts[before.Metadata.Name] >= 2); // the first attempt threw and was retried
        Assert.True(controller.Errors >= 2);

        // Deleting the owned ConfigMap reconciles its owner, which recreates it.
        await cs.CoreV1().ConfigMaps(after.Metadata.Name).DeleteAsync("ns-info");
        var recreated = await Until.ExistsAsync(cs.CoreV1().ConfigMaps(after.Metadata.Name), c => c.Metadata.Name == "ns-info" && c.Metadata.Uid != cm2.Metadata.Uid);
        Assert.Equal(after.Metadata.Uid, recreated.Metadata.OwnerReferences[0].Uid);

        await stop.CancelAsync();
        await run.WaitAsync(Deadline);
        Assert.True(controller.Queue.IsShuttingDown);
    }

    [Fact]
    public async Task Manager_WithLeaderElection_RunsControllersOnlyWhileLeading()
    {
        using var cs = fx.Clientset();
        var label = Guid.NewGuid().ToString("N")[..8];
        var options = new ManagerOptions
        {
            LeaderElection = true,
            LeaderElectionId = $"mgr-{label}",
            LeaderElectionNamespace = "default",
            LeaseDuration = TimeSpan.FromSeconds(3),
            RenewDeadline = TimeSpan.FromSeconds(2),
            RetryPeriod = TimeSpan.FromMilliseconds(300),
        };
        var first = new Manager(cs, options with { Identity = "first" });
        var second = new Manager(cs, options with { Identity = "second" });
        var r1 = new ConfigMapPerNamespace(cs, first.Informers.Informer<V1Namespace>().Lister, label);
        var r2 = new ConfigMapPerNamespace(cs, second.Informers.Informer<V1Namespace>().Lister, label);
        first.CreateController().For<V1Namespace>().Owns<V1ConfigMap>().Complete(r1);
        second.CreateController().For<V1Namespace>().Owns<V1ConfigMap>().Complete(r2);

        using var stopFirst = new CancellationTokenSource();
        using var stopSecond = new CancellationTokenSource();
        var runFirst = first.RunAsync(stopFirst.Token);
        await first.Elected.WaitAsync(Deadline);
        var runSecond = second.RunAsync(stopSecond.Token);
        var ns = await LabelledNamespaceAsync(cs, label);
        await Until.ExistsAsync(cs.CoreV1().ConfigMaps(ns.Metadata.Name), c => c.Metadata.Name == "ns-info");
        Assert.False(second.Elected.IsCompleted);
        Assert.False(r2.Attempts.ContainsKey(ns.Metadata.Name));
        Assert.Equal("first", (await cs.CoordinationV1().Leases("default").GetAsync(options.LeaderElectionId)).Spec.HolderIdentity);

        // The leader stops (releasing the Lease): the other takes over and reconciles.
        await stopFirst.CancelAsync();
        await runFirst.WaitAsync(Deadline);
        await second.Elected.WaitAsync(Deadline);
        var ns2 = await LabelledNamespaceAsync(cs, label);
        await Until.ExistsAsync(cs.CoreV1().ConfigMaps(ns2.Metadata.Name), c => c.Metadata.Name == "ns-info");
        Assert.True(r2.Attempts[ns2.Metadata.Name] >= 2);
        await stopSecond.CancelAsync();
        await runSecond.WaitAsync(Deadline);
    }

    [Fact]
    public async Task EventRecorder_RepeatedEvent_AggregatesCountAndLastTimestampWithinWindow()
    {
        using var cs = fx.Clientset();
        var ns = await fx.NamespaceAsync(cs);
        var cm = await cs.CoreV1().ConfigMaps(ns).CreateAsync(TestObjects.ConfigMap("subject"));
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero));
        await using var recorder = new EventRecorder(cs, "client2-test", "host-1", time);
        var events = cs.CoreV1().Events(ns);
        async Task<List<Corev1Event>> ListAsync() => [.. (await events.ListAsync(new ListOptions { FieldSelector = "involvedObject.name=subject" })).Items.OrderBy(e => e.Metadata.Name, StringComparer.Ordinal)];

        await recorder.EventAsync(cm, EventRecorder.Normal, "Synced", "all good");
        time.Advance(TimeSpan.FromSeconds(5));
        await recorder.EventAsync(cm, EventRecorder.Normal, "Synced", "all good");
        time.Advance(TimeSpan.FromSeconds(5));
        await recorder.EventAsync(cm, EventRecorder.Normal, "Synced", "all good");
        var one = Assert.Single(await ListAsync());
        Assert.Equal(3, one.Count);
        Assert.Equal(TimeSpan.FromSeconds(10), one.LastTimestamp!.Value - one.FirstTimestamp!.Value);
        Assert.Equal("ConfigMap", one.InvolvedObject.Kind);
        Assert.Equal(cm.Metadata.Uid, one.InvolvedObject.Uid);
        Assert.Equal("client2-test", one.Source.Component);
        Assert.Equal("host-1", one.Source.Host);
        Assert.Equal("Normal", one.Type);

        // Another message is another event; the same one after the window starts over.
        await recorder.EventAsync(cm, EventRecorder.Warning, "Synced", "something else");
        Assert.Equal(2, (await ListAsync()).Count);
        time.Advance(TimeSpan.FromMinutes(11));
        await recorder.EventAsync(cm, EventRecorder.Normal, "Synced", "all good");
        var three = await ListAsync();
        Assert.Equal(3, three.Count);
        Assert.Equal([1, 1, 3], three.Select(e => e.Count ?? 0).Order());

        // An aggregated Event deleted meanwhile is recreated.
        var latest = three.Single(e => e.Count == 1 && e.Message == "all good");
        await events.DeleteAsync(latest.Metadata.Name);
        time.Advance(TimeSpan.FromSeconds(1));
        await recorder.EventAsync(cm, EventRecorder.Normal, "Synced", "all good");
        Assert.Equal(3, (await ListAsync()).Count);
    }

    [Fact]
    public async Task EventRecorder_ManyMessagesForOneReason_CombinesThemIntoOneEvent()
    {
        using var cs = fx.Clientset();
        var ns = await fx.NamespaceAsync(cs);
        var cm = await cs.CoreV1().ConfigMaps(ns).CreateAsync(TestObjects.ConfigMap("noisy"));
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero));
        await using var recorder = new EventRecorder(cs, "client2-test", "host-1", time);
        for (var i = 1; i <= 12; i++)
        {
            time.Advance(TimeSpan.FromSeconds(1));
            await recorder.EventAsync(cm, EventRecorder.Warning, "Failed", $"attempt {i} failed");
        }

        var events = (await cs.CoreV1().Events(ns).ListAsync(new ListOptions { FieldSelector = "involvedObject.name=noisy" })).Items;
        Assert.Equal(10, events.Count); // 9 distinct messages, then one combined Event
        var combined = Assert.Single(events, e => e.Message.StartsWith("(combined from similar events): ", StringComparison.Ordinal));
        Assert.Equal("(combined from similar events): attempt 12 failed", combined.Message);
        Assert.Equal(3, combined.Count);
        Assert.All(events.Where(e => e != combined), e => Assert.Equal(1, e.Count));
    }

    [Fact]
    public async Task EventRecorder_DistinctEventsInOneClockTick_AllWritten()
    {
        using var cs = fx.Clientset();
        var ns = await fx.NamespaceAsync(cs);
        var cm = await cs.CoreV1().ConfigMaps(ns).CreateAsync(TestObjects.ConfigMap("same-tick"));
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero));
        await using var recorder = new EventRecorder(cs, "client2-test", "host-1", time);

        // The clock does not move: upstream names events by the time, which a coarse or fake clock repeats.
        await recorder.EventAsync(cm, EventRecorder.Normal, "Created", "first");
        await recorder.EventAsync(cm, EventRecorder.Normal, "Started", "second");
        await recorder.EventAsync(cm, EventRecorder.Warning, "Failed", "third");

        var events = (await cs.CoreV1().Events(ns).ListAsync(new ListOptions { FieldSelector = "involvedObject.name=same-tick" })).Items;
        Assert.Equal(["Created", "Failed", "Started"], events.Select(e => e.Reason).Order(StringComparer.Ordinal));
        Assert.Equal(3, events.Select(e => e.Metadata.Name).Distinct().Count());
    }

    [Fact]
    public async Task EventRecorder_BurstAboutOneObject_DropsBeyondTheSpamBudget()
    {
        using var cs = fx.Clientset();
        var ns = await fx.NamespaceAsync(cs);
        var cm = await cs.CoreV1().ConfigMaps(ns).CreateAsync(TestObjects.ConfigMap("spammed"));
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero));
        await using var recorder = new EventRecorder(cs, "client2-test", "host-1", time);
        for (var i = 0; i < 30; i++)
        {
            await recorder.EventAsync(cm, EventRecorder.Normal, "Tick", "tick");
        }

        async Task<int?> CountAsync() => Assert.Single((await cs.CoreV1().Events(ns).ListAsync(new ListOptions { FieldSelector = "involvedObject.name=spammed" })).Items).Count;
        Assert.Equal(25, await CountAsync());
        time.Advance(TimeSpan.FromMinutes(5)); // one token back
        await recorder.EventAsync(cm, EventRecorder.Normal, "Tick", "tick");
        await recorder.EventAsync(cm, EventRecorder.Normal, "Tick", "tick");
        Assert.Equal(26, await CountAsync());
    }

    /// <summary>Records every request it is given and signals waiters.</summary>
    private sealed class RecordingReconciler : IReconciler
    {
        private readonly object _lock = new();
        private readonly List<(Func<ReconcileRequest, bool> Match, TaskCompletionSource Tcs)> _waits = [];

        public ConcurrentBag<ReconcileRequest> Seen { get; } = [];

        public Task WaitForAsync(Func<ReconcileRequest, bool> match)
        {
            lock (_lock)
            {
                if (Seen.Any(match))
                {
                    return Task.CompletedTask;
                }

                var tcs = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                _waits.Add((match, tcs));
                return tcs.Task.WaitAsync(Deadline);
            }
        }

        public Task<ReconcileResult> ReconcileAsync(ReconcileRequest request, CancellationToken ct)
        {
            lock (_lock)
            {
                Seen.Add(request);
                foreach (var w in _waits.Where(w => w.Match(request)).ToList())
                {
                    _waits.Remove(w);
                    w.Tcs.TrySetResult();
                }
            }

            return Task.FromResult(ReconcileResult.Done);
        }
    }

    [Fact]
    public async Task Builder_PredicateAndWatches_FilterForEventsAndMapOtherKinds()
    {
        using var cs = fx.Clientset();
        var label = Guid.NewGuid().ToString("N")[..8];
        var manager = new Manager(cs);
        var reconciler = new RecordingReconciler();
        manager.CreateController()
            .Named("watches-test")
            .For<V1Namespace>(ns => ns.Metadata.Labels?.TryGetValue("cm-test", out var v) == true && v == label)
            .Watches<V1Secret>(secret => secret.Metadata.Name == "trigger" ? [new ReconcileRequest(null, secret.Metadata.NamespaceProperty)] : [])
            .Complete(reconciler);
        using var stop = new CancellationTokenSource();
        var run = manager.RunAsync(stop.Token);
        await manager.Elected.WaitAsync(Deadline);

        var labelled = await LabelledNamespaceAsync(cs, label);
        var plain = await fx.NamespaceAsync(cs, "plain");
        await reconciler.WaitForAsync(r => r.Name == labelled.Metadata.Name);

        // The unlabelled namespace reaches the reconciler only through the secret mapping.
        await cs.CoreV1().Secrets(plain).CreateAsync(new V1Secret { Metadata = new V1ObjectMeta { Name = "trigger" }, StringData = new Dictionary<string, string> { ["k"] = "v" } });
        await reconciler.WaitForAsync(r => r.Name == plain);
        Assert.All(reconciler.Seen, r => Assert.Null(r.Namespace));
        Assert.DoesNotContain(reconciler.Seen, r => r.Name is "default" or "kube-system");

        await stop.CancelAsync();
        await run.WaitAsync(Deadline);
    }
}
