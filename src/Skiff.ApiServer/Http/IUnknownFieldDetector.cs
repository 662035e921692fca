using System.Text.Json.Nodes;
using Skiff.ApiServer.Registry;

namespace Skiff.ApiServer.Http;

/// <summary>
/// Checks decoded objects against their type's schema, as upstream's decoding into Go structs does: fields the schema
/// does not declare (fieldValidation Strict/Warn), as dotted paths (<c>spec.foo</c>), and values of the wrong type.
/// </summary>
public interface IUnknownFieldDetector
{
    /// <summary>The unknown fields of <paramref name="obj"/> as <paramref name="resource"/> defines it; empty when none or unknown type.</summary>
    IReadOnlyList<string> FindUnknownFields(ResourceDescriptor resource, JsonObject obj);

    /// <summary>
    /// The first value of <paramref name="obj"/> whose JSON type the schema refuses (a string where a map belongs, an
    /// integer out of range…), described as Go's decoder describes it; null when every value has its type or the type
    /// is unknown. The server answers such an object with 400 BadRequest before anything else looks at it.
    /// </summary>
    string? FindFirstTypeError(ResourceDescriptor resource, JsonObject obj) => null;
}
