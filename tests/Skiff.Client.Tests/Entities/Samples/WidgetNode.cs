using System.ComponentModel;

namespace Skiff.Client.Tests.Entities.Samples;

[Description("A node of a tree (a type that contains itself).")]
public sealed class WidgetNode
{
    public string? Value { get; set; }

    public IList<WidgetNode>? Children { get; set; }
}
