using System.Collections.Concurrent;
using k8s.Models;

namespace Skiff.Controllers.Job;

/// <summary>
/// Upstream's <c>backoffStore</c>: the <see cref="BackoffRecord"/> per Job key, kept in memory (a restarted controller
/// starts without back-off, as upstream's). Thread-safe.
/// </summary>
internal sealed class BackoffStore
{
    private readonly ConcurrentDictionary<string, BackoffRecord> _records = new(StringComparer.Ordinal);

    public void Update(BackoffRecord record) => _records[record.Key] = record;

    public void Remove(string key) => _records.TryRemove(key, out _);

    public BackoffRecord? Get(string key) => _records.GetValueOrDefault(key);

    /// <summary>
    /// Upstream's <c>newBackoffRecord</c>: the stored record advanced by the pods that finished since: failures add up;
    /// a success resets the count to the failures that finished after the last success.
    /// </summary>
    public BackoffRecord NewRecord(string key, IReadOnlyList<V1Pod> newSucceeded, IReadOnlyList<V1Pod> newFailed)
    {
        var old = _records.GetValueOrDefault(key) ?? new BackoffRecord(key, 0, null);
        var failed = newFailed.Select(JobPods.FinishedTime).Order().ToList();
        if (newSucceeded.Count == 0)
        {
            return failed.Count == 0 ? old : old with { FailuresAfterLastSuccess = old.FailuresAfterLastSuccess + failed.Count, LastFailureTime = failed[^1] };
        }

        var lastSuccess = newSucceeded.Select(JobPods.FinishedTime).Max();
        var after = failed.Where(t => t > lastSuccess).ToList();
        return new BackoffRecord(key, after.Count, after.Count == 0 ? null : after[^1]);
    }
}
