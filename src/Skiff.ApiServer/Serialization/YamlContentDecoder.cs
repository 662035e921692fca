using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Skiff.ApiServer.Http;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Skiff.ApiServer.Serialization;

/// <summary>
/// Decodes <c>application/yaml</c> bodies into JSON like sigs.k8s.io/yaml: plain scalars resolve to null, booleans,
/// integers and floats; quoted scalars stay strings.
/// </summary>
public sealed class YamlContentDecoder : IContentDecoder
{
    /// <summary>The shared instance.</summary>
    public static YamlContentDecoder Instance { get; } = new();

    /// <inheritdoc/>
    public IReadOnlyList<string> MediaTypes { get; } = ["application/yaml", "application/apply-patch+yaml"];

    /// <inheritdoc/>
    public JsonNode? Decode(ReadOnlyMemory<byte> body)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(Encoding.UTF8.GetString(body.Span)));
        }
        catch (YamlException e)
        {
            throw Interim.Errors.BadRequest($"error converting YAML to JSON: yaml: line {e.Start.Line}: {e.Message}");
        }

        return stream.Documents.Count == 0 ? null : Convert(stream.Documents[0].RootNode);
    }

    /// <summary>Converts one YAML node.</summary>
    public static JsonNode? Convert(YamlNode node)
    {
        switch (node)
        {
            case YamlMappingNode map:
            {
                var o = new JsonObject();
                foreach (var (k, v) in map.Children)
                {
                    var key = k is YamlScalarNode ks ? ks.Value ?? "" : k.ToString();
                    o[key] = Convert(v);
                }

                return o;
            }

            case YamlSequenceNode seq:
                return new JsonArray(seq.Children.Select(Convert).ToArray());
            case YamlScalarNode s:
                return Scalar(s);
            default:
                return null;
        }
    }

    private static JsonNode? Scalar(YamlScalarNode s)
    {
        var v = s.Value ?? "";
        if (s.Style is ScalarStyle.SingleQuoted or ScalarStyle.DoubleQuoted or ScalarStyle.Literal or ScalarStyle.Folded)
        {
            return JsonValue.Create(v);
        }

        if (s.Tag == "tag:yaml.org,2002:str")
        {
            return JsonValue.Create(v);
        }

        switch (v)
        {
            case "" or "~" or "null" or "Null" or "NULL":
                return null;
            case "true" or "True" or "TRUE":
                return JsonValue.Create(true);
            case "false" or "False" or "FALSE":
                return JsonValue.Create(false);
        }

        if (long.TryParse(v, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l))
        {
            return JsonValue.Create(l);
        }

        if (v.StartsWith("0x", StringComparison.Ordinal) && long.TryParse(v[2..], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var hex))
        {
            return JsonValue.Create(hex);
        }

        if ((char.IsDigit(v[0]) || v[0] is '-' or '+' or '.') && double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && !double.IsInfinity(d))
        {
            return JsonValue.Create(d);
        }

        return JsonValue.Create(v);
    }
}
