using Skiff.Client.Schema;

namespace Skiff.Client.Cache;

/// <summary>
/// What a <see cref="SharedInformerFactory"/> keeps one informer (one reflector, one list+watch, one cache) for: a
/// resource and the form its objects are decoded into (<paramref name="ObjectType"/>: a typed model such as
/// <c>V1Pod</c>, or <see cref="Dynamic.DynamicObject"/>). Two requests with equal keys share the informer; a typed
/// and a dynamic request for the same resource do not (see <see cref="SharedInformerFactory"/> for why).
/// </summary>
/// <param name="Resource">The group, version and plural resource listed and watched.</param>
/// <param name="ObjectType">The CLR type of the cached objects.</param>
public sealed record InformerKey(GroupVersionResource Resource, Type ObjectType)
{
    public override string ToString() => $"{Resource} as {ObjectType.Name}";
}
