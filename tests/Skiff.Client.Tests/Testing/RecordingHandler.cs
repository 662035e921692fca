using k8s.Models;
using Skiff.Client.Cache;

namespace Skiff.Client.Tests.Testing;

/// <summary>Records notifications as strings ("add a@1", "update a@1->a@2", "delete a@2", "delete? a@2") and lets tests wait for a count.</summary>
public sealed class RecordingHandler : IResourceEventHandler<V1Pod>
{
    private readonly object _lock = new();
    private readonly List<string> _events = [];
    private readonly List<(int Count, TaskCompletionSource Tcs)> _waits = [];

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

    public void OnAdd(V1Pod obj, bool isInInitialList) => Record($"add{(isInInitialList ? "(initial)" : "")} {Id(obj)}");

    public void OnUpdate(V1Pod oldObj, V1Pod newObj) => Record($"update {Id(oldObj)}->{Id(newObj)}");

    public void OnDelete(V1Pod obj, bool isFinalStateUnknown) => Record($"delete{(isFinalStateUnknown ? "?" : "")} {Id(obj)}");

    public Task WaitForCountAsync(int count)
    {
        lock (_lock)
        {
            if (_events.Count >= count)
            {
                return Task.CompletedTask;
            }

            var tcs = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waits.Add((count, tcs));
            return tcs.Task.WaitAsync(TimeSpan.FromSeconds(10));
        }
    }

    private static string Id(V1Pod p) => $"{p.Metadata.Name}@{p.Metadata.ResourceVersion}";

    private void Record(string e)
    {
        lock (_lock)
        {
            _events.Add(e);
            foreach (var w in _waits.Where(w => _events.Count >= w.Count).ToList())
            {
                _waits.Remove(w);
                w.Tcs.TrySetResult();
            }
        }
    }
}
