using Skiff.ApiServer.Security;

namespace Skiff.ApiServer.Authorization;

/// <summary>
/// Upstream's Node authorizer (<c>plugin/pkg/auth/authorizer/node/node_authorizer.go</c>) for users named
/// <c>system:node:NAME</c> in <c>system:nodes</c>: secrets and configmaps only when a pod bound to the node uses them
/// (get/list/watch by name), persistent volume claims and volumes likewise (get; claim status update), service
/// account tokens for its pods' service accounts, its own Lease in <c>kube-node-lease</c>; everything else is
/// checked against the <c>system:node</c> rules of the bootstrap policy. Other users: no opinion. Upstream 1.32's
/// field-selector restriction of node and pod lists (AuthorizeNodeWithSelectors) is not applied; nodes and pods
/// are read as the <c>system:node</c> rules allow, and writes are confined by <see cref="NodeRestriction"/>.
/// </summary>
public sealed class NodeAuthorizer(NodeGraph graph, IReadOnlyList<PolicyRule> nodeRules) : IAuthorizer
{
    /// <summary>The group every node is in.</summary>
    public const string NodesGroup = "system:nodes";

    /// <summary>The user-name prefix of nodes.</summary>
    public const string NodeUserPrefix = "system:node:";

    /// <summary>The node's name when <paramref name="user"/> is a node identity (upstream <c>NodeIdentity</c>): null otherwise, empty when the name is missing.</summary>
    public static string? NodeName(UserInfo user)
    {
        if (!user.Name.StartsWith(NodeUserPrefix, StringComparison.Ordinal) || !user.Groups.Contains(NodesGroup))
        {
            return null;
        }

        return user.Name[NodeUserPrefix.Length..];
    }

    /// <inheritdoc/>
    public AuthorizationResult Authorize(AuthorizationAttributes a)
    {
        var node = NodeName(a.User);
        if (node is null)
        {
            return AuthorizationResult.NoOpinion;
        }

        if (node.Length == 0)
        {
            return No($"unknown node for user {Skiff.Api.Validation.GoFormat.Quote(a.User.Name)}");
        }

        if (a.IsResourceRequest)
        {
            switch (a.ApiGroup, a.Resource)
            {
                case ("", "secrets"):
                    return ReadNamespaced(node, NodeGraph.Kind.Secret, a);
                case ("", "configmaps"):
                    return ReadNamespaced(node, NodeGraph.Kind.ConfigMap, a);
                case ("", "persistentvolumeclaims"):
                    return a.Subresource == "status" ? StatusUpdate(node, a) : Get(node, a, () => graph.NodeReaches(node, NodeGraph.Kind.PersistentVolumeClaim, a.Namespace, a.Name));
                case ("", "persistentvolumes"):
                    return Get(node, a, () => graph.NodeReachesVolume(node, a.Name));
                case ("", "serviceaccounts"):
                    return CreateToken(node, a);
                case ("coordination.k8s.io", "leases"):
                    return Lease(node, a);
            }
        }

        foreach (var rule in nodeRules)
        {
            if (rule.Allows(a))
            {
                return new AuthorizationResult(Decision.Allow, "");
            }
        }

        return AuthorizationResult.NoOpinion;
    }

    private AuthorizationResult ReadNamespaced(string node, NodeGraph.Kind kind, AuthorizationAttributes a)
    {
        if (a.Verb is not ("get" or "list" or "watch"))
        {
            return No("can only read resources of this type");
        }

        if (a.Subresource.Length > 0)
        {
            return No("cannot read subresource");
        }

        if (a.Namespace.Length == 0)
        {
            return No("can only read namespaced object of this type");
        }

        return Related(node, a, () => graph.NodeReaches(node, kind, a.Namespace, a.Name));
    }

    private AuthorizationResult Get(string node, AuthorizationAttributes a, Func<bool> related)
    {
        if (a.Verb != "get")
        {
            return No("can only get individual resources of this type");
        }

        return a.Subresource.Length > 0 ? No("cannot get subresource") : Related(node, a, related);
    }

    private AuthorizationResult StatusUpdate(string node, AuthorizationAttributes a)
    {
        if (a.Verb is not ("update" or "patch"))
        {
            return No("can only get/update/patch this type");
        }

        return a.Subresource != "status"
            ? No("can only update status subresource")
            : Related(node, a, () => graph.NodeReaches(node, NodeGraph.Kind.PersistentVolumeClaim, a.Namespace, a.Name));
    }

    private AuthorizationResult CreateToken(string node, AuthorizationAttributes a)
    {
        if (a.Verb != "create")
        {
            return No("can only create tokens for individual service accounts");
        }

        return a.Subresource != "token"
            ? No("can only create token subresource of serviceaccount")
            : Related(node, a, () => graph.NodeReaches(node, NodeGraph.Kind.ServiceAccount, a.Namespace, a.Name));
    }

    private static AuthorizationResult Lease(string node, AuthorizationAttributes a)
    {
        if (a.Verb is not ("get" or "create" or "update" or "patch" or "delete"))
        {
            return No("can only get, create, update, patch, or delete a node lease");
        }

        if (a.Namespace != "kube-node-lease")
        {
            return No("can only access leases in the kube-node-lease namespace");
        }

        // The name is unknown on create; NodeRestriction checks it then.
        return a.Verb != "create" && a.Name != node
            ? No("can only access node lease with the same name as the requesting node")
            : new AuthorizationResult(Decision.Allow, "");
    }

    private static AuthorizationResult Related(string node, AuthorizationAttributes a, Func<bool> related)
    {
        if (a.Name.Length == 0)
        {
            return No("No Object name found");
        }

        return related()
            ? new AuthorizationResult(Decision.Allow, "")
            : No($"no relationship found between node '{node}' and this object");
    }

    private static AuthorizationResult No(string reason) => new(Decision.NoOpinion, reason);
}
