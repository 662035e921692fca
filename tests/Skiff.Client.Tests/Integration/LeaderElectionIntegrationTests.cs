using Skiff.Client.LeaderElection;
using Skiff.Client.Typed;
using Xunit;

namespace Skiff.Client.Tests.Integration;

/// <summary>Leader election over a real Lease on the in-process API server; observed only through the callbacks.</summary>
public sealed class LeaderElectionIntegrationTests(ControlPlaneFixture fx) : IClassFixture<ControlPlaneFixture>
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    /// <summary>Records leadership starts and stops; flags any start while another candidate leads.</summary>
    private sealed class LeadershipLog
    {
        private readonly object _lock = new();
        private readonly HashSet<string> _leading = [];
        private readonly List<(Func<IReadOnlyList<string>, bool> Cond, TaskCompletionSource Tcs)> _waits = [];

        public List<string> Events { get; } = [];

        public List<string> Violations { get; } = [];

        public void Started(string id) => Record($"start {id}", () =>
        {
            if (_leading.Count > 0)
            {
                Violations.Add($"{id} started while {string.Join(",", _leading)} led");
            }

            _leading.Add(id);
        });

        public void Stopped(string id) => Record($"stop {id}", () => _leading.Remove(id));

        public void NewLeader(string observer, string leader) => Record($"{observer} sees {leader}", () => { });

        public Task WaitAsync(Func<IReadOnlyList<string>, bool> cond)
        {
            lock (_lock)
            {
                if (cond(Events))
                {
                    return Task.CompletedTask;
                }

                var tcs = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                _waits.Add((cond, tcs));
                return tcs.Task.WaitAsync(Deadline);
            }
        }

        public List<string> Snapshot()
        {
            lock (_lock)
            {
                return [.. Events];
            }
        }

        private void Record(string e, Action update)
        {
            lock (_lock)
            {
                update();
                Events.Add(e);
                foreach (var w in _waits.Where(w => w.Cond(Events)).ToList())
                {
                    _waits.Remove(w);
                    w.Tcs.TrySetResult();
                }
            }
        }
    }

    /// <summary>A lock that can be cut off from the server, like a leader on the wrong side of a partition.</summary>
    private sealed class PartitionableLock(IResourceLock inner) : IResourceLock
    {
        public volatile bool Partitioned;

        public string Identity => inner.Identity;

        public string Description => inner.Description;

        public Task<ObservedLock?> GetAsync(CancellationToken ct) => Partitioned ? Fail<ObservedLock?>() : inner.GetAsync(ct);

        public Task<ObservedLock> CreateAsync(LeaderElectionRecord record, CancellationToken ct) => Partitioned ? Fail<ObservedLock>() : inner.CreateAsync(record, ct);

        public Task<ObservedLock> UpdateAsync(ObservedLock previous, LeaderElectionRecord record, CancellationToken ct)
            => Partitioned ? Fail<ObservedLock>() : inner.UpdateAsync(previous, record, ct);

        private static Task<T> Fail<T>() => Task.FromException<T>(new HttpRequestException("partitioned"));
    }

    private static LeaderElectionConfig Config(IResourceLock l, LeadershipLog log, bool release = false) => new()
    {
        Lock = l,
        // A wide margin between giving up (RenewDeadline) and being taken over (LeaseDuration), for loaded machines.
        LeaseDuration = TimeSpan.FromSeconds(5),
        RenewDeadline = TimeSpan.FromSeconds(1.5),
        RetryPeriod = TimeSpan.FromMilliseconds(300),
        ReleaseOnCancel = release,
        OnStartedLeading = _ =>
        {
            log.Started(l.Identity);
            return Task.CompletedTask;
        },
        OnStoppedLeading = () =>
        {
            log.Stopped(l.Identity);
            return Task.CompletedTask;
        },
        OnNewLeader = leader =>
        {
            log.NewLeader(l.Identity, leader);
            return Task.CompletedTask;
        },
    };

    [Fact]
    public async Task Run_LeaderStopsRenewing_AnotherTakesOverOnlyAfterItStopped()
    {
        using var cs = fx.Clientset();
        var ns = await fx.NamespaceAsync(cs);
        var log = new LeadershipLog();
        var lockA = new PartitionableLock(new LeaseLock(cs, ns, "handover", "a"));
        var a = new LeaderElector(Config(lockA, log));
        var b = new LeaderElector(Config(new LeaseLock(cs, ns, "handover", "b"), log));
        using var stop = new CancellationTokenSource();

        var runA = a.RunAsync(stop.Token);
        await log.WaitAsync(e => e.Contains("start a"));
        var runB = b.RunAsync(stop.Token);
        await log.WaitAsync(e => e.Contains("b sees a"));
        Assert.True(a.IsLeader);
        Assert.False(b.IsLeader);

        lockA.Partitioned = true;
        await log.WaitAsync(e => e.Contains("start b"));
        var events = log.Snapshot();
        Assert.Empty(log.Violations);
        Assert.True(events.IndexOf("stop a") < events.IndexOf("start b"), string.Join("; ", events));
        Assert.Contains("b sees b", events);
        await runA.WaitAsync(Deadline); // a's run ended when it gave up

        var lease = await cs.CoordinationV1().Leases(ns).GetAsync("handover");
        Assert.Equal("b", lease.Spec.HolderIdentity);
        Assert.Equal(1, lease.Spec.LeaseTransitions);
        Assert.Equal(5, lease.Spec.LeaseDurationSeconds);
        Assert.NotNull(lease.Spec.AcquireTime);
        Assert.NotNull(lease.Spec.RenewTime);

        await stop.CancelAsync();
        await runB.WaitAsync(Deadline);
        await log.WaitAsync(e => e.Contains("stop b"));
    }

    [Fact]
    public async Task Run_ThreeCandidatesHandingOver_NeverTwoLeadersAtOnce()
    {
        using var cs = fx.Clientset();
        var ns = await fx.NamespaceAsync(cs);
        var log = new LeadershipLog();
        const int Terms = 6;
        var terms = 0;
        using var overall = new CancellationTokenSource(Deadline);

        async Task CandidateAsync(string id)
        {
            while (Volatile.Read(ref terms) < Terms && !overall.IsCancellationRequested)
            {
                using var run = CancellationTokenSource.CreateLinkedTokenSource(overall.Token);
                var elector = new LeaderElector(Config(new LeaseLock(cs, ns, "trio", id), log, release: true) with
                {
                    // Lead for one renewal, then step down (releasing the lease).
                    OnStartedLeading = async leading =>
                    {
                        log.Started(id);
                        Interlocked.Increment(ref terms);
                        await Task.Yield();
                        await run.CancelAsync();
                    },
                });
                var ledBefore = log.Snapshot().Count(e => e == $"start {id}");
                await elector.RunAsync(run.Token);
                if (log.Snapshot().Count(e => e == $"start {id}") > ledBefore)
                {
                    // Give the others a turn: compete again only once someone else has led.
                    var mark = log.Snapshot().Count;
                    await log.WaitAsync(e => Volatile.Read(ref terms) >= Terms || e.Skip(mark).Any(x => x.StartsWith("start ", StringComparison.Ordinal)));
                }
            }
        }

        await Task.WhenAll(CandidateAsync("x"), CandidateAsync("y"), CandidateAsync("z")).WaitAsync(Deadline);
        var events = log.Snapshot().Where(e => e.StartsWith("start", StringComparison.Ordinal) || e.StartsWith("stop", StringComparison.Ordinal)).ToList();
        Assert.Empty(log.Violations);
        Assert.True(events.Count(e => e.StartsWith("start", StringComparison.Ordinal)) >= Terms, string.Join("; ", events));
        for (var i = 0; i < events.Count; i++)
        {
            // Strict alternation: start X, stop X, start Y, stop Y, …
            Assert.StartsWith(i % 2 == 0 ? "start " : "stop ", events[i], StringComparison.Ordinal);
            if (i % 2 == 1)
            {
                Assert.Equal(events[i - 1][6..], events[i][5..]);
            }
        }

        Assert.True(events.Where(e => e.StartsWith("start", StringComparison.Ordinal)).Distinct().Count() >= 2);
        var lease = await cs.CoordinationV1().Leases(ns).GetAsync("trio");
        Assert.Equal("", lease.Spec.HolderIdentity ?? "");
        Assert.True(lease.Spec.LeaseTransitions >= Terms - 1);
    }

    [Fact]
    public void Constructor_DurationsOutOfOrder_Throws()
    {
        using var cs = fx.Clientset();
        var l = new LeaseLock(cs, "default", "x", "me");
        Assert.Throws<ArgumentException>(() => new LeaderElector(new LeaderElectionConfig { Lock = l, LeaseDuration = TimeSpan.FromSeconds(5), RenewDeadline = TimeSpan.FromSeconds(5) }));
        Assert.Throws<ArgumentException>(() => new LeaderElector(new LeaderElectionConfig { Lock = l, RenewDeadline = TimeSpan.FromSeconds(2), RetryPeriod = TimeSpan.FromSeconds(2) }));
    }
}
