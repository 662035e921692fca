using System.Text.Json.Nodes;
using Skiff.Api.Errors;

namespace Skiff.ApiServer.Authorization;

/// <summary>
/// Upstream's NodeRestriction admission plugin (<c>plugin/pkg/admission/noderestriction</c>), reduced to the checks
/// that confine a kubelet to its own objects: a node may create, update, patch or delete only its own Node (and its
/// status), create only mirror pods bound to itself, update the status of, delete or evict only pods bound to
/// itself, and write only its own Lease. Other users pass. Runs after authorization, before the write.
/// </summary>
public static class NodeRestriction
{
    /// <summary>The annotation that marks a mirror pod.</summary>
    public const string MirrorPodAnnotation = "kubernetes.io/config.mirror";

    /// <summary>
    /// Checks a request of <paramref name="a"/>; <paramref name="body"/> is the decoded object of a pod create (null
    /// otherwise) and <paramref name="existingPodNode"/> the <c>spec.nodeName</c> of the addressed pod (null when it
    /// does not exist or was not looked up).
    /// </summary>
    /// <exception cref="StatusException">403 with upstream's message when the node may not make this change.</exception>
    public static void Admit(AuthorizationAttributes a, JsonObject? body, string? existingPodNode)
    {
        if (!a.IsResourceRequest || NodeAuthorizer.NodeName(a.User) is not { Length: > 0 } node)
        {
            return;
        }

        var q = Skiff.Api.Validation.GoFormat.Quote;
        switch (a.ApiGroup, a.Resource)
        {
            case ("", "nodes") when a.Verb is "create" or "update" or "patch" or "delete":
            {
                var name = a.Verb == "create" ? (string?)body?["metadata"]?["name"] ?? a.Name : a.Name;
                if (name != node)
                {
                    throw Forbidden(a, name, $"node {q(node)} is not allowed to modify node {q(name)}");
                }

                break;
            }

            case ("", "pods") when a.Verb == "create" && a.Subresource.Length == 0:
            {
                var annotations = body?["metadata"]?["annotations"] as JsonObject;
                var name = (string?)body?["metadata"]?["name"] ?? "";
                if (annotations is null || !annotations.ContainsKey(MirrorPodAnnotation))
                {
                    throw Forbidden(a, name, $"pod does not have \"{MirrorPodAnnotation}\" annotation, node {q(node)} can only create mirror pods");
                }

                if ((string?)body?["spec"]?["nodeName"] != node)
                {
                    throw Forbidden(a, name, $"node {q(node)} can only create pods with spec.nodeName set to itself");
                }

                break;
            }

            case ("", "pods") when a.Subresource == "status" && a.Verb is "update" or "patch":
                if (existingPodNode is not null && existingPodNode != node)
                {
                    throw Forbidden(a, a.Name, $"node {q(node)} can only update pod status for pods with spec.nodeName set to itself");
                }

                break;
            case ("", "pods") when a.Subresource.Length == 0 && a.Verb == "delete":
                if (existingPodNode is not null && existingPodNode != node)
                {
                    throw Forbidden(a, a.Name, $"node {q(node)} can only delete pods with spec.nodeName set to itself");
                }

                break;
            case ("", "pods") when a.Subresource == "eviction" && a.Verb == "create":
                if (existingPodNode is not null && existingPodNode != node)
                {
                    throw Forbidden(a, a.Name, $"node {node} can only evict pods with spec.nodeName set to itself");
                }

                break;
            case ("coordination.k8s.io", "leases") when a.Verb is "create" or "update" or "patch" or "delete":
            {
                var name = a.Verb == "create" ? (string?)body?["metadata"]?["name"] ?? a.Name : a.Name;
                if (a.Namespace == "kube-node-lease" && name != node)
                {
                    throw Forbidden(a, name, "can only access node lease with the same name as the requesting node");
                }

                break;
            }
        }
    }

    /// <summary>True when <see cref="Admit"/> needs the request body (a node creating a pod, a node or a lease).</summary>
    public static bool NeedsBody(AuthorizationAttributes a) =>
        a.IsResourceRequest && a.Verb == "create" && a.Subresource.Length == 0 && NodeAuthorizer.NodeName(a.User) is { Length: > 0 }
        && (a.ApiGroup, a.Resource) is ("", "pods") or ("", "nodes") or ("coordination.k8s.io", "leases");

    /// <summary>True when <see cref="Admit"/> needs the addressed pod's node.</summary>
    public static bool NeedsPod(AuthorizationAttributes a) =>
        a.IsResourceRequest && a.ApiGroup.Length == 0 && a.Resource == "pods" && a.Name.Length > 0 && NodeAuthorizer.NodeName(a.User) is { Length: > 0 }
        && (a.Verb, a.Subresource) is ("update" or "patch", "status") or ("delete", "") or ("create", "eviction");

    private static StatusException Forbidden(AuthorizationAttributes a, string name, string message) =>
        StatusErrors.Forbidden(a.ApiGroup, a.Resource, name, message);
}
