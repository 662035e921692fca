using System.Text.Json.Nodes;
using Skiff.ApiServer.Registry;

namespace Skiff.ApiServer.Http;

/// <summary>Finds fields a type's schema does not declare (fieldValidation Strict/Warn), as dotted paths (<c>spec.foo</c>).</summary>
public interface IUnknownFieldDetector
{
    /// <summary>The unknown fields of <paramref name="obj"/> as <paramref name="resource"/> defines it; empty when none or unknown type.</summary>
    IReadOnlyList<string> FindUnknownFields(ResourceDescriptor resource, JsonObject obj);
}
