using System.Globalization;
using System.Text.Json.Nodes;
using Skiff.Api.Errors;
using Skiff.Api.Validation;
using Skiff.ApiServer.Registry;

namespace Skiff.ApiServer.CustomResources;

/// <summary>
/// The strategy of one served version of a CustomResourceDefinition (upstream
/// <c>apiextensions-apiserver/pkg/registry/customresource/strategy.go</c>): scope from the CRD; every write is pruned,
/// defaulted and validated by the version's compiled schema (<see cref="ICustomResourceSchema"/>: Prune → Default →
/// Validate); <c>metadata.generation</c> moves on any change outside metadata and status; with the status subresource
/// a create drops status, the main resource ignores status and <c>/status</c> ignores everything else; a PUT without
/// resourceVersion is refused; the scale subresource maps <c>specReplicasPath</c>, <c>statusReplicasPath</c> and
/// <c>labelSelectorPath</c> onto <c>autoscaling/v1 Scale</c>; Table output uses the version's printer columns.
/// </summary>
public sealed class CustomResourceStrategy : ResourceStrategy
{
    private readonly bool _status;
    private bool _terminating;

    /// <summary>Creates the strategy of version <paramref name="version"/> of <paramref name="crd"/>.</summary>
    public CustomResourceStrategy(JsonObject crd, JsonObject version, ICustomResourceSchema schema)
    {
        Schema = schema;
        Group = JsonPath.Str(crd, "spec", "group") ?? "";
        Version = JsonPath.Str(version, "name") ?? "";
        Kind = JsonPath.Str(crd, "status", "acceptedNames", "kind") ?? JsonPath.Str(crd, "spec", "names", "kind") ?? "";
        Resource = JsonPath.Str(crd, "status", "acceptedNames", "plural") ?? JsonPath.Str(crd, "spec", "names", "plural") ?? "";
        OpenApiSchema = JsonPath.Obj(version, "schema", "openAPIV3Schema")?.DeepClone().AsObject();
        _status = JsonPath.Obj(version, "subresources", "status") is not null;
        if (JsonPath.Obj(version, "subresources", "scale") is { } scale)
        {
            SpecReplicasPath = JsonPath.Str(scale, "specReplicasPath");
            StatusReplicasPath = JsonPath.Str(scale, "statusReplicasPath");
            LabelSelectorPath = JsonPath.Str(scale, "labelSelectorPath");
        }

        Table = CustomResourceTable.For(JsonPath.Arr(version, "additionalPrinterColumns"));
        Conversion = CustomResourceConversion.FromCrd(crd);
    }

    /// <summary>The CRD's conversion (None or Webhook).</summary>
    public CustomResourceConversion Conversion { get; }

    /// <summary>The compiled schema of this version.</summary>
    public ICustomResourceSchema Schema { get; }

    /// <summary>The CRD's group.</summary>
    public string Group { get; }

    /// <summary>This version's name.</summary>
    public string Version { get; }

    /// <summary>The kind.</summary>
    public string Kind { get; }

    /// <summary>The plural resource name.</summary>
    public string Resource { get; }

    /// <summary>The version's <c>openAPIV3Schema</c> (null: none), for the OpenAPI documents.</summary>
    public JsonObject? OpenApiSchema { get; }

    /// <summary><c>subresources.scale.specReplicasPath</c>; null without a scale subresource.</summary>
    public string? SpecReplicasPath { get; }

    /// <summary><c>subresources.scale.statusReplicasPath</c>.</summary>
    public string? StatusReplicasPath { get; }

    /// <summary><c>subresources.scale.labelSelectorPath</c>, or null.</summary>
    public string? LabelSelectorPath { get; }

    /// <summary>True when the version has the scale subresource.</summary>
    public bool HasScale => SpecReplicasPath is not null;

    /// <summary>
    /// Set when the CRD is being deleted: creates are then refused with upstream's 405
    /// (<c>create not allowed while custom resource definition is terminating</c>).
    /// </summary>
    public bool Terminating
    {
        get => Volatile.Read(ref _terminating);
        set => Volatile.Write(ref _terminating, value);
    }

    /// <inheritdoc/>
    public override bool HasStatusSubresource => _status;

    /// <inheritdoc/>
    public override IReadOnlyList<string>? GenerationFields => null;

    /// <inheritdoc/>
    public override bool AllowUnconditionalUpdate => false;

    /// <inheritdoc/>
    public override TableDefinition Table { get; }

    /// <inheritdoc/>
    public override void PrepareForCreate(JsonObject obj)
    {
        if (_status)
        {
            obj.Remove("status");
        }
    }

    /// <inheritdoc/>
    public override ValueTask<WriteHook?> BeforeWriteAsync(StrategyContext context, JsonObject newObj, JsonObject? oldObj, CancellationToken ct)
    {
        if (oldObj is null && Terminating)
        {
            var e = StatusErrors.MethodNotAllowed(Group, Resource, "create");
            throw new StatusException(405, "MethodNotAllowed", "create not allowed while custom resource definition is terminating", e.Details);
        }

        return ValueTask.FromResult<WriteHook?>(null);
    }

    /// <inheritdoc/>
    public override void ApplyDefaults(JsonObject obj)
    {
        Schema.Prune(obj);
        Schema.Default(obj);
    }

    /// <inheritdoc/>
    public override IEnumerable<FieldError> ValidateCreate(JsonObject obj) => Schema.Validate(obj, null);

    /// <inheritdoc/>
    public override IEnumerable<FieldError> ValidateUpdate(JsonObject newObj, JsonObject oldObj) => Schema.Validate(newObj, oldObj);

    /// <inheritdoc/>
    public override IEnumerable<FieldError> ValidateStatusUpdate(JsonObject newObj, JsonObject oldObj) => Schema.Validate(newObj, oldObj);

    /// <summary>The <c>autoscaling/v1 Scale</c> of <paramref name="obj"/> (upstream's <c>scaleFromCustomResource</c>).</summary>
    public JsonObject ToScale(JsonObject obj)
    {
        var meta = obj["metadata"] as JsonObject ?? [];
        var scaleMeta = new JsonObject();
        foreach (var f in new[] { "name", "namespace", "uid", "resourceVersion", "creationTimestamp" })
        {
            if (meta[f] is { } v)
            {
                scaleMeta[f] = v.DeepClone();
            }
        }

        var status = new JsonObject { ["replicas"] = Int(Get(obj, StatusReplicasPath)) };
        if (Get(obj, LabelSelectorPath) is JsonValue sel && sel.TryGetValue<string>(out var selector) && selector.Length > 0)
        {
            status["selector"] = selector;
        }

        return new JsonObject
        {
            ["kind"] = "Scale",
            ["apiVersion"] = "autoscaling/v1",
            ["metadata"] = scaleMeta,
            ["spec"] = new JsonObject { ["replicas"] = Int(Get(obj, SpecReplicasPath)) },
            ["status"] = status,
        };
    }

    /// <summary>
    /// Writes a Scale's <c>spec.replicas</c> to <c>specReplicasPath</c> of <paramref name="obj"/> and carries its
    /// resourceVersion as the update's precondition; 422 for a negative or missing replica count.
    /// </summary>
    public JsonObject FromScale(JsonObject obj, JsonObject scale)
    {
        var name = JsonPath.Name(obj);
        if (scale["spec"] is not JsonObject spec || spec["replicas"] is not JsonValue replicas || !replicas.TryGetValue<long>(out var n))
        {
            throw StatusErrors.Invalid("autoscaling", "Scale", name, [FieldError.Required("spec.replicas")]);
        }

        if (n < 0)
        {
            throw StatusErrors.Invalid("autoscaling", "Scale", name, [FieldError.Invalid("spec.replicas", n.ToString(CultureInfo.InvariantCulture), "must be greater than or equal to 0")]);
        }

        Set(obj, SpecReplicasPath!, n);
        var rv = JsonPath.Str(scale, "metadata", "resourceVersion");
        var meta = JsonPath.Ensure(obj, "metadata");
        if (string.IsNullOrEmpty(rv))
        {
            meta.Remove("resourceVersion");
        }
        else
        {
            meta["resourceVersion"] = rv;
        }

        return obj;
    }

    private static long Int(JsonNode? node) => node is JsonValue v && v.TryGetValue<long>(out var l) ? l : node is JsonValue d && d.TryGetValue<double>(out var x) ? (long)x : 0;

    private static string[] Steps(string path) => path.TrimStart('.').Split('.', StringSplitOptions.RemoveEmptyEntries);

    private static JsonNode? Get(JsonObject obj, string? path) => path is null ? null : JsonPath.Get(obj, Steps(path));

    private static void Set(JsonObject obj, string path, long value)
    {
        var steps = Steps(path);
        var parent = steps.Length > 1 ? JsonPath.Ensure(obj, steps.AsSpan(0, steps.Length - 1)) : obj;
        parent[steps[^1]] = value;
    }
}
