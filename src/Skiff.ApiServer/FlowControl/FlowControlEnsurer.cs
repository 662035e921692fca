using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Skiff.Api.Errors;
using Skiff.ApiServer.Registry;
using Skiff.ApiServer.Store;

namespace Skiff.ApiServer.FlowControl;

/// <summary>
/// Upstream's bootstrap-configuration ensurer (<c>pkg/registry/flowcontrol/ensurer</c>), run at start and then every
/// minute (upstream's post-start hook keeps reconciling, so a deleted mandatory object comes back): missing
/// bootstrap objects are created with <c>apf.kubernetes.io/autoupdate-spec: "true"</c>; a mandatory object's spec is
/// always put back to its bootstrap value (the exempt level keeps its own shares); a suggested object's spec is
/// put back only when its annotation says <c>true</c> (or, with no valid annotation, while its generation is 1);
/// objects that are not in the bootstrap set but carry the annotation <c>true</c> are deleted.
/// </summary>
internal static partial class FlowControlEnsurer
{
    private const string Manager = "api-priority-and-fairness-config-producer-v1";

    /// <summary>Ensures the bootstrap objects through the two stores.</summary>
    public static async Task EnsureAsync(GenericStore flowSchemas, GenericStore priorityLevels, CancellationToken ct)
    {
        await EnsureKindAsync(priorityLevels, FlowControlBootstrap.MandatoryPriorityLevels(), FlowControlBootstrap.SuggestedPriorityLevels(), ct).ConfigureAwait(false);
        await EnsureKindAsync(flowSchemas, FlowControlBootstrap.MandatoryFlowSchemas(), FlowControlBootstrap.SuggestedFlowSchemas(), ct).ConfigureAwait(false);
    }

    /// <summary>Ensures again every <paramref name="period"/> until <paramref name="lifetime"/> ends; failures wait for the next round.</summary>
    public static async Task RunAsync(GenericStore flowSchemas, GenericStore priorityLevels, TimeSpan period, TimeProvider clock, ILogger logger, CancellationToken lifetime)
    {
        using var timer = new PeriodicTimer(period, clock);
        try
        {
            while (await timer.WaitForNextTickAsync(lifetime).ConfigureAwait(false))
            {
                try
                {
                    await EnsureAsync(flowSchemas, priorityLevels, lifetime).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    LogEnsureFailed(logger, e);
                }
            }
        }
        catch (OperationCanceledException) when (lifetime.IsCancellationRequested)
        {
            // Server stopping.
        }
    }

    /// <summary>Whether the API server may rewrite <paramref name="obj"/>'s spec (upstream <c>shouldUpdateSpec</c>).</summary>
    public static bool ShouldUpdateSpec(JsonObject obj)
    {
        if (bool.TryParse(JsonPath.Str(obj, "metadata", "annotations", FlowControlBootstrap.AutoUpdateAnnotation), out var auto))
        {
            return auto;
        }

        return (JsonPath.Long(obj, "metadata", "generation") ?? 1) == 1;
    }

    private static async Task EnsureKindAsync(GenericStore store, IReadOnlyList<JsonObject> mandatory, IReadOnlyList<JsonObject> suggested, CancellationToken ct)
    {
        var wanted = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (obj, isMandatory) in mandatory.Select(o => (o, true)).Concat(suggested.Select(o => (o, false))))
        {
            var name = JsonPath.Name(obj);
            wanted.Add(name);
            if (await store.GetRawAsync("", name, ct).ConfigureAwait(false) is not { } kv)
            {
                try
                {
                    await store.CreateAsync("", obj, new WriteOptions(false, Manager), ct).ConfigureAwait(false);
                }
                catch (StatusException e) when (e.Code == 409)
                {
                    // Created concurrently by another server.
                }

                continue;
            }

            var current = GenericStore.Decode(kv);
            if (!isMandatory && !ShouldUpdateSpec(current))
            {
                continue;
            }

            var desired = obj["spec"]!.DeepClone().AsObject();
            if (isMandatory && name == "exempt" && JsonPath.Obj(current, "spec", "exempt") is { } exempt)
            {
                desired["exempt"] = exempt.DeepClone();
            }

            var annotated = JsonPath.Str(current, "metadata", "annotations", FlowControlBootstrap.AutoUpdateAnnotation) == "true";
            if (annotated && FlowControlBootstrap.SpecEquals(current["spec"], desired))
            {
                continue;
            }

            try
            {
                await store.UpdateAsync("", name, o =>
                {
                    o["spec"] = desired.DeepClone();
                    var meta = o["metadata"]!.AsObject();
                    if (meta["annotations"] is not JsonObject annotations)
                    {
                        annotations = [];
                        meta["annotations"] = annotations;
                    }

                    annotations[FlowControlBootstrap.AutoUpdateAnnotation] = "true";
                    return o;
                }, null, new WriteOptions(false, Manager), ct).ConfigureAwait(false);
            }
            catch (StatusException e) when (e.Code is 404 or 409)
            {
                // Deleted or changed concurrently: the next start ensures again.
            }
        }

        var page = await store.ListAsync("", new ListQuery(), ct).ConfigureAwait(false);
        foreach (var obj in page.Items)
        {
            var name = JsonPath.Name(obj);
            if (!wanted.Contains(name) && JsonPath.Str(obj, "metadata", "annotations", FlowControlBootstrap.AutoUpdateAnnotation) == "true")
            {
                try
                {
                    await store.DeleteAsync("", name, new DeleteOptions(), ct).ConfigureAwait(false);
                }
                catch (StatusException e) when (e.Code is 404 or 409)
                {
                    // Gone already.
                }
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "APF bootstrap ensurer ran into an error, will retry later")]
    private static partial void LogEnsureFailed(ILogger logger, Exception e);
}
