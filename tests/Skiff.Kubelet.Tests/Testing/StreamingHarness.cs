using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using Skiff.ApiServer.Security;
using Skiff.Kubelet.Server;

namespace Skiff.Kubelet.Tests.Testing;

/// <summary>
/// An in-process API server (<see cref="TestControlPlane"/>) plus a <see cref="KubeletServer"/> on 127.0.0.1 with a
/// serving certificate from the control plane's CA, registered as node <see cref="NodeName"/> (InternalIP 127.0.0.1,
/// kubelet port = the server's), whose pods come from a <see cref="TestPodRuntime"/>. The real kubectl reaches the
/// kubelet only through the API server.
/// </summary>
internal sealed class StreamingHarness : IAsyncDisposable
{
    public const string NodeName = "stream-node";

    private StreamingHarness(TestControlPlane cp, KubeletServer kubelet, TestPodRuntime runtime, string logRoot)
    {
        Cp = cp;
        Kubelet = kubelet;
        Runtime = runtime;
        LogRoot = logRoot;
    }

    public TestControlPlane Cp { get; }

    public KubeletServer Kubelet { get; }

    public TestPodRuntime Runtime { get; }

    /// <summary>The root under which pod log directories live.</summary>
    public string LogRoot { get; }

    public static async Task<StreamingHarness> StartAsync()
    {
        var cp = await TestControlPlane.StartAsync();
        var pki = Path.Combine(cp.DataDirectory, "pki");
        var runtime = new TestPodRuntime();
        var kubelet = new KubeletServer(new KubeletServerOptions
        {
            ServingCertificate = ClusterCertificates.IssueKubeletServingCertificate(pki, NodeName, [IPAddress.Loopback]),
            ClientCa = cp.Host.Certificates.Ca,
            Runtime = runtime,
            Auth = new DelegatedKubeletAuth(cp.Cluster.Clientset, NodeName),
            BindAddress = IPAddress.Loopback,
            Port = 0,
        });
        await kubelet.StartAsync(CancellationToken.None);
        var node = new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Node",
            ["metadata"] = new JsonObject { ["name"] = NodeName },
        };
        await cp.SendAsync(HttpMethod.Post, "/api/v1/nodes", node);
        var status = new JsonObject
        {
            ["status"] = new JsonObject
            {
                ["addresses"] = new JsonArray(new JsonObject { ["type"] = "InternalIP", ["address"] = "127.0.0.1" }),
                ["daemonEndpoints"] = new JsonObject { ["kubeletEndpoint"] = new JsonObject { ["Port"] = kubelet.Port } },
            },
        };
        var (code, body, _) = await cp.SendAsync(HttpMethod.Patch, $"/api/v1/nodes/{NodeName}/status", status, "application/merge-patch+json");
        Xunit.Assert.True(code == 200, body?.ToJsonString());
        var logRoot = Path.Combine(cp.DataDirectory, "pods");
        Directory.CreateDirectory(logRoot);
        return new StreamingHarness(cp, kubelet, runtime, logRoot);
    }

    /// <summary>Creates pod <paramref name="name"/> on the node with the given containers and registers it with the runtime.</summary>
    /// <returns>The pod's log directory.</returns>
    public async Task<string> CreatePodAsync(string name, params string[] containers)
    {
        var pod = new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Pod",
            ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = "default" },
            ["spec"] = new JsonObject
            {
                ["nodeName"] = NodeName,
                ["containers"] = new JsonArray([.. containers.Select(c => (JsonNode)new JsonObject { ["name"] = c, ["image"] = "busybox" })]),
            },
        };
        var (code, body, _) = await Cp.SendAsync(HttpMethod.Post, "/api/v1/namespaces/default/pods", pod);
        Xunit.Assert.True(code == 201, body?.ToJsonString());
        var uid = body!["metadata"]!["uid"]!.GetValue<string>();

        // Running, as the kubelet would report (kubectl attach waits for a running pod).
        var status = new JsonObject { ["status"] = new JsonObject { ["phase"] = "Running", ["podIP"] = "127.0.0.1" } };
        (code, body, _) = await Cp.SendAsync(HttpMethod.Patch, $"/api/v1/namespaces/default/pods/{name}/status", status, "application/merge-patch+json");
        Xunit.Assert.True(code == 200, body?.ToJsonString());
        var dir = Skiff.Kubelet.Logs.PodLogPaths.PodDirectory(LogRoot, "default", name, uid);
        Directory.CreateDirectory(dir);
        Runtime.Set("default", name, new PodRuntimeInfo(uid, "sandbox-" + name, dir, containers.ToDictionary(c => c, c => (string?)("cid-" + name + "-" + c))));
        return dir;
    }

    /// <summary>Starts the real kubectl with <paramref name="args"/>, its stdout and stderr redirected (raw bytes).</summary>
    public Process StartKubectl(IEnumerable<string> args, bool redirectStdin = false)
    {
        var home = Path.Combine(Cp.DataDirectory, "kubectl-home");
        var psi = new ProcessStartInfo("/usr/bin/kubectl")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = redirectStdin,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add("--cache-dir");
        psi.ArgumentList.Add(Path.Combine(home, "cache"));
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        psi.Environment["KUBECONFIG"] = Cp.KubeconfigPath;
        psi.Environment["HOME"] = home;
        return Process.Start(psi) ?? throw new InvalidOperationException("kubectl did not start");
    }

    /// <summary>Runs kubectl to completion (60 s deadline); returns its exit code and exact stdout and stderr.</summary>
    public async Task<(int Exit, byte[] Out, string Err)> KubectlAsync(IEnumerable<string> args, byte[]? stdin = null)
    {
        using var p = StartKubectl(args, stdin is not null);
        var stdout = new MemoryStream();
        var copy = p.StandardOutput.BaseStream.CopyToAsync(stdout);
        var stderr = p.StandardError.ReadToEndAsync();
        if (stdin is not null)
        {
            await p.StandardInput.BaseStream.WriteAsync(stdin);
            p.StandardInput.Close();
        }

        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await p.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"kubectl {string.Join(' ', args)} did not finish in time");
        }

        await copy;
        return (p.ExitCode, stdout.ToArray(), await stderr);
    }

    public async ValueTask DisposeAsync()
    {
        await Kubelet.DisposeAsync();
        await Cp.DisposeAsync();
    }
}
