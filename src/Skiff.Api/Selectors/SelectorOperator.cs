namespace Skiff.Api.Selectors;

/// <summary>The operators of label and field requirements (apimachinery <c>pkg/selection</c>).</summary>
public enum SelectorOperator
{
    /// <summary><c>=</c></summary>
    Equals,
    /// <summary><c>==</c></summary>
    DoubleEquals,
    /// <summary><c>!=</c></summary>
    NotEquals,
    /// <summary><c>in (…)</c></summary>
    In,
    /// <summary><c>notin (…)</c></summary>
    NotIn,
    /// <summary>a bare key</summary>
    Exists,
    /// <summary><c>!key</c></summary>
    DoesNotExist,
    /// <summary><c>key&gt;n</c> (upstream <c>gt</c>)</summary>
    GreaterThan,
    /// <summary><c>key&lt;n</c> (upstream <c>lt</c>)</summary>
    LessThan,
}
