namespace Skiff.Controllers.GarbageCollector;

/// <summary>What the graph builder processes, in order (upstream's <c>event</c>).</summary>
internal enum GraphEventType
{
    Add,
    Update,
    Delete,
}
