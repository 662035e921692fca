using System.CommandLine;

namespace Skiff.Cli;

/// <summary>
/// <c>skiff network-policy</c>: enforces NetworkPolicies for this node's pods (k3s's embedded kube-router netpol
/// controller, on nftables: table <c>inet skiff-netpol</c>); <c>--cleanup</c> deletes the table and exits.
/// </summary>
internal static class NetworkPolicyCommand
{
    public static Command Create(Func<NetworkPolicySettings, CancellationToken, Task<int>> run)
    {
        var kubeconfig = new Option<string?>("--kubeconfig")
        {
            Description = "Path to a kubeconfig with the API server and credentials (default: $KUBECONFIG, ~/.kube/config, in-cluster).",
            HelpName = "FILE",
        };
        var hostname = new Option<string?>("--hostname-override") { Description = "This node's name (default: the hostname, lowercased).", HelpName = "NAME" };
        var minSync = SkiffCommand.Duration("--min-sync-period", "The minimum interval between rule syncs (changes in between coalesce).", TimeSpan.FromSeconds(1));
        var sync = SkiffCommand.Duration("--sync-period", "The maximum interval between rule syncs.", TimeSpan.FromSeconds(30));
        var cleanup = SkiffCommand.Bool("--cleanup", "Remove every rule the enforcer owns (the inet skiff-netpol table) and exit.", false);
        var verbosity = SkiffCommand.VerbosityOption();
        var command = new Command("network-policy", "Enforce NetworkPolicies on this node's pods (nftables).")
        {
            kubeconfig, hostname, minSync, sync, cleanup, verbosity,
        };
        command.SetAction((r, ct) => run(new NetworkPolicySettings
        {
            Kubeconfig = r.GetValue(kubeconfig) is { } k ? Path.GetFullPath(k) : null,
            HostnameOverride = r.GetValue(hostname),
            MinSyncPeriod = SkiffCommand.ValueOf(r.CommandResult, minSync),
            SyncPeriod = SkiffCommand.ValueOf(r.CommandResult, sync),
            Cleanup = r.GetValue(cleanup),
            Verbosity = r.GetValue(verbosity),
        }, ct));
        return command;
    }
}
