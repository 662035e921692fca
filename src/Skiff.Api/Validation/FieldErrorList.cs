namespace Skiff.Api.Validation;

/// <summary>Helpers over lists of <see cref="FieldError"/> mirroring upstream's <c>ErrorList.ToAggregate().Error()</c>.</summary>
public static class FieldErrorList
{
    /// <summary>
    /// Upstream's aggregate text: duplicates (same text) dropped; one error prints alone, several as
    /// <c>[a, b]</c>; empty for none.
    /// </summary>
    public static string AggregateMessage(IEnumerable<FieldError> errors) => AggregateMessage(errors.Select(e => e.ToString()));

    /// <summary>The same aggregate rule over plain messages.</summary>
    public static string AggregateMessage(IEnumerable<string> messages)
    {
        var seen = new List<string>();
        foreach (var m in messages)
        {
            if (!seen.Contains(m, StringComparer.Ordinal))
            {
                seen.Add(m);
            }
        }

        return seen.Count switch
        {
            0 => "",
            1 => seen[0],
            _ => "[" + string.Join(", ", seen) + "]",
        };
    }
}
