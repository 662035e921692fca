namespace Skiff.Controllers.Namespace;

/// <summary>One deletion pass over a namespace's content failed for some resource types (the pass is retried with backoff).</summary>
public sealed class NamespaceContentDeletionException : Exception
{
    /// <summary>Creates the error for <paramref name="ns"/> with each failure's message.</summary>
    public NamespaceContentDeletionException(string ns, IReadOnlyList<string> errors)
        : base($"namespace {ns}: " + string.Join("; ", errors))
    {
        Errors = errors;
    }

    /// <summary>Each failure's message.</summary>
    public IReadOnlyList<string> Errors { get; }
}
