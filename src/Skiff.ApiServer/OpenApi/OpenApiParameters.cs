using System.Text.Json.Nodes;

namespace Skiff.ApiServer.OpenApi;

/// <summary>
/// The query and path parameters of upstream's per-group-version OpenAPI documents, by operation, in upstream's
/// order. Each call returns new nodes (a JSON node has one parent).
/// </summary>
internal static class OpenApiParameters
{
    public static JsonArray PathLevel(bool namespaced, bool named)
    {
        var list = new JsonArray();
        if (named)
        {
            list.Add(Path("name", "name of the resource"));
        }

        if (namespaced)
        {
            list.Add(Path("namespace", "object name and auth scope, such as for teams and projects"));
        }

        list.Add(Query("pretty", "string", "If 'true', then the output is pretty printed. Defaults to 'false' unless the user-agent indicates a browser or command-line HTTP tool (curl and wget)."));
        return list;
    }

    public static JsonArray List() =>
    [
        Query("allowWatchBookmarks", "boolean", "allowWatchBookmarks requests watch events with type \"BOOKMARK\". Servers may ignore it; clients must not depend on bookmarks."),
        Continue(),
        FieldSelector(),
        LabelSelector(),
        Limit(),
        ResourceVersion(),
        ResourceVersionMatch(),
        SendInitialEvents(),
        TimeoutSeconds(),
        Query("watch", "boolean", "Watch for changes to the described resources and return them as a stream of add, update, and remove notifications. Specify resourceVersion."),
    ];

    public static JsonArray Create() => [DryRun(), FieldManager(), FieldValidation()];

    public static JsonArray Replace() => [DryRun(), FieldManager(), FieldValidation()];

    public static JsonArray Patch() =>
    [
        DryRun(),
        FieldManager("fieldManager is a name associated with the actor or entity that is making these changes. The value must be less than or 128 characters long, and only contain printable characters, as defined by https://golang.org/pkg/unicode/#IsPrint. This field is required for apply requests (application/apply-patch) but optional for non-apply patch types (JsonPatch, MergePatch, StrategicMergePatch)."),
        FieldValidation(),
        Query("force", "boolean", "Force is going to \"force\" Apply requests. It means user will re-acquire conflicting fields owned by other people. Force flag must be unset for non-apply patch requests."),
    ];

    public static JsonArray Delete() =>
    [
        DryRun(),
        GracePeriodSeconds(),
        IgnoreStoreReadError(),
        OrphanDependents(),
        PropagationPolicy(),
    ];

    public static JsonArray DeleteCollection() =>
    [
        Continue(),
        DryRun(),
        FieldSelector(),
        GracePeriodSeconds(),
        IgnoreStoreReadError(),
        LabelSelector(),
        Limit(),
        OrphanDependents(),
        PropagationPolicy(),
        ResourceVersion(),
        ResourceVersionMatch(),
        SendInitialEvents(),
        TimeoutSeconds(),
    ];

    private static JsonObject DryRun() => Query("dryRun", "string", "When present, indicates that modifications should not be persisted. An invalid or unrecognized dryRun directive will result in an error response and no further processing of the request. Valid values are: - All: all dry run stages will be processed");

    private static JsonObject FieldManager(string? description = null) => Query("fieldManager", "string", description ?? "fieldManager is a name associated with the actor or entity that is making these changes. The value must be less than or 128 characters long, and only contain printable characters, as defined by https://golang.org/pkg/unicode/#IsPrint.");

    private static JsonObject FieldValidation() => Query("fieldValidation", "string", "fieldValidation instructs the server on how to handle objects in the request (POST/PUT/PATCH) containing unknown or duplicate fields. Valid values are: - Ignore: This will ignore any unknown fields that are silently dropped from the object, and will ignore all but the last duplicate field that the decoder encounters. This is the default behavior prior to v1.23. - Warn: This will send a warning via the standard warning response header for each unknown field that is dropped from the object, and for each duplicate field that is encountered. The request will still succeed if there are no other errors, and will only persist the last of any duplicate fields. This is the default in v1.23+ - Strict: This will fail the request with a BadRequest error if any unknown fields would be dropped from the object, or if any duplicate fields are present. The error returned from the server will contain all unknown and duplicate fields encountered.");

    private static JsonObject Continue() => Query("continue", "string", "The continue option should be set when retrieving more results from the server. Since this value is server defined, clients may only use the continue value from a previous query result with identical query parameters (except for the value of continue).");

    private static JsonObject FieldSelector() => Query("fieldSelector", "string", "A selector to restrict the list of returned objects by their fields. Defaults to everything.");

    private static JsonObject LabelSelector() => Query("labelSelector", "string", "A selector to restrict the list of returned objects by their labels. Defaults to everything.");

    private static JsonObject Limit() => Query("limit", "integer", "limit is a maximum number of responses to return for a list call. If more items exist, the server will set the `continue` field on the list metadata to a value that can be used with the same initial query to retrieve the next set of results.");

    private static JsonObject ResourceVersion() => Query("resourceVersion", "string", "resourceVersion sets a constraint on what resource versions a request may be served from. See https://kubernetes.io/docs/reference/using-api/api-concepts/#resource-versions for details.\n\nDefaults to unset");

    private static JsonObject ResourceVersionMatch() => Query("resourceVersionMatch", "string", "resourceVersionMatch determines how resourceVersion is applied to list calls. See https://kubernetes.io/docs/reference/using-api/api-concepts/#resource-versions for details.\n\nDefaults to unset");

    private static JsonObject SendInitialEvents() => Query("sendInitialEvents", "boolean", "`sendInitialEvents=true` may be set together with `watch=true`. In that case, the watch stream will begin with synthetic events to produce the current state of objects in the collection, followed by a bookmark event.");

    private static JsonObject TimeoutSeconds() => Query("timeoutSeconds", "integer", "Timeout for the list/watch call. This limits the duration of the call, regardless of any activity or inactivity.");

    private static JsonObject GracePeriodSeconds() => Query("gracePeriodSeconds", "integer", "The duration in seconds before the object should be deleted. Value must be non-negative integer. The value zero indicates delete immediately. If this value is nil, the default grace period for the specified type will be used.");

    private static JsonObject IgnoreStoreReadError() => Query("ignoreStoreReadErrorWithClusterBreakingPotential", "boolean", "if set to true, it will trigger an unsafe deletion of the resource in case the normal deletion flow fails with a corrupt object error.");

    private static JsonObject OrphanDependents() => Query("orphanDependents", "boolean", "Deprecated: please use the PropagationPolicy, this field will be deprecated in 1.7. Should the dependent objects be orphaned.");

    private static JsonObject PropagationPolicy() => Query("propagationPolicy", "string", "Whether and how garbage collection will be performed. Acceptable values are: 'Orphan', 'Background', 'Foreground'.");

    private static JsonObject Query(string name, string type, string description) => new()
    {
        ["description"] = description,
        ["in"] = "query",
        ["name"] = name,
        ["schema"] = new JsonObject { ["type"] = type, ["uniqueItems"] = true },
    };

    private static JsonObject Path(string name, string description) => new()
    {
        ["description"] = description,
        ["in"] = "path",
        ["name"] = name,
        ["required"] = true,
        ["schema"] = new JsonObject { ["type"] = "string", ["uniqueItems"] = true },
    };
}
