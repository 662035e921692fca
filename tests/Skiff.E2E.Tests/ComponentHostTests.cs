using System.Diagnostics;
using System.Globalization;
using k8s;
using k8s.Models;
using Skiff.Client.Config;
using Skiff.Client.Options;
using Skiff.Client.Rest;
using Skiff.Client.Typed;
using Xunit;

namespace Skiff.E2E.Tests;

/// <summary>
/// The component host driven as a user does: <c>skiff up</c> stopping on SIGTERM, <c>skiff apiserver</c> without a
/// controller manager, and leader failover between two <c>skiff controller-manager</c> processes.
/// </summary>
public sealed class ComponentHostTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Up_Sigterm_StopsEveryComponentInReverseOrderAndExits0()
    {
        await using var skiff = await SkiffProcess.StartAsync("up", null, null, ["--storage", "memory"]);
        await skiff.LogLines.WaitForLineAsync(l => l.Contains("started scheduler", StringComparison.Ordinal)).WaitAsync(Deadline);

        var exit = await skiff.SignalAndWaitAsync(15);

        Assert.Equal(0, exit);
        var log = skiff.Log;
        var order = new[] { "started storage", "started apiserver", "started controller-manager", "started scheduler", "stopped scheduler", "stopped controller-manager", "stopped apiserver", "stopped storage" }
            .Select(l => log.IndexOf(l, StringComparison.Ordinal)).ToList();
        Assert.All(order, i => Assert.True(i >= 0, log));
        Assert.Equal(order.Order().ToList(), order);
        Assert.DoesNotContain(" fail: ", log);
        Assert.DoesNotContain(" crit: ", log);
        Assert.DoesNotContain("Unhandled exception", log);
        Assert.DoesNotContain("did not stop within", log);
    }

    [Fact]
    public async Task Apiserver_RunsNoControllerManager()
    {
        await using var skiff = await SkiffProcess.StartAsync("apiserver", null, null, ["--storage", "memory"]);
        using var cs = new Clientset(ClientConfigLoader.FromKubeConfig(KubeConfigLoader.LoadFile(skiff.Kubeconfig)));
        var leases = await cs.CoordinationV1().Leases("kube-system").ListAsync();
        Assert.DoesNotContain(leases.Items, l => l.Metadata.Name == "kube-controller-manager");
        Assert.DoesNotContain("controller-manager", skiff.Log);
        Assert.Equal(0, await skiff.SignalAndWaitAsync(15));
    }

    [SkippableFact]
    public async Task Up_KubectlGetRawMetrics_ServesApiServerAndControllerManagerMetrics()
    {
        Skip.IfNot(SkiffProcess.KubectlAvailable, "kubectl not installed");
        await using var skiff = await SkiffProcess.StartAsync("up", null, null, ["--storage", "memory"]);
        await skiff.KubectlOkAsync("get namespaces");

        var (_, text, _) = await skiff.KubectlOkAsync("get --raw /metrics");

        Assert.Contains("# TYPE apiserver_request_total counter", text);
        Assert.Matches("""apiserver_request_total\{verb="LIST",dry_run="",group="",version="v1",resource="namespaces",subresource="",scope="cluster",component="apiserver",code="200"\} \d+""", text);
        Assert.Contains("leader_election_master_status{name=\"kube-controller-manager\"} 1", text);
        Assert.Matches("""rest_client_requests_total\{code="200",method="GET",host="127\.0\.0\.1:\d+"\} \d+""", text);
        Assert.Contains("process_cpu_seconds_total", text);
    }

    [Fact]
    public async Task ControllerManager_LeaderKilledHard_SecondTakesOverWithinTheLeaseDuration()
    {
        await using var skiff = await SkiffProcess.StartAsync("apiserver", null, null, ["--storage", "memory"]);
        using var cs = new Clientset(ClientConfigLoader.FromKubeConfig(KubeConfigLoader.LoadFile(skiff.Kubeconfig)));
        var leases = cs.CoordinationV1().Leases("kube-system");
        string[] fast = ["--leader-elect-lease-duration=4s", "--leader-elect-renew-deadline=3s", "--leader-elect-retry-period=500ms"];
        var metricsPort = SkiffProcess.FreePort();

        await using var first = ControllerManagerProcess.Start(skiff.Kubeconfig, fast);
        var firstId = await first.IdentityAsync(Deadline);
        await UntilHolderAsync(leases, h => h == firstId);

        await using var second = ControllerManagerProcess.Start(skiff.Kubeconfig, [.. fast, "--metrics-port", metricsPort.ToString(CultureInfo.InvariantCulture)]);
        var secondId = await second.IdentityAsync(Deadline);
        await second.Log.WaitForLineAsync(l => l.Contains("started metrics-server", StringComparison.Ordinal)).WaitAsync(Deadline);
        await UntilScrapedAsync(metricsPort, "leader_election_master_status{name=\"kube-controller-manager\"} 0");

        var killed = Stopwatch.StartNew();
        await first.KillHardAsync();
        await UntilHolderAsync(leases, h => h == secondId);
        killed.Stop();

        // The successor waits out the lease duration (4 s) from when it last saw the record change, plus retry jitter.
        Assert.True(killed.Elapsed < TimeSpan.FromSeconds(4 + 4), $"takeover after {killed.Elapsed}");
        await UntilScrapedAsync(metricsPort, "leader_election_master_status{name=\"kube-controller-manager\"} 1");
        Assert.Equal(0, await second.TerminateAsync());
        Assert.DoesNotContain(" fail: ", second.Log.Text);
    }

    [Theory]
    [InlineData("up", "--controllers")]
    [InlineData("apiserver", "--watch-cache")]
    [InlineData("controller-manager", "--leader-elect-lease-duration")]
    [InlineData("kubelet", "--node-name-prefix")]
    [InlineData("scheduler", "--config")]
    public async Task Help_EverySubcommand_ListsItsFlagsAndExits0(string command, string flag)
    {
        var (exit, stdout, _) = await RunSkiffAsync(command, "--help");
        Assert.Equal(0, exit);
        Assert.Contains($"skiff {command} [options]", stdout);
        Assert.Contains(flag, stdout);
    }

    [Theory]
    [InlineData("controller-manager --leader-elect-lease-duration=soon", "invalid duration \"soon\"")]
    [InlineData("controller-manager --leader-elect-lease-duration=2s --leader-elect-renew-deadline=3s", "lease-duration > renew-deadline")]
    [InlineData("apiserver --port 70000", "invalid port")]
    [InlineData("scheduler --leader-elect-retry-period=never", "invalid duration \"never\"")]
    [InlineData("up --storage etcd", "--storage etcd needs --etcd-servers")]
    public async Task BadFlag_ClearErrorAndExit2(string args, string message)
    {
        var (exit, _, stderr) = await RunSkiffAsync(args.Split(' '));
        Assert.Equal(2, exit);
        Assert.Contains(message, stderr);
        Assert.Contains("--help' for usage.", stderr);
    }

    private static async Task<(int Exit, string Out, string Err)> RunSkiffAsync(params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(SkiffProcess.SkiffDll);
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync().WaitAsync(Deadline);
        return (p.ExitCode, await stdout, await stderr);
    }

    /// <summary>
    /// Scrapes <c>/metrics</c> until it contains <paramref name="sample"/> (the gauge is set just after the Lease
    /// changes, so a scrape may precede it by a moment); fails at the deadline.
    /// </summary>
    private static async Task UntilScrapedAsync(int port, string sample)
    {
        using var http = new HttpClient();
        var deadline = Stopwatch.StartNew();
        var text = "";
        while (deadline.Elapsed < TimeSpan.FromSeconds(20))
        {
            text = await http.GetStringAsync(new Uri($"http://127.0.0.1:{port}/metrics"));
            if (text.Contains(sample, StringComparison.Ordinal))
            {
                return;
            }

            await Task.Delay(100); // poll interval of a condition with a deadline
        }

        Assert.Contains(sample, text);
    }

    /// <summary>Waits, on a watch of the Lease, until its holder satisfies <paramref name="holder"/>.</summary>
    private static async Task UntilHolderAsync(ResourceClient<V1Lease, V1LeaseList> leases, Func<string, bool> holder)
    {
        using var cts = new CancellationTokenSource(Deadline);
        static bool Holds(V1Lease l, Func<string, bool> holder) => l.Metadata.Name == "kube-controller-manager" && holder(l.Spec?.HolderIdentity ?? "");
        var list = await leases.ListAsync(null, cts.Token);
        if (list.Items.Any(l => Holds(l, holder)))
        {
            return;
        }

        await foreach (var e in leases.WatchAsync(new ListOptions { ResourceVersion = list.Metadata.ResourceVersion }, cts.Token))
        {
            if (e.Type is WatchEventType.Added or WatchEventType.Modified && Holds(e.Object, holder))
            {
                return;
            }
        }

        throw new TimeoutException("the lease watch ended");
    }
}
