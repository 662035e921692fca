using Skiff.Api.Errors;

namespace Skiff.ApiServer.Http;

/// <summary>The response shape a client asked for.</summary>
internal enum OutputShape
{
    /// <summary>The object or list itself.</summary>
    Object,
    /// <summary>A meta.k8s.io Table.</summary>
    Table,
    /// <summary>PartialObjectMetadata(List).</summary>
    PartialMetadata,
}

/// <summary>The negotiated response: shape, encoding and (for Table/partial) the meta.k8s.io version.</summary>
internal sealed record Negotiated(OutputShape Shape, string Format, string MetaVersion = "v1");

/// <summary>Accept-header negotiation for resource responses (apiserver <c>pkg/endpoints/handlers/negotiation</c>).</summary>
internal static class Negotiation
{
    public const string Accepted = "application/json, application/yaml, application/vnd.kubernetes.protobuf";

    /// <summary>The protobuf media type (responses only for built-in kinds; never for Tables).</summary>
    public const string Protobuf = Skiff.Api.Protobuf.ProtobufCodec.ContentType;

    /// <summary>What the media types without protobuf are, for 406s on kinds that have no protobuf form.</summary>
    public static readonly string[] TextFormats = ["application/json", "application/yaml"];

    public static Negotiated Negotiate(string? accept, bool allowTransform)
    {
        foreach (var mt in MediaType.ParseAccept(accept))
        {
            var format = FormatOf(mt);
            if (format is null)
            {
                continue;
            }

            var asKind = mt["as"];
            if (asKind is null)
            {
                return new Negotiated(OutputShape.Object, format);
            }

            if (!allowTransform || mt["g"] != "meta.k8s.io" || mt["v"] is not ("v1" or "v1beta1"))
            {
                continue;
            }

            switch (asKind)
            {
                // Tables are served as JSON or YAML only (as upstream).
                case "Table" when format != Protobuf:
                    return new Negotiated(OutputShape.Table, format, mt["v"]!);
                case "PartialObjectMetadata" or "PartialObjectMetadataList":
                    return new Negotiated(OutputShape.PartialMetadata, format, mt["v"]!);
            }
        }

        throw StatusErrors.NotAcceptable(Accepted.Split(", "));
    }

    /// <summary>
    /// The first plain (no <c>as=</c>) JSON or YAML type the Accept header allows, for objects that cannot be
    /// encoded in protobuf; null when the client accepts only protobuf.
    /// </summary>
    public static string? TextFallback(string? accept)
    {
        foreach (var mt in MediaType.ParseAccept(accept))
        {
            if (mt["as"] is null && FormatOf(mt) is { } f && f != Protobuf)
            {
                return f;
            }
        }

        return null;
    }

    /// <summary>The format for a Status error: the first plain type the client accepts (JSON when none).</summary>
    public static string StatusFormat(string? accept)
    {
        foreach (var mt in MediaType.ParseAccept(accept))
        {
            if (mt["as"] is null && FormatOf(mt) is { } f)
            {
                return f;
            }
        }

        return "application/json";
    }

    private static string? FormatOf(MediaType mt) => mt.Essence switch
    {
        "application/json" or "*/*" or "application/*" => "application/json",
        "application/yaml" => "application/yaml",
        Protobuf => mt["stream"] is null or "watch" ? Protobuf : null,
        _ => null,
    };

    public static StatusException UnsupportedMediaType(string accepted) =>
        new(415, "UnsupportedMediaType", "the body of the request was in an unknown format - accepted media types include: " + accepted);
}
