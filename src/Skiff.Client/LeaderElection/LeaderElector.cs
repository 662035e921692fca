using System.Diagnostics;
using System.Diagnostics.Metrics;
using Skiff.Client.Rest;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Skiff.Client.LeaderElection;

/// <summary>
/// Competes for an <see cref="IResourceLock"/> and runs <see cref="LeaderElectionConfig.OnStartedLeading"/> while it
/// holds it (client-go <c>leaderelection.LeaderElector</c>).
/// <list type="bullet">
/// <item>Acquire: every <see cref="LeaderElectionConfig.RetryPeriod"/> (jittered) read the lock; take it (a
/// compare-and-swap update, or a create) when it is free, released, or unchanged for the holder's lease duration as
/// measured on this candidate's own clock from when it first saw that record — never from the timestamps in it, so
/// clock skew between machines does not matter.</item>
/// <item>Renew: every RetryPeriod; when no renewal succeeds within <see cref="LeaderElectionConfig.RenewDeadline"/>
/// leadership ends. Since RenewDeadline &lt; LeaseDuration, a leader that cannot renew stops before any other candidate
/// may take over.</item>
/// <item>Stop: when leadership ends or the run is cancelled, the OnStartedLeading token is cancelled, then
/// <see cref="LeaderElectionConfig.OnStoppedLeading"/> runs, then (with ReleaseOnCancel) the lock is released — so a
/// successor never starts before this candidate's OnStoppedLeading.</item>
/// </list>
/// A run ends after leadership ends; create a new run to compete again. While it leads, client-go's gauge
/// <c>leader_election_master_status{name}</c> (meter <c>Skiff.Client.LeaderElection</c>; <c>name</c> is the lock's
/// name) is 1, otherwise 0.
/// </summary>
public sealed partial class LeaderElector
{
    /// <summary>The meter carrying <c>leader_election_master_status</c>.</summary>
    public const string MeterName = "Skiff.Client.LeaderElection";

    private const double JitterFactor = 1.2;
    private static readonly Meter Meter = new(MeterName);
    private static readonly UpDownCounter<int> MasterStatus = Meter.CreateUpDownCounter<int>("leader_election_master_status",
        description: "Gauge of if the reporting system is master of the relevant lease, 0 indicates backup, 1 indicates master. 'name' is the string used to identify the lease.");
    private readonly TagList _statusTags;
    private readonly LeaderElectionConfig _config;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private ObservedLock? _observed;
    private long _observedAt;
    private string _reportedLeader = "";

    /// <exception cref="ArgumentException">The durations do not satisfy LeaseDuration &gt; RenewDeadline &gt; 1.2 × RetryPeriod &gt; 0.</exception>
    public LeaderElector(LeaderElectionConfig config)
    {
        if (config.RetryPeriod <= TimeSpan.Zero)
        {
            throw new ArgumentException("RetryPeriod must be positive", nameof(config));
        }

        if (config.LeaseDuration <= config.RenewDeadline)
        {
            throw new ArgumentException("LeaseDuration must be greater than RenewDeadline", nameof(config));
        }

        if (config.RenewDeadline <= config.RetryPeriod * JitterFactor)
        {
            throw new ArgumentException("RenewDeadline must be greater than RetryPeriod*1.2", nameof(config));
        }

        _config = config;
        _time = config.TimeProvider;
        _logger = (config.LoggerFactory ?? NullLoggerFactory.Instance).CreateLogger("Skiff.Client.LeaderElection");
        var description = config.Lock.Description;
        _statusTags = new TagList { { "name", description[(description.LastIndexOf('/') + 1)..] } };
        MasterStatus.Add(0, _statusTags);
    }

    /// <summary>True while the last observed record names this candidate.</summary>
    public bool IsLeader => Volatile.Read(ref _observed)?.Record.HolderIdentity == _config.Lock.Identity;

    /// <summary>The holder of the last observed record ("" when free or unknown).</summary>
    public string Leader => Volatile.Read(ref _observed)?.Record.HolderIdentity ?? "";

    /// <summary>Acquires, leads until the lock is lost or <paramref name="ct"/> is cancelled, then stops. Does not throw on cancellation.</summary>
    public async Task RunAsync(CancellationToken ct)
    {
        if (!await AcquireAsync(ct).ConfigureAwait(false))
        {
            return;
        }

        MasterStatus.Add(1, _statusTags);
        LogAcquired(_config.Lock.Identity, _config.Lock.Description);
        using var leading = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var started = _config.OnStartedLeading;
        var leadingTask = started is null ? Task.CompletedTask : Task.Run(() => started(leading.Token), CancellationToken.None);
        try
        {
            await RenewLoopAsync(ct).ConfigureAwait(false);
        }
        finally
        {
            MasterStatus.Add(-1, _statusTags);
            await leading.CancelAsync().ConfigureAwait(false);
            try
            {
                if (_config.OnStoppedLeading is { } stopped)
                {
                    await stopped().ConfigureAwait(false);
                }
            }
            catch (Exception e)
            {
                LogCallbackFailed(e);
            }

            if (_config.ReleaseOnCancel)
            {
                await ReleaseAsync().ConfigureAwait(false);
            }

            _ = leadingTask.ContinueWith(t => ReportLeadingFault(t.Exception!), CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
        }
    }

    /// <summary>
    /// The leading callback is cancelled when leadership ends; a callback that then fails only with cancellations
    /// (directly or as the cause of a transport error) is shutting down, not failing, and is logged at debug level.
    /// </summary>
    private void ReportLeadingFault(AggregateException fault)
    {
        if (fault.Flatten().InnerExceptions.All(IsCancellation))
        {
            LogCallbackCancelled(fault.GetBaseException().Message);
            return;
        }

        LogCallbackFailed(fault);
    }

    private static bool IsCancellation(Exception e)
    {
        for (Exception? x = e; x is not null; x = x.InnerException)
        {
            if (x is OperationCanceledException or ObjectDisposedException)
            {
                return true;
            }
        }

        return false;
    }

    private async Task<bool> AcquireAsync(CancellationToken ct)
    {
        try
        {
            while (true)
            {
                if (await TryAcquireOrRenewAsync(ct).ConfigureAwait(false))
                {
                    return true;
                }

                var jittered = _config.RetryPeriod * (1 + (Random.Shared.NextDouble() * (JitterFactor - 1)));
                await Task.Delay(jittered, _time, ct).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            return false;
        }
    }

    private async Task RenewLoopAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            using var deadline = new CancellationTokenSource(_config.RenewDeadline, _time);
            using var attempt = CancellationTokenSource.CreateLinkedTokenSource(ct, deadline.Token);
            try
            {
                while (!await TryAcquireOrRenewAsync(attempt.Token).ConfigureAwait(false))
                {
                    await Task.Delay(_config.RetryPeriod, _time, attempt.Token).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException)
            {
                if (!ct.IsCancellationRequested)
                {
                    LogLost(_config.Lock.Identity, _config.Lock.Description);
                }

                return;
            }

            try
            {
                await Task.Delay(_config.RetryPeriod, _time, ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>One attempt (client-go <c>tryAcquireOrRenew</c>); false on any failure other than cancellation.</summary>
    private async Task<bool> TryAcquireOrRenewAsync(CancellationToken ct)
    {
        var now = _time.GetUtcNow().UtcDateTime;
        var desired = new LeaderElectionRecord(_config.Lock.Identity, Math.Max(1, (int)Math.Ceiling(_config.LeaseDuration.TotalSeconds)), now, now, 0);
        try
        {
            var current = await _config.Lock.GetAsync(ct).ConfigureAwait(false);
            if (current is null)
            {
                Observe(await _config.Lock.CreateAsync(desired, ct).ConfigureAwait(false));
                return true;
            }

            if (_observed is null || _observed.Record != current.Record)
            {
                Observe(current);
            }

            var holder = current.Record.HolderIdentity;
            if (holder.Length > 0 && holder != _config.Lock.Identity
                && _time.GetElapsedTime(_observedAt) < TimeSpan.FromSeconds(current.Record.LeaseDurationSeconds))
            {
                return false;
            }

            desired = holder == _config.Lock.Identity
                ? desired with { AcquireTime = current.Record.AcquireTime, LeaderTransitions = current.Record.LeaderTransitions }
                : desired with { LeaderTransitions = current.Record.LeaderTransitions + 1 };
            Observe(await _config.Lock.UpdateAsync(current, desired, ct).ConfigureAwait(false));
            return true;
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            // A failure that races the renew deadline (or arrives as a transport error once the request is cancelled)
            // is the deadline passing, not an error: the caller gives up leadership rather than crashing.
            ct.ThrowIfCancellationRequested();
            LogAttemptFailed(_config.Lock.Description, e.Message);
            return false;
        }
    }

    private void Observe(ObservedLock observed)
    {
        Volatile.Write(ref _observed, observed);
        _observedAt = _time.GetTimestamp();
        var holder = observed.Record.HolderIdentity;
        if (holder != _reportedLeader)
        {
            _reportedLeader = holder;
            if (holder.Length > 0)
            {
                if (_config.OnNewLeader is { } observer)
                {
                    Task notified;
                    try
                    {
                        notified = observer(holder);
                    }
                    catch (Exception e)
                    {
                        notified = Task.FromException(e);
                    }

                    _ = notified.ContinueWith(t => LogCallbackFailed(t.Exception!), CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
                }
            }
        }
    }

    private async Task ReleaseAsync()
    {
        if (!IsLeader || _observed is not { } observed)
        {
            return;
        }

        var now = _time.GetUtcNow().UtcDateTime;
        using var timeout = new CancellationTokenSource(_config.RenewDeadline, _time);
        try
        {
            // A renewal cancelled mid-flight may have written the lease without this candidate seeing the answer, so
            // the observed version can be stale: on a conflict, re-read and release again while the lease is still ours.
            for (var attempt = 0; ; attempt++)
            {
                try
                {
                    Observe(await _config.Lock.UpdateAsync(observed, new LeaderElectionRecord("", 1, now, now, observed.Record.LeaderTransitions), timeout.Token).ConfigureAwait(false));
                    return;
                }
                catch (KubernetesApiException e) when (e.IsConflict && attempt < 3)
                {
                    var current = await _config.Lock.GetAsync(timeout.Token).ConfigureAwait(false);
                    if (current is null || current.Record.HolderIdentity != _config.Lock.Identity)
                    {
                        return;
                    }

                    observed = current;
                }
            }
        }
        catch (Exception e)
        {
            LogAttemptFailed(_config.Lock.Description, "release: " + e.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Identity} acquired lease {Lock}")]
    private partial void LogAcquired(string identity, string @lock);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Identity} lost lease {Lock}: no renewal within the renew deadline")]
    private partial void LogLost(string identity, string @lock);

    [LoggerMessage(Level = LogLevel.Debug, Message = "lease {Lock}: {Error}")]
    private partial void LogAttemptFailed(string @lock, string error);

    [LoggerMessage(Level = LogLevel.Debug, Message = "leading callback ended by cancellation: {Reason}")]
    private partial void LogCallbackCancelled(string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "leader election callback threw")]
    private partial void LogCallbackFailed(Exception e);
}
