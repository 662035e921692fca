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
    private readonly List<Controller> _controllers = [];
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

    /// <summary>Starts building a controller whose informers are this manager's.</summary>
    public ControllerBuilder NewControllerManagedBy() => new(this);

    /// <summary>An event recorder writing as <paramref name="component"/>.</summary>
    public EventRecorder GetEventRecorder(string component) => new(Clientset, component, timeProvider: Options.TimeProvider);

    /// <summary>The controllers added so far.</summary>
    public IReadOnlyList<Controller> Controllers
    {
        get
        {
            lock (_lock)
            {
                return [.. _controllers];
            }
        }
    }

    /// <summary>Adds a controller; it runs when the manager runs.</summary>
    /// <exception cref="InvalidOperationException">The manager is already running.</exception>
    public void Add(Controller controller)
    {
        lock (_lock)
        {
            if (_running != 0)
            {
                throw new InvalidOperationException("controllers must be added before the manager runs");
            }

            _controllers.Add(controller);
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
                await RunControllersAsync(ct).ConfigureAwait(false);
                return;
            }

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
                    controllers = RunControllersAsync(leading);
                    return controllers;
                },

                // Runs before the Lease is released: let in-flight reconciles finish first (bounded), so a successor's
                // controllers never overlap ours.
                OnStoppedLeading = () => controllers.Wait(Options.RenewDeadline),
            });
            await elector.RunAsync(ct).ConfigureAwait(false);
            await controllers.ConfigureAwait(false);
        }
        finally
        {
            await Informers.DisposeAsync().ConfigureAwait(false);
        }
    }

    private Task RunControllersAsync(CancellationToken ct)
    {
        _elected.TrySetResult();
        return Task.WhenAll(Controllers.Select(c => c.RunAsync(ct)));
    }
}
