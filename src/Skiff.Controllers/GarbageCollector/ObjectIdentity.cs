namespace Skiff.Controllers.GarbageCollector;

/// <summary>
/// An object as an ownerReference names it, plus its namespace (upstream's <c>objectReference</c>). For a virtual
/// node (an owner only known from its dependents' references) the namespace is the first dependent's, even when the
/// owner turns out to be cluster-scoped.
/// </summary>
internal sealed record ObjectIdentity(string ApiVersion, string Kind, string Name, string Uid, string Namespace)
{
    /// <summary>The coordinates without the namespace (the absent-owner cache key of a cluster-scoped owner).</summary>
    public ObjectIdentity WithNamespace(string ns) => this with { Namespace = ns };

    public override string ToString() => $"[{ApiVersion}/{Kind}, namespace: {Namespace}, name: {Name}, uid: {Uid}]";
}
