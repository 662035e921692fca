using System.Text.Json.Nodes;
using Skiff.ApiServer.Security;

namespace Skiff.ApiServer.Admission;

/// <summary>
/// What a plugin is asked to admit (upstream's <c>admission.Attributes</c>): the operation, the resource and
/// subresource, the kind, where and what (<see cref="Object"/>, which mutating plugins may change in place, and
/// <see cref="OldObject"/> on update and delete), who (<see cref="User"/>), whether it is a dry run, and the
/// request's options (CreateOptions, UpdateOptions, PatchOptions, DeleteOptions or the connect options).
/// </summary>
public sealed class AdmissionAttributes
{
    private readonly Action<string>? _warn;
    private readonly Dictionary<string, (string Value, Audit.AuditLevel Level)> _annotations = new(StringComparer.Ordinal);

    /// <summary>Creates the attributes; <paramref name="warn"/> receives every warning a plugin adds.</summary>
    public AdmissionAttributes(Action<string>? warn = null) => _warn = warn;

    /// <summary>The operation.</summary>
    public required AdmissionOperation Operation { get; init; }

    /// <summary>The API group of the resource ("" for core).</summary>
    public required string Group { get; init; }

    /// <summary>The API version the request came in.</summary>
    public required string Version { get; init; }

    /// <summary>The resource (plural, e.g. <c>pods</c>).</summary>
    public required string Resource { get; init; }

    /// <summary>The subresource ("" for the main resource; <c>status</c>, <c>binding</c>, <c>eviction</c>, <c>exec</c>…).</summary>
    public string Subresource { get; init; } = "";

    /// <summary>The kind of <see cref="Object"/> (<c>Pod</c>, or <c>Binding</c> / <c>Eviction</c> / <c>Scale</c> for those subresources).</summary>
    public required string Kind { get; init; }

    /// <summary>The namespace ("" for cluster-scoped resources).</summary>
    public string Namespace { get; init; } = "";

    /// <summary>The object's name ("" on a create with only generateName).</summary>
    public string Name { get; set; } = "";

    /// <summary>The new object (create, update); null on delete and connect. Mutating plugins change it in place.</summary>
    public JsonObject? Object { get; set; }

    /// <summary>The current object on update and delete; null otherwise.</summary>
    public JsonObject? OldObject { get; init; }

    /// <summary>The requesting user; null for the server's own writes.</summary>
    public UserInfo? User { get; init; }

    /// <summary>dryRun=All: plugins must have no side effects (ResourceQuota charges nothing).</summary>
    public bool DryRun { get; init; }

    /// <summary>The operation's options object (CreateOptions…), when known.</summary>
    public JsonObject? Options { get; init; }

    /// <summary>The warnings added so far, in order.</summary>
    public List<string> Warnings { get; } = [];

    /// <summary>The resource as upstream names it in messages, <c>pods</c> or <c>deployments.apps</c>.</summary>
    public string QualifiedResource => Group.Length == 0 ? Resource : $"{Resource}.{Group}";

    /// <summary>True when this is <paramref name="resource"/> in the core group on its main resource.</summary>
    public bool IsCore(string resource) => Group.Length == 0 && Resource == resource && Subresource.Length == 0;

    /// <summary>The audit annotations added so far (upstream's <c>Attributes.AddAnnotation</c>), by key.</summary>
    public IReadOnlyDictionary<string, string> Annotations
    {
        get
        {
            lock (_annotations)
            {
                return _annotations.ToDictionary(p => p.Key, p => p.Value.Value, StringComparer.Ordinal);
            }
        }
    }

    /// <summary>The level an annotation was added at (Metadata unless given), or null when absent.</summary>
    public Audit.AuditLevel? AnnotationLevel(string key)
    {
        lock (_annotations)
        {
            return _annotations.TryGetValue(key, out var a) ? a.Level : null;
        }
    }

    /// <summary>
    /// Adds an audit annotation (upstream's <c>AddAnnotationWithLevel</c>): logged only by events at
    /// <paramref name="level"/> or above; the first value of a key wins, as upstream refuses to overwrite one. It
    /// reaches the request's audit event through <see cref="Audit.AuditContext.Current"/>.
    /// </summary>
    public void AddAnnotation(string key, string value, Audit.AuditLevel level = Audit.AuditLevel.Metadata)
    {
        lock (_annotations)
        {
            if (!_annotations.TryAdd(key, (value, level)))
            {
                return;
            }
        }

        Audit.AuditContext.Current?.AddAnnotation(key, value, level);
    }

    /// <summary>Adds a warning; it reaches the client as a <c>Warning: 299 - "…"</c> header (upstream's <c>warning.AddWarning</c>).</summary>
    public void AddWarning(string text)
    {
        if (Warnings.Contains(text))
        {
            return;
        }

        Warnings.Add(text);
        _warn?.Invoke(text);
    }
}
