using Microsoft.Extensions.Logging;
using Skiff.Client.Cache;
using Skiff.Client.Events;
using Skiff.Client.LeaderElection;
using Skiff.Client.Typed;

namespace Skiff.Client.Runtime;

/// <summary>
/// Hosts shared informers and controllers (controller-runtime <c>manager.Manager</c>). <see cref="RunAsync"/> starts
/// every informer, waits until their caches have synced, then runs every controller — immediately, or, with
/// <see cref="ManagerOptions.LeaderElection"/>, only while this process holds the Lease. It returns when cancelled or
/// when leadership is lost (a process should then exit, as upstream managers do), after the controllers have stopped
/// (queues shut down, in-flight reconciles finished) and the informers have stopped.
/// </summary>
public sealed class Manager
{
    private readonly List<IRunnable> _runnables = [];
    private readonly object _lock = new();
    private readonly TaskCompletionSource _elected = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _running;

    public Manager(Clientset clientset, ManagerOptions? options = null)
    {
        Options = options ?? new ManagerOptions();
        if (Options.LeaderElection && string.IsNullOrEmpty(Options.LeaderElectionId))
        {
            throw new ArgumentException("LeaderElectionId is required with LeaderElection", nameof(options));
        }

        Clientset = clientset;
        Informers = new SharedInformerFactory(clientset, new SharedInformerOptions
        {
            ResyncPeriod = Options.ResyncPeriod,
            TimeProvider = Options.TimeProvider,
            LoggerFactory = Options.LoggerFactory,
        }, Options.Namespace);
        Identity = Options.Identity ?? $"{Environment.MachineName}_{Guid.NewGuid():N}";
    }

    public ManagerOptions Options { get; }

    public Clientset Clientset { get; }

    /// <summary>The shared informers (one per type) every controller of this manager uses.</summary>
    public SharedInformerFactory Informers { get; }

    /// <summary>This process's leader-election identity.</summary>
    public string Identity { get; }

    /// <summary>Completes when the controllers start (at once without leader election; on acquiring the Lease with it).</summary>
    public Task Elected => _elected.Task;

    /// <summary>Starts building a controller whose informers are this manager's (controller-runtime's <c>NewControllerManagedBy</c>).</summary>
    public ControllerBuilder CreateController() => new(this);

    /// <summary>A new event recorder writing as <paramref name="component"/> (controller-runtime's <c>GetEventRecorderFor</c>).</summary>
    public EventRecorder CreateEventRecorder(string component) => new(Clientset, component, timeProvider: Options.TimeProvider);

    /// <summary>The controllers added so far.</summary>
    public IReadOnlyList<Controller> Controllers => [.. Runnables.OfType<Controller>()];

    /// <summary>Everything added so far (controllers and other runnables), in the order added.</summary>
    public IReadOnlyList<IRunnable> Runnables
    {
        get
        {
            lock (_lock)
            {
                return [.. _runnables];
            }
        }
    }

    /// <summary>
    /// Adds a runnable (a <see cref="Controller"/> or anything else); it runs when the manager runs — after the caches
    /// have synced, and only while leading when <see cref="IRunnable.NeedsLeaderElection"/> and leader election is on.
    /// </summary>
    /// <exception cref="InvalidOperationException">The manager is already running.</exception>
    public void Add(IRunnable runnable)
    {
        lock (_lock)
        {
            if (_running != 0)
            {
                throw new InvalidOperationException("runnables must be added before the manager runs");
            }

            _runnables.Add(runnable);
        }
    }

    /// <summary>Runs until <paramref name="ct"/> is cancelled or leadership is lost. Call once.</summary>
    public async Task RunAsync(CancellationToken ct)
    {
        if (Interlocked.Exchange(ref _running, 1) != 0)
        {
            throw new InvalidOperationException("the manager is already running");
        }

        try
        {
            await Informers.StartAsync(ct).ConfigureAwait(false);
            try
            {
                await Informers.WaitForCacheSyncAsync(ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }

            if (!Options.LeaderElection)
            {
                await RunControllersAsync(Runnables, ct).ConfigureAwait(false);
                return;
            }

            // Runnables that do not need the Lease run from now on, leader or not, until the manager returns.
            using var unelectedStop = CancellationTokenSource.CreateLinkedTokenSource(ct);
            var unelected = Task.WhenAll(Runnables.Where(r => !r.NeedsLeaderElection).Select(r => r.RunAsync(unelectedStop.Token)));

            Task controllers = Task.CompletedTask;
            var elector = new LeaderElector(new LeaderElectionConfig
            {
                Lock = new LeaseLock(Clientset, Options.LeaderElectionNamespace, Options.LeaderElectionId, Identity),
                LeaseDuration = Options.LeaseDuration,
                RenewDeadline = Options.RenewDeadline,
                RetryPeriod = Options.RetryPeriod,
                TimeProvider = Options.TimeProvider,
                LoggerFactory = Options.LoggerFactory,
                ReleaseOnCancel = true,
                OnStartedLeading = leading =>
                {
                    controllers = RunControllersAsync(Runnables.Where(r => r.NeedsLeaderElection), leading);
                    return controllers;
                },

                // Runs before the Lease is released: let in-flight reconciles finish first (bounded), so a successor's
                // controllers never overlap ours.
                OnStoppedLeading = async () =>
                {
                    try
                    {
                        await controllers.WaitAsync(Options.RenewDeadline, Options.TimeProvider).ConfigureAwait(false);
                    }
                    catch (TimeoutException)
                    {
                        // Bounded: the Lease is released anyway.
                    }
                },
            });
            await elector.RunAsync(ct).ConfigureAwait(false);
            await controllers.ConfigureAwait(false);
            await unelectedStop.CancelAsync().ConfigureAwait(false);
            await unelected.ConfigureAwait(false);
        }
        finally
        {
            await Informers.DisposeAsync().ConfigureAwait(false);
        }
    }

    private Task RunControllersAsync(IEnumerable<IRunnable> runnables, CancellationToken ct)
    {
        _elected.TrySetResult();
        return Task.WhenAll(runnables.Select(r => r.RunAsync(ct)));
    }
}
