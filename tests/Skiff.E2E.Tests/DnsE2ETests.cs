using System.Diagnostics;
using System.Net;
using ARSoft.Tools.Net;
using ARSoft.Tools.Net.Dns;
using Xunit;

namespace Skiff.E2E.Tests;

/// <summary>The cluster DNS inside <c>skiff up</c>, driven through the real binary and the real kubectl.</summary>
public sealed class DnsE2ETests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    [SkippableFact]
    public async Task Up_ServesClusterDns_AndClusterInfoPrintsKubeDns()
    {
        Skip.IfNot(SkiffProcess.KubectlAvailable, "kubectl not installed");
        await using var skiff = await SkiffProcess.StartAsync("up", null, null, ["--storage", "memory"]);
        await skiff.LogLines.WaitForLineAsync(l => l.Contains("started dns", StringComparison.Ordinal)).WaitAsync(Deadline);

        var (_, info, _) = await skiff.KubectlOkAsync("cluster-info");
        Assert.Contains($"KubeDNS is running at https://127.0.0.1:{skiff.Port}/api/v1/namespaces/kube-system/services/kube-dns:dns/proxy", info);

        var (_, port, _) = await skiff.KubectlOkAsync("get endpoints kube-dns -n kube-system -o jsonpath={.subsets[0].ports[0].port}");
        var (_, ip, _) = await skiff.KubectlOkAsync("get endpoints kube-dns -n kube-system -o jsonpath={.subsets[0].addresses[0].ip}");
        Assert.Equal("127.0.0.1", ip);
        var client = new DnsClient([IPAddress.Loopback], [new UdpClientTransport(int.Parse(port, System.Globalization.CultureInfo.InvariantCulture))], true, 5000);
        var answer = await client.ResolveAsync(DomainName.Parse("kubernetes.default.svc.cluster.local"), RecordType.A);
        Assert.NotNull(answer);
        Assert.Equal("10.0.0.1", Assert.IsType<ARecord>(Assert.Single(answer.AnswerRecords)).Address.ToString());
    }

    [SkippableFact]
    public async Task Dns_Standalone_AgainstAnApiServer_PublishesKubeDnsAndStopsOnSigterm()
    {
        Skip.IfNot(SkiffProcess.KubectlAvailable, "kubectl not installed");
        await using var api = await SkiffProcess.StartAsync("apiserver", null, null, ["--storage", "memory"]);
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { SkiffProcess.SkiffDll, "dns", "--kubeconfig", api.Kubeconfig, "--cluster-dns-bind", "127.0.0.1:0", "--advertise-address", "10.42.0.1" })
        {
            psi.ArgumentList.Add(a);
        }

        using var dns = Process.Start(psi)!;
        try
        {
            var stderr = dns.StandardError.ReadToEndAsync();
            var line = await dns.StandardOutput.ReadLineAsync().WaitAsync(Deadline);
            Assert.True(line?.Contains("The cluster DNS is serving cluster.local on 127.0.0.1:", StringComparison.Ordinal) == true, line + await Task.WhenAny(stderr, Task.Delay(0)));
            var (_, ip, _) = await api.KubectlOkAsync("get endpoints kube-dns -n kube-system -o jsonpath={.subsets[0].addresses[0].ip}");
            Assert.Equal("10.42.0.1", ip);

            Assert.Equal(0, Kill(dns.Id, 15));
            await dns.WaitForExitAsync().WaitAsync(Deadline);
            Assert.Equal(0, dns.ExitCode);
            Assert.Contains("stopped dns", await stderr, StringComparison.Ordinal);
        }
        finally
        {
            if (!dns.HasExited)
            {
                dns.Kill(entireProcessTree: true);
            }
        }
    }

    [Theory]
    [InlineData("up --cluster-dns-bind nonsense", "invalid --cluster-dns-bind \"nonsense\"")]
    [InlineData("up --cluster-dns 10.0.0.x", "invalid --cluster-dns \"10.0.0.x\"")]
    [InlineData("dns --cluster-domain ..", "invalid --cluster-domain")]
    [InlineData("dns --advertise-address here", "invalid --advertise-address \"here\"")]
    public async Task BadFlag_ClearErrorAndExit2(string args, string message)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(SkiffProcess.SkiffDll);
        foreach (var a in args.Split(' '))
        {
            psi.ArgumentList.Add(a);
        }

        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync().WaitAsync(Deadline);
        await stdout;
        Assert.Equal(2, p.ExitCode);
        Assert.Contains(message, await stderr, StringComparison.Ordinal);
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill")]
    private static extern int Kill(int pid, int signal);
}
