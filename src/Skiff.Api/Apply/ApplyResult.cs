using System.Text.Json.Nodes;

namespace Skiff.Api.Apply;

/// <summary>The outcome of a server-side apply: the new object, with <c>metadata.managedFields</c> updated.</summary>
/// <param name="Object">The object to store (a new instance; the inputs are not modified).</param>
/// <param name="Created">True when there was no live object.</param>
public sealed record ApplyResult(JsonObject Object, bool Created);
