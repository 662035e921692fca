using System.Diagnostics;

namespace Skiff.Robustness.History;

/// <summary>
/// Collects the operations of concurrent clients. Times are <see cref="Stopwatch"/> ticks, monotonic and shared by all
/// clients of the process, so "A returned before B was invoked" is a real-time fact.
/// </summary>
public sealed class HistoryRecorder
{
    private readonly List<Operation> _operations = [];
    private int _nextId;

    /// <summary>The current time in <see cref="Stopwatch"/> ticks.</summary>
    public static long Now() => Stopwatch.GetTimestamp();

    /// <summary>A fresh operation id.</summary>
    public int NextId() => Interlocked.Increment(ref _nextId);

    /// <summary>Adds a completed (or failed) operation.</summary>
    public void Add(Operation operation)
    {
        lock (_operations)
        {
            _operations.Add(operation);
        }
    }

    /// <summary>How many operations were recorded so far.</summary>
    public int Count
    {
        get
        {
            lock (_operations)
            {
                return _operations.Count;
            }
        }
    }

    /// <summary>A copy of the operations so far, ordered by invocation time.</summary>
    public IReadOnlyList<Operation> Snapshot()
    {
        lock (_operations)
        {
            return [.. _operations.OrderBy(o => o.CallTicks).ThenBy(o => o.Id)];
        }
    }
}
