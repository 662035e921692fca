namespace Skiff.Client.Entities;

/// <summary>
/// A column of <c>kubectl get</c> (<c>additionalPrinterColumns</c>, kubebuilder's <c>+kubebuilder:printcolumn</c>), in
/// declaration order. Without any, the API server prints Name and Age; with some, add an Age column yourself
/// (<c>[PrinterColumn("Age", "date", ".metadata.creationTimestamp")]</c>) as kubebuilder users do.
/// </summary>
/// <param name="name">The column header.</param>
/// <param name="type">The OpenAPI type: <c>integer</c>, <c>number</c>, <c>string</c>, <c>boolean</c> or <c>date</c>.</param>
/// <param name="jsonPath">A simple JSONPath into each object, e.g. <c>.status.conditions[?(@.type=="Ready")].status</c>.</param>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class PrinterColumnAttribute(string name, string type, string jsonPath) : Attribute
{
    public string Name { get; } = name;

    public string Type { get; } = type;

    public string JsonPath { get; } = jsonPath;

    /// <summary>A human-readable description of the column.</summary>
    public string? Description { get; set; }

    /// <summary>An OpenAPI format for the column (e.g. <c>int32</c>, <c>date-time</c>).</summary>
    public string? Format { get; set; }

    /// <summary>0: always shown; greater: only with <c>-o wide</c>.</summary>
    public int Priority { get; set; }
}
