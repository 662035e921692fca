using k8s.Models;
using Skiff.Cri.V1;

namespace Skiff.Kubelet.Pods;

/// <summary>
/// A pod's resolver configuration (the sandbox's CRI <see cref="DNSConfig"/>, which the runtime writes as the pod's
/// <c>/etc/resolv.conf</c>), as upstream's <c>pkg/kubelet/network/dns</c> <c>Configurer.GetPodDNS</c> forms it:
/// <list type="bullet">
/// <item><c>ClusterFirst</c> (not on the host network) and <c>ClusterFirstWithHostNet</c>: the cluster DNS servers,
/// search <c>NS.svc.DOMAIN svc.DOMAIN DOMAIN</c> then the host's search paths, <c>options ndots:5</c>; without a cluster
/// DNS the kubelet falls back to <c>Default</c> (warning <c>MissingClusterDNS</c>).</item>
/// <item><c>Default</c> (and <c>ClusterFirst</c> on the host network): the host's resolv.conf.</item>
/// <item><c>None</c>: nothing but the pod's <c>dnsConfig</c>.</item>
/// </list>
/// The pod's <c>dnsConfig</c> is then merged (nameservers and searches appended without duplicates, options merged by
/// name with the pod's value winning), and the result cut to upstream's limits: 3 nameservers, 32 search paths, none
/// longer than 253 characters, and a search line of at most 2048 characters (warning <c>DNSConfigForming</c>).
/// </summary>
public static class PodDns
{
    /// <summary>Upstream's <c>validation.MaxDNSNameservers</c>.</summary>
    public const int MaxNameservers = 3;

    /// <summary>Upstream's <c>validation.MaxDNSSearchPaths</c>.</summary>
    public const int MaxSearchPaths = 32;

    /// <summary>Upstream's <c>validation.MaxDNSSearchListChars</c>.</summary>
    public const int MaxSearchListChars = 2048;

    private const int MaxSearchPathLength = 253;

    /// <summary>
    /// The DNS config of <paramref name="pod"/>. <paramref name="clusterDns"/> are the kubelet's <c>--cluster-dns</c>
    /// servers, <paramref name="clusterDomain"/> its <c>--cluster-domain</c>, <paramref name="hostResolvConf"/> the text of
    /// the node's resolv.conf (null when there is none).
    /// </summary>
    public static PodDnsResult Configure(V1Pod pod, IReadOnlyList<string> clusterDns, string clusterDomain, string? hostResolvConf)
    {
        var warnings = new List<PodDnsWarning>();
        var host = ParseResolvConf(hostResolvConf ?? "");
        var policy = pod.Spec.DnsPolicy is { Length: > 0 } p ? p : "ClusterFirst";
        var hostNetwork = pod.Spec.HostNetwork == true;
        var cluster = policy == "ClusterFirstWithHostNet" || (policy == "ClusterFirst" && !hostNetwork);
        List<string> servers, searches, options;
        if (policy == "None")
        {
            (servers, searches, options) = ([], [], []);
        }
        else if (cluster && clusterDns.Count > 0)
        {
            servers = [.. clusterDns];
            searches = ClusterSearches(host.Searches, pod.Metadata.NamespaceProperty, clusterDomain);
            options = ["ndots:5"];
        }
        else
        {
            if (cluster)
            {
                warnings.Add(new PodDnsWarning("MissingClusterDNS",
                    $"kubelet does not have ClusterDNS IP configured and cannot create Pod using \"{policy}\" policy. Falling back to \"Default\" policy."));
            }

            (servers, searches, options) = ([.. host.Servers], [.. host.Searches], [.. host.Options]);
        }

        if (pod.Spec.DnsConfig is { } extra)
        {
            servers = Distinct(servers.Concat(extra.Nameservers ?? []));
            searches = Distinct(searches.Concat(extra.Searches ?? []));
            options = MergeOptions(options, extra.Options ?? []);
        }

        if (servers.Count > MaxNameservers)
        {
            servers = servers.Take(MaxNameservers).ToList();
            warnings.Add(new PodDnsWarning("DNSConfigForming",
                "Nameserver limits were exceeded, some nameservers have been omitted, the applied nameserver line is: " + string.Join(" ", servers)));
        }

        searches = FitSearches(searches, warnings);
        var config = new DNSConfig();
        config.Servers.AddRange(servers);
        config.Searches.AddRange(searches);
        config.Options.AddRange(options);
        return new PodDnsResult(config, warnings);
    }

    /// <summary>
    /// Upstream's <c>parseResolvConf</c>: every <c>nameserver</c>; the last <c>search</c> line (without <c>.</c> and
    /// trailing dots); <c>options</c> merged by name. Comments start with <c>#</c> or <c>;</c>.
    /// </summary>
    public static (IReadOnlyList<string> Servers, IReadOnlyList<string> Searches, IReadOnlyList<string> Options) ParseResolvConf(string text)
    {
        var servers = new List<string>();
        var searches = new List<string>();
        var options = new List<string>();
        foreach (var raw in text.Split('\n'))
        {
            var line = raw;
            var comment = line.IndexOfAny(['#', ';']);
            if (comment >= 0)
            {
                line = line[..comment];
            }

            var f = line.Split((char[])[' ', '\t', '\r'], StringSplitOptions.RemoveEmptyEntries);
            if (f.Length == 0)
            {
                continue;
            }

            switch (f[0])
            {
                case "nameserver" when f.Length > 1:
                    servers.Add(f[1]);
                    break;
                case "search":
                    searches = f.Skip(1).Where(s => s != ".").Select(s => s.TrimEnd('.')).ToList();
                    break;
                case "options":
                    options = MergeOptions(options, f.Skip(1).Select(ParseOption));
                    break;
            }
        }

        return (servers, searches, options);
    }

    private static List<string> ClusterSearches(IEnumerable<string> hostSearches, string ns, string domain)
    {
        if (domain.Length == 0)
        {
            return [.. hostSearches];
        }

        return Distinct(new[] { $"{ns}.svc.{domain}", $"svc.{domain}", domain }.Concat(hostSearches));
    }

    /// <summary>Upstream's <c>formDNSSearchFitsLimits</c>.</summary>
    private static List<string> FitSearches(List<string> searches, List<PodDnsWarning> warnings)
    {
        var exceeded = false;
        if (searches.Count > MaxSearchPaths)
        {
            searches = searches.Take(MaxSearchPaths).ToList();
            exceeded = true;
        }

        if (searches.Any(s => s.Length > MaxSearchPathLength))
        {
            searches = searches.Where(s => s.Length <= MaxSearchPathLength).ToList();
            exceeded = true;
        }

        var lineLength = string.Join(" ", searches).Length;
        if (lineLength > MaxSearchListChars)
        {
            var cut = 0;
            var cutLength = 0;
            for (var i = searches.Count - 1; i >= 0; i--)
            {
                cutLength += searches[i].Length + 1;
                cut++;
                if (lineLength - cutLength <= MaxSearchListChars)
                {
                    break;
                }
            }

            searches = searches.Take(searches.Count - cut).ToList();
            exceeded = true;
        }

        if (exceeded)
        {
            warnings.Add(new PodDnsWarning("DNSConfigForming",
                "Search Line limits were exceeded, some search paths have been omitted, the applied search line is: " + string.Join(" ", searches)));
        }

        return searches;
    }

    /// <summary>Upstream's <c>mergeDNSOptions</c>: by name, the later value wins; <c>name</c> or <c>name:value</c>.</summary>
    private static List<string> MergeOptions(IEnumerable<string> existing, IEnumerable<V1PodDNSConfigOption> extra) =>
        MergeOptions(existing, extra.Select(o => (o.Name ?? "", o.Value ?? "")));

    private static List<string> MergeOptions(IEnumerable<string> existing, IEnumerable<(string Name, string Value)> extra)
    {
        var merged = new List<(string Name, string Value)>();
        foreach (var (name, value) in existing.Select(ParseOption).Concat(extra))
        {
            var i = merged.FindIndex(o => o.Name == name);
            if (i >= 0)
            {
                merged[i] = (name, value);
            }
            else
            {
                merged.Add((name, value));
            }
        }

        return merged.Select(o => o.Value.Length > 0 ? o.Name + ":" + o.Value : o.Name).ToList();
    }

    private static (string Name, string Value) ParseOption(string op) =>
        op.IndexOf(':', StringComparison.Ordinal) is var i and >= 0 ? (op[..i], op[(i + 1)..]) : (op, "");

    private static List<string> Distinct(IEnumerable<string> items) => items.Distinct(StringComparer.Ordinal).ToList();
}

/// <summary>The DNS config of a pod, with upstream's warning events (reason, message) about how it was formed.</summary>
public sealed record PodDnsResult(DNSConfig Config, IReadOnlyList<PodDnsWarning> Warnings);

/// <summary>One warning about a pod's DNS (reason <c>MissingClusterDNS</c> or <c>DNSConfigForming</c>).</summary>
public sealed record PodDnsWarning(string Reason, string Message);
