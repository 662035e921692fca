namespace Skiff.ApiServer.Registry.Printing;

/// <summary>Builders for upstream's column definitions; the Name and Age columns carry ObjectMeta's descriptions.</summary>
public static class Columns
{
    /// <summary>The Name column (format "name").</summary>
    public static TableColumn Name { get; } = TableDefinition.Default.Columns[0];

    /// <summary>The Age column (a string computed from creationTimestamp).</summary>
    public static TableColumn Age { get; } = new("Age", "string", "", TableDefinition.Default.Columns[1].Description);

    /// <summary>A string column.</summary>
    public static TableColumn S(string name, string description, int priority = 0) => new(name, "string", "", description, priority);

    /// <summary>An integer column.</summary>
    public static TableColumn I(string name, string description, int priority = 0) => new(name, "integer", "", description, priority);

    /// <summary>A boolean column.</summary>
    public static TableColumn B(string name, string description, int priority = 0) => new(name, "boolean", "", description, priority);

    /// <summary>Containers (wide) column.</summary>
    public static TableColumn Containers { get; } = S("Containers", "Names of each container in the template.", 1);

    /// <summary>Images (wide) column.</summary>
    public static TableColumn Images { get; } = S("Images", "Images referenced by each container in the template.", 1);
}
