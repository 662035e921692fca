using System.Text.Json.Nodes;

namespace Skiff.Api.Serialization;

/// <summary>
/// A property taken out of an object and later put back at the same position: a comparison can skip it without
/// copying the object (managedFields around the field comparison of server-side apply, status around an update's).
/// The object must not be read by another thread in between.
/// </summary>
public readonly struct DetachedProperty
{
    private readonly JsonObject? _owner;
    private readonly string _name;
    private readonly int _index;
    private readonly JsonNode? _value;

    private DetachedProperty(JsonObject owner, string name, int index, JsonNode? value)
    {
        _owner = owner;
        _name = name;
        _index = index;
        _value = value;
    }

    /// <summary>Removes <paramref name="name"/> from <paramref name="owner"/> (nothing when either is absent).</summary>
    public static DetachedProperty Take(JsonObject? owner, string name)
    {
        if (owner is null || owner.IndexOf(name) is not (>= 0 and var at))
        {
            return default;
        }

        var value = owner[name];
        owner.RemoveAt(at);
        return new DetachedProperty(owner, name, at, value);
    }

    /// <summary>Puts the property back where it was.</summary>
    public void Restore() => _owner?.Insert(_index, _name, _value);
}
