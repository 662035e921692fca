using k8s.Models;
using Skiff.Client.Rest;
using Skiff.Client.Typed;

namespace Skiff.Dns;

/// <summary>
/// The <c>kube-system/kube-dns</c> Service (cluster IP <see cref="ClusterDnsOptions.ServiceIp"/>, ports <c>dns</c> 53/UDP,
/// <c>dns-tcp</c> 53/TCP, <c>metrics</c> 9153/TCP, labels <c>k8s-app: kube-dns</c>,
/// <c>kubernetes.io/cluster-service: "true"</c>, <c>kubernetes.io/name: KubeDNS</c>, no selector) and its Endpoints and
/// EndpointSlice pointing at the address the in-process server serves pods on, kept as the API server keeps
/// <c>default/kubernetes</c>: created when missing, endpoints corrected when they differ. The Service's spec is left
/// alone once it exists (an administrator may have changed it).
/// </summary>
internal static class KubeDnsService
{
    public const string Namespace = "kube-system";
    public const string Name = "kube-dns";

    /// <summary>Creates or corrects the Service, Endpoints and EndpointSlice.</summary>
    public static async Task EnsureAsync(Clientset client, string serviceIp, string address, int port, CancellationToken ct)
    {
        var core = client.CoreV1();
        try
        {
            await core.Services(Namespace).GetAsync(Name, ct: ct).ConfigureAwait(false);
        }
        catch (KubernetesApiException e) when (e.IsNotFound)
        {
            await CreateIgnoringExistsAsync(() => core.Services(Namespace).CreateAsync(Service(serviceIp), ct: ct)).ConfigureAwait(false);
        }

        var endpoints = core.Endpoints(Namespace);
        var desired = Endpoints(address, port);
        try
        {
            var current = await endpoints.GetAsync(Name, ct: ct).ConfigureAwait(false);
            if (Describe(current) != Describe(desired))
            {
                desired.Metadata.ResourceVersion = current.Metadata.ResourceVersion;
                await endpoints.UpdateAsync(desired, ct: ct).ConfigureAwait(false);
            }
        }
        catch (KubernetesApiException e) when (e.IsNotFound)
        {
            await CreateIgnoringExistsAsync(() => endpoints.CreateAsync(desired, ct: ct)).ConfigureAwait(false);
        }

        var slices = client.Resource<V1EndpointSlice, V1EndpointSliceList>(Namespace);
        var slice = Slice(address, port);
        try
        {
            var current = await slices.GetAsync(Name, ct: ct).ConfigureAwait(false);
            if (Describe(current) != Describe(slice))
            {
                slice.Metadata.ResourceVersion = current.Metadata.ResourceVersion;
                await slices.UpdateAsync(slice, ct: ct).ConfigureAwait(false);
            }
        }
        catch (KubernetesApiException e) when (e.IsNotFound)
        {
            await CreateIgnoringExistsAsync(() => slices.CreateAsync(slice, ct: ct)).ConfigureAwait(false);
        }
    }

    /// <summary>The Service as created.</summary>
    public static V1Service Service(string serviceIp) => new()
    {
        ApiVersion = "v1",
        Kind = "Service",
        Metadata = new V1ObjectMeta
        {
            Name = Name,
            NamespaceProperty = Namespace,
            Labels = new Dictionary<string, string>
            {
                ["k8s-app"] = "kube-dns",
                ["kubernetes.io/cluster-service"] = "true",
                ["kubernetes.io/name"] = "KubeDNS",
            },
        },
        Spec = new V1ServiceSpec
        {
            Type = "ClusterIP",
            ClusterIP = serviceIp,
            ClusterIPs = [serviceIp],
            Ports =
            [
                new V1ServicePort { Name = "dns", Port = 53, Protocol = "UDP", TargetPort = 53 },
                new V1ServicePort { Name = "dns-tcp", Port = 53, Protocol = "TCP", TargetPort = 53 },
                new V1ServicePort { Name = "metrics", Port = 9153, Protocol = "TCP", TargetPort = 9153 },
            ],
        },
    };

    private static V1Endpoints Endpoints(string address, int port) => new()
    {
        ApiVersion = "v1",
        Kind = "Endpoints",
        Metadata = new V1ObjectMeta
        {
            Name = Name,
            NamespaceProperty = Namespace,
            Labels = new Dictionary<string, string> { ["endpointslice.kubernetes.io/skip-mirror"] = "true", ["k8s-app"] = "kube-dns" },
        },
        Subsets =
        [
            new V1EndpointSubset
            {
                Addresses = [new V1EndpointAddress { Ip = address }],
                Ports = [new Corev1EndpointPort { Name = "dns", Port = port, Protocol = "UDP" }, new Corev1EndpointPort { Name = "dns-tcp", Port = port, Protocol = "TCP" }],
            },
        ],
    };

    private static V1EndpointSlice Slice(string address, int port) => new()
    {
        ApiVersion = "discovery.k8s.io/v1",
        Kind = "EndpointSlice",
        Metadata = new V1ObjectMeta
        {
            Name = Name,
            NamespaceProperty = Namespace,
            Labels = new Dictionary<string, string>
            {
                ["kubernetes.io/service-name"] = Name,
                ["endpointslice.kubernetes.io/managed-by"] = "skiff-dns",
                ["k8s-app"] = "kube-dns",
            },
        },
        AddressType = address.Contains(':', StringComparison.Ordinal) ? "IPv6" : "IPv4",
        Endpoints = [new V1Endpoint { Addresses = [address], Conditions = new V1EndpointConditions { Ready = true, Serving = true, Terminating = false } }],
        Ports = [new Discoveryv1EndpointPort { Name = "dns", Port = port, Protocol = "UDP" }, new Discoveryv1EndpointPort { Name = "dns-tcp", Port = port, Protocol = "TCP" }],
    };

    private static string Describe(V1Endpoints e) => string.Join(";", (e.Subsets ?? []).Select(s =>
        string.Join(",", (s.Addresses ?? []).Select(a => a.Ip)) + "|" + string.Join(",", (s.Ports ?? []).Select(p => $"{p.Name}/{p.Port}/{p.Protocol}"))));

    private static string Describe(V1EndpointSlice s) =>
        string.Join(",", (s.Endpoints ?? []).SelectMany(e => e.Addresses ?? []).Append(s.Endpoints?.FirstOrDefault()?.Conditions?.Ready?.ToString() ?? "")) + "|" +
        string.Join(",", (s.Ports ?? []).Select(p => $"{p.Name}/{p.Port}/{p.Protocol}")) + "|" + (s.Metadata.Labels is { } l && l.TryGetValue("kubernetes.io/service-name", out var n) ? n : "");

    private static async Task CreateIgnoringExistsAsync<T>(Func<Task<T>> create)
    {
        try
        {
            await create().ConfigureAwait(false);
        }
        catch (KubernetesApiException e) when (e.IsAlreadyExists)
        {
            // Another writer won the race; the next pass corrects it.
        }
    }
}
