using System.Text.Json.Nodes;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Skiff.Api.Errors;
using Skiff.ApiServer.Endpoints;
using Skiff.ApiServer.Registry;
using Skiff.ApiServer.Store;
using Skiff.Storage;

namespace Skiff.ApiServer.CustomResources;

/// <summary>
/// The loop inside the API server that turns stored CustomResourceDefinitions into served resources (upstream's
/// naming, establishing and finalizing controllers plus the CRD handler's serving set, in one place). It lists and
/// watches CRDs through the store and, one CRD at a time: grants names against the other CRDs of the group and the
/// built-in resources (<see cref="CrdNaming"/>), records <c>status.acceptedNames</c>, the <c>NamesAccepted</c> and
/// <c>Established</c> conditions and <c>status.storedVersions</c>, and serves an established CRD's versions by
/// replacing its descriptors in the <see cref="ResourceRegistry"/> (which the watch cache, OpenAPI and stores follow).
/// A deleted CRD carrying the <c>customresourcecleanup.apiextensions.k8s.io</c> finalizer has every custom resource
/// deleted (condition <c>Terminating</c>), then loses the finalizer; once it is gone from storage it is no longer served.
/// </summary>
internal sealed partial class CustomResourceDefinitionController : IAsyncDisposable
{
    private const string Prefix = "/registry/apiextensions.k8s.io/customresourcedefinitions/";
    private static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(500);

    private readonly ResourceRegistry _registry;
    private readonly ResourceEndpoint _endpoint;
    private readonly IStorage _storage;
    private readonly TimeProvider _clock;
    private readonly ILogger _logger;
    private readonly Dictionary<string, JsonObject> _crds = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (string Key, IReadOnlyList<ResourceDescriptor> Descriptors)> _served = new(StringComparer.Ordinal);
    private readonly Channel<string?> _queue = Channel.CreateUnbounded<string?>();
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource _synced = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task? _run;

    public CustomResourceDefinitionController(ResourceRegistry registry, ResourceEndpoint endpoint, IStorage storage, TimeProvider clock, ILogger logger)
    {
        _registry = registry;
        _endpoint = endpoint;
        _storage = storage;
        _clock = clock;
        _logger = logger;
    }

    /// <summary>Completes once every CRD stored at start has been reconciled (established ones are served).</summary>
    public Task Synced => _synced.Task;

    /// <summary>Starts the loop.</summary>
    public void Start() => _run = Task.Run(() => RunAsync(_stop.Token));

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_run is not null)
        {
            try
            {
                await _run.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Stopped.
            }
        }

        _stop.Dispose();
    }

    private GenericStore CrdStore => _endpoint.StoreFor(_registry.Find("apiextensions.k8s.io", "v1", "customresourcedefinitions")
        ?? throw new InvalidOperationException("customresourcedefinitions are not served"));

    private async Task RunAsync(CancellationToken ct)
    {
        var worker = Task.Run(() => WorkAsync(ct), ct);
        while (!ct.IsCancellationRequested)
        {
            try
            {
                var list = await _storage.ListAsync(Prefix, ListOptions.Latest, ct).ConfigureAwait(false);
                var seen = new HashSet<string>(StringComparer.Ordinal);
                lock (_crds)
                {
                    foreach (var kv in list.Items)
                    {
                        var crd = GenericStore.Decode(kv);
                        _crds[JsonPath.Name(crd)] = crd;
                        seen.Add(JsonPath.Name(crd));
                    }

                    foreach (var gone in _crds.Keys.Where(k => !seen.Contains(k)).ToList())
                    {
                        _crds.Remove(gone);
                        seen.Add(gone);
                    }
                }

                foreach (var name in seen)
                {
                    _queue.Writer.TryWrite(name);
                }

                _queue.Writer.TryWrite(null); // marks the end of the initial list
                await foreach (var e in _storage.WatchAsync(Prefix, new WatchOptions(list.Revision), ct).ConfigureAwait(false))
                {
                    if (e.Type == StorageEventType.Progress)
                    {
                        continue;
                    }

                    var key = (e.Kv ?? e.PrevKv)!.Key;
                    var name = key[Prefix.Length..];
                    lock (_crds)
                    {
                        if (e.Type == StorageEventType.Deleted)
                        {
                            _crds.Remove(name);
                        }
                        else
                        {
                            _crds[name] = GenericStore.Decode(e.Kv!);
                        }
                    }

                    _queue.Writer.TryWrite(name);
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                LogWatchFailed(e);
                await Delay(ct).ConfigureAwait(false);
            }
        }

        _queue.Writer.TryComplete();
        await worker.ConfigureAwait(false);
    }

    private async Task Delay(CancellationToken ct)
    {
        try
        {
            await Task.Delay(RetryDelay, _clock, ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    private async Task WorkAsync(CancellationToken ct)
    {
        try
        {
            await foreach (var name in _queue.Reader.ReadAllAsync(ct).ConfigureAwait(false))
            {
                if (name is null)
                {
                    _synced.TrySetResult();
                    continue;
                }

                try
                {
                    await ReconcileAsync(name, ct).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (ct.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception e)
                {
                    LogReconcileFailed(e, name);
                    Requeue(name, ct);
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    private void Requeue(string name, CancellationToken ct) =>
        _ = Task.Delay(RetryDelay, _clock, ct).ContinueWith(_ => _queue.Writer.TryWrite(name), CancellationToken.None, TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default);

    private JsonObject? Snapshot(string name, out List<JsonObject> others)
    {
        lock (_crds)
        {
            others = _crds.Where(p => p.Key != name).Select(p => p.Value).ToList();
            return _crds.TryGetValue(name, out var crd) ? (JsonObject)crd.DeepClone() : null;
        }
    }

    private async Task ReconcileAsync(string name, CancellationToken ct)
    {
        var crd = Snapshot(name, out var others);
        if (crd is null)
        {
            if (Unserve(name) is { } group)
            {
                EnqueueGroup(group, name, others);
            }

            return;
        }

        if (JsonPath.Str(crd, "metadata", "deletionTimestamp") is not null)
        {
            if (Meta.Finalizers(crd).Contains(CrdConditions.CleanupFinalizer))
            {
                await CleanUpAsync(crd, ct).ConfigureAwait(false);
            }

            return;
        }

        var before = JsonPath.Obj(crd, "status", "acceptedNames")?.ToJsonString();
        var result = CrdNaming.Compute(crd, others, _registry.All.Where(d => !d.Custom));
        var status = ((JsonObject?)crd["status"]?.DeepClone()) ?? [];
        var desired = new JsonObject { ["status"] = status };
        desired["status"]!["acceptedNames"] = result.AcceptedNames.DeepClone();
        var now = _clock.GetUtcNow();
        CrdConditions.Set(desired, "NamesAccepted", result.NamesAccepted.Status, result.NamesAccepted.Reason, result.NamesAccepted.Message, now);
        CrdConditions.Set(desired, "Established", result.Established.Status, result.Established.Reason, result.Established.Message, now);
        if (JsonPath.Objects(crd, "spec", "versions").FirstOrDefault(v => JsonPath.Bool(v, "storage") == true) is { } storage
            && JsonPath.Str(storage, "name") is { } storageVersion)
        {
            if (desired["status"]!["storedVersions"] is not JsonArray stored)
            {
                stored = [];
                desired["status"]!["storedVersions"] = stored;
            }

            if (!stored.Any(v => JsonPath.AsString(v) == storageVersion))
            {
                stored.Add(storageVersion);
            }
        }

        // Served before Established is written, so a client that sees Established finds the resource served.
        var next = (JsonObject)crd.DeepClone();
        next["status"] = desired["status"]!.DeepClone();
        if (CrdConditions.IsTrue(next, "Established"))
        {
            Serve(name, next);
        }
        else
        {
            Unserve(name);
        }

        if (!JsonNode.DeepEquals(desired["status"], crd["status"]))
        {
            var newStatus = desired["status"]!;
            // The watch brings the written object back into the snapshot.
            crd = await CrdStore.UpdateDirectAsync("", name, o => o["status"] = newStatus.DeepClone(), ct).ConfigureAwait(false);
        }

        if (before != JsonPath.Obj(crd, "status", "acceptedNames")?.ToJsonString())
        {
            EnqueueGroup(JsonPath.Str(crd, "spec", "group") ?? "", name, others);
        }
    }

    private void EnqueueGroup(string group, string except, List<JsonObject> crds)
    {
        foreach (var other in crds.Where(c => JsonPath.Str(c, "spec", "group") == group && JsonPath.Name(c) != except))
        {
            _queue.Writer.TryWrite(JsonPath.Name(other));
        }
    }

    private void Serve(string name, JsonObject crd)
    {
        var key = (crd["spec"]?.ToJsonString() ?? "") + (JsonPath.Obj(crd, "status", "acceptedNames")?.ToJsonString() ?? "");
        var old = _served.TryGetValue(name, out var s) ? s : default;
        if (old.Key == key)
        {
            return;
        }

        var descriptors = CustomResourceDescriptors.FromCrd(crd);
        _served[name] = (key, descriptors);
        _registry.Replace(old.Descriptors ?? [], descriptors);
        LogServing(name, descriptors.Count);
    }

    /// <summary>Stops serving <paramref name="name"/>; returns the group it served, or null when it served nothing.</summary>
    private string? Unserve(string name)
    {
        if (!_served.Remove(name, out var old))
        {
            return null;
        }

        _registry.Replace(old.Descriptors, []);
        LogUnserved(name);
        return old.Descriptors.FirstOrDefault()?.Group ?? "";
    }

    /// <summary>
    /// Upstream's finalizing controller: Terminating=True while every custom resource is deleted (their own finalizers
    /// are honoured, so this retries until none is left), then Terminating=False and the finalizer removed.
    /// </summary>
    private async Task CleanUpAsync(JsonObject crd, CancellationToken ct)
    {
        var name = JsonPath.Name(crd);
        var now = _clock.GetUtcNow();
        if (_served.TryGetValue(name, out var serving))
        {
            foreach (var strategy in serving.Descriptors.Select(d => d.Strategy).OfType<CustomResourceStrategy>())
            {
                strategy.Terminating = true;
            }
        }

        if (JsonPath.Str(CrdConditions.Find(crd, "Terminating"), "reason") != "InstanceDeletionInProgress")
        {
            crd = await CrdStore.UpdateDirectAsync("", name, o => CrdConditions.Set(o, "Terminating", "True", "InstanceDeletionInProgress",
                "CustomResource deletion is in progress", now), ct).ConfigureAwait(false);
        }

        var descriptor = _served.TryGetValue(name, out var served) ? served.Descriptors.FirstOrDefault() : CustomResourceDescriptors.FromCrd(crd).FirstOrDefault();
        if (descriptor is not null)
        {
            var store = _endpoint.StoreFor(descriptor);
            var remaining = 0;
            var page = await store.ListAsync("", new ListQuery(), ct).ConfigureAwait(false);
            foreach (var item in page.Items)
            {
                try
                {
                    var outcome = await store.DeleteAsync(Meta.Namespace(item), Meta.Name(item), new DeleteOptions(), ct).ConfigureAwait(false);
                    remaining += outcome.DeletedNow ? 0 : 1;
                }
                catch (StatusException e) when (e.Code == 404)
                {
                    // Gone already.
                }
            }

            if (remaining > 0)
            {
                // Custom resources with finalizers of their own: look again shortly.
                Requeue(name, ct);
                return;
            }
        }

        // Nothing is left to serve: stop before the CRD goes, so a client that sees it deleted finds it unserved.
        Unserve(name);
        await CrdStore.UpdateDirectAsync("", name, o => CrdConditions.Set(o, "Terminating", "False", "InstanceDeletionCompleted", "removed all instances", now), ct).ConfigureAwait(false);
        await CrdStore.UpdateAsync("", name, o =>
        {
            Meta.SetFinalizers(o, Meta.Finalizers(o).Where(f => f != CrdConditions.CleanupFinalizer).ToList());
            return o;
        }, null, new WriteOptions(false, "kube-apiserver"), ct).ConfigureAwait(false);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "watching CustomResourceDefinitions failed; retrying")]
    private partial void LogWatchFailed(Exception e);

    [LoggerMessage(Level = LogLevel.Warning, Message = "reconciling CustomResourceDefinition {Name} failed; retrying")]
    private partial void LogReconcileFailed(Exception e, string name);

    [LoggerMessage(Level = LogLevel.Information, Message = "serving CustomResourceDefinition {Name} ({Versions} versions)")]
    private partial void LogServing(string name, int versions);

    [LoggerMessage(Level = LogLevel.Information, Message = "no longer serving CustomResourceDefinition {Name}")]
    private partial void LogUnserved(string name);
}
