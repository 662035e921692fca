using k8s.Models;

namespace Skiff.Controllers.StatefulSet;

/// <summary>A sync failed part way: the status computed so far (still written) and the failure (thrown after).</summary>
internal sealed class StatefulSetUpdateException(V1StatefulSetStatus status, Exception inner) : Exception(inner.Message, inner)
{
    public V1StatefulSetStatus Status { get; } = status;
}
