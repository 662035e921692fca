using System.Text.Json.Nodes;

namespace Skiff.Api.Protobuf;

/// <summary>One event of a protobuf watch stream: ADDED, MODIFIED, DELETED, BOOKMARK or ERROR, and its object
/// (with kind and apiVersion).</summary>
public sealed record ProtobufWatchEvent(string Type, JsonObject Object);
