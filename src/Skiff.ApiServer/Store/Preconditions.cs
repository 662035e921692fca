using Skiff.Api.Errors;

namespace Skiff.ApiServer.Store;

/// <summary>
/// Storage preconditions on an object's uid and resourceVersion (upstream's <c>storage.Preconditions.Check</c>): the
/// one check behind delete preconditions, an update's body uid and a pod binding's metadata. A precondition that is
/// null or empty is not checked; a mismatch is upstream's 409 Conflict on the resource.
/// </summary>
internal static class Preconditions
{
    /// <exception cref="StatusException">409 when <paramref name="wantUid"/> or <paramref name="wantResourceVersion"/> differs from the object's.</exception>
    public static void Check(string group, string resource, string name, string? wantUid, string? wantResourceVersion, string uid, string resourceVersion)
    {
        if (wantUid is { Length: > 0 } && wantUid != uid)
        {
            throw StatusErrors.Conflict(group, resource, name, $"Precondition failed: UID in precondition: {wantUid}, UID in object meta: {uid}");
        }

        if (wantResourceVersion is { Length: > 0 } && wantResourceVersion != resourceVersion)
        {
            throw StatusErrors.Conflict(group, resource, name, $"Precondition failed: ResourceVersion in precondition: {wantResourceVersion}, ResourceVersion in object meta: {resourceVersion}");
        }
    }
}
