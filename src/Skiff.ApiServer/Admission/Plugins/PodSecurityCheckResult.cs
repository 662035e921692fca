namespace Skiff.ApiServer.Admission.Plugins;

/// <summary>
/// One Pod Security check's verdict on a pod (upstream's <c>policy.CheckResult</c>): allowed, or forbidden with
/// upstream's reason and detail texts. A check builds the texts only when it forbids, so an allowed result costs nothing.
/// </summary>
/// <param name="Allowed">Whether the pod passes the check.</param>
/// <param name="ForbiddenReason">The short reason (e.g. <c>privileged</c>); empty when allowed.</param>
/// <param name="ForbiddenDetail">What to change (e.g. <c>container "c" must not set securityContext.privileged=true</c>); may be empty.</param>
internal readonly record struct PodSecurityCheckResult(bool Allowed, string ForbiddenReason, string ForbiddenDetail)
{
    /// <summary>The pod passes.</summary>
    public static PodSecurityCheckResult Allow => new(true, "", "");

    /// <summary>The pod fails with <paramref name="reason"/> and <paramref name="detail"/>.</summary>
    public static PodSecurityCheckResult Forbid(string reason, string detail) => new(false, reason, detail);

    /// <summary>How upstream lists a failure in its messages: <c>reason (detail)</c>, or the reason alone.</summary>
    public string Message => ForbiddenDetail.Length == 0 ? ForbiddenReason : $"{ForbiddenReason} ({ForbiddenDetail})";
}
