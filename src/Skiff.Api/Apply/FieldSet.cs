using System.Text.Json.Nodes;

namespace Skiff.Api.Apply;

/// <summary>
/// A set of field paths in the FieldsV1 tree form used by <c>managedFields</c>: each node is keyed by a path element
/// (<c>f:name</c>, <c>k:{"name":"c"}</c>, <c>v:"x"</c>, <c>i:0</c>) and may itself be a member (a leaf <c>{}</c>,
/// or <c>".": {}</c> beside children).
/// </summary>
internal sealed class FieldSet
{
    public bool Member { get; set; }

    public SortedDictionary<string, FieldSet> Children { get; } = new(PathElementComparer.Instance);

    public bool IsEmpty
    {
        get
        {
            if (Member)
            {
                return false;
            }

            foreach (var c in Children.Values)
            {
                if (!c.IsEmpty)
                {
                    return false;
                }
            }

            return true;
        }
    }

    public FieldSet Child(string element)
    {
        if (!Children.TryGetValue(element, out var c))
        {
            c = new FieldSet();
            Children[element] = c;
        }

        return c;
    }

    public static FieldSet FromFieldsV1(JsonObject? fields)
    {
        var set = new FieldSet();
        if (fields is null)
        {
            return set;
        }

        foreach (var (k, v) in fields)
        {
            if (k == ".")
            {
                set.Member = true;
                continue;
            }

            var child = FromFieldsV1(v as JsonObject);
            if (child.Children.Count == 0)
            {
                child.Member = true;
            }

            set.Children[k] = child;
        }

        return set;
    }

    public JsonObject ToFieldsV1()
    {
        var o = new JsonObject();
        if (Member && Children.Count > 0)
        {
            o["."] = new JsonObject();
        }

        foreach (var (k, c) in Children)
        {
            if (c.IsEmpty)
            {
                continue;
            }

            o[k] = c.ToFieldsV1Child();
        }

        return o;
    }

    private JsonObject ToFieldsV1Child() => Children.Values.Any(c => !c.IsEmpty) ? ToFieldsV1() : new JsonObject();

    public FieldSet Clone()
    {
        var s = new FieldSet { Member = Member };
        foreach (var (k, c) in Children)
        {
            s.Children[k] = c.Clone();
        }

        return s;
    }

    public FieldSet Union(FieldSet other)
    {
        var s = Clone();
        s.UnionWith(other);
        return s;
    }

    public void UnionWith(FieldSet other)
    {
        Member |= other.Member;
        foreach (var (k, c) in other.Children)
        {
            Child(k).UnionWith(c);
        }
    }

    public FieldSet Difference(FieldSet other)
    {
        var s = new FieldSet { Member = Member && !other.Member };
        foreach (var (k, c) in Children)
        {
            s.Children[k] = other.Children.TryGetValue(k, out var oc) ? c.Difference(oc) : c.Clone();
        }

        s.Prune();
        return s;
    }

    public FieldSet Intersection(FieldSet other)
    {
        var s = new FieldSet { Member = Member && other.Member };
        foreach (var (k, c) in Children)
        {
            if (other.Children.TryGetValue(k, out var oc))
            {
                s.Children[k] = c.Intersection(oc);
            }
        }

        s.Prune();
        return s;
    }

    /// <summary>Removes every member at or under the given path (and the empty children of the nodes it passes).</summary>
    public void RemoveSubtree(IReadOnlyList<string> path) => RemoveSubtree(path, 0);

    // Runs once per stripped path on every write's managedFields: no path copies, no LINQ over the sorted children.
    private void RemoveSubtree(IReadOnlyList<string> path, int from)
    {
        if (from == path.Count)
        {
            Member = false;
            Children.Clear();
            return;
        }

        if (Children.TryGetValue(path[from], out var c))
        {
            c.RemoveSubtree(path, from + 1);
        }

        Prune();
    }

    /// <summary>Whether exactly this path is a member.</summary>
    public bool Has(IReadOnlyList<string> path)
    {
        var node = this;
        foreach (var pe in path)
        {
            if (!node.Children.TryGetValue(pe, out var next))
            {
                return false;
            }

            node = next;
        }

        return node.Member;
    }

    /// <summary>Whether the path or anything under it is a member.</summary>
    public bool HasAtOrUnder(IReadOnlyList<string> path)
    {
        var node = this;
        foreach (var pe in path)
        {
            if (!node.Children.TryGetValue(pe, out var next))
            {
                return false;
            }

            node = next;
        }

        return !node.IsEmpty;
    }

    /// <summary>All member paths, parents before children.</summary>
    public IEnumerable<List<string>> MemberPaths()
    {
        var prefix = new List<string>();
        return Walk(this, prefix);

        static IEnumerable<List<string>> Walk(FieldSet node, List<string> prefix)
        {
            if (node.Member)
            {
                yield return new List<string>(prefix);
            }

            foreach (var (k, c) in node.Children)
            {
                prefix.Add(k);
                foreach (var p in Walk(c, prefix))
                {
                    yield return p;
                }

                prefix.RemoveAt(prefix.Count - 1);
            }
        }
    }

    /// <summary>Only the member paths that have no member below them (leaves).</summary>
    public IEnumerable<List<string>> LeafPaths() => MemberPaths().Where(p => !HasMemberBelow(p));

    private bool HasMemberBelow(List<string> path)
    {
        var node = this;
        foreach (var pe in path)
        {
            node = node.Children[pe];
        }

        return node.Children.Values.Any(c => !c.IsEmpty);
    }

    private void Prune()
    {
        List<string>? empty = null;
        foreach (var (k, c) in Children)
        {
            if (c.IsEmpty)
            {
                (empty ??= []).Add(k);
            }
        }

        if (empty is not null)
        {
            foreach (var k in empty)
            {
                Children.Remove(k);
            }
        }
    }

    /// <summary>Upstream's path text: <c>.spec.containers[name="c"].image</c>, <c>[="v"]</c> for set values.</summary>
    public static string PathString(IEnumerable<string> path)
    {
        var sb = new System.Text.StringBuilder();
        foreach (var pe in path)
        {
            if (pe.StartsWith("f:", StringComparison.Ordinal))
            {
                sb.Append('.').Append(pe[2..]);
            }
            else if (pe.StartsWith("k:", StringComparison.Ordinal))
            {
                var key = JsonNode.Parse(pe[2..]) as JsonObject;
                sb.Append('[').Append(string.Join(",", key?.Select(kv => kv.Key + "=" + kv.Value?.ToJsonString(Json.Relaxed)) ?? Array.Empty<string>())).Append(']');
            }
            else if (pe.StartsWith("v:", StringComparison.Ordinal))
            {
                sb.Append("[=").Append(pe[2..]).Append(']');
            }
            else if (pe.StartsWith("i:", StringComparison.Ordinal))
            {
                sb.Append('[').Append(pe[2..]).Append(']');
            }
        }

        return sb.ToString();
    }

    /// <summary>Orders path elements like structured-merge-diff: field names, then keys, then values, then indices.</summary>
    private sealed class PathElementComparer : IComparer<string>
    {
        public static readonly PathElementComparer Instance = new();

        public int Compare(string? x, string? y)
        {
            var rx = Rank(x!);
            var ry = Rank(y!);
            return rx != ry ? rx.CompareTo(ry) : string.CompareOrdinal(x, y);
        }

        // Called for every comparison of every insert: no substring.
        private static int Rank(string s) => s.Length < 2 || s[1] != ':' ? 4 : s[0] switch
        {
            'f' => 0,
            'k' => 1,
            'v' => 2,
            'i' => 3,
            _ => 4,
        };
    }
}
