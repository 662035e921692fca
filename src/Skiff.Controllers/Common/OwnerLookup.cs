using k8s;
using k8s.Models;
using Skiff.Api.Selectors;
using Skiff.Client.Cache;

namespace Skiff.Controllers.Common;

/// <summary>
/// Finds, in the informer cache, the owners a change of a child concerns: the one its controller reference names
/// (upstream's <c>resolveControllerRef</c>: of <see cref="Kind"/>, with the referenced uid) or, for an orphan, the ones
/// of its namespace whose non-empty selector matches its labels (upstream's <c>getPodReplicaSets</c>,
/// <c>getPodJobs</c>, <c>getDeploymentsForReplicaSet</c>, …). An owner whose selector does not parse matches nothing.
/// </summary>
/// <typeparam name="TOwner">The controller's own resource.</typeparam>
internal sealed class OwnerLookup<TOwner>
    where TOwner : class, IKubernetesObject<V1ObjectMeta>
{
    private readonly Func<string, string, TOwner?> _get;
    private readonly Func<string, IEnumerable<TOwner>> _list;
    private readonly Func<TOwner, V1LabelSelector?> _selector;

    /// <summary>Looks owners up with <paramref name="get"/> (namespace, name) and <paramref name="list"/> (namespace).</summary>
    public OwnerLookup(string kind, Func<string, string, TOwner?> get, Func<string, IEnumerable<TOwner>> list, Func<TOwner, V1LabelSelector?> selector)
    {
        Kind = kind;
        _get = get;
        _list = list;
        _selector = selector;
    }

    /// <summary>Looks owners up in <paramref name="lister"/>.</summary>
    public OwnerLookup(string kind, Lister<TOwner> lister, Func<TOwner, V1LabelSelector?> selector)
        : this(kind, (ns, name) => lister.Get(ns, name), ns => lister.List(ns), selector)
    {
    }

    /// <summary>The owner kind a controller reference must name.</summary>
    public string Kind { get; }

    /// <summary>The owner <paramref name="controllerRef"/> names in <paramref name="ns"/>, if it is of <see cref="Kind"/> and has the referenced uid.</summary>
    public TOwner? Resolve(string ns, V1OwnerReference controllerRef) =>
        controllerRef.Kind == Kind && _get(ns, controllerRef.Name) is { } owner && owner.Metadata.Uid == controllerRef.Uid ? owner : null;

    /// <summary>The owners of <paramref name="child"/>'s namespace whose non-empty selector matches its labels (none for a child without labels).</summary>
    public IEnumerable<TOwner> Selecting(V1ObjectMeta child)
    {
        if (child.Labels is not { Count: > 0 })
        {
            yield break;
        }

        foreach (var owner in _list(child.NamespaceProperty))
        {
            LabelSelector selector;
            try
            {
                selector = Selectors.From(_selector(owner));
            }
            catch (SelectorParseException)
            {
                continue;
            }

            if (!selector.IsEmpty && Selectors.Matches(selector, child.Labels))
            {
                yield return owner;
            }
        }
    }
}
