namespace Skiff.Client.WorkQueue;

/// <summary>Thrown by <see cref="IWorkQueue{T}.GetAsync"/> when the queue is shut down and has no items left.</summary>
public sealed class WorkQueueShutDownException : InvalidOperationException
{
    public WorkQueueShutDownException()
        : base("The work queue is shut down.")
    {
    }
}
