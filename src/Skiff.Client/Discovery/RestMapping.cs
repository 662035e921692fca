using Skiff.Client.Schema;

namespace Skiff.Client.Discovery;

/// <summary>Where objects of a kind live: their resource and whether they are namespaced (client-go <c>meta.RESTMapping</c>).</summary>
public sealed record RestMapping(GroupVersionResource Resource, GroupVersionKind Kind, bool Namespaced);
