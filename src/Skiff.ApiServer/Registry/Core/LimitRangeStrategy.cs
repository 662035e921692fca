namespace Skiff.ApiServer.Registry.Core;

/// <summary>core/v1 limitranges: PUT may create; no printer upstream (Name, Created At).</summary>
public sealed class LimitRangeStrategy : ResourceStrategy
{
    /// <summary>The shared instance.</summary>
    public static LimitRangeStrategy Instance { get; } = new();

    /// <inheritdoc/>
    public override bool AllowCreateOnUpdate => true;
}
