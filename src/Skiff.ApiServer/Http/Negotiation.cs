using Skiff.ApiServer.Interim;
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

    public static Negotiated Negotiate(string? accept, bool allowTransform)
    {
        foreach (var mt in MediaType.ParseAccept(accept))
        {
            var format = mt.Essence switch
            {
                "application/json" or "*/*" or "application/*" => "application/json",
                "application/yaml" => "application/yaml",
                _ => null,
            };
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
                case "Table":
                    return new Negotiated(OutputShape.Table, format, mt["v"]!);
                case "PartialObjectMetadata" or "PartialObjectMetadataList":
                    return new Negotiated(OutputShape.PartialMetadata, format, mt["v"]!);
            }
        }

        throw new StatusException(406, "NotAcceptable", "only the following media types are accepted: " + Accepted);
    }

    public static StatusException UnsupportedMediaType(string accepted) =>
        new(415, "UnsupportedMediaType", "the body of the request was in an unknown format - accepted media types include: " + accepted);
}
