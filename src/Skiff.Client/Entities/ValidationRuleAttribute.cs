namespace Skiff.Client.Entities;

/// <summary>
/// A CEL rule the API server evaluates on writes (<c>x-kubernetes-validations</c>, kubebuilder's
/// <c>+kubebuilder:validation:XValidation</c>). <c>self</c> is the value the rule is attached to: the property's value, or
/// the object of the class or struct it is declared on; <c>oldSelf</c> makes it a transition rule, checked on updates only.
/// </summary>
/// <param name="rule">The CEL expression, e.g. <c>self.minReplicas &lt;= self.replicas</c>.</param>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Class | AttributeTargets.Struct, AllowMultiple = true, Inherited = false)]
public sealed class ValidationRuleAttribute(string rule) : Attribute
{
    /// <summary>The CEL expression.</summary>
    public string Rule { get; } = rule;

    /// <summary>The message on failure (default: "failed rule: RULE").</summary>
    public string? Message { get; set; }

    /// <summary>A CEL expression producing the message (wins over <see cref="Message"/>).</summary>
    public string? MessageExpression { get; set; }

    /// <summary>
    /// The reason reported on failure: <c>FieldValueInvalid</c> (default), <c>FieldValueForbidden</c>,
    /// <c>FieldValueRequired</c> or <c>FieldValueDuplicate</c>.
    /// </summary>
    public string? Reason { get; set; }

    /// <summary>A JSON path relative to the rule's position, reported as the failing field (e.g. <c>.replicas</c>).</summary>
    public string? FieldPath { get; set; }

    /// <summary>Run the transition rule also when there is no old value (<c>oldSelf</c> is then an empty optional).</summary>
    public bool OptionalOldSelf { get; set; }
}
