using System.Text.Json.Nodes;

namespace Skiff.Client.Entities;

/// <summary>
/// The value the API server fills in when the property is absent (OpenAPI <c>default</c>, kubebuilder's
/// <c>+kubebuilder:default</c>): <c>[Default("OnFailure")]</c>, <c>[Default(1)]</c>, <c>[Default(true)]</c>, or any JSON
/// with <c>[Default(Json = "{\"a\":1}")]</c>. The default must itself be valid against the property's schema.
/// </summary>
[AttributeUsage(AttributeTargets.Property, Inherited = false)]
public sealed class DefaultAttribute : Attribute
{
    /// <summary>Declares a default given as JSON in <see cref="Json"/>.</summary>
    public DefaultAttribute()
    {
    }

    /// <summary>Declares a scalar default (a string, number or boolean; a C# enum value becomes its JSON string).</summary>
    public DefaultAttribute(object value)
    {
        Value = value;
    }

    /// <summary>The scalar default, when given so.</summary>
    public object? Value { get; }

    /// <summary>The default as JSON text (overrides <see cref="Value"/>).</summary>
    public string? Json { get; set; }

    /// <summary>The default as a JSON node, serialized with the client's options.</summary>
    public JsonNode? ToJson() => Json is not null
        ? JsonNode.Parse(Json)
        : System.Text.Json.JsonSerializer.SerializeToNode(Value, Value?.GetType() ?? typeof(object), Rest.KubernetesSerialization.Options);
}
