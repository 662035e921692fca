using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Skiff.Api.Errors;
using Skiff.Api.Protobuf;
using Skiff.Api.Serialization;

namespace Skiff.ApiServer.Http;

/// <summary>Writes objects and Status errors to a response.</summary>
internal static class Responses
{
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>
    /// Writes <paramref name="body"/> as <paramref name="format"/>. Protobuf is used only when the object's kind has a
    /// protobuf form; otherwise the client's next plain JSON/YAML choice is used, or 406 when it accepts nothing else.
    /// </summary>
    public static async Task WriteAsync(HttpContext ctx, int status, JsonNode? body, string format = "application/json", string? contentType = null)
    {
        if (format == Negotiation.Protobuf)
        {
            if (TryEncodeProtobuf(body) is { } proto)
            {
                ctx.Response.StatusCode = status;
                ctx.Response.ContentType = Negotiation.Protobuf;
                ctx.Response.ContentLength = proto.Length;
                await ctx.Response.Body.WriteAsync(proto, ctx.RequestAborted).ConfigureAwait(false);
                return;
            }

            format = Negotiation.TextFallback(ctx.Request.Headers.Accept) ?? throw StatusErrors.NotAcceptable(Negotiation.TextFormats);
        }

        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = contentType ?? format;
        if (format == "application/yaml")
        {
            await ctx.Response.WriteAsync(YamlWriter.Write(body), ctx.RequestAborted).ConfigureAwait(false);
            return;
        }

        // Upstream's JSON serializer is Go's json.Encoder, which ends every document with a newline; pretty output is
        // json.MarshalIndent(obj, "", "  ") written as is (no newline).
        var bytes = IsPrettyPrint(ctx.Request) ? SerializeIndented(body) : SerializeLine(body);
        ctx.Response.ContentLength = bytes.Length;
        await ctx.Response.Body.WriteAsync(bytes, ctx.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>The protobuf envelope of <paramref name="body"/>, or null when its kind has no protobuf form.</summary>
    public static byte[]? TryEncodeProtobuf(JsonNode? body)
    {
        if (body is not JsonObject o || !ProtobufCodec.CanEncode(o["apiVersion"]?.GetValue<string>(), o["kind"]?.GetValue<string>()))
        {
            return null;
        }

        try
        {
            return ProtobufCodec.Encode(o);
        }
        catch (ProtobufEncodeException)
        {
            // A value of the wrong type (not something upstream would store): serve it as text instead.
            return null;
        }
    }

    /// <summary>
    /// Upstream's <c>isPrettyPrint</c>: a non-empty <c>pretty</c> parameter decides by Go's <c>strconv.ParseBool</c>
    /// (1 t T TRUE true True; anything unparsable is false, never an error); otherwise curl, Wget and browsers
    /// (User-Agent <c>curl</c>…, <c>Wget</c>…, <c>Mozilla/5.0</c>…) get pretty output.
    /// </summary>
    public static bool IsPrettyPrint(HttpRequest request)
    {
        if (QueryParameters.First(request.Query, "pretty") is { Length: > 0 } pretty)
        {
            return pretty is "1" or "t" or "T" or "TRUE" or "true" or "True";
        }

        var ua = request.Headers.UserAgent.ToString();
        return ua.StartsWith("curl", StringComparison.Ordinal) || ua.StartsWith("Wget", StringComparison.Ordinal)
            || ua.StartsWith("Mozilla/5.0", StringComparison.Ordinal);
    }

    /// <summary>Indented JSON (two spaces, no trailing newline), as Go's <c>json.MarshalIndent(obj, "", "  ")</c>.</summary>
    public static byte[] SerializeIndented(JsonNode? node)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms, IndentedOptions))
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

    private static readonly JsonWriterOptions IndentedOptions = new()
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Indented = true,
        IndentSize = 2,
        NewLine = "\n",
    };

    /// <summary>Compact JSON of <paramref name="node"/> (no trailing newline).</summary>
    public static byte[] Serialize(JsonNode? node) => Serialize(node, newline: false);

    /// <summary>Compact JSON of <paramref name="node"/> followed by <c>\n</c>, as Go's json.Encoder writes a document.</summary>
    public static byte[] SerializeLine(JsonNode? node) => Serialize(node, newline: true);

    private static byte[] Serialize(JsonNode? node, bool newline)
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

        if (newline)
        {
            ms.WriteByte((byte)'\n');
        }

        return ms.ToArray();
    }

    public static Task WriteStatusAsync(HttpContext ctx, StatusException e)
    {
        if (e.Details?.RetryAfterSeconds is { } retry)
        {
            ctx.Response.Headers.RetryAfter = retry.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        // Upstream writes errors in the negotiated encoding: protobuf clients get a protobuf Status.
        return WriteAsync(ctx, e.Code, e.ToStatus(), Negotiation.StatusFormat(ctx.Request.Headers.Accept));
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
