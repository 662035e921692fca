using System.Text.Json.Nodes;
using Skiff.ApiServer.Security;

namespace Skiff.ApiServer.Admission;

/// <summary>
/// One request's admission, handed to the store with its write options: the chain and everything about the request
/// the store does not know (user, version, subresource, options, where warnings go). The store calls
/// <see cref="MutateAsync"/> on the decoded, defaulted object before the strategy prepares and validates it, and
/// <see cref="ValidateAsync"/> right before the write (upstream's admit then <c>createValidation</c> /
/// <c>updateValidation</c>), on every retry of a conflicting update.
/// </summary>
internal sealed class AdmissionRequest
{
    /// <summary>The chain.</summary>
    public required AdmissionChain Chain { get; init; }

    /// <summary>The API group.</summary>
    public required string Group { get; init; }

    /// <summary>The version the request came in.</summary>
    public required string Version { get; init; }

    /// <summary>The resource.</summary>
    public required string Resource { get; init; }

    /// <summary>The subresource, or "".</summary>
    public string Subresource { get; init; } = "";

    /// <summary>The kind of the object admitted.</summary>
    public required string Kind { get; init; }

    /// <summary>The namespace.</summary>
    public string Namespace { get; init; } = "";

    /// <summary>The user.</summary>
    public UserInfo? User { get; init; }

    /// <summary>dryRun=All.</summary>
    public bool DryRun { get; init; }

    /// <summary>The options object, when known (otherwise built per operation from the fields below).</summary>
    public JsonObject? Options { get; init; }

    /// <summary>The request's <c>fieldManager</c> query parameter, or null.</summary>
    public string? FieldManager { get; init; }

    /// <summary>The request's <c>fieldValidation</c> query parameter, or null.</summary>
    public string? FieldValidation { get; init; }

    /// <summary>Where warnings go (the response's Warning headers).</summary>
    public Action<string>? Warn { get; init; }

    /// <summary>The attributes for one operation on <paramref name="obj"/> (and <paramref name="old"/>).</summary>
    public AdmissionAttributes Attributes(AdmissionOperation operation, JsonObject? obj, JsonObject? old, string name, string? ns = null) => new(Warn)
    {
        Operation = operation,
        Group = Group,
        Version = Version,
        Resource = Resource,
        Subresource = Subresource,
        Kind = Kind,
        Namespace = ns ?? Namespace,
        Name = name,
        Object = obj,
        OldObject = old,
        User = User,
        DryRun = DryRun,
        Options = Options ?? OptionsFor(operation),
    };

    /// <summary>
    /// The operation's options as upstream hands them to admission (<c>GetOperationOptions</c>): CreateOptions or
    /// UpdateOptions (a patch is admitted with the UpdateOptions it converts to) with dryRun, fieldManager and
    /// fieldValidation as the request gave them; DeleteOptions with dryRun; none for CONNECT.
    /// </summary>
    private JsonObject? OptionsFor(AdmissionOperation operation)
    {
        var kind = operation switch
        {
            AdmissionOperation.Create => "CreateOptions",
            AdmissionOperation.Update => "UpdateOptions",
            AdmissionOperation.Delete => "DeleteOptions",
            _ => null,
        };
        if (kind is null)
        {
            return null;
        }

        var options = new JsonObject { ["kind"] = kind, ["apiVersion"] = "meta.k8s.io/v1" };
        if (DryRun)
        {
            options["dryRun"] = new JsonArray("All");
        }

        if (operation != AdmissionOperation.Delete)
        {
            if (FieldManager is { Length: > 0 } manager)
            {
                options["fieldManager"] = manager;
            }

            if (FieldValidation is { Length: > 0 } validation)
            {
                options["fieldValidation"] = validation;
            }
        }

        return options;
    }

    /// <summary>Runs the mutating plugins on <paramref name="obj"/> (changed in place); returns the attributes for validation.</summary>
    public async ValueTask<AdmissionAttributes> MutateAsync(AdmissionOperation operation, JsonObject obj, JsonObject? old, CancellationToken ct)
    {
        var attributes = Attributes(operation, obj, old, Store.Meta.Name(obj));
        if (Audit.AuditContext.Current is { ObjectName: null } audit && attributes.Name.Length > 0)
        {
            audit.ObjectName = attributes.Name;
        }

        await Chain.AdmitAsync(attributes, ct).ConfigureAwait(false);
        return attributes;
    }

    /// <summary>Runs the validating plugins on the final object.</summary>
    public ValueTask ValidateAsync(AdmissionAttributes attributes, JsonObject obj, CancellationToken ct)
    {
        attributes.Object = obj;
        attributes.Name = Store.Meta.Name(obj);
        return Chain.ValidateAsync(attributes, ct);
    }

    /// <summary>Admits the deletion of <paramref name="current"/> (both phases; upstream's <c>deleteValidation</c>).</summary>
    public async ValueTask DeleteAsync(JsonObject current, CancellationToken ct)
    {
        if (!Chain.Handles(AdmissionOperation.Delete))
        {
            return;
        }

        var attributes = Attributes(AdmissionOperation.Delete, null, current, Store.Meta.Name(current), Store.Meta.Namespace(current));
        await Chain.RunAsync(attributes, ct).ConfigureAwait(false);
    }
}
