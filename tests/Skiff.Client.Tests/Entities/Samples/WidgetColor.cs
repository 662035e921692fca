using System.Text.Json.Serialization;

namespace Skiff.Client.Tests.Entities.Samples;

public enum WidgetColor
{
    Red,
    Blue,

    [JsonStringEnumMemberName("sea-green")]
    SeaGreen,
}
