using k8s;
using k8s.Models;
using Skiff.Client.Cache;

namespace Skiff.Testing.Fakes;

/// <summary>
/// An informer event handler that records every notification as a line (<c>add ns/a@1</c>, <c>add(initial) …</c>,
/// <c>update ns/a@1-&gt;ns/a@2</c>, <c>delete ns/a@2</c>, <c>delete? …</c> for a final state unknown) and lets a test
/// wait for a count of them without sleeping.
/// </summary>
public sealed class RecordingEventHandler<T> : IResourceEventHandler<T>
    where T : class, IKubernetesObject<V1ObjectMeta>
{
    private readonly Lock _lock = new();
    private readonly List<string> _events = [];
    private readonly List<(int Count, TaskCompletionSource Tcs)> _waits = [];

    /// <summary>The notifications so far, in order.</summary>
    public IReadOnlyList<string> Events
    {
        get
        {
            lock (_lock)
            {
                return [.. _events];
            }
        }
    }

    /// <inheritdoc/>
    public void OnAdd(T obj, bool isInInitialList) => Record($"add{(isInInitialList ? "(initial)" : "")} {Id(obj)}");

    /// <inheritdoc/>
    public void OnUpdate(T oldObj, T newObj) => Record($"update {Id(oldObj)}->{Id(newObj)}");

    /// <inheritdoc/>
    public void OnDelete(T obj, bool isFinalStateUnknown) => Record($"delete{(isFinalStateUnknown ? "?" : "")} {Id(obj)}");

    /// <summary>Completes once at least <paramref name="count"/> notifications arrived; throws <see cref="TimeoutException"/> after <paramref name="timeout"/> (default 30 s).</summary>
    public async Task WaitForCountAsync(int count, TimeSpan? timeout = null, CancellationToken ct = default)
    {
        Task wait;
        lock (_lock)
        {
            if (_events.Count >= count)
            {
                return;
            }

            var tcs = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waits.Add((count, tcs));
            wait = tcs.Task;
        }

        try
        {
            await wait.WaitAsync(timeout ?? TimeSpan.FromSeconds(30), ct).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"expected {count} notifications, got: {string.Join(", ", Events)}");
        }
    }

    private void Record(string line)
    {
        lock (_lock)
        {
            _events.Add(line);
            foreach (var w in _waits.Where(w => _events.Count >= w.Count).ToList())
            {
                w.Tcs.TrySetResult();
                _waits.Remove(w);
            }
        }
    }

    private static string Id(T obj) => $"{ObjectKeys.KeyOf(obj)}@{obj.Metadata.ResourceVersion}";
}
