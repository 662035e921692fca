namespace Skiff.Controllers.GarbageCollector;

/// <summary>The finalizers the API server sets on DELETE and the garbage collector removes.</summary>
internal static class GcFinalizers
{
    /// <summary>Dependents are deleted first (Foreground propagation).</summary>
    public const string ForegroundDeletion = "foregroundDeletion";

    /// <summary>Dependents lose their reference to the owner first (Orphan propagation).</summary>
    public const string Orphan = "orphan";
}
