using System.Collections.Concurrent;
using System.Reflection;
using System.Text;
using System.Xml.Linq;

namespace Skiff.Client.Entities;

/// <summary>
/// Reads the <c>&lt;summary&gt;</c> of types and properties from the XML documentation file beside an assembly
/// (<c>GenerateDocumentationFile</c>; the KubernetesClient package ships one with upstream's field descriptions).
/// Summaries become one line per paragraph: wrapped lines are joined, <c>&lt;see cref&gt;</c> becomes the short name.
/// Missing or unreadable files give no descriptions.
/// </summary>
internal static class XmlDocComments
{
    private static readonly ConcurrentDictionary<string, IReadOnlyDictionary<string, string>> Files = new(StringComparer.Ordinal);

    /// <summary>The summary of <paramref name="type"/>, or null.</summary>
    public static string? Of(Type type) => Lookup(type.Assembly, "T:" + DocName(type));

    /// <summary>The summary of <paramref name="property"/>, or null.</summary>
    public static string? Of(PropertyInfo property)
    {
        for (var t = property.DeclaringType; t is not null; t = t.BaseType)
        {
            if (t.GetProperty(property.Name, BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly) is not null
                && Lookup(t.Assembly, $"P:{DocName(t)}.{property.Name}") is { } s)
            {
                return s;
            }
        }

        return null;
    }

    private static string DocName(Type t) => (t.FullName ?? t.Name).Replace('+', '.');

    private static string? Lookup(Assembly assembly, string id)
    {
        string location;
        try
        {
            location = assembly.Location;
        }
        catch (NotSupportedException)
        {
            return null;
        }

        if (location.Length == 0)
        {
            return null;
        }

        var docs = Files.GetOrAdd(Path.ChangeExtension(location, ".xml"), Load);
        return docs.TryGetValue(id, out var s) ? s : null;
    }

    private static IReadOnlyDictionary<string, string> Load(string path)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        if (!File.Exists(path))
        {
            return result;
        }

        try
        {
            var doc = XDocument.Load(path);
            foreach (var member in doc.Descendants("member"))
            {
                if (member.Attribute("name")?.Value is { } name && member.Element("summary") is { } summary && Render(summary) is { Length: > 0 } text)
                {
                    result[name] = text;
                }
            }
        }
        catch (System.Xml.XmlException)
        {
        }
        catch (IOException)
        {
        }

        return result;
    }

    private static string Render(XElement summary)
    {
        var paragraphs = new List<string>();
        var current = new StringBuilder();
        void Flush()
        {
            var text = string.Join(' ', current.ToString().Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
            if (text.Length > 0)
            {
                paragraphs.Add(text);
            }

            current.Clear();
        }

        void Walk(XNode node)
        {
            switch (node)
            {
                case XText t:
                    current.Append(t.Value);
                    break;
                case XElement { Name.LocalName: "para" or "br" } e:
                    Flush();
                    foreach (var n in e.Nodes())
                    {
                        Walk(n);
                    }

                    Flush();
                    break;
                case XElement { Name.LocalName: "see" or "seealso" } e:
                    current.Append(e.Attribute("langword")?.Value ?? ShortName(e.Attribute("cref")?.Value ?? e.Attribute("href")?.Value ?? e.Value));
                    break;
                case XElement { Name.LocalName: "paramref" or "typeparamref" } e:
                    current.Append(e.Attribute("name")?.Value);
                    break;
                case XElement e:
                    foreach (var n in e.Nodes())
                    {
                        Walk(n);
                    }

                    break;
            }
        }

        foreach (var n in summary.Nodes())
        {
            Walk(n);
        }

        Flush();
        return string.Join("\n\n", paragraphs);
    }

    private static string ShortName(string cref)
    {
        var name = cref.Length > 2 && cref[1] == ':' ? cref[2..] : cref;
        var paren = name.IndexOf('(', StringComparison.Ordinal);
        if (paren >= 0)
        {
            name = name[..paren];
        }

        var tick = name.IndexOf('`', StringComparison.Ordinal);
        if (tick >= 0)
        {
            name = name[..tick];
        }

        return name[(name.LastIndexOf('.') + 1)..];
    }
}
