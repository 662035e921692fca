using Skiff.Api.Validation;
using Skiff.ApiServer.Authorization;
using Skiff.ApiServer.Security;
using CelEnvironment = global::Cel.CelEnvironment;

namespace Skiff.ApiServer.Admission.Policy;

/// <summary>
/// Registers upstream's authz CEL library (<c>k8s.io/apiserver/pkg/cel/library/authz.go</c>) on an environment:
/// <c>path</c>, <c>group</c>, <c>serviceAccount</c> on the authorizer; <c>resource</c> on a group check;
/// <c>subresource</c>, <c>namespace</c>, <c>name</c>, <c>fieldSelector</c>, <c>labelSelector</c> on a resource check;
/// <c>check</c> on both checks; <c>allowed</c>, <c>reason</c>, <c>errored</c>, <c>error</c> on a decision. Errors use
/// upstream's texts. Field and label selectors are accepted and not sent: Skiff's authorizers (Node, RBAC) do not
/// look at them.
/// </summary>
internal static class CelAuthorizerLibrary
{
    /// <summary>Registers the functions on <paramref name="env"/>.</summary>
    public static void Register(CelEnvironment env)
    {
        Type s = typeof(string), authz = typeof(CelAuthorizer), group = typeof(CelGroupCheck), resource = typeof(CelResourceCheck),
            path = typeof(CelPathCheck), decision = typeof(CelDecision);
        env.RegisterFunction("path", [authz, s], a => ((string)a[1]!).Trim().Length == 0
            ? throw new ArgumentException("path must not be empty")
            : new CelPathCheck((CelAuthorizer)a[0]!, (string)a[1]!));
        env.RegisterFunction("group", [authz, s], a => new CelGroupCheck((CelAuthorizer)a[0]!, (string)a[1]!));
        env.RegisterFunction("serviceAccount", [authz, s, s], a => ServiceAccount((CelAuthorizer)a[0]!, (string)a[1]!, (string)a[2]!));
        env.RegisterFunction("resource", [group, s], a => ((string)a[1]!).Trim().Length == 0
            ? throw new ArgumentException("resource must not be empty")
            : new CelResourceCheck(((CelGroupCheck)a[0]!).Authorizer, ((CelGroupCheck)a[0]!).Group, (string)a[1]!));
        env.RegisterFunction("subresource", [resource, s], a => ((CelResourceCheck)a[0]!) with { Subresource = (string)a[1]! });
        env.RegisterFunction("namespace", [resource, s], a => ((CelResourceCheck)a[0]!) with { Namespace = (string)a[1]! });
        env.RegisterFunction("name", [resource, s], a => ((CelResourceCheck)a[0]!) with { Name = (string)a[1]! });
        env.RegisterFunction("fieldSelector", [resource, s], a => a[0]);
        env.RegisterFunction("labelSelector", [resource, s], a => a[0]);
        env.RegisterFunction("check", [path, s], a => ((CelPathCheck)a[0]!).Check((string)a[1]!));
        env.RegisterFunction("check", [resource, s], a => ((CelResourceCheck)a[0]!).Check((string)a[1]!));
        env.RegisterFunction("allowed", [decision], a => ((CelDecision)a[0]!).Decision == Decision.Allow);
        env.RegisterFunction("reason", [decision], a => ((CelDecision)a[0]!).Reason);
        env.RegisterFunction("errored", [decision], a => ((CelDecision)a[0]!).Error is not null);
        env.RegisterFunction("error", [decision], a => ((CelDecision)a[0]!).Error ?? "");
    }

    /// <summary>Upstream's <c>authorizerServiceAccount</c>: the service account's user (its name and two groups).</summary>
    private static CelAuthorizer ServiceAccount(CelAuthorizer authorizer, string ns, string name)
    {
        if (NameValidation.NameIsDnsSubdomain(name, false).Count > 0)
        {
            throw new ArgumentException("Invalid service account name");
        }

        if (NameValidation.ValidateNamespaceName(ns, false).Count > 0)
        {
            throw new ArgumentException("Invalid service account namespace");
        }

        var user = new UserInfo($"system:serviceaccount:{ns}:{name}", null, ["system:serviceaccounts", "system:serviceaccounts:" + ns]);
        return CelAuthorizer.As(user, authorizer.Authorizer);
    }
}
