using System.CommandLine;

namespace Skiff.Cli;

/// <summary>
/// <c>skiff proxy</c>: kube-proxy (nftables mode) against the kubeconfig's API server, with upstream's flags
/// (<c>--hostname-override</c>, <c>--cluster-cidr</c>, <c>--masquerade-all</c>, <c>--min-sync-period</c>,
/// <c>--sync-period</c>, <c>--cleanup</c>); <c>--cleanup</c> deletes the <c>ip kube-proxy</c> table and exits.
/// </summary>
internal static class ProxyCommand
{
    public static Command Create(Func<ProxySettings, CancellationToken, Task<int>> run)
    {
        var kubeconfig = new Option<string?>("--kubeconfig")
        {
            Description = "Path to a kubeconfig with the API server and credentials (default: $KUBECONFIG, ~/.kube/config, in-cluster).",
            HelpName = "FILE",
        };
        var hostname = new Option<string?>("--hostname-override") { Description = "This node's name (default: the hostname, lowercased).", HelpName = "NAME" };
        var clusterCidr = new Option<string>("--cluster-cidr") { Description = "The pod network: traffic to a ClusterIP from outside it is masqueraded.", HelpName = "CIDR", DefaultValueFactory = _ => "10.42.0.0/16" };
        var serviceCidr = new Option<string>("--service-cluster-ip-range") { Description = "The service CIDR: traffic to unallocated ClusterIPs in it is dropped.", HelpName = "CIDR", DefaultValueFactory = _ => "10.0.0.0/24" };
        var masqueradeAll = SkiffCommand.Bool("--masquerade-all", "SNAT all traffic sent through Service ClusterIPs.", false);
        var minSync = SkiffCommand.Duration("--min-sync-period", "The minimum interval between rule syncs (changes in between coalesce).", TimeSpan.FromSeconds(1));
        var sync = SkiffCommand.Duration("--sync-period", "The maximum interval between rule syncs.", TimeSpan.FromSeconds(30));
        var healthz = new Option<int>("--healthz-port") { Description = "Serve /healthz and /livez on 0.0.0.0:N (0 = off).", HelpName = "N", DefaultValueFactory = _ => 10256 };
        var metrics = new Option<int>("--metrics-port") { Description = "Serve /metrics on 127.0.0.1:N (0 = off).", HelpName = "N", DefaultValueFactory = _ => 10249 };
        SkiffCommand.ValidatePort(healthz);
        SkiffCommand.ValidatePort(metrics);

        var cleanup = SkiffCommand.Bool("--cleanup", "Remove every rule kube-proxy owns (the ip kube-proxy table) and exit.", false);
        var verbosity = SkiffCommand.VerbosityOption();
        var command = new Command("proxy", "Run kube-proxy (nftables mode): program this node from Services and EndpointSlices.")
        {
            kubeconfig, hostname, clusterCidr, serviceCidr, masqueradeAll, minSync, sync, healthz, metrics, cleanup, verbosity,
        };
        command.Validators.Add(r =>
        {
            foreach (var cidr in new[] { r.GetValue(clusterCidr), r.GetValue(serviceCidr) })
            {
                if (cidr is not null && !(System.Net.IPNetwork.TryParse(cidr, out var n) && n.BaseAddress.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork))
                {
                    r.AddError($"invalid CIDR \"{cidr}\" (IPv4 only)");
                }
            }
        });
        command.SetAction((r, ct) => run(new ProxySettings
        {
            Kubeconfig = r.GetValue(kubeconfig) is { } k ? Path.GetFullPath(k) : null,
            HostnameOverride = r.GetValue(hostname),
            ClusterCidr = r.GetValue(clusterCidr)!,
            ServiceCidr = r.GetValue(serviceCidr)!,
            MasqueradeAll = r.GetValue(masqueradeAll),
            MinSyncPeriod = SkiffCommand.ValueOf(r.CommandResult, minSync),
            SyncPeriod = SkiffCommand.ValueOf(r.CommandResult, sync),
            HealthzPort = r.GetValue(healthz),
            MetricsPort = r.GetValue(metrics),
            Cleanup = r.GetValue(cleanup),
            Verbosity = r.GetValue(verbosity),
        }, ct));
        return command;
    }
}
