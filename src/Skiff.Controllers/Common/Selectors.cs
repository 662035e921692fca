using k8s.Models;
using Skiff.Api.Selectors;
using Skiff.Client.Runtime;

namespace Skiff.Controllers.Common;

/// <summary>metav1.LabelSelector as a matcher (upstream <c>metav1.LabelSelectorAsSelector</c>).</summary>
internal static class Selectors
{
    /// <summary>The selector's matcher: null matches nothing, an empty selector matches everything.</summary>
    /// <exception cref="SelectorParseException">An invalid operator, key or value.</exception>
    public static LabelSelector From(V1LabelSelector? selector) => LabelSelectors.From(selector);

    /// <summary>Whether <paramref name="selector"/> matches <paramref name="labels"/> (null: no labels).</summary>
    public static bool Matches(LabelSelector selector, IDictionary<string, string>? labels) =>
        selector.Matches(labels as IReadOnlyDictionary<string, string> ?? (labels is null ? null : new Dictionary<string, string>(labels, StringComparer.Ordinal)));
}
