using System.Text.Json.Nodes;

namespace Skiff.ApiServer.Registry;

/// <summary>
/// The server-side printing of one type: the <c>columnDefinitions</c> of a <c>meta.k8s.io/v1 Table</c> and how to
/// compute a row's <c>cells</c> from an object (upstream <c>pkg/printers/internalversion/printers.go</c>).
/// The first column is always Name. Columns with priority &gt; 0 are shown only by <c>-o wide</c>.
/// </summary>
/// <param name="Columns">The column definitions, in order.</param>
/// <param name="Cells">
/// Computes one row's cells, one per column: string, long, int, double, bool or null. The generic store supplies
/// "now" so that age columns are computed consistently.
/// </param>
public sealed record TableDefinition(IReadOnlyList<TableColumn> Columns, Func<JsonObject, DateTimeOffset, IReadOnlyList<object?>> Cells)
{
    /// <summary>Upstream's default table convertor: Name and Created At (used when a type has no printer).</summary>
    public static TableDefinition Default { get; } = new(
        [
            new TableColumn("Name", "string", "name", "Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names", 0),
            new TableColumn("Created At", "date", "", "CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata", 0),
        ],
        (obj, _) =>
        [
            obj["metadata"]?["name"]?.GetValue<string>(),
            obj["metadata"]?["creationTimestamp"]?.GetValue<string>(),
        ]);
}

/// <summary>One Table column: <c>name</c>, <c>type</c> (string, integer, number, boolean, date), <c>format</c>, <c>description</c>, <c>priority</c>.</summary>
public sealed record TableColumn(string Name, string Type, string Format, string Description, int Priority = 0);
