using System.Globalization;
using System.Text.Json.Nodes;
using Skiff.Api.Errors;
using Skiff.Api.Serialization;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Skiff.ApiServer.Serialization;

/// <summary>
/// Builds the JSON form of the first document of a YAML text straight from the parser's events, with every limit
/// enforced before the node it guards is built (CVE-2019-11253: a few hundred bytes of nested aliases expand to
/// billions of nodes). YamlDotNet's representation model (<c>YamlStream</c>) has no such limits (its
/// <c>WithMaximumRecursion</c> guards only the object deserializer), so nothing of it is used. Upstream's
/// <c>sigs.k8s.io/yaml</c> (go-yaml v2) caps alias expansion by the share of decoded nodes that came from aliases; here:
/// <list type="bullet">
/// <item><b>Alias expansion</b>: the nodes produced (aliases counted at the size of what they expand to) may not exceed
/// <see cref="MinAliasBudget"/> or <see cref="AliasFactor"/> times the nodes parsed, whichever is larger:
/// 400 <c>yaml: document contains excessive aliasing</c>.</item>
/// <item><b>Nesting</b>: at most <see cref="MaxDepth"/> levels of mappings and sequences, expanded aliases included (the
/// depth the JSON decoder accepts): 400 <c>yaml: exceeded max depth of 64</c>.</item>
/// <item><b>Decoded size</b>: the JSON text the document stands for may not exceed <see cref="MaxDecodedBytes"/> (the
/// limit on a JSON body): 413.</item>
/// </list>
/// Scalars resolve as sigs.k8s.io/yaml resolves them: plain scalars to null, booleans, integers and floats; quoted
/// and block scalars and <c>!!str</c> stay strings. Invalid UTF-8 and escapes of surrogates are errors, as in go-yaml.
/// </summary>
internal sealed class YamlJsonReader
{
    /// <summary>The deepest nesting of mappings and sequences accepted (System.Text.Json's default, as for JSON bodies).</summary>
    public const int MaxDepth = 64;

    /// <summary>How many times the nodes parsed the nodes produced may be (aliases expand a document by at most this).</summary>
    public const int AliasFactor = 10;

    /// <summary>Nodes a document may always produce, whatever its size.</summary>
    public const int MinAliasBudget = 10_000;

    /// <summary>The largest JSON text a document may stand for: the request body limit.</summary>
    public const long MaxDecodedBytes = 3 * 1024 * 1024;

    private readonly Dictionary<string, Anchored> _anchors = new(StringComparer.Ordinal);
    private readonly Stack<Frame> _stack = new();
    private long _parsedNodes;
    private long _producedNodes;
    private long _producedBytes;

    private YamlJsonReader()
    {
    }

    /// <summary>
    /// The JSON form of the first document of <paramref name="text"/> (null for an empty stream or a null document).
    /// Throws <see cref="StatusException"/>: 400 for malformed YAML or a limit on aliases or depth, 413 for size.
    /// </summary>
    public static JsonNode? ReadFirstDocument(string text)
    {
        var reader = new YamlJsonReader();
        try
        {
            return reader.Read(new Parser(new StringReader(text)));
        }
        catch (YamlException e)
        {
            throw Error(e.Start.Line, e.Message);
        }
        catch (Exception e) when (e is ArgumentException or FormatException or OverflowException)
        {
            // YamlDotNet's scanner lets these through for escapes of surrogates or of code points past U+10FFFF.
            throw Error(0, "found invalid Unicode character escape code: " + e.Message);
        }
        catch (InvalidOperationException e) when (e.TargetSite?.DeclaringType?.FullName?.StartsWith("YamlDotNet.", StringComparison.Ordinal) == true)
        {
            // YamlDotNet 16's scanner fails this way on some malformed flow mappings ("{: {a: b}" before a block).
            throw Error(0, "malformed document: " + e.Message);
        }
    }

    private static StatusException Error(long line, string message) =>
        StatusErrors.BadRequest(line > 0
            ? $"error converting YAML to JSON: yaml: line {line}: {message}"
            : $"error converting YAML to JSON: yaml: {message}");

    private JsonNode? Read(Parser parser)
    {
        parser.Consume<StreamStart>();
        if (parser.Accept<StreamEnd>(out _))
        {
            return null;
        }

        parser.Consume<DocumentStart>();
        JsonNode? root = null;
        var done = false;
        while (!done)
        {
            var e = parser.Consume<ParsingEvent>();
            JsonNode? value;
            var height = 0;
            switch (e)
            {
                case MappingStart m:
                    Open(new JsonObject(), m.Anchor, m.Start);
                    continue;
                case SequenceStart s:
                    Open(new JsonArray(), s.Anchor, s.Start);
                    continue;
                case MappingEnd or SequenceEnd:
                {
                    var frame = _stack.Pop();
                    value = frame.Node;
                    height = frame.Height + 1;
                    if (!frame.Anchor.IsEmpty)
                    {
                        _anchors[frame.Anchor.Value] = new Anchored(value, _producedNodes - frame.NodesBefore, _producedBytes - frame.BytesBefore, height);
                    }

                    break;
                }

                case Scalar scalar:
                    value = ScalarValue(scalar);
                    _parsedNodes++;
                    Produce(1, scalar.Value.Length + 3, scalar.Start);
                    if (!scalar.Anchor.IsEmpty)
                    {
                        _anchors[scalar.Anchor.Value] = new Anchored(value, 1, scalar.Value.Length + 3, 0);
                    }

                    break;
                case AnchorAlias alias:
                {
                    _parsedNodes++;
                    if (!_anchors.TryGetValue(alias.Value.Value, out var target))
                    {
                        throw Error(alias.Start.Line, _stack.Any(f => !f.Anchor.IsEmpty && f.Anchor.Value == alias.Value.Value)
                            ? $"anchor '{alias.Value.Value}' value contains itself"
                            : $"unknown anchor '{alias.Value.Value}' referenced");
                    }

                    CheckDepth(_stack.Count + target.Height, alias.Start);
                    Produce(target.Nodes, target.Bytes, alias.Start);
                    value = target.Node?.DeepClone();
                    height = target.Height;
                    break;
                }

                case DocumentEnd:
                    done = true;
                    continue;
                default:
                    throw Error(e.Start.Line, $"unexpected event {e.GetType().Name}");
            }

            if (_stack.Count == 0)
            {
                root = value;
            }
            else
            {
                Add(_stack.Peek(), value, height, e);
            }
        }

        return root;
    }

    private void Open(JsonNode node, AnchorName anchor, Mark start)
    {
        _parsedNodes++;
        CheckDepth(_stack.Count + 1, start);
        Produce(1, 2, start);
        if (_stack.Count > 0 && _stack.Peek() is { Node: JsonObject, Key: null })
        {
            throw Error(start.Line, "mapping keys must be scalars (JSON has no other keys)");
        }

        _stack.Push(new Frame(node, anchor, _producedNodes - 1, _producedBytes - 2));
    }

    private static void CheckDepth(int depth, Mark at)
    {
        if (depth > MaxDepth)
        {
            throw Error(at.Line, $"exceeded max depth of {MaxDepth}");
        }
    }

    /// <summary>Counts produced nodes and bytes, failing before anything is built when a limit would be passed.</summary>
    private void Produce(long nodes, long bytes, Mark at)
    {
        _producedNodes += nodes;
        _producedBytes += bytes;
        if (_producedNodes > Math.Max(MinAliasBudget, AliasFactor * _parsedNodes))
        {
            throw Error(at.Line, "document contains excessive aliasing");
        }

        if (_producedBytes > MaxDecodedBytes)
        {
            throw StatusErrors.RequestEntityTooLarge($"limit is {MaxDecodedBytes}");
        }
    }

    private static void Add(Frame parent, JsonNode? value, int height, ParsingEvent e)
    {
        parent.Height = Math.Max(parent.Height, height);
        if (parent.Node is JsonArray array)
        {
            array.Add(value);
            return;
        }

        var obj = (JsonObject)parent.Node;
        if (parent.Key is null)
        {
            parent.Key = value switch
            {
                null => "null",
                JsonValue v when v.TryGetValue<string>(out var s) => s,
                JsonValue v => v.ToJsonString(),
                _ => throw Error(e.Start.Line, "mapping keys must be scalars (JSON has no other keys)"),
            };
            return;
        }

        obj[parent.Key] = value; // duplicate keys: the last wins, as for JSON bodies
        parent.Key = null;
    }

    private static JsonNode? ScalarValue(Scalar s)
    {
        var v = s.Value;
        if (GoJsonText.FirstLoneSurrogate(v) >= 0)
        {
            throw Error(s.Start.Line, "found invalid Unicode character escape code");
        }

        if (s.Style is ScalarStyle.SingleQuoted or ScalarStyle.DoubleQuoted or ScalarStyle.Literal or ScalarStyle.Folded)
        {
            return JsonValue.Create(v);
        }

        if (!s.Tag.IsEmpty && s.Tag.Value == "tag:yaml.org,2002:str")
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

    /// <summary>What an anchor stands for: its node and what one alias of it produces.</summary>
    private sealed record Anchored(JsonNode? Node, long Nodes, long Bytes, int Height);

    /// <summary>An open mapping or sequence: its node, its anchor, the counters when it opened, the pending mapping key
    /// and the height of its tallest child.</summary>
    private sealed class Frame(JsonNode node, AnchorName anchor, long nodesBefore, long bytesBefore)
    {
        public JsonNode Node { get; } = node;

        public AnchorName Anchor { get; } = anchor;

        public long NodesBefore { get; } = nodesBefore;

        public long BytesBefore { get; } = bytesBefore;

        public string? Key { get; set; }

        public int Height { get; set; }
    }
}
