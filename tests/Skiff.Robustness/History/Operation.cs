namespace Skiff.Robustness.History;

/// <summary>
/// One client operation with its real-time interval, in the shape porcupine and etcd's robustness tests record:
/// invocation and response times (monotonic ticks of <see cref="System.Diagnostics.Stopwatch"/>), input and output.
/// </summary>
public sealed record Operation
{
    /// <summary>A number unique in the history.</summary>
    public required int Id { get; init; }

    /// <summary>The client (writer) that issued it; operations of one client never overlap.</summary>
    public required int ClientId { get; init; }

    public required OperationKind Kind { get; init; }

    /// <summary>The configmap's name (empty for <see cref="OperationKind.List"/>).</summary>
    public required string Key { get; init; }

    /// <summary>The value written (creates and updates).</summary>
    public ObjectValue? Input { get; init; }

    /// <summary>The resourceVersion precondition (CAS updates and deletes).</summary>
    public long? Precondition { get; init; }

    /// <summary>When the request was issued.</summary>
    public required long CallTicks { get; init; }

    /// <summary>When the response arrived; null for <see cref="Outcome.Unknown"/> (infinitely late).</summary>
    public long? ReturnTicks { get; init; }

    public required Outcome Outcome { get; init; }

    /// <summary>
    /// The resourceVersion returned: of the object written (creates, updates), of the object read (gets) or of the list.
    /// </summary>
    public long? ResultRv { get; init; }

    /// <summary>The value read (gets).</summary>
    public ObjectValue? Output { get; init; }

    /// <summary>The items a list returned, by name.</summary>
    public IReadOnlyDictionary<string, (long Rv, ObjectValue Value)>? ListItems { get; init; }

    /// <summary>The status text of an unexpected answer, for reports.</summary>
    public string? Detail { get; init; }

    /// <summary>True for creates and updates.</summary>
    public bool IsPut => Kind is OperationKind.Create or OperationKind.CasUpdate or OperationKind.Update;

    /// <summary>True for deletes.</summary>
    public bool IsDelete => Kind is OperationKind.CasDelete or OperationKind.Delete;

    /// <inheritdoc/>
    public override string ToString()
    {
        var input = Input is { } v ? $" {v}" : "";
        var pre = Precondition is { } p ? $" if rv={p}" : "";
        var result = Outcome switch
        {
            Outcome.Ok when Kind == OperationKind.List => $"ok rv={ResultRv} ({ListItems?.Count ?? 0} items)",
            Outcome.Ok when Output is { } o => $"ok rv={ResultRv} {o}",
            Outcome.Ok => ResultRv is { } rv ? $"ok rv={rv}" : "ok",
            _ => Outcome.ToString(),
        };
        return $"#{Id} c{ClientId} {Kind} {Key}{input}{pre} -> {result} [{CallTicks}..{(ReturnTicks is { } r ? r.ToString(System.Globalization.CultureInfo.InvariantCulture) : "?")}]";
    }
}
