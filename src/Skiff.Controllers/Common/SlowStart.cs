namespace Skiff.Controllers.Common;

/// <summary>
/// Upstream's <c>slowStartBatch</c>: runs <c>count</c> calls in batches of 1, 2, 4, … (starting at the initial batch
/// size, doubling, capped by what remains), each batch in parallel; stops after the first batch with a failure, so a
/// failing create (quota, admission) costs one call rather than hundreds.
/// </summary>
internal static class SlowStart
{
    /// <summary>Upstream's <c>SlowStartInitialBatchSize</c>.</summary>
    public const int InitialBatchSize = 1;

    /// <summary>The batch sizes for <paramref name="count"/> calls (what <see cref="RunAsync"/> runs when none fails).</summary>
    public static IEnumerable<int> Batches(int count, int initialBatchSize)
    {
        var remaining = count;
        for (var size = Math.Min(remaining, initialBatchSize); size > 0; size = Math.Min(2 * size, remaining))
        {
            yield return size;
            remaining -= size;
        }
    }

    /// <summary>Runs the batches; returns how many calls succeeded and the first failure (null if none).</summary>
    public static async Task<SlowStartResult> RunAsync(int count, int initialBatchSize, Func<CancellationToken, Task> call, CancellationToken ct)
    {
        var successes = 0;
        foreach (var size in Batches(count, initialBatchSize))
        {
            var tasks = new Task[size];
            for (var i = 0; i < size; i++)
            {
                tasks[i] = call(ct);
            }

            try
            {
                await Task.WhenAll(tasks).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                throw;
            }
            catch (Exception)
            {
                // Inspected below, per task.
            }

            successes += tasks.Count(t => t.IsCompletedSuccessfully);
            if (tasks.FirstOrDefault(t => !t.IsCompletedSuccessfully) is { } failed)
            {
                return new SlowStartResult(successes, failed.Exception?.InnerException ?? new OperationCanceledException());
            }
        }

        return new SlowStartResult(successes, null);
    }
}

/// <summary>What <see cref="SlowStart.RunAsync"/> did: the calls that succeeded and the first failure.</summary>
internal sealed record SlowStartResult(int Successes, Exception? FirstError);
