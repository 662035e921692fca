using k8s.Models;

namespace Skiff.Client.Tests.Entities.Samples;

public sealed class WidgetStatus
{
    public int Replicas { get; set; }

    public string? Selector { get; set; }

    public IList<V1Condition>? Conditions { get; set; }
}
