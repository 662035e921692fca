using Skiff.Api.Errors;

namespace Skiff.ApiServer.Store;

/// <summary>
/// Storage preconditions on an object's uid and resourceVersion (upstream's <c>storage.Preconditions.Check</c>): the
/// one check behind delete preconditions, an update's body uid and a pod binding's metadata. A precondition that is
/// null or empty is not checked; a mismatch is upstream's 409 Conflict on the resource, whose message carries the
/// storage error as upstream prints it (<c>storage.NewInvalidObjError</c> on the object's key, through
/// <c>storeerr.InterpretUpdateError</c>/<c>InterpretDeleteError</c>).
/// </summary>
internal static class Preconditions
{
    /// <summary>Checks the preconditions on the object stored at <paramref name="key"/>.</summary>
    /// <exception cref="StatusException">409 when <paramref name="wantUid"/> or <paramref name="wantResourceVersion"/> differs from the object's.</exception>
    public static void Check(string group, string resource, string key, string name, string? wantUid, string? wantResourceVersion, string uid, string resourceVersion)
    {
        if (wantUid is { Length: > 0 } && wantUid != uid)
        {
            throw StatusErrors.Conflict(group, resource, name, InvalidObject(key, $"Precondition failed: UID in precondition: {wantUid}, UID in object meta: {uid}"));
        }

        if (wantResourceVersion is { Length: > 0 } && wantResourceVersion != resourceVersion)
        {
            throw StatusErrors.Conflict(group, resource, name,
                InvalidObject(key, $"Precondition failed: ResourceVersion in precondition: {wantResourceVersion}, ResourceVersion in object meta: {resourceVersion}"));
        }
    }

    /// <summary>Upstream's <c>StorageError.Error()</c> for <c>ErrCodeInvalidObj</c> (code 4), which carries no resourceVersion.</summary>
    private static string InvalidObject(string key, string message) =>
        $"StorageError: invalid object, Code: 4, Key: {key}, ResourceVersion: 0, AdditionalErrorMsg: {message}";
}
