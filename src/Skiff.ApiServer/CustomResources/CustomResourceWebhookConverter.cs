using System.Text.Json.Nodes;
using Skiff.Api.Errors;
using Skiff.ApiServer.Registry;
using Skiff.ApiServer.Store;
using Skiff.ApiServer.Webhooks;

namespace Skiff.ApiServer.CustomResources;

/// <summary>
/// Conversion <c>Webhook</c> of a custom resource (upstream's <c>webhookConverter</c>): the objects not already in the
/// desired version are sent in ONE <c>ConversionReview</c> (a list is one review), with upstream's 30 s timeout; the
/// answer must carry the request's uid, <c>result.status: Success</c>, as many objects as were sent, each in the
/// desired apiVersion and kind. The webhook may change only labels and annotations in metadata; the rest of metadata
/// is restored from the original. Failures are worded as upstream: <c>conversion webhook for group/v1, Kind=K failed:
/// …</c> or <c>… returned failure: …</c> — a 500 with no reason on reads, an InternalError on writes.
/// </summary>
internal sealed class CustomResourceWebhookConverter(CustomResourceConversion conversion, WebhookClient client) : IObjectConverter
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    /// <inheritdoc/>
    public async ValueTask<IReadOnlyList<JsonObject>> ConvertAsync(IReadOnlyList<JsonObject> objects, string apiVersion, bool forWrite, CancellationToken ct)
    {
        var pending = new List<int>();
        for (var i = 0; i < objects.Count; i++)
        {
            if (JsonPath.Str(objects[i], "apiVersion") != apiVersion)
            {
                pending.Add(i);
            }
        }

        if (pending.Count == 0)
        {
            return objects;
        }

        var first = objects[pending[0]];
        var gvk = $"{JsonPath.Str(first, "apiVersion")}, Kind={JsonPath.Str(first, "kind")}";
        var reviewVersion = conversion.ReviewVersions.FirstOrDefault(v => v is "v1" or "v1beta1");
        if (reviewVersion is null || conversion.ClientConfig is null)
        {
            throw Fail(forWrite, $"conversion webhook for {gvk} failed: webhook does not accept known ConversionReview versions");
        }

        var uid = Guid.NewGuid().ToString();
        var review = new JsonObject
        {
            ["kind"] = "ConversionReview",
            ["apiVersion"] = "apiextensions.k8s.io/" + reviewVersion,
            ["request"] = new JsonObject
            {
                ["uid"] = uid,
                ["desiredAPIVersion"] = apiVersion,
                ["objects"] = new JsonArray(pending.Select(i => (JsonNode?)objects[i].DeepClone()).ToArray()),
            },
        };
        JsonObject answer;
        try
        {
            answer = await client.PostAsync(conversion.ClientConfig, review, Timeout, ct).ConfigureAwait(false);
        }
        catch (WebhookCallException e)
        {
            throw Fail(forWrite, $"conversion webhook for {gvk} failed: {e.Message}");
        }

        var converted = Verify(answer, uid, gvk, apiVersion, pending.Count, forWrite);
        var result = objects.ToArray();
        for (var n = 0; n < pending.Count; n++)
        {
            var original = objects[pending[n]];
            var output = converted[n];
            RestoreMetadata(original, output);
            result[pending[n]] = output;
        }

        return result;
    }

    private static List<JsonObject> Verify(JsonObject answer, string uid, string gvk, string apiVersion, int count, bool forWrite)
    {
        var response = JsonPath.Obj(answer, "response") ?? throw Fail(forWrite, $"conversion webhook for {gvk} failed: no response provided");
        if ((JsonPath.Str(response, "uid") ?? "") != uid)
        {
            throw Fail(forWrite, $"conversion webhook for {gvk} failed: expected response.uid=\"{uid}\", got \"{JsonPath.Str(response, "uid")}\"");
        }

        if (JsonPath.Str(response, "result", "status") != "Success")
        {
            throw Fail(forWrite, $"conversion webhook for {gvk} returned failure: {JsonPath.Str(response, "result", "message")}");
        }

        var objects = JsonPath.Arr(response, "convertedObjects")?.OfType<JsonObject>().ToList() ?? [];
        if (objects.Count != count)
        {
            throw Fail(forWrite, $"conversion webhook for {gvk} returned {objects.Count} objects, expected {count}");
        }

        var kind = gvk[(gvk.IndexOf("Kind=", StringComparison.Ordinal) + 5)..];
        for (var i = 0; i < objects.Count; i++)
        {
            if (JsonPath.Str(objects[i], "apiVersion") is var av && av != apiVersion)
            {
                throw Fail(forWrite, $"conversion webhook for {gvk} returned invalid converted object at index {i}: invalid apiVersion \"{av}\", expected \"{apiVersion}\"");
            }

            if (JsonPath.Str(objects[i], "kind") is var k && k != kind)
            {
                throw Fail(forWrite, $"conversion webhook for {gvk} returned invalid converted object at index {i}: invalid kind \"{k}\", expected \"{kind}\"");
            }
        }

        return objects.Select(o => (JsonObject)o.DeepClone()).ToList();
    }

    /// <summary>Only labels and annotations may change in metadata (upstream's <c>restoreObjectMeta</c>).</summary>
    private static void RestoreMetadata(JsonObject original, JsonObject converted)
    {
        var meta = (JsonObject?)original["metadata"]?.DeepClone() ?? [];
        var fromWebhook = converted["metadata"] as JsonObject;
        meta.Remove("labels");
        meta.Remove("annotations");
        if (fromWebhook?["labels"] is { } labels)
        {
            meta["labels"] = labels.DeepClone();
        }

        if (fromWebhook?["annotations"] is { } annotations)
        {
            meta["annotations"] = annotations.DeepClone();
        }

        converted["metadata"] = meta;
    }

    private static StatusException Fail(bool forWrite, string message) =>
        forWrite ? StatusErrors.InternalError(message) : new StatusException(500, "", message);
}
