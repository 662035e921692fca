using Skiff.ApiServer.Admission;
using Skiff.ApiServer.Admission.Policy;
using Skiff.ApiServer.Authorization;
using Skiff.ApiServer.Security;
using Xunit;

namespace Skiff.ApiServer.Tests.Admission.Policy;

/// <summary>
/// The CEL <c>authorizer</c> variable (upstream's authz library), table-driven over a recording authorizer: the
/// resource and path builders, the decision accessors, <c>serviceAccount</c>, <c>authorizer.requestResource</c>,
/// and upstream's error texts.
/// </summary>
public sealed class CelAuthorizerTests : IDisposable
{
    private static readonly UserInfo Alice = new("alice", null, ["devs"]);

    /// <summary>The request context set by a test does not outlive it.</summary>
    public void Dispose() => RequestAuthorization.Current = null;

    public static TheoryData<string, object?> Results => new()
    {
        { "authorizer.group('apps').resource('deployments').subresource('scale').namespace('ns').check('update').allowed()", true },
        { "authorizer.group('apps').resource('deployments').subresource('scale').namespace('other').check('update').allowed()", false },
        { "authorizer.group('apps').resource('deployments').subresource('scale').namespace('ns').check('update').reason()", "fake: allowed" },
        { "authorizer.group('apps').resource('deployments').check('update').reason()", "fake: no rule" },
        { "authorizer.path('/healthz').check('get').allowed()", true },
        { "authorizer.path('/metrics').check('get').allowed()", false },
        { "authorizer.group('').resource('explode').check('get').errored()", true },
        { "authorizer.group('').resource('explode').check('get').error()", "boom" },
        { "authorizer.group('').resource('pods').check('get').errored()", false },
        { "authorizer.group('').resource('pods').check('get').error()", "" },
        { "authorizer.group('apps').resource('deployments').labelSelector('a=b').fieldSelector('x=y').name('d').check('get').allowed()", false },
        { "authorizer.serviceAccount('ns', 'robot').group('apps').resource('deployments').subresource('scale').namespace('ns').check('update').allowed()", false },
        { "authorizer.requestResource.check('update').allowed()", true },
        { "authorizer.requestResource.namespace('other').check('update').allowed()", false },
    };

    [Theory]
    [MemberData(nameof(Results))]
    public void Expression_EvaluatesThroughTheAuthorizer(string expression, object? expected)
    {
        var (vars, _) = Vars();
        Assert.Equal(expected, new PolicyExpression(expression).Evaluate(vars));
    }

    [Theory]
    [InlineData("authorizer.path('  ').check('get').allowed()", "path must not be empty")]
    [InlineData("authorizer.group('').resource('').check('get').allowed()", "resource must not be empty")]
    [InlineData("authorizer.serviceAccount('ns', 'Bad_Name').path('/x').check('get').allowed()", "Invalid service account name")]
    [InlineData("authorizer.serviceAccount('Bad NS', 'robot').path('/x').check('get').allowed()", "Invalid service account namespace")]
    public void BadArguments_FailWithUpstreamText(string expression, string error)
    {
        var (vars, _) = Vars();
        var e = Assert.Throws<PolicyEvaluationException>(() => new PolicyExpression(expression).Evaluate(vars));
        Assert.StartsWith($"expression '{expression}' resulted in error: ", e.Message, StringComparison.Ordinal);
        Assert.Contains(error, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Checks_SendUpstreamAttributes_AsTheRequestingUserOrTheServiceAccount()
    {
        var (vars, fake) = Vars();
        new PolicyExpression("authorizer.group('apps').resource('deployments').name('d').check('get').allowed()").Evaluate(vars);
        new PolicyExpression("authorizer.serviceAccount('ns', 'robot').path('/x').check('get').allowed()").Evaluate(vars);

        var resource = fake.Seen[0];
        Assert.Equal(("alice", true, "apps", "*", "deployments", "", "", "d", "get"),
            (resource.User.Name, resource.IsResourceRequest, resource.ApiGroup, resource.ApiVersion, resource.Resource, resource.Subresource, resource.Namespace, resource.Name, resource.Verb));
        var sa = fake.Seen[1];
        Assert.Equal("system:serviceaccount:ns:robot", sa.User.Name);
        Assert.Equal(["system:serviceaccounts", "system:serviceaccounts:ns"], sa.User.Groups);
        Assert.Equal(("/x", false), (sa.Path, sa.IsResourceRequest));
    }

    [Fact]
    public void WithoutEnforcedAuthorization_EverythingIsAllowed()
    {
        RequestAuthorization.Current = null;
        var vars = new Dictionary<string, object?> { ["authorizer"] = CelAuthorizer.For(ScaleRequest()) };
        Assert.Equal(true, new PolicyExpression("authorizer.group('').resource('secrets').check('delete').allowed()").Evaluate(vars));
    }

    private static (Dictionary<string, object?> Vars, FakeAuthorizer Fake) Vars()
    {
        var fake = new FakeAuthorizer();
        RequestAuthorization.Current = new RequestAuthorization(Alice, "ns", fake, new RbacCache());
        return (new Dictionary<string, object?> { ["authorizer"] = CelAuthorizer.For(ScaleRequest()) }, fake);
    }

    private static AdmissionAttributes ScaleRequest() => new()
    {
        Operation = AdmissionOperation.Update,
        Group = "apps",
        Version = "v1",
        Resource = "deployments",
        Subresource = "scale",
        Kind = "Scale",
        Namespace = "ns",
        Name = "d",
        User = Alice,
    };

    /// <summary>Allows alice to update deployments/scale in ns and to get /healthz; throws for the resource <c>explode</c>.</summary>
    private sealed class FakeAuthorizer : IAuthorizer
    {
        public List<AuthorizationAttributes> Seen { get; } = [];

        public AuthorizationResult Authorize(AuthorizationAttributes a)
        {
            Seen.Add(a);
            if (a.Resource == "explode")
            {
                throw new InvalidOperationException("boom");
            }

            var allowed = a.User.Name == "alice" && (a.IsResourceRequest
                ? a is { ApiGroup: "apps", Resource: "deployments", Subresource: "scale", Namespace: "ns", Verb: "update" }
                : a is { Path: "/healthz", Verb: "get" });
            return allowed ? new AuthorizationResult(Decision.Allow, "fake: allowed") : new AuthorizationResult(Decision.NoOpinion, "fake: no rule");
        }
    }
}
