using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Skiff.ApiServer.Security;

namespace Skiff.ApiServer.Audit;

/// <summary>
/// Builds audit.k8s.io/v1 <c>Event</c>s in upstream's field order: kind, apiVersion, level, auditID, stage,
/// requestURI, verb, user, impersonatedUser, sourceIPs, userAgent, objectRef, responseStatus, requestObject,
/// responseObject, requestReceivedTimestamp, stageTimestamp, annotations. Timestamps are RFC 3339 with microseconds.
/// </summary>
public static class AuditEvents
{
    /// <summary>The event of <paramref name="audit"/> at <paramref name="stage"/>.</summary>
    /// <param name="audit">The request's audit context.</param>
    /// <param name="ctx">The HTTP request.</param>
    /// <param name="stage">RequestReceived, ResponseStarted, ResponseComplete or Panic.</param>
    /// <param name="now">The stage's time.</param>
    /// <param name="responseCode">The response code (ResponseStarted and later), or null.</param>
    /// <param name="requestObject">The request object (level Request and above), or null.</param>
    /// <param name="responseObject">The response object (level RequestResponse), or null.</param>
    public static JsonObject Build(AuditContext audit, HttpContext ctx, string stage, DateTimeOffset now, int? responseCode,
        JsonNode? requestObject, JsonNode? responseObject)
    {
        var info = audit.Info;
        var ev = new JsonObject
        {
            ["kind"] = "Event",
            ["apiVersion"] = "audit.k8s.io/v1",
            ["level"] = audit.Level.ToString(),
            ["auditID"] = audit.AuditId,
            ["stage"] = stage,
            ["requestURI"] = ctx.Request.Path.Value + ctx.Request.QueryString.Value,
            ["verb"] = info.Verb,
            ["user"] = User(audit.User),
        };
        if (audit.ImpersonatedUser is { } impersonated)
        {
            ev["impersonatedUser"] = User(impersonated);
        }

        ev["sourceIPs"] = new JsonArray(SourceIps(ctx).Select(ip => (JsonNode?)ip).ToArray());
        if (ctx.Request.Headers.UserAgent.ToString() is { Length: > 0 } agent)
        {
            ev["userAgent"] = agent;
        }

        if (info.IsResourceRequest)
        {
            var objectRef = new JsonObject { ["resource"] = info.Resource };
            if (info.Namespace.Length > 0)
            {
                objectRef["namespace"] = info.Namespace;
            }

            if ((info.Name.Length > 0 ? info.Name : audit.ObjectName) is { Length: > 0 } name)
            {
                objectRef["name"] = name;
            }

            if (info.Group.Length > 0)
            {
                objectRef["apiGroup"] = info.Group;
            }

            objectRef["apiVersion"] = info.Version;
            if (info.Subresource.Length > 0)
            {
                objectRef["subresource"] = info.Subresource;
            }

            ev["objectRef"] = objectRef;
        }

        if (responseCode is { } code)
        {
            var status = new JsonObject { ["metadata"] = new JsonObject() };
            if (audit.Failure is { } failure)
            {
                var full = failure.ToStatus();
                status["status"] = "Failure";
                status["message"] = full["message"]?.DeepClone();
                status["reason"] = full["reason"]?.DeepClone();
                if (full["details"] is { } details)
                {
                    status["details"] = details.DeepClone();
                }
            }

            status["code"] = code;
            ev["responseStatus"] = status;
        }

        if (requestObject is not null)
        {
            ev["requestObject"] = Trim(requestObject, audit.OmitManagedFields);
        }

        if (responseObject is not null)
        {
            ev["responseObject"] = Trim(responseObject, audit.OmitManagedFields);
        }

        ev["requestReceivedTimestamp"] = MicroTime(audit.Received);
        ev["stageTimestamp"] = MicroTime(now);
        var annotations = audit.AnnotationsAt(audit.Level);
        if (annotations.Count > 0)
        {
            var obj = new JsonObject();
            foreach (var (k, v) in annotations)
            {
                obj[k] = v;
            }

            ev["annotations"] = obj;
        }

        return ev;
    }

    /// <summary>A time as upstream's MicroTime: <c>2006-01-02T15:04:05.000000Z</c>.</summary>
    public static string MicroTime(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);

    private static JsonNode Trim(JsonNode obj, bool omitManagedFields)
    {
        var copy = obj.DeepClone();
        if (omitManagedFields && copy is JsonObject o)
        {
            (o["metadata"] as JsonObject)?.Remove("managedFields");
            foreach (var item in (o["items"] as JsonArray ?? []).OfType<JsonObject>())
            {
                (item["metadata"] as JsonObject)?.Remove("managedFields");
            }
        }

        return copy;
    }

    private static JsonObject User(UserInfo? user) => user?.ToJson() ?? [];

    /// <summary>Upstream's <c>utilnet.SourceIPs</c>: X-Forwarded-For, then X-Real-Ip, then the peer, without repeats.</summary>
    private static List<string> SourceIps(HttpContext ctx)
    {
        var ips = new List<string>();
        foreach (var part in ctx.Request.Headers["X-Forwarded-For"].ToString().Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (System.Net.IPAddress.TryParse(part, out var ip))
            {
                ips.Add(ip.ToString());
            }
        }

        if (System.Net.IPAddress.TryParse(ctx.Request.Headers["X-Real-Ip"].ToString(), out var real) && !ips.Contains(real.ToString()))
        {
            ips.Add(real.ToString());
        }

        if (ctx.Connection.RemoteIpAddress is { } remote)
        {
            var peer = (remote.IsIPv4MappedToIPv6 ? remote.MapToIPv4() : remote).ToString();
            if (!ips.Contains(peer))
            {
                ips.Add(peer);
            }
        }

        return ips;
    }
}
