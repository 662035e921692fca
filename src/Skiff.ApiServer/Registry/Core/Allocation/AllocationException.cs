namespace Skiff.ApiServer.Registry.Core.Allocation;

/// <summary>Why a <see cref="RangeAllocator"/> refused an allocation.</summary>
public enum AllocationFailure
{
    /// <summary>The requested item is already allocated.</summary>
    Allocated,

    /// <summary>The requested item is outside the range.</summary>
    NotInRange,

    /// <summary>No free item is left.</summary>
    Full,
}

/// <summary>An allocation that could not be made; nothing was reserved.</summary>
public sealed class AllocationException(AllocationFailure failure, string message) : Exception(message)
{
    /// <summary>Why.</summary>
    public AllocationFailure Failure { get; } = failure;
}
