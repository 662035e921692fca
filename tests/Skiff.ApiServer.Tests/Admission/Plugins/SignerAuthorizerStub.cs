using Skiff.ApiServer.Authorization;

namespace Skiff.ApiServer.Tests.Admission.Plugins;

/// <summary>An authorizer that allows exactly the given <c>verb name</c> pairs on <c>signers.certificates.k8s.io</c>, and records what it was asked.</summary>
internal sealed class SignerAuthorizerStub(params string[] allowed) : IAuthorizer
{
    public List<AuthorizationAttributes> Asked { get; } = [];

    public AuthorizationResult Authorize(AuthorizationAttributes attributes)
    {
        Asked.Add(attributes);
        var ok = attributes is { IsResourceRequest: true, ApiGroup: "certificates.k8s.io", ApiVersion: "*", Resource: "signers", Subresource: "" }
            && allowed.Contains($"{attributes.Verb} {attributes.Name}");
        return ok ? new AuthorizationResult(Decision.Allow, "") : AuthorizationResult.NoOpinion;
    }
}
