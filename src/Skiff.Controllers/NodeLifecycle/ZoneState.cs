namespace Skiff.Controllers.NodeLifecycle;

/// <summary>A zone's health as upstream's node lifecycle controller classifies it.</summary>
internal enum ZoneState
{
    /// <summary>Not yet classified.</summary>
    Initial,

    /// <summary>Fewer than upstream's threshold of nodes are not ready.</summary>
    Normal,

    /// <summary>More than two nodes and at least the unhealthy-zone threshold of them are not ready.</summary>
    PartialDisruption,

    /// <summary>No node is ready.</summary>
    FullDisruption,
}
