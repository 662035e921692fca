using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace Skiff.OpenApiGen;

/// <summary>
/// The KubernetesClient package's XML documentation (<c>KubernetesClient.xml</c> next to the dll), which carries
/// upstream's type and field descriptions as <c>&lt;summary&gt;</c> text.
/// </summary>
internal sealed partial class XmlDocs
{
    private readonly Dictionary<string, string> _summaries = new(StringComparer.Ordinal);

    public XmlDocs(string path)
    {
        var doc = XDocument.Load(path);
        foreach (var member in doc.Descendants("member"))
        {
            var name = member.Attribute("name")?.Value;
            var summary = member.Element("summary");
            if (name is null || summary is null)
            {
                continue;
            }

            _summaries[name] = Normalize(string.Concat(summary.Nodes().Select(n => n is XElement e ? e.Value : n.ToString())));
        }
    }

    /// <summary>The description of a model class, or null.</summary>
    public string? ForType(Type type) => _summaries.GetValueOrDefault("T:" + type.FullName);

    /// <summary>The description of a model property, or null.</summary>
    public string? ForProperty(Type type, string property) =>
        _summaries.GetValueOrDefault($"P:{type.FullName}.{property}");

    /// <summary>
    /// The XML text is re-wrapped at ~80 columns with leading indentation: the lines of a paragraph are joined by
    /// single spaces, blank lines (paragraph breaks) are kept as "\n\n" as in upstream's descriptions.
    /// </summary>
    private static string Normalize(string text)
    {
        text = System.Net.WebUtility.HtmlDecode(text);
        var paragraphs = BlankLine().Split(text.Trim())
            .Select(p => string.Join(' ', p.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0)))
            .Where(p => p.Length > 0);
        return string.Join("\n\n", paragraphs);
    }

    [GeneratedRegex(@"\n\s*\n")]
    private static partial Regex BlankLine();
}
