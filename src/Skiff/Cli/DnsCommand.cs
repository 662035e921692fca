using System.CommandLine;
using System.CommandLine.Parsing;
using System.Net;

namespace Skiff.Cli;

/// <summary>
/// <c>skiff dns</c>: the cluster DNS alone against an API server (what CoreDNS is to a kubeadm cluster), and the
/// cluster-DNS flags <c>skiff up</c> shares (<see cref="BindOption"/>, <see cref="DomainOption"/>, <see cref="ServiceIpOption"/>).
/// </summary>
internal static class DnsCommand
{
    public static Command Create(Func<DnsSettings, CancellationToken, Task<int>> run)
    {
        var kubeconfig = new Option<string?>("--kubeconfig")
        {
            Description = "Path to a kubeconfig with the API server and credentials (default: $KUBECONFIG, ~/.kube/config, in-cluster).",
            HelpName = "FILE",
        };
        var bind = BindOption();
        var advertise = new Option<string?>("--advertise-address") { Description = "The address written into the kube-dns endpoints (default: the bind address, or the node's IP for 0.0.0.0).", HelpName = "IP" };
        advertise.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<string?>() is { } a && !IPAddress.TryParse(a, out _))
            {
                r.AddError($"invalid --advertise-address \"{a}\"");
            }
        });
        var domain = DomainOption();
        var serviceIp = ServiceIpOption();
        var metricsPort = new Option<int>("--metrics-port") { Description = "Serve /metrics (coredns_dns_* counters) and /healthz over HTTP on 127.0.0.1:N (0 = off).", HelpName = "N" };
        var verbosity = new Option<int>("--v", "-v") { Description = "klog verbosity: 0 = info, 2-4 = debug, 5+ = trace.", HelpName = "N" };
        var command = new Command("dns", "Run the cluster DNS against an API server (the Kubernetes DNS specification, as CoreDNS serves it).")
        {
            kubeconfig, bind, advertise, domain, serviceIp, metricsPort, verbosity,
        };
        command.SetAction((r, ct) => run(new DnsSettings
        {
            Kubeconfig = r.GetValue(kubeconfig) is { } k ? Path.GetFullPath(k) : null,
            Bind = r.GetValue(bind)!,
            BindExplicit = true,
            AdvertiseAddress = r.GetValue(advertise),
            ClusterDomain = r.GetValue(domain)!,
            ClusterDns = r.GetValue(serviceIp)!,
            MetricsPort = r.GetValue(metricsPort),
            Verbosity = r.GetValue(verbosity),
        }, ct));
        return command;
    }

    /// <summary><c>--cluster-dns-bind ADDR:PORT</c> (default 0.0.0.0:53).</summary>
    public static Option<IPEndPoint> BindOption() => new("--cluster-dns-bind")
    {
        Description = "Where the cluster DNS listens, UDP and TCP (ADDR:PORT; port 0 = any free port).",
        HelpName = "ADDR:PORT",
        DefaultValueFactory = _ => new IPEndPoint(IPAddress.Any, 53),
        CustomParser = r =>
        {
            var text = r.Tokens.Count > 0 ? r.Tokens[0].Value : "";
            if (IPEndPoint.TryParse(text, out var ep) && text.Contains(':', StringComparison.Ordinal))
            {
                return ep;
            }

            r.AddError($"invalid --cluster-dns-bind \"{text}\": want ADDR:PORT (e.g. 0.0.0.0:53, 127.0.0.1:0)");
            return null!;
        },
    };

    /// <summary><c>--cluster-domain</c> (default cluster.local).</summary>
    public static Option<string> DomainOption()
    {
        var o = new Option<string>("--cluster-domain") { Description = "The cluster's DNS domain.", HelpName = "DOMAIN", DefaultValueFactory = _ => "cluster.local" };
        o.Validators.Add(r =>
        {
            var d = r.GetValueOrDefault<string>() ?? "";
            if (d.TrimEnd('.').Length == 0 || !ARSoft.Tools.Net.DomainName.TryParse(d, out _))
            {
                r.AddError($"invalid --cluster-domain \"{d}\"");
            }
        });
        return o;
    }

    /// <summary><c>--cluster-dns</c>: the kube-dns Service's cluster IP (default 10.0.0.10).</summary>
    public static Option<string> ServiceIpOption()
    {
        var o = new Option<string>("--cluster-dns") { Description = "The kube-dns Service's cluster IP (pods' nameserver).", HelpName = "IP", DefaultValueFactory = _ => "10.0.0.10" };
        o.Validators.Add(r =>
        {
            if (!IPAddress.TryParse(r.GetValueOrDefault<string>() ?? "", out _))
            {
                r.AddError($"invalid --cluster-dns \"{r.GetValueOrDefault<string>()}\"");
            }
        });
        return o;
    }

    /// <summary>The DNS settings of <c>skiff up</c> from its parse result.</summary>
    public static DnsSettings FromUp(ParseResult r, Option<IPEndPoint> bind, Option<string> domain, Option<string> serviceIp) => new()
    {
        Bind = r.GetValue(bind)!,
        BindExplicit = r.GetResult(bind) is { Implicit: false },
        ClusterDomain = r.GetValue(domain)!,
        ClusterDns = r.GetValue(serviceIp)!,
    };
}
