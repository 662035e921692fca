namespace Skiff.Api.Selectors;

/// <summary>
/// One term of a field selector (apimachinery <c>fields.Requirement</c>): <see cref="Field"/>, an operator that is
/// <see cref="SelectorOperator.Equals"/> (for <c>=</c> and <c>==</c>) or <see cref="SelectorOperator.NotEquals"/>,
/// and the unescaped <see cref="Value"/>.
/// </summary>
public sealed record FieldRequirement(string Field, SelectorOperator Operator, string Value)
{
    /// <summary>Whether the field value (null: absent, which upstream treats as "") satisfies this term.</summary>
    public bool Matches(string? fieldValue) =>
        Operator == SelectorOperator.NotEquals
            ? !string.Equals(fieldValue ?? "", Value, StringComparison.Ordinal)
            : string.Equals(fieldValue ?? "", Value, StringComparison.Ordinal);

    /// <summary>Upstream's text: <c>field=value</c> or <c>field!=value</c> with the value escaped.</summary>
    public override string ToString() =>
        Field + (Operator == SelectorOperator.NotEquals ? "!=" : "=") + FieldSelector.EscapeValue(Value);
}
