using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Skiff.Client.Events;
using Skiff.Client.WorkQueue;

namespace Skiff.Client.Runtime;

/// <summary>
/// A work queue of <see cref="ReconcileRequest"/>s drained by workers that call an <see cref="IReconciler"/>
/// (controller-runtime's controller). Per item, in order: take it; reconcile; on success <c>Forget</c> it (and re-add it
/// after <see cref="ReconcileResult.RequeueAfter"/>, or rate-limited for <see cref="ReconcileResult.Requeue"/>); on an
/// exception re-add it rate-limited (<c>AddRateLimited</c>), or drop it for a <see cref="TerminalReconcileException"/>;
/// always <c>Done</c>. The queue guarantees one worker per request at a time. A throwing reconciler never stops a
/// worker. Every reconcile is counted and timed in <see cref="ControllerMetrics"/>.
/// </summary>
public sealed partial class Controller : IRunnable
{
    private readonly IReconciler _reconciler;
    private readonly ILogger _logger;
    private long _reconciles;
    private long _errors;

    public Controller(string name, IReconciler reconciler, IRateLimitingQueue<ReconcileRequest>? queue = null, int workers = 1, ILoggerFactory? loggerFactory = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(workers, 1);
        Name = name;
        _reconciler = reconciler;
        Queue = queue ?? new RateLimitingQueue<ReconcileRequest>(options: new WorkQueueOptions { Name = name });
        Workers = workers;
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger("Skiff.Client.Runtime.Controller");
    }

    public string Name { get; }

    /// <summary>The queue event handlers add to.</summary>
    public IRateLimitingQueue<ReconcileRequest> Queue { get; }

    public int Workers { get; }

    /// <summary>Reconciles finished so far (successful or not).</summary>
    public long Reconciles => Interlocked.Read(ref _reconciles);

    /// <summary>Reconciles that threw.</summary>
    public long Errors => Interlocked.Read(ref _errors);

    /// <summary>The controller's event recorder when its builder made one (source component: <see cref="Name"/>); disposed when <see cref="RunAsync"/> returns.</summary>
    public EventRecorder? Recorder { get; internal set; }

    /// <summary>Runs the workers until <paramref name="ct"/> is cancelled; then shuts the queue down and waits for in-flight reconciles.</summary>
    public async Task RunAsync(CancellationToken ct)
    {
        LogStarting(Name, Workers);
        var workers = Enumerable.Range(0, Workers).Select(_ => Task.Run(() => WorkerAsync(ct), CancellationToken.None)).ToArray();
        try
        {
            await Task.Delay(Timeout.Infinite, ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        Queue.ShutDown();
        await Task.WhenAll(workers).ConfigureAwait(false);
        if (Recorder is { } recorder)
        {
            await recorder.DisposeAsync().ConfigureAwait(false);
        }

        LogStopped(Name);
    }

    private async Task WorkerAsync(CancellationToken ct)
    {
        try
        {
            while (await ProcessNextAsync(ct).ConfigureAwait(false))
            {
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    /// <summary>Takes and reconciles one request; false once the queue is shut down.</summary>
    internal async Task<bool> ProcessNextAsync(CancellationToken ct)
    {
        ReconcileRequest request;
        try
        {
            request = await Queue.GetAsync(ct).ConfigureAwait(false);
        }
        catch (WorkQueueShutDownException)
        {
            return false;
        }

        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        string? outcome = null;
        ControllerMetrics.Worker(Name, 1);
        try
        {
            var result = await _reconciler.ReconcileAsync(request, ct).ConfigureAwait(false);
            if (result.RequeueAfter is { } after && after > TimeSpan.Zero)
            {
                outcome = "requeue_after";
                Queue.Forget(request);
                Queue.AddAfter(request, after);
            }
            else
            {
                outcome = "success";
                Queue.Forget(request);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Shutting down: leave the request for the next run.
        }
        catch (TerminalReconcileException e)
        {
            outcome = "error";
            Interlocked.Increment(ref _errors);
            ControllerMetrics.TerminalError(Name);
            LogTerminal(Name, request.ToString(), e);
            Queue.Forget(request);
        }
        catch (Exception e)
        {
            outcome = "error";
            Interlocked.Increment(ref _errors);
            LogFailed(Name, request.ToString(), Queue.GetRequeueCount(request), e);
            Queue.AddRateLimited(request);
        }
        finally
        {
            ControllerMetrics.Worker(Name, -1);
            if (outcome is not null)
            {
                ControllerMetrics.Reconciled(Name, outcome, System.Diagnostics.Stopwatch.GetElapsedTime(started));
            }

            Interlocked.Increment(ref _reconciles);
            Queue.Done(request);
        }

        return true;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "controller {Name}: starting {Workers} workers")]
    private partial void LogStarting(string name, int workers);

    [LoggerMessage(Level = LogLevel.Information, Message = "controller {Name}: stopped")]
    private partial void LogStopped(string name);

    [LoggerMessage(Level = LogLevel.Error, Message = "controller {Name}: reconcile of {Request} failed terminally; not requeued")]
    private partial void LogTerminal(string name, string request, Exception e);

    [LoggerMessage(Level = LogLevel.Warning, Message = "controller {Name}: reconcile of {Request} failed ({Retries} retries so far); requeued with backoff")]
    private partial void LogFailed(string name, string request, int retries, Exception e);
}
