using System.ComponentModel;
using System.Text.Json.Serialization;
using k8s;
using k8s.Models;
using Skiff.Client.Entities;

namespace Skiff.Client.Tests.Entities.Samples;

[Description("A widget: every schema attribute in one class.")]
[KubernetesEntity(Group = "samples.skiff.dev", ApiVersion = "v1", Kind = "Widget", PluralName = "widgets")]
[ShortNames("wd")]
[Categories("all", "samples")]
[StatusSubresource]
[ScaleSubresource(".spec.replicas", ".status.replicas", LabelSelectorPath = ".status.selector")]
[PrinterColumn("Replicas", "integer", ".spec.replicas")]
[PrinterColumn("Color", "string", ".spec.color", Description = "The widget's color.")]
[PrinterColumn("Ready", "string", ".status.conditions[?(@.type==\"Ready\")].status", Priority = 1)]
[PrinterColumn("Age", "date", ".metadata.creationTimestamp")]
[SelectableField(".spec.color")]
public sealed class Widget : IKubernetesObject<V1ObjectMeta>, ISpec<WidgetSpec>, IStatus<WidgetStatus?>
{
    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; } = "samples.skiff.dev/v1";

    [JsonPropertyName("kind")]
    public string Kind { get; set; } = "Widget";

    [JsonPropertyName("metadata")]
    public V1ObjectMeta Metadata { get; set; } = new();

    [Required]
    [Description("What the widget should be.")]
    public WidgetSpec Spec { get; set; } = new() { Replicas = 1 };

    public WidgetStatus? Status { get; set; }
}
