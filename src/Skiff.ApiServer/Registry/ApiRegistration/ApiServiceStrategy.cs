using System.Globalization;
using System.Text.Json.Nodes;
using Skiff.Api.Validation;
using Skiff.ApiServer.Registry.Printing;

namespace Skiff.ApiServer.Registry.ApiRegistration;

/// <summary>
/// apiregistration.k8s.io/v1 apiservices (upstream <c>kube-aggregator/pkg/registry/apiservice</c>): the name is
/// <c>version.group</c>; priorities within upstream's bounds; a local APIService (no <c>service</c>) has neither
/// caBundle nor insecureSkipTLSVerify; <c>service.port</c> defaults to 443; status through <c>/status</c> only.
/// Printed as NAME SERVICE AVAILABLE AGE.
/// </summary>
public sealed class ApiServiceStrategy : ResourceStrategy
{
    /// <summary>The shared instance.</summary>
    public static ApiServiceStrategy Instance { get; } = new();

    /// <inheritdoc/>
    public override bool HasStatusSubresource => true;

    /// <inheritdoc/>
    public override IReadOnlyList<string> ValidateName(string name, bool prefix) => Rules.PathSegmentName(name);

    /// <inheritdoc/>
    public override void ApplyDefaults(JsonObject obj)
    {
        if (obj["spec"]?["service"] is JsonObject service && service["port"] is null)
        {
            service["port"] = 443;
        }
    }

    /// <inheritdoc/>
    public override IEnumerable<FieldError> ValidateCreate(JsonObject obj)
    {
        var group = JsonPath.Str(obj, "spec", "group") ?? "";
        var version = JsonPath.Str(obj, "spec", "version") ?? "";
        var required = version + "." + group;
        if (JsonPath.Name(obj) is { Length: > 0 } name && Rules.PathSegmentName(name).Count == 0 && name != required)
        {
            yield return FieldError.Invalid("metadata.name", Rules.Q(name), $"must be `spec.version+\".\"+spec.group`: {Rules.Q(required)}");
        }

        if (group.Length == 0 && version != "v1")
        {
            yield return FieldError.Required("spec.group", "only v1 may have an empty group and it better be legacy kube");
        }

        if (group.Length > 0)
        {
            foreach (var e in Rules.Invalid("spec.group", group, Rules.Dns1123Subdomain(group)))
            {
                yield return e;
            }
        }

        foreach (var e in Rules.Invalid("spec.version", version, Rules.Dns1035Label(version)))
        {
            yield return e;
        }

        var groupPriority = JsonPath.Long(obj, "spec", "groupPriorityMinimum") ?? 0;
        if (groupPriority is <= 0 or > 20000)
        {
            yield return FieldError.Invalid("spec.groupPriorityMinimum", groupPriority.ToString(CultureInfo.InvariantCulture), "must be positive and less than 20000");
        }

        var versionPriority = JsonPath.Long(obj, "spec", "versionPriority") ?? 0;
        if (versionPriority is <= 0 or > 1000)
        {
            yield return FieldError.Invalid("spec.versionPriority", versionPriority.ToString(CultureInfo.InvariantCulture), "must be positive and less than 1000");
        }

        var caBundleBytes = CaBundleLength(obj);
        var insecure = JsonPath.Bool(obj, "spec", "insecureSkipTLSVerify") == true;
        if (obj["spec"]?["service"] is not JsonObject service)
        {
            if (caBundleBytes > 0)
            {
                yield return FieldError.Invalid("spec.caBundle", Rules.Q($"{caBundleBytes} bytes"), "local APIServices may not have a caBundle");
            }

            if (insecure)
            {
                yield return FieldError.Invalid("spec.insecureSkipTLSVerify", "true", "local APIServices may not have insecureSkipTLSVerify");
            }

            yield break;
        }

        if (string.IsNullOrEmpty(JsonPath.Str(service, "namespace")))
        {
            yield return FieldError.Required("spec.service.namespace");
        }

        if (string.IsNullOrEmpty(JsonPath.Str(service, "name")))
        {
            yield return FieldError.Required("spec.service.name");
        }

        if (JsonPath.Long(service, "port") is { } port)
        {
            foreach (var message in Rules.PortNumber(port))
            {
                yield return FieldError.Invalid("spec.service.port", port.ToString(CultureInfo.InvariantCulture), message);
            }
        }

        if (insecure && caBundleBytes > 0)
        {
            yield return FieldError.Invalid("spec.insecureSkipTLSVerify", "true", "may not be true if caBundle is present");
        }
    }

    /// <inheritdoc/>
    public override IEnumerable<FieldError> ValidateStatusUpdate(JsonObject newObj, JsonObject oldObj)
    {
        var i = 0;
        foreach (var condition in JsonPath.Objects(newObj, "status", "conditions"))
        {
            if (JsonPath.Str(condition, "status") is not ("True" or "False" or "Unknown"))
            {
                yield return FieldError.NotSupported($"status.conditions[{i}].status", Show(condition["status"]), ["True", "False", "Unknown"]);
            }

            i++;
        }
    }

    /// <inheritdoc/>
    public override TableDefinition Table { get; } = new(
        [
            Columns.Name,
            Columns.S("Service", "The reference to the service that hosts this API endpoint."),
            Columns.S("Available", "Whether this service is available."),
            Columns.Age,
        ],
        (o, now) => [JsonPath.Name(o), ServiceCell(o), AvailableCell(o), Cells.Age(o, now)]);

    /// <summary>The SERVICE cell: <c>namespace/name</c>, or <c>Local</c>.</summary>
    public static string ServiceCell(JsonObject obj) =>
        obj["spec"]?["service"] is JsonObject s ? $"{JsonPath.Str(s, "namespace")}/{JsonPath.Str(s, "name")}" : "Local";

    /// <summary>The AVAILABLE cell: <c>True</c>, <c>False (Reason)</c>, or <c>Unknown</c> without a condition.</summary>
    public static string AvailableCell(JsonObject obj)
    {
        var condition = JsonPath.Objects(obj, "status", "conditions").FirstOrDefault(c => JsonPath.Str(c, "type") == "Available");
        if (condition is null)
        {
            return "Unknown";
        }

        var status = JsonPath.Str(condition, "status") ?? "";
        return status == "True" ? "True" : $"{status} ({JsonPath.Str(condition, "reason")})";
    }

    private static int CaBundleLength(JsonObject obj)
    {
        if (JsonPath.Str(obj, "spec", "caBundle") is not { Length: > 0 } b64)
        {
            return 0;
        }

        try
        {
            return Convert.FromBase64String(b64).Length;
        }
        catch (FormatException)
        {
            return b64.Length;
        }
    }
}
