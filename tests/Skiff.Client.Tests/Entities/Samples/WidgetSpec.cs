using System.ComponentModel;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using k8s.Models;
using Skiff.Client.Entities;

namespace Skiff.Client.Tests.Entities.Samples;

[Description("The desired state of a widget.")]
[ValidationRule("!has(self.minReplicas) || self.minReplicas <= self.replicas", Message = "minReplicas must not exceed replicas", FieldPath = ".minReplicas")]
public sealed class WidgetSpec
{
    [Minimum(0)]
    [Maximum(100)]
    [Description("How many copies run.")]
    public required int Replicas { get; set; }

    [Minimum(0)]
    public int MinReplicas { get; set; }

    [Default(WidgetColor.Blue)]
    public WidgetColor? Color { get; set; }

    [Pattern("^[a-z]+$")]
    [MinLength(1)]
    [MaxLength(63)]
    public string? Label { get; set; }

    [Format("hostname")]
    public string? Host { get; set; }

    public IntOrString? Port { get; set; }

    public ResourceQuantity? Memory { get; set; }

    [Minimum(0, Exclusive = true)]
    [Maximum(1, Exclusive = true)]
    [MultipleOf(0.25)]
    public double? Ratio { get; set; }

    [MinItems(1)]
    [MaxItems(8)]
    [ListType(ListType.Map)]
    [ListMapKeys("name")]
    public IList<WidgetPart>? Parts { get; set; }

    [ListType(ListType.Set)]
    public IList<string>? Tags { get; set; }

    [MaxProperties(16)]
    [MapType(MapType.Atomic)]
    public IDictionary<string, string>? Settings { get; set; }

    [PreserveUnknownFields]
    public JsonObject? Extra { get; set; }

    [EmbeddedResource]
    [PreserveUnknownFields]
    public JsonObject? Template { get; set; }

    [ValidationRule("self == oldSelf", Message = "zone is immutable", Reason = "FieldValueForbidden")]
    public string? Zone { get; set; }

    [EnumValues("small", "large")]
    [Default("small")]
    public string? Size { get; set; }

    [Nullable]
    public string? Note { get; set; }

    [JsonPropertyName("not_before")]
    public DateTime? NotBefore { get; set; }

    [JsonIgnore]
    public string? Secret { get; set; }

    public WidgetNode? Tree { get; set; }
}
