using Skiff.Client.Entities;

namespace Skiff.Client.Tests.Entities.Samples;

public sealed class WidgetPart
{
    public required string Name { get; set; }

    [Minimum(1)]
    public int Count { get; set; } = 1;
}
