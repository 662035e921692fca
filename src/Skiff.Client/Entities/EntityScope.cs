namespace Skiff.Client.Entities;

/// <summary>Where objects of a kind live: in a namespace, or once per cluster (a CRD's <c>spec.scope</c>).</summary>
public enum EntityScope
{
    /// <summary>Objects live in a namespace (<c>Namespaced</c>).</summary>
    Namespaced,

    /// <summary>Objects are cluster-wide (<c>Cluster</c>).</summary>
    Cluster,
}
