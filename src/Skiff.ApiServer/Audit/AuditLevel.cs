namespace Skiff.ApiServer.Audit;

/// <summary>How much of a request is recorded (audit.k8s.io/v1 <c>Level</c>), in increasing order.</summary>
public enum AuditLevel
{
    /// <summary>Nothing.</summary>
    None,

    /// <summary>Request metadata (user, timestamp, resource, verb…) but no bodies.</summary>
    Metadata,

    /// <summary>Metadata and the request object.</summary>
    Request,

    /// <summary>Metadata, the request object and the response object.</summary>
    RequestResponse,
}
