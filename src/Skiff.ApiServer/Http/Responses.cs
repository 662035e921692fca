using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Skiff.Api.Errors;
using Skiff.ApiServer.Serialization;

namespace Skiff.ApiServer.Http;

/// <summary>Writes objects and Status errors to a response.</summary>
internal static class Responses
{
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static async Task WriteAsync(HttpContext ctx, int status, JsonNode? body, string format = "application/json", string? contentType = null)
    {
        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = contentType ?? format;
        if (format == "application/yaml")
        {
            await ctx.Response.WriteAsync(YamlWriter.Write(body), ctx.RequestAborted).ConfigureAwait(false);
            return;
        }

        var bytes = Serialize(body);
        ctx.Response.ContentLength = bytes.Length;
        await ctx.Response.Body.WriteAsync(bytes, ctx.RequestAborted).ConfigureAwait(false);
    }

    public static byte[] Serialize(JsonNode? node)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms, WriterOptions))
        {
            if (node is null)
            {
                w.WriteNullValue();
            }
            else
            {
                node.WriteTo(w);
            }
        }

        return ms.ToArray();
    }

    public static Task WriteStatusAsync(HttpContext ctx, StatusException e)
    {
        if (e.Details?.RetryAfterSeconds is { } retry)
        {
            ctx.Response.Headers.RetryAfter = retry.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return WriteAsync(ctx, e.Code, e.ToStatus());
    }

    public static JsonObject Success(string name, string group, string resource, string uid)
    {
        var details = new JsonObject { ["name"] = name };
        if (group.Length > 0)
        {
            details["group"] = group;
        }

        details["kind"] = resource;
        details["uid"] = uid;
        return new JsonObject
        {
            ["kind"] = "Status",
            ["apiVersion"] = "v1",
            ["metadata"] = new JsonObject(),
            ["status"] = "Success",
            ["details"] = details,
        };
    }
}
