namespace Skiff.Client.Runtime;

/// <summary>A failure that retrying cannot fix (controller-runtime <c>reconcile.TerminalError</c>): logged, not requeued.</summary>
public sealed class TerminalReconcileException : Exception
{
    public TerminalReconcileException(string message, Exception? inner = null)
        : base(message, inner)
    {
    }
}
