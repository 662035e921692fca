namespace Skiff.ApiServer.Authorization;

/// <summary>An authorizer's verdict (upstream's <c>authorizer.Decision</c>).</summary>
public enum Decision
{
    /// <summary>The authorizer has no opinion; the next one in the chain decides.</summary>
    NoOpinion,

    /// <summary>The request is allowed; the chain stops.</summary>
    Allow,

    /// <summary>The request is denied; the chain stops.</summary>
    Deny,
}
