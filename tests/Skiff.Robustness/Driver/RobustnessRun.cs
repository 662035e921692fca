using System.Globalization;
using System.Net;
using System.Text;
using Skiff.Robustness.Checking;
using Skiff.Robustness.History;

namespace Skiff.Robustness.Driver;

/// <summary>
/// One robustness run against a live API server: a fresh namespace, watchers (all objects, a selector on each label
/// value, one whose server-side timeout makes it resume every few seconds, one from revision 1 that must get 410 or a
/// full replay, one started mid-run from an older revision), concurrent writers for the duration while an optional
/// fault runs (e.g. kill -9 and restart of the server), then a final consistent list, a sentinel write every watcher
/// must reach, and every check of <see cref="RobustnessChecker"/>.
/// </summary>
public static class RobustnessRun
{
    /// <summary>Runs the workload and checks it.</summary>
    /// <param name="connection">The API server.</param>
    /// <param name="options">The run's shape.</param>
    /// <param name="fault">Runs beside the writers from their start (it must return before the duration ends to count).</param>
    /// <param name="ct">Aborts the run.</param>
    public static async Task<RobustnessReport> RunAsync(ApiConnection connection, RobustnessOptions options, Func<CancellationToken, Task>? fault, CancellationToken ct)
    {
        var ns = "robust-" + Guid.NewGuid().ToString("N")[..8];
        var client = new ConfigMapClient(connection, ns, options.RequestTimeout);
        await CreateNamespaceAsync(connection, ns, ct);
        var startRv = await ListRvAsync(client, ct);
        var history = new HistoryRecorder();
        var keys = Enumerable.Range(0, options.Keys).Select(i => "k" + i.ToString(CultureInfo.InvariantCulture)).ToList();
        var writers = Enumerable.Range(0, options.Writers).Select(i => new Writer(i, client, history, keys, options.Seed + i)).ToList();

        using var watching = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var watchers = new List<(Watcher Watcher, Task Task)>();
        void Watch(string name, string? selector, int timeoutSeconds, long from)
        {
            var w = new Watcher(client, connection, new WatchStream(name, selector), timeoutSeconds);
            watchers.Add((w, Task.Run(() => w.RunAsync(from, watching.Token), CancellationToken.None)));
        }

        Watch("all", null, 3600, startRv);
        Watch("all-short", null, 3, startRv);
        Watch("yes", ConfigMapJson.Label + "=yes", 3600, startRv);
        Watch("no", ConfigMapJson.Label + "=no", 5, startRv);
        Watch("from-1", null, 3600, 1);

        using var writing = new CancellationTokenSource();
        var tasks = writers.Select(w => Task.Run(() => w.RunAsync(writing.Token, ct), CancellationToken.None)).ToList();
        var faultTask = fault is null ? Task.CompletedTask : Task.Run(() => fault(ct), CancellationToken.None);
        var stopWriters = Task.WhenAll(Task.Delay(options.Duration, ct), fault is null ? Task.CompletedTask : AfterFaultAsync(faultTask, history, options, ct))
            .ContinueWith(_ => writing.Cancel(), TaskScheduler.Default);

        // A watcher that starts mid-run from the revision "all" had reached a quarter of the way in.
        await Pause.Async(options.Duration / 4, ct);
        var older = watchers[0].Watcher.Stream.LastRv;
        await Pause.Async(options.Duration / 4, ct);
        Watch("resume-old", null, 3600, older);

        await stopWriters;
        await Task.WhenAll(tasks);
        await faultTask;

        // The final state, then a sentinel every watcher must reach: created matching "yes", updated to "no".
        var final = writers[0];
        while (!await final.ListAsync(ct) || history.Snapshot()[^1].Outcome != Outcome.Ok)
        {
            await Pause.Async(TimeSpan.FromMilliseconds(100), ct);
        }

        var sentinel = await SentinelAsync(final, history, ct);
        var found = new List<Violation>();
        var deadline = DateTime.UtcNow + options.CatchUpTimeout;
        while (watchers.Any(w => w.Watcher.Stream.LastRv < sentinel) && DateTime.UtcNow < deadline)
        {
            await Pause.Async(TimeSpan.FromMilliseconds(20), ct);
        }

        foreach (var (w, _) in watchers.Where(w => w.Watcher.Stream.LastRv < sentinel))
        {
            found.Add(new Violation("watch:" + w.Stream.Name, $"did not reach the sentinel's revision {sentinel} within {options.CatchUpTimeout}: stuck at {w.Stream.LastRv}"));
        }

        await watching.CancelAsync();
        await Task.WhenAll(watchers.Select(w => w.Task));
        found.AddRange(writers.SelectMany(w => w.UnexpectedAnswers).Select(a => new Violation("answer", a)));
        return RobustnessChecker.Check(startRv, history.Snapshot(), [.. watchers.Select(w => w.Watcher.Stream)], options.StepBudget, found);
    }

    /// <summary>Ends <see cref="RobustnessOptions.AfterFault"/> after the fault returned, and once the writers recorded <see cref="RobustnessOptions.MinOperationsAfterFault"/> more operations.</summary>
    private static async Task AfterFaultAsync(Task faultTask, HistoryRecorder history, RobustnessOptions options, CancellationToken ct)
    {
        await faultTask.ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
        var from = history.Count;
        await Task.Delay(options.AfterFault, ct);
        while (faultTask.IsCompletedSuccessfully && history.Count - from < options.MinOperationsAfterFault && !ct.IsCancellationRequested)
        {
            await Pause.Async(TimeSpan.FromMilliseconds(50), ct);
        }
    }

    private static async Task<long> SentinelAsync(Writer writer, HistoryRecorder history, CancellationToken ct)
    {
        foreach (var (kind, label) in new[] { (OperationKind.Create, "yes"), (OperationKind.Update, "no") })
        {
            while (true)
            {
                await writer.PutAsync(kind, "zz-sentinel", null, ct, label);
                var last = history.Snapshot().Where(o => o.Key == "zz-sentinel").MaxBy(o => o.Id)!;
                if (last.Outcome == Outcome.Ok)
                {
                    if (kind == OperationKind.Update)
                    {
                        return last.ResultRv ?? 0;
                    }

                    break;
                }

                ct.ThrowIfCancellationRequested();
                await Pause.Async(TimeSpan.FromMilliseconds(100), ct);
            }
        }

        throw new InvalidOperationException("unreachable");
    }

    private static async Task CreateNamespaceAsync(ApiConnection connection, string ns, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            try
            {
                using var content = new StringContent($$$"""{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"{{{ns}}}"}}""", Encoding.UTF8, "application/json");
                using var response = await connection.Http.PostAsync(new Uri("/api/v1/namespaces", UriKind.Relative), content, ct);
                // 409: an earlier attempt that timed out created it (the name is this run's own).
                if (response.IsSuccessStatusCode || response.StatusCode == HttpStatusCode.Conflict)
                {
                    return;
                }

                if (DateTime.UtcNow > deadline)
                {
                    throw new InvalidOperationException($"cannot create namespace {ns}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(ct)}");
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException && !ct.IsCancellationRequested && DateTime.UtcNow < deadline)
            {
                // Refused, reset, or the handler's ConnectTimeout on a loaded machine (a TaskCanceledException).
            }

            await Pause.Async(TimeSpan.FromMilliseconds(100), ct);
        }
    }

    private static async Task<long> ListRvAsync(ConfigMapClient client, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            var answer = await client.ListAsync(ct);
            if (answer is { Outcome: Outcome.Ok, ResourceVersion: { } rv })
            {
                return rv;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException("the first list failed: " + answer.Detail);
            }

            await Pause.Async(TimeSpan.FromMilliseconds(100), ct);
        }
    }
}
