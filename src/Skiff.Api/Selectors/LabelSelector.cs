using System.Text.Json.Nodes;

namespace Skiff.Api.Selectors;

/// <summary>
/// A label selector (apimachinery <c>labels.Selector</c>): an AND of <see cref="LabelRequirement"/>s, sorted by key.
/// <see cref="Parse"/> accepts upstream's full grammar (<c>a=b</c>, <c>a==b</c>, <c>a!=b</c>, <c>a in (x,y)</c>,
/// <c>a notin (x)</c>, <c>a</c>, <c>!a</c>, <c>a&gt;1</c>, <c>a&lt;1</c>) with upstream's error texts.
/// <see cref="Everything"/> matches all label sets; <see cref="Nothing"/> matches none.
/// </summary>
public sealed class LabelSelector
{
    private readonly bool _nothing;

    private LabelSelector(IReadOnlyList<LabelRequirement> requirements, bool nothing)
    {
        Requirements = requirements;
        _nothing = nothing;
    }

    /// <summary>The selector that matches everything (empty; upstream <c>labels.Everything()</c>).</summary>
    public static LabelSelector Everything { get; } = new(Array.Empty<LabelRequirement>(), false);

    /// <summary>The selector that matches nothing (upstream <c>labels.Nothing()</c>, from a null metav1.LabelSelector).</summary>
    public static LabelSelector Nothing { get; } = new(Array.Empty<LabelRequirement>(), true);

    /// <summary>The requirements, sorted by key (stable).</summary>
    public IReadOnlyList<LabelRequirement> Requirements { get; }

    /// <summary>True when there are no requirements and this is not <see cref="Nothing"/> (so it matches everything).</summary>
    public bool IsEmpty => !_nothing && Requirements.Count == 0;

    /// <summary>True for <see cref="Nothing"/>.</summary>
    public bool MatchesNothing => _nothing;

    /// <summary>Builds a selector from requirements (sorted by key like upstream's <c>Add</c>).</summary>
    public static LabelSelector FromRequirements(IEnumerable<LabelRequirement> requirements) =>
        new(requirements.OrderBy(r => r.Key, StringComparer.Ordinal).ToArray(), false);

    /// <summary>Parses a selector string; throws <see cref="SelectorParseException"/> with upstream's message.</summary>
    public static LabelSelector Parse(string? selector) => FromRequirements(new LabelSelectorParser(selector ?? "").Parse());

    /// <summary>Parses a selector string, returning false and upstream's message on failure.</summary>
    public static bool TryParse(string? selector, out LabelSelector result, out string? error)
    {
        try
        {
            result = Parse(selector);
            error = null;
            return true;
        }
        catch (SelectorParseException e)
        {
            result = Nothing;
            error = e.Message;
            return false;
        }
    }

    /// <summary>An equality selector from a label set (upstream <c>SelectorFromSet</c>, unvalidated); empty/null set: Everything.</summary>
    public static LabelSelector FromSet(IReadOnlyDictionary<string, string>? set)
    {
        if (set is null || set.Count == 0)
        {
            return Everything;
        }

        return FromRequirements(set.Select(kv => LabelRequirement.Unchecked(kv.Key, SelectorOperator.Equals, kv.Value)));
    }

    /// <summary>
    /// <see cref="FromJson"/> for an admission configuration's selector (webhooks, policies): an absent selector is
    /// <see cref="Everything"/>; an invalid one is <see cref="Nothing"/> with the parse error in <paramref name="error"/>.
    /// </summary>
    public static LabelSelector FromJsonOrNothing(JsonObject? selector, out string? error)
    {
        error = null;
        if (selector is null)
        {
            return Everything;
        }

        try
        {
            return FromJson(selector);
        }
        catch (SelectorParseException e)
        {
            error = e.Message;
            return Nothing;
        }
    }

    /// <summary>
    /// Converts a metav1.LabelSelector JSON object (<c>matchLabels</c>, <c>matchExpressions</c> with
    /// In/NotIn/Exists/DoesNotExist) like upstream's <c>LabelSelectorAsSelector</c>: null gives <see cref="Nothing"/>,
    /// an empty selector gives <see cref="Everything"/>. Throws <see cref="SelectorParseException"/> for invalid input
    /// (<c>"Foo" is not a valid label selector operator</c>, invalid keys/values).
    /// </summary>
    public static LabelSelector FromJson(JsonObject? labelSelector)
    {
        if (labelSelector is null)
        {
            return Nothing;
        }

        var reqs = new List<LabelRequirement>();
        if (labelSelector["matchLabels"] is JsonObject ml)
        {
            foreach (var (k, v) in ml)
            {
                reqs.Add(LabelRequirement.Create(k, SelectorOperator.Equals, new[] { Text(v) }));
            }
        }

        if (labelSelector["matchExpressions"] is JsonArray me)
        {
            foreach (var node in me)
            {
                if (node is not JsonObject expr)
                {
                    continue;
                }

                var opText = Text(expr["operator"]);
                var op = opText switch
                {
                    "In" => SelectorOperator.In,
                    "NotIn" => SelectorOperator.NotIn,
                    "Exists" => SelectorOperator.Exists,
                    "DoesNotExist" => SelectorOperator.DoesNotExist,
                    _ => throw new SelectorParseException($"{Validation.GoFormat.Quote(opText)} is not a valid label selector operator"),
                };
                var values = expr["values"] is JsonArray va && va.Count > 0
                    ? va.Select(Text).ToArray()
                    : null;
                reqs.Add(LabelRequirement.Create(Text(expr["key"]), op, values));
            }
        }

        return reqs.Count == 0 ? Everything : FromRequirements(reqs);
    }

    private static string Text(JsonNode? v) => Internal.JsonUtil.GetString(v) ?? v?.ToJsonString() ?? "";

    /// <summary>Whether the labels (null: none) satisfy every requirement.</summary>
    public bool Matches(IReadOnlyDictionary<string, string>? labels)
    {
        if (_nothing)
        {
            return false;
        }

        // Indexed, not foreach: an interface enumerator would be allocated per match, and selectors are matched per
        // object in lists, informers and the scheduler's per-node counts.
        var requirements = Requirements;
        for (var i = 0; i < requirements.Count; i++)
        {
            if (!requirements[i].Matches(labels))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Matches against an object's <c>metadata.labels</c> JSON (null: no labels).</summary>
    public bool Matches(JsonObject? labels)
    {
        if (_nothing)
        {
            return false;
        }

        if (Requirements.Count == 0)
        {
            return true;
        }

        var dict = new Dictionary<string, string>(StringComparer.Ordinal);
        if (labels is not null)
        {
            foreach (var (k, v) in labels)
            {
                dict[k] = v?.GetValueKind() == System.Text.Json.JsonValueKind.String ? v.GetValue<string>() : v?.ToJsonString() ?? "";
            }
        }

        return Matches(dict);
    }

    /// <summary>If the selector pins <paramref name="label"/> to one value (=, ==, or in with one value), that value.</summary>
    public bool RequiresExactMatch(string label, out string value)
    {
        foreach (var r in Requirements)
        {
            if (r.Key == label)
            {
                if (r.Operator is SelectorOperator.Equals or SelectorOperator.DoubleEquals or SelectorOperator.In && r.Values.Count == 1)
                {
                    value = r.Values[0];
                    return true;
                }

                break;
            }
        }

        value = "";
        return false;
    }

    /// <summary>Upstream's canonical text: requirements joined by <c>,</c> (empty for Everything and Nothing).</summary>
    public override string ToString() => string.Join(",", Requirements.Select(r => r.ToString()));
}
