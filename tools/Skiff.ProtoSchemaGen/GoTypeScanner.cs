using System.Text.RegularExpressions;

namespace Skiff.ProtoSchemaGen;

/// <summary>One field of a Go API struct that carries a protobuf tag.</summary>
internal sealed record GoField(string GoName, string Type, string JsonName, bool OmitEmpty, bool Inline, int Number);

/// <summary>One Go API struct: its protobuf-tagged fields in declaration order and whether it embeds TypeMeta.</summary>
internal sealed record GoStruct(string MessageName, IReadOnlyList<GoField> Fields, bool IsKind);

/// <summary>
/// Reads Go struct declarations (field types, json and protobuf tags) from upstream source trees. A small
/// line-oriented scanner, enough for the generated-style API type files: one field per line,
/// <c>Name Type `json:"..." protobuf:"..."`</c>.
/// </summary>
internal static partial class GoTypeScanner
{
    [GeneratedRegex(@"^type\s+(\w+)\s+struct\s*\{\s*$")]
    private static partial Regex StructStart();

    [GeneratedRegex(@"^\s*(?:(\w+)\s+)?([^\s`]+)\s+`([^`]*)`")]
    private static partial Regex FieldLine();

    [GeneratedRegex(@"(\w+):""([^""]*)""")]
    private static partial Regex TagPart();

    /// <summary>Scans every non-test .go file under <paramref name="root"/>; <paramref name="prefix"/> is the
    /// proto package of the root (k8s.io.api or k8s.io.apimachinery).</summary>
    public static Dictionary<string, GoStruct> Scan(string prefix, string root)
    {
        var result = new Dictionary<string, GoStruct>(StringComparer.Ordinal);
        foreach (var file in Directory.EnumerateFiles(root, "*.go", SearchOption.AllDirectories))
        {
            var name = Path.GetFileName(file);
            if (name.EndsWith("_test.go", StringComparison.Ordinal) || name.StartsWith("zz_generated", StringComparison.Ordinal)
                || name == "generated.pb.go")
            {
                continue;
            }

            var rel = Path.GetRelativePath(root, Path.GetDirectoryName(file)!).Replace('\\', '/');
            var package = prefix + "." + rel.Replace('/', '.');
            ScanFile(package, File.ReadAllLines(file), result);
        }

        return result;
    }

    private static void ScanFile(string package, string[] lines, Dictionary<string, GoStruct> result)
    {
        for (var i = 0; i < lines.Length; i++)
        {
            var start = StructStart().Match(lines[i]);
            if (!start.Success)
            {
                continue;
            }

            var fields = new List<GoField>();
            var isKind = false;
            for (i++; i < lines.Length && !lines[i].StartsWith('}'); i++)
            {
                var line = lines[i].Trim();
                if (line.StartsWith("//", StringComparison.Ordinal))
                {
                    continue;
                }

                var m = FieldLine().Match(line);
                if (!m.Success)
                {
                    continue;
                }

                var tags = TagPart().Matches(m.Groups[3].Value).ToDictionary(t => t.Groups[1].Value, t => t.Groups[2].Value);
                var type = m.Groups[2].Value;
                tags.TryGetValue("json", out var json);
                var jsonParts = (json ?? string.Empty).Split(',');
                if (!m.Groups[1].Success && type.EndsWith("TypeMeta", StringComparison.Ordinal) && jsonParts.Contains("inline"))
                {
                    isKind = true;
                }

                if (!tags.TryGetValue("protobuf", out var proto) || proto == "-")
                {
                    continue;
                }

                var protoParts = proto.Split(',');
                if (protoParts.Length < 2 || !int.TryParse(protoParts[1], out var number))
                {
                    continue;
                }

                var goName = m.Groups[1].Success ? m.Groups[1].Value : type.TrimStart('*').Split('.')[^1];
                fields.Add(new GoField(goName, type, jsonParts[0], jsonParts.Contains("omitempty"), jsonParts.Contains("inline"), number));
            }

            var message = package + "." + start.Groups[1].Value;
            result[message] = new GoStruct(message, fields, isKind);
        }
    }
}
