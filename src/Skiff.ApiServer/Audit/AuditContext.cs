using Skiff.ApiServer.Http;
using Skiff.ApiServer.Security;

namespace Skiff.ApiServer.Audit;

/// <summary>
/// The audit state of the request being served (upstream's <c>AuditContext</c>): its ID, who made it (set by the
/// authentication and impersonation steps), the level the policy gave it, the authorization decision, and the
/// annotations admission plugins add. Flows with the request's async context as <see cref="Current"/>.
/// </summary>
public sealed class AuditContext
{
    /// <summary>The annotation key of the authorization decision (<c>allow</c> or <c>forbid</c>).</summary>
    public const string DecisionAnnotation = "authorization.k8s.io/decision";

    /// <summary>The annotation key of the authorizer's reason.</summary>
    public const string ReasonAnnotation = "authorization.k8s.io/reason";

    private static readonly AsyncLocal<AuditContext?> CurrentContext = new();
    private readonly List<(string Key, string Value, AuditLevel Level)> _annotations = [];
    private readonly Action<AuditContext>? _onAuthenticated;
    private int _authenticated;

    /// <summary>Creates the context of one request.</summary>
    public AuditContext(string auditId, RequestInfo info, DateTimeOffset received, Action<AuditContext>? onAuthenticated = null)
    {
        AuditId = auditId;
        Info = info;
        Received = received;
        _onAuthenticated = onAuthenticated;
    }

    /// <summary>The context of the request being served, or null when auditing is off.</summary>
    public static AuditContext? Current
    {
        get => CurrentContext.Value;
        set => CurrentContext.Value = value;
    }

    /// <summary>The request's audit ID (also its <c>Audit-Id</c> response header).</summary>
    public string AuditId { get; }

    /// <summary>What the request is.</summary>
    public RequestInfo Info { get; }

    /// <summary>When the request arrived.</summary>
    public DateTimeOffset Received { get; }

    /// <summary>The authenticated user (null before authentication or when it failed).</summary>
    public UserInfo? User { get; private set; }

    /// <summary>The user impersonated, or null.</summary>
    public UserInfo? ImpersonatedUser { get; private set; }

    /// <summary>The level the policy gave the request (None until authenticated).</summary>
    public AuditLevel Level { get; set; }

    /// <summary>Stages not logged for this request.</summary>
    public IReadOnlyCollection<string> OmitStages { get; set; } = [];

    /// <summary>Whether managedFields are dropped from the logged objects.</summary>
    public bool OmitManagedFields { get; set; }

    /// <summary>Whether the policy has been evaluated (after authentication, or at the end of a request that never got there).</summary>
    public bool Evaluated { get; set; }

    /// <summary>The object's name when the request did not carry it in its path (a create), or null.</summary>
    public string? ObjectName { get; set; }

    /// <summary>The Status the request failed with, or null.</summary>
    public Skiff.Api.Errors.StatusException? Failure { get; set; }

    /// <summary>The annotations, in the order added.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Annotations => AnnotationsAt(AuditLevel.RequestResponse);

    /// <summary>
    /// The annotations an event at <paramref name="level"/> carries, in the order added: those added at that level
    /// or below (upstream's admission <c>getAnnotations(level)</c>; a webhook's patch is only logged at Request).
    /// </summary>
    public IReadOnlyList<KeyValuePair<string, string>> AnnotationsAt(AuditLevel level)
    {
        lock (_annotations)
        {
            return _annotations.Where(a => a.Level <= level).Select(a => new KeyValuePair<string, string>(a.Key, a.Value)).ToList();
        }
    }

    /// <summary>Records the authenticated user (the first call wins) and lets the pipeline evaluate the policy.</summary>
    public void Authenticated(UserInfo? user)
    {
        if (Interlocked.Exchange(ref _authenticated, 1) != 0)
        {
            return;
        }

        User = user;
        _onAuthenticated?.Invoke(this);
    }

    /// <summary>Records the user the request acts as after impersonation.</summary>
    public void Impersonated(UserInfo user) => ImpersonatedUser = user;

    /// <summary>Records the authorization decision as upstream's two annotations.</summary>
    public void Authorized(bool allowed, string reason)
    {
        AddAnnotation(DecisionAnnotation, allowed ? "allow" : "forbid");
        AddAnnotation(ReasonAnnotation, reason);
    }

    /// <summary>
    /// Adds an annotation logged by events at <paramref name="level"/> or above (default Metadata: every event); a
    /// key already present keeps its first value.
    /// </summary>
    public void AddAnnotation(string key, string value, AuditLevel level = AuditLevel.Metadata)
    {
        lock (_annotations)
        {
            if (_annotations.All(a => a.Key != key))
            {
                _annotations.Add((key, value, level));
            }
        }
    }
}
