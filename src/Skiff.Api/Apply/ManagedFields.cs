using System.Globalization;
using System.Text.Json.Nodes;
using Skiff.Api.Internal;

namespace Skiff.Api.Apply;

/// <summary>One decoded <c>managedFields</c> entry.</summary>
internal sealed class ManagedEntry
{
    public string Manager { get; init; } = "";

    public string Operation { get; init; } = "";

    public string ApiVersion { get; set; } = "";

    public string? Time { get; set; }

    public string Subresource { get; init; } = "";

    public FieldSet Set { get; set; } = new();

    /// <summary>Entries are identified like upstream: manager, operation, subresource, and apiVersion for Update only.</summary>
    public bool SameIdentity(string manager, string operation, string apiVersion, string subresource) =>
        Manager == manager && Operation == operation && Subresource == subresource && (operation == "Apply" || ApiVersion == apiVersion);

    /// <summary>Upstream's printed manager in conflict messages: <c>"m"</c>, with subresource and, for updates, <c>using apps/v1</c>.</summary>
    public string Printed()
    {
        var s = Validation.GoFormat.Quote(Manager);
        if (Subresource.Length > 0)
        {
            s += " with subresource " + Validation.GoFormat.Quote(Subresource);
        }

        return Operation == "Update" ? s + " using " + ApiVersion : s;
    }

    public static List<ManagedEntry> Decode(JsonObject? obj)
    {
        var list = new List<ManagedEntry>();
        if ((obj?["metadata"] as JsonObject)?["managedFields"] is not JsonArray arr)
        {
            return list;
        }

        foreach (var e in arr.OfType<JsonObject>())
        {
            list.Add(new ManagedEntry
            {
                Manager = JsonUtil.GetString(e["manager"]) ?? "",
                Operation = JsonUtil.GetString(e["operation"]) ?? "",
                ApiVersion = JsonUtil.GetString(e["apiVersion"]) ?? "",
                Time = JsonUtil.GetString(e["time"]),
                Subresource = JsonUtil.GetString(e["subresource"]) ?? "",
                Set = FieldSet.FromFieldsV1(e["fieldsV1"] as JsonObject),
            });
        }

        return list;
    }

    public static void Encode(JsonObject obj, List<ManagedEntry> entries)
    {
        var meta = obj["metadata"] as JsonObject;
        if (meta is null)
        {
            meta = new JsonObject();
            obj["metadata"] = meta;
        }

        var kept = entries.Where(e => !e.Set.IsEmpty).ToList();
        var sorted = kept
            .OrderBy(e => e.Operation, StringComparer.Ordinal)
            .ThenBy(e => Seconds(e.Time))
            .ThenBy(e => e.Manager, StringComparer.Ordinal)
            .ThenBy(e => e.ApiVersion, StringComparer.Ordinal)
            .ThenBy(e => e.Subresource, StringComparer.Ordinal)
            .ToList();
        var arr = new JsonArray();
        foreach (var e in sorted)
        {
            var o = new JsonObject
            {
                ["manager"] = e.Manager,
                ["operation"] = e.Operation,
            };
            if (e.ApiVersion.Length > 0)
            {
                o["apiVersion"] = e.ApiVersion;
            }

            if (e.Time is not null)
            {
                o["time"] = e.Time;
            }

            o["fieldsType"] = "FieldsV1";
            o["fieldsV1"] = e.Set.ToFieldsV1();
            if (e.Subresource.Length > 0)
            {
                o["subresource"] = e.Subresource;
            }

            arr.Add(o);
        }

        if (arr.Count == 0)
        {
            meta.Remove("managedFields");
        }
        else
        {
            meta["managedFields"] = arr;
        }
    }

    public static string FormatTime(DateTimeOffset t) => t.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static long Seconds(string? time) =>
        time is not null && DateTimeOffset.TryParse(time, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t) ? t.ToUnixTimeSeconds() : 0;
}
