namespace Skiff.ApiServer.Registry;

/// <summary>
/// A configurable strategy for the types whose behaviour is only a printer, a status subresource and a few flags
/// (component statuses, bindings, CSI objects …): no defaults, no type-specific validation.
/// </summary>
public sealed class SimpleStrategy : ResourceStrategy
{
    private readonly TableDefinition _table;
    private readonly bool _hasStatus;
    private readonly bool _allowCreateOnUpdate;
    private readonly IReadOnlyList<string>? _generationFields;

    /// <summary>Creates the strategy.</summary>
    public SimpleStrategy(TableDefinition? table = null, bool hasStatus = false, bool allowCreateOnUpdate = false, IReadOnlyList<string>? generationFields = null)
    {
        _table = table ?? TableDefinition.Default;
        _hasStatus = hasStatus;
        _allowCreateOnUpdate = allowCreateOnUpdate;
        _generationFields = generationFields ?? [];
    }

    /// <inheritdoc/>
    public override TableDefinition Table => _table;

    /// <inheritdoc/>
    public override bool HasStatusSubresource => _hasStatus;

    /// <inheritdoc/>
    public override bool AllowCreateOnUpdate => _allowCreateOnUpdate;

    /// <inheritdoc/>
    public override IReadOnlyList<string>? GenerationFields => _generationFields;
}
