using System.Globalization;
using Skiff.Robustness.History;

namespace Skiff.Robustness.Driver;

/// <summary>
/// One client issuing operations one after another on a small key space: creates, CAS updates with the revision it
/// last saw, deliberately stale CAS updates (conflicts), unconditional updates, deletes with and without a
/// precondition, gets and consistent lists. Every value it writes is unique (<c>c{client}-{n}</c>), so a value
/// identifies its write wherever it shows up.
/// </summary>
public sealed class Writer(int clientId, ConfigMapClient client, HistoryRecorder history, IReadOnlyList<string> keys, int seed)
{
    private readonly Random _random = new(seed);
    private readonly Dictionary<string, long> _known = new(StringComparer.Ordinal);
    private int _sequence;

    /// <summary>Answers no correct server gives (see <see cref="ApiAnswer.Unexpected"/>).</summary>
    public List<string> UnexpectedAnswers { get; } = [];

    /// <summary>
    /// Issues operations until <paramref name="stop"/> is cancelled; an operation in flight then completes (cancelling it
    /// would make its outcome unknown). <paramref name="ct"/> aborts everything.
    /// </summary>
    public async Task RunAsync(CancellationToken stop, CancellationToken ct)
    {
        while (!stop.IsCancellationRequested && !ct.IsCancellationRequested)
        {
            var key = keys[_random.Next(keys.Count)];
            var known = _known.TryGetValue(key, out var rv) ? rv : (long?)null;
            var roll = _random.NextDouble();
            var sent = roll switch
            {
                < 0.18 => await PutAsync(OperationKind.Create, key, null, ct),
                < 0.38 => await PutAsync(OperationKind.CasUpdate, key, known ?? 1, ct),
                < 0.46 => await PutAsync(OperationKind.CasUpdate, key, Math.Max(1, (known ?? 2) - 1 - _random.Next(3)), ct),
                < 0.56 => await PutAsync(OperationKind.Update, key, null, ct),
                < 0.63 => await DeleteAsync(key, known ?? 1, ct),
                < 0.68 => await DeleteAsync(key, null, ct),
                < 0.92 => await GetAsync(key, ct),
                _ => await ListAsync(ct),
            };
            if (!sent)
            {
                // The server is down (killed): pace the retries rather than spin.
                await Pause.Async(TimeSpan.FromMilliseconds(50), stop);
            }
        }
    }

    /// <summary>Creates or updates <paramref name="key"/> once and records it (also used for the run's sentinel).</summary>
    public async Task<bool> PutAsync(OperationKind kind, string key, long? precondition, CancellationToken ct, string? label = null)
    {
        var value = new ObjectValue(string.Create(CultureInfo.InvariantCulture, $"c{clientId}-{++_sequence}"), label ?? (_random.Next(2) == 0 ? "yes" : "no"));
        var id = history.NextId();
        var call = HistoryRecorder.Now();
        var answer = kind == OperationKind.Create
            ? await client.CreateAsync(key, value, ct)
            : await client.UpdateAsync(key, value, precondition, ct);
        return Record(answer, new Operation
        {
            Id = id, ClientId = clientId, Kind = kind, Key = key, Input = value, Precondition = precondition, CallTicks = call,
            Outcome = answer.Outcome, ReturnTicks = answer.Outcome == Outcome.Unknown ? null : HistoryRecorder.Now(),
            ResultRv = answer.Outcome == Outcome.Ok ? answer.ResourceVersion : null, Detail = answer.Detail,
        }, key);
    }

    private async Task<bool> DeleteAsync(string key, long? precondition, CancellationToken ct)
    {
        var id = history.NextId();
        var call = HistoryRecorder.Now();
        var answer = await client.DeleteAsync(key, precondition, ct);
        var ok = Record(answer, new Operation
        {
            Id = id, ClientId = clientId, Kind = precondition is null ? OperationKind.Delete : OperationKind.CasDelete, Key = key,
            Precondition = precondition, CallTicks = call, Outcome = answer.Outcome,
            ReturnTicks = answer.Outcome == Outcome.Unknown ? null : HistoryRecorder.Now(), Detail = answer.Detail,
        }, null);
        if (answer.Outcome is Outcome.Ok or Outcome.NotFound)
        {
            _known.Remove(key);
        }

        return ok;
    }

    private async Task<bool> GetAsync(string key, CancellationToken ct)
    {
        var id = history.NextId();
        var call = HistoryRecorder.Now();
        var answer = await client.GetAsync(key, ct);
        return Record(answer, new Operation
        {
            Id = id, ClientId = clientId, Kind = OperationKind.Get, Key = key, CallTicks = call, Outcome = answer.Outcome,
            ReturnTicks = answer.Outcome == Outcome.Unknown ? null : HistoryRecorder.Now(),
            ResultRv = answer.ResourceVersion, Output = answer.Body is { } b ? ConfigMapJson.Value(b) : null, Detail = answer.Detail,
        }, key);
    }

    /// <summary>A consistent list of the namespace, recorded (also the run's final read).</summary>
    public async Task<bool> ListAsync(CancellationToken ct)
    {
        var id = history.NextId();
        var call = HistoryRecorder.Now();
        var answer = await client.ListAsync(ct);
        Dictionary<string, (long, ObjectValue)>? items = null;
        if (answer.Body is { } body && body.TryGetProperty("items", out var array))
        {
            items = new Dictionary<string, (long, ObjectValue)>(StringComparer.Ordinal);
            foreach (var item in array.EnumerateArray())
            {
                items[ConfigMapJson.Name(item)] = (ConfigMapJson.Rv(item) ?? 0, ConfigMapJson.Value(item));
            }
        }

        return Record(answer, new Operation
        {
            Id = id, ClientId = clientId, Kind = OperationKind.List, Key = "", CallTicks = call, Outcome = answer.Outcome,
            ReturnTicks = answer.Outcome == Outcome.Unknown ? null : HistoryRecorder.Now(),
            ResultRv = answer.ResourceVersion, ListItems = items, Detail = answer.Detail,
        }, null);
    }

    /// <summary>Records the operation unless it never reached the server; remembers the revision it learned.</summary>
    private bool Record(ApiAnswer answer, Operation op, string? learnedKey)
    {
        if (answer.NotSent)
        {
            return false;
        }

        if (answer.Unexpected)
        {
            lock (UnexpectedAnswers)
            {
                UnexpectedAnswers.Add($"{op}: {answer.Detail}");
            }
        }

        history.Add(op);
        if (learnedKey is not null && answer.Outcome == Outcome.Ok && answer.ResourceVersion is { } rv)
        {
            _known[learnedKey] = rv;
        }

        return answer.Outcome != Outcome.Unknown || answer.Detail?.StartsWith("5", StringComparison.Ordinal) == true || answer.Detail?.StartsWith("4", StringComparison.Ordinal) == true;
    }
}
