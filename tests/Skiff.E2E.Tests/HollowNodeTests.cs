using System.Diagnostics;
using k8s;
using k8s.Models;
using Skiff.Client.Config;
using Skiff.Client.Options;
using Skiff.Client.Typed;
using Xunit;

namespace Skiff.E2E.Tests;

/// <summary>Hollow nodes driven as a user does: <c>skiff up --hollow-nodes N</c> and <c>skiff kubelet --hollow</c>, seen through the real kubectl.</summary>
public sealed class HollowNodeTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    [SkippableFact]
    public async Task Up_HollowNodes_ReadyInKubectl_ADeploymentScheduledOntoThemBecomesAvailable()
    {
        Skip.IfNot(SkiffProcess.KubectlAvailable, "kubectl not installed");
        await using var skiff = await SkiffProcess.StartAsync("up", null, null, ["--storage", "memory", "--runtime", "hollow", "--hollow-nodes", "3"]);
        await skiff.LogLines.WaitForLineAsync(l => l.Contains("started kubelet", StringComparison.Ordinal)).WaitAsync(Deadline);

        var (_, nodes, _) = await skiff.KubectlOkAsync("get nodes");
        Assert.Matches(@"hollow-0\s+Ready", nodes);
        Assert.Matches(@"hollow-2\s+Ready", nodes);

        // The deployment controller creates the pods, the scheduler binds them to hollow nodes, the hollow kubelet runs them.
        await skiff.KubectlOkAsync("create deployment web --image=nginx --replicas=3");
        await skiff.KubectlOkAsync("wait --for=condition=Available deployment/web --timeout=60s");
        var (_, wide, _) = await skiff.KubectlOkAsync("get pods -o wide");
        var running = System.Text.RegularExpressions.Regex.Matches(wide, @"web-\S+\s+1/1\s+Running\s+0\s+\S+\s+10\.64\.(\d)\.\d+\s+hollow-(\d)");
        Assert.Equal(3, running.Count);
        Assert.All(running, m => Assert.Equal(m.Groups[1].Value, m.Groups[2].Value)); // the pod IP is from its node's CIDR
        using var cs = new Clientset(ClientConfigLoader.FromKubeConfig(KubeConfigLoader.LoadFile(skiff.Kubeconfig)));
        await UntilAsync(cs.CoreV1().Events("default"), es => es.Count(e => e.Reason == "Scheduled" &&
            System.Text.RegularExpressions.Regex.IsMatch(e.Message ?? "", @"^Successfully assigned default/web-\S+ to hollow-\d$")) == 3);

        Assert.Equal(0, await skiff.SignalAndWaitAsync(15));
        var log = skiff.Log;
        Assert.True(log.IndexOf("started controller-manager", StringComparison.Ordinal) < log.IndexOf("started scheduler", StringComparison.Ordinal), log);
        Assert.True(log.IndexOf("started scheduler", StringComparison.Ordinal) < log.IndexOf("started kubelet", StringComparison.Ordinal), log);
        Assert.True(log.IndexOf("stopped kubelet", StringComparison.Ordinal) < log.IndexOf("stopped scheduler", StringComparison.Ordinal), log);
        Assert.True(log.IndexOf("stopped scheduler", StringComparison.Ordinal) < log.IndexOf("stopped controller-manager", StringComparison.Ordinal), log);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Kubelet_Hollow_Standalone_RegistersItsNodesAndLeases_AndStopsOnSigterm(bool nodeTokens)
    {
        // With --node-token-file each node writes as system:node:NAME (the server's --token-auth-file), so the Node
        // authorizer and NodeRestriction confine it; without, all write as the kubeconfig's admin.
        var tokenFile = Path.Combine(Path.GetTempPath(), $"skiff-e2e-tokens-{Guid.NewGuid():N}.csv");
        await File.WriteAllTextAsync(tokenFile, Skiff.Kubelet.Hollow.HollowNodeTokens.ToCsv(
            Skiff.Kubelet.Hollow.HollowNodeTokens.Generate(["e2e-0", "e2e-1"])));
        await using var skiff = await SkiffProcess.StartAsync("apiserver", null, null,
            nodeTokens ? ["--storage", "memory", "--token-auth-file", tokenFile] : ["--storage", "memory"]);
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        var args = new[] { SkiffProcess.SkiffDll, "kubelet", "--hollow", "--nodes", "2", "--node-name-prefix", "e2e-", "--kubeconfig", skiff.Kubeconfig };
        foreach (var a in nodeTokens ? [.. args, "--node-token-file", tokenFile] : args)
        {
            psi.ArgumentList.Add(a);
        }

        using var kubelet = Process.Start(psi)!;
        var log = new ProcessOutput();
        kubelet.ErrorDataReceived += (_, e) => log.Add(e.Data);
        kubelet.OutputDataReceived += (_, _) => { };
        kubelet.BeginErrorReadLine();
        kubelet.BeginOutputReadLine();
        try
        {
            using var cs = new Clientset(ClientConfigLoader.FromKubeConfig(KubeConfigLoader.LoadFile(skiff.Kubeconfig)));
            await UntilAsync(cs.CoreV1().Nodes(), ns => ns.Count(n => n.Metadata.Name is "e2e-0" or "e2e-1" &&
                n.Status?.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") == true) == 2);
            await UntilAsync(cs.CoordinationV1().Leases("kube-node-lease"), ls => ls.Count(l => l.Spec?.HolderIdentity is "e2e-0" or "e2e-1") == 2);

            await log.WaitForLineAsync(l => l.Contains("started kubelet", StringComparison.Ordinal)).WaitAsync(Deadline);
            _ = Kill(kubelet.Id, 15);
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            await kubelet.WaitForExitAsync(cts.Token);
            Assert.Equal(0, kubelet.ExitCode);
            Assert.Contains("stopped kubelet", log.Text);
        }
        finally
        {
            if (!kubelet.HasExited)
            {
                kubelet.Kill();
            }

            File.Delete(tokenFile);
        }
    }

    [Theory]
    [InlineData("kubelet --nodes 2", "--nodes needs --hollow")]
    [InlineData("kubelet --hollow --nodes 0", "invalid --nodes \"0\"")]
    [InlineData("up --hollow-nodes -1", "invalid --hollow-nodes \"-1\"")]
    [InlineData("kubelet --node-token-file /etc/passwd", "--node-token-file needs --hollow")]
    [InlineData("kubelet --hollow --node-token-file /nonexistent/tokens.csv", "--node-token-file \"/nonexistent/tokens.csv\": no such file")]
    [InlineData("kubelet --hollow --nodes 2 --node-token-file /etc/passwd", "has no system:node:NAME line for 2 of the 2 nodes (first: hollow-0)")]
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
        Assert.Contains(message, await stderr);
    }

    /// <summary>Waits, on a watch with a deadline, until <paramref name="predicate"/> holds for the listed objects.</summary>
    private static async Task<IReadOnlyList<T>> UntilAsync<T, TList>(ResourceClient<T, TList> client, Func<IReadOnlyList<T>, bool> predicate)
        where T : class, IKubernetesObject<V1ObjectMeta>
        where TList : class, IKubernetesObject<V1ListMeta>, IItems<T>
    {
        using var cts = new CancellationTokenSource(Deadline);
        var list = await client.ListAsync(null, cts.Token);
        var items = list.Items.ToDictionary(i => i.Metadata.NamespaceProperty + "/" + i.Metadata.Name);
        if (predicate([.. items.Values]))
        {
            return [.. items.Values];
        }

        var rv = list.Metadata.ResourceVersion;
        while (true)
        {
            await foreach (var e in client.WatchAsync(new ListOptions { ResourceVersion = rv }, cts.Token))
            {
                if (e.Type == WatchEventType.Bookmark)
                {
                    continue;
                }

                rv = e.Object.Metadata.ResourceVersion;
                var key = e.Object.Metadata.NamespaceProperty + "/" + e.Object.Metadata.Name;
                if (e.Type == WatchEventType.Deleted)
                {
                    items.Remove(key);
                }
                else
                {
                    items[key] = e.Object;
                }

                if (predicate([.. items.Values]))
                {
                    return [.. items.Values];
                }
            }
        }
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int sig);
}
