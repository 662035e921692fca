namespace Skiff.Client.Rest;

/// <summary>
/// client-go's <c>errors.IsNotFound(err)</c> family for any exception: true only when it is (or wraps) a
/// <see cref="KubernetesApiException"/> of that kind.
/// </summary>
public static class ApiErrors
{
    public static bool IsNotFound(Exception? e) => Find(e)?.IsNotFound ?? false;

    public static bool IsAlreadyExists(Exception? e) => Find(e)?.IsAlreadyExists ?? false;

    public static bool IsConflict(Exception? e) => Find(e)?.IsConflict ?? false;

    public static bool IsInvalid(Exception? e) => Find(e)?.IsInvalid ?? false;

    public static bool IsGone(Exception? e) => Find(e)?.IsGone ?? false;

    public static bool IsResourceExpired(Exception? e) => Find(e)?.IsResourceExpired ?? false;

    public static bool IsTooManyRequests(Exception? e) => Find(e)?.IsTooManyRequests ?? false;

    public static bool IsForbidden(Exception? e) => Find(e)?.IsForbidden ?? false;

    private static KubernetesApiException? Find(Exception? e)
    {
        for (; e is not null; e = e.InnerException)
        {
            if (e is KubernetesApiException k)
            {
                return k;
            }
        }

        return null;
    }
}
