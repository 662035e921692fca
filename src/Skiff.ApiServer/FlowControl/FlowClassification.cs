namespace Skiff.ApiServer.FlowControl;

/// <summary>
/// Where a request was classified: the matching FlowSchema, its priority level (with the objects' UIDs, empty for
/// the built-in fallbacks), the flow distinguisher and the flow's hash for shuffle sharding.
/// </summary>
public sealed record FlowClassification(
    string FlowSchema,
    string FlowSchemaUid,
    string PriorityLevel,
    string PriorityLevelUid,
    string Distinguisher,
    bool Exempt)
{
    /// <summary>The flow's hash (flow schema name and distinguisher).</summary>
    public ulong FlowHash { get; } = ShuffleSharding.FlowHash(FlowSchema, Distinguisher);
}
