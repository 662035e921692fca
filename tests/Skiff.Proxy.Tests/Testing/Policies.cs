using k8s.Models;
using Skiff.Proxy.NetworkPolicy;

namespace Skiff.Proxy.Tests.Testing;

/// <summary>Builders of NetworkPolicy compiler input: pods, namespaces, policies, peers and ports.</summary>
internal static class Policies
{
    public static PolicyPod Pod(string ns, string name, string ip, string labels = "", bool local = true, params PolicyPod.NamedPort[] ports) =>
        new(ns, name, ip, Labels(labels), ports, local);

    public static Dictionary<string, string> Labels(string text) =>
        text.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(p => p.Split('=')).ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);

    public static V1LabelSelector Sel(string labels) => new() { MatchLabels = Labels(labels) };

    public static V1NetworkPolicy Policy(string ns, string name, V1LabelSelector podSelector, string[]? types = null,
        V1NetworkPolicyIngressRule[]? ingress = null, V1NetworkPolicyEgressRule[]? egress = null) =>
        new()
        {
            Metadata = new() { Name = name, NamespaceProperty = ns },
            Spec = new V1NetworkPolicySpec { PodSelector = podSelector, PolicyTypes = types, Ingress = ingress, Egress = egress },
        };

    public static V1NetworkPolicyIngressRule From(V1NetworkPolicyPeer[]? peers, params V1NetworkPolicyPort[] ports) =>
        new() { FromProperty = peers, Ports = ports.Length == 0 ? null : ports };

    public static V1NetworkPolicyEgressRule To(V1NetworkPolicyPeer[]? peers, params V1NetworkPolicyPort[] ports) =>
        new() { To = peers, Ports = ports.Length == 0 ? null : ports };

    public static V1NetworkPolicyPeer Pods(string labels) => new() { PodSelector = Sel(labels) };

    public static V1NetworkPolicyPeer Namespaces(string labels, string? pods = null) =>
        new() { NamespaceSelector = Sel(labels), PodSelector = pods is null ? null : Sel(pods) };

    public static V1NetworkPolicyPeer Block(string cidr, params string[] except) => new() { IpBlock = new V1IPBlock { Cidr = cidr, Except = except } };

    public static V1NetworkPolicyPort Port(string? port, string protocol = "TCP", int? endPort = null) =>
        new() { Port = port is null ? null : (IntOrString)port, Protocol = protocol, EndPort = endPort };

    public static PolicyInput Input(IEnumerable<V1NetworkPolicy> policies, IEnumerable<PolicyPod> pods, params (string Name, string Labels)[] namespaces) =>
        new([.. policies], [.. pods], namespaces.ToDictionary(n => n.Name, n => (IReadOnlyDictionary<string, string>)Labels(n.Labels), StringComparer.Ordinal));
}
