using System.Diagnostics;
using System.Globalization;
using Skiff.Kubelet.Containerd;
using Skiff.Kubelet.Images;
using Xunit;

namespace Skiff.E2E.Tests;

/// <summary>
/// The streaming verbs and the API server's proxies with the REAL kubectl against a REAL pod (busybox httpd) on
/// <c>skiff up --runtime containerd</c>: <c>port-forward</c> to the pod and to a Service (WebSocket-tunnelled SPDY, and
/// plain SPDY), <c>exec -i</c> whose end of input reaches the process (WebSocket, and SPDY), <c>attach</c>,
/// <c>services/proxy</c>, <c>pods/proxy</c>, <c>nodes/proxy</c> and <c>kubectl proxy</c>. One cluster for all of it
/// (starting containerd dominates). In collection <c>real-node</c> with <see cref="RealNodeTests"/> (one kubelet on :10250
/// and cni0 at a time); across processes, run with <c>flock /tmp/skiff-realnode.lock dotnet test …</c>.
/// </summary>
[Collection(RealNodeCollection.Name)]
public sealed class StreamingRealNodeTests
{
    private const string WebYaml = """
        apiVersion: v1
        kind: Pod
        metadata: {name: web, labels: {app: web}}
        spec:
          containers:
          - name: web
            image: docker.io/library/busybox:latest
            imagePullPolicy: IfNotPresent
            command: ["sh", "-c", "mkdir -p /www; echo hello-from-web > /www/index.html; (i=0; while true; do echo tick $i; i=$((i+1)); sleep 0.3; done) & exec httpd -f -p 80 -h /www"]
            ports: [{containerPort: 80}]
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: web}
        spec:
          selector: {app: web}
          ports: [{port: 80, targetPort: 80}]
        """;

    [SkippableFact]
    public async Task StreamingAndProxiesWorkWithTheRealKubectlOnARealPod()
    {
        Skip.IfNot(SkiffProcess.KubectlAvailable, "kubectl not installed");
        Skip.IfNot(ContainerdSupervisor.CanStart() && SkiffImages.CanBuild, "REAL NODE TEST SKIPPED: needs root, /usr/bin/containerd and busybox-static");
        var dir = Path.Combine("/tmp", "sk-e2e-" + Guid.NewGuid().ToString("N")[..8]);
        await SkiffImages.BuildBusyboxAsync(Path.Combine(dir, "images", "busybox.tar"), default);
        await using var skiff = await SkiffProcess.StartAsync("up", dir, null, ["--storage", "memory", "--runtime", "containerd"]);
        async Task<string> Ok(params string[] args) => (await skiff.KubectlArgsOkAsync(args)).Out;
        var node = Environment.MachineName.ToLowerInvariant();
        await Ok("wait", "--for=condition=Ready", "node/" + node, "--timeout=90s");
        await skiff.KubectlArgsOkAsync(["apply", "-f", "-"], WebYaml);
        await Ok("wait", "--for=condition=Ready", "pod/web", "--timeout=120s");

        // port-forward: kubectl 1.32 tunnels SPDY through a WebSocket; KUBECTL_PORT_FORWARD_WEBSOCKETS=false is plain SPDY.
        Assert.Equal("hello-from-web\n", await PortForwardGetAsync(skiff, "pod/web", []));
        Assert.Equal("hello-from-web\n", await PortForwardGetAsync(skiff, "svc/web", []));
        Assert.Equal("hello-from-web\n", await PortForwardGetAsync(skiff, "pod/web", [("KUBECTL_PORT_FORWARD_WEBSOCKETS", "false")]));

        // exec -i: the end of stdin reaches cat, which exits 0 (WebSocket v5 → SPDY fallback on containerd's v4; and SPDY).
        var (exit, output, err) = await skiff.KubectlArgsAsync(["exec", "-i", "web", "--", "cat"], "hi\n", TimeSpan.FromSeconds(30));
        Assert.True(exit == 0, err);
        Assert.Equal("hi\n", output);
        (exit, output, err) = await RunKubectlAsync(skiff, ["exec", "-i", "web", "--", "cat"], "over spdy\n", [("KUBECTL_REMOTE_COMMAND_WEBSOCKETS", "false")]);
        Assert.True(exit == 0, err);
        Assert.Equal("over spdy\n", output);

        // attach: the running container's output streams while the session stays open.
        foreach (var env in new[] { Array.Empty<(string, string)>(), [("KUBECTL_REMOTE_COMMAND_WEBSOCKETS", "false")] })
        {
            using var attach = StartKubectl(skiff, ["attach", "web"], env, out var lines);
            try
            {
                var first = await lines.WaitForLineAsync(l => l.StartsWith("tick ", StringComparison.Ordinal)).WaitAsync(TimeSpan.FromSeconds(30));
                var n = int.Parse(first[5..], System.Globalization.CultureInfo.InvariantCulture);
                await lines.WaitForLineAsync(l => l == $"tick {n + 2}").WaitAsync(TimeSpan.FromSeconds(30));
            }
            finally
            {
                attach.Kill(entireProcessTree: true);
            }
        }

        // services/proxy picks a ready endpoint from the EndpointSlices (wait for the slice to say ready).
        await Ok("wait", "--for=jsonpath={.endpoints[0].conditions.ready}=true", "endpointslice", "-l", "kubernetes.io/service-name=web", "--timeout=60s");
        Assert.Equal("hello-from-web\n", await Ok("get", "--raw", "/api/v1/namespaces/default/services/web:80/proxy/"));
        Assert.Equal("hello-from-web\n", await Ok("get", "--raw", "/api/v1/namespaces/default/services/http:web:80/proxy/index.html"));
        Assert.Equal("hello-from-web\n", await Ok("get", "--raw", "/api/v1/namespaces/default/pods/web:80/proxy/"));
        (exit, _, err) = await skiff.KubectlArgsAsync(["get", "--raw", "/api/v1/namespaces/default/services/web:81/proxy/"]);
        Assert.NotEqual(0, exit);
        Assert.Contains("no service port 81 found for service \"web\"", err, StringComparison.Ordinal);
        Assert.Equal("ok", await Ok("get", "--raw", $"/api/v1/nodes/{node}/proxy/healthz"));

        // The kubelet's /pods lists the pods it runs (upstream's pod manager), here the web pod.
        var kubeletPods = System.Text.Json.Nodes.JsonNode.Parse(await Ok("get", "--raw", $"/api/v1/nodes/{node}/proxy/pods"))!;
        Assert.Equal("PodList", (string?)kubeletPods["kind"]);
        Assert.Contains(kubeletPods["items"]!.AsArray(), p => (string?)p!["metadata"]!["name"] == "web");

        // kubectl proxy in front of the API server; the bare …/proxy of a GET is redirected to …/proxy/.
        var port = SkiffProcess.FreePort();
        using var proxy = StartKubectl(skiff, ["proxy", $"--port={port}"], [], out var proxyLines);
        try
        {
            await proxyLines.WaitForLineAsync(l => l.Contains("Starting to serve", StringComparison.Ordinal)).WaitAsync(TimeSpan.FromSeconds(30));
            using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { Timeout = TimeSpan.FromSeconds(30) };
            var page = await http.GetStringAsync($"http://127.0.0.1:{port}/api/v1/namespaces/default/services/web:80/proxy/");
            Assert.Equal("hello-from-web\n", page);
            using var redirect = await http.GetAsync($"http://127.0.0.1:{port}/api/v1/namespaces/default/services/web:80/proxy");
            Assert.Equal(System.Net.HttpStatusCode.MovedPermanently, redirect.StatusCode);
            Assert.EndsWith("/api/v1/namespaces/default/services/web:80/proxy/", redirect.Headers.Location?.ToString(), StringComparison.Ordinal);
        }
        finally
        {
            proxy.Kill(entireProcessTree: true);
        }

        // logs: -f follows until the container exits, --tail and --since filter, --previous reads the last terminated
        // instance; cp copies both ways through exec and tar.
        await skiff.KubectlArgsOkAsync(["apply", "-f", "-"], LogsYaml);
        await Ok("wait", "--for=jsonpath={.status.phase}=Running", "pod/lines", "--timeout=120s");
        Assert.Equal("line1\nline2\nline3\n", await Ok("logs", "-f", "lines"));
        Assert.Equal("line3\n", await Ok("logs", "--tail=1", "lines"));
        Assert.Equal("line1\nline2\nline3\n", await Ok("logs", "--since=1h", "lines"));

        // --timestamps: each line prefixed with its CRI timestamp as RFC 3339 with nanoseconds, zeros trimmed.
        var stamped = (await Ok("logs", "--timestamps", "lines")).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, stamped.Length);
        for (var i = 0; i < 3; i++)
        {
            Assert.Matches($@"^\d{{4}}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d*[1-9])?(Z|[+-]\d\d:\d\d) line{i + 1}$", stamped[i]);
        }

        // --limit-bytes cuts inside a line; --tail with --timestamps; --since-time (whole seconds, as kubectl sends it)
        // from the first line's second keeps every line, an hour ahead keeps none.
        Assert.Equal("line1\nli", await Ok("logs", "--limit-bytes=8", "lines"));
        Assert.Equal(stamped[2] + "\n", await Ok("logs", "--tail=1", "--timestamps", "lines"));
        var firstLine = DateTimeOffset.Parse(stamped[0].Split(' ')[0], CultureInfo.InvariantCulture);
        var second = new DateTimeOffset(firstLine.UtcDateTime.Ticks - (firstLine.UtcDateTime.Ticks % TimeSpan.TicksPerSecond), TimeSpan.Zero);
        Assert.Equal("line1\nline2\nline3\n", await Ok("logs", "--since-time=" + second.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture), "lines"));
        Assert.Equal("", await Ok("logs", "--since-time=" + DateTimeOffset.UtcNow.AddHours(1).ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture), "lines"));

        // --since=5s: once five seconds have passed since the last line, nothing is that recent.
        await RealNodeWait.UntilAsync(async () => await Ok("logs", "--since=5s", "lines") == "", TimeSpan.FromSeconds(30), "logs --since=5s to be empty");
        await Ok("wait", "--for=jsonpath={.status.containerStatuses[0].lastState.terminated.exitCode}=1", "pod/crashy", "--timeout=120s");
        Assert.StartsWith("crashy run ", await Ok("logs", "--previous", "crashy"), StringComparison.Ordinal);

        var local = Path.Combine(dir, "cp-in.txt");
        await File.WriteAllTextAsync(local, "copied through tar\n");
        await Ok("cp", local, "web:/tmp/cp-in.txt");
        Assert.Equal("copied through tar\n", await Ok("exec", "web", "--", "cat", "/tmp/cp-in.txt"));
        var back = Path.Combine(dir, "cp-out.txt");
        await Ok("cp", "web:/tmp/cp-in.txt", back);
        Assert.Equal("copied through tar\n", await File.ReadAllTextAsync(back));

        await Ok("delete", "pod", "web", "lines", "crashy", "--grace-period=1");
    }

    private const string LogsYaml = """
        apiVersion: v1
        kind: Pod
        metadata: {name: lines}
        spec:
          restartPolicy: Never
          containers:
          - name: c
            image: docker.io/library/busybox:latest
            imagePullPolicy: IfNotPresent
            command: ["sh", "-c", "sleep 1; for i in 1 2 3; do echo line$i; sleep 0.5; done"]
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: crashy}
        spec:
          containers:
          - name: c
            image: docker.io/library/busybox:latest
            imagePullPolicy: IfNotPresent
            command: ["sh", "-c", "echo crashy run $(cut -d' ' -f1 /proc/uptime); sleep 1; exit 1"]
        """;

    /// <summary>Runs <c>kubectl port-forward TARGET LOCAL:80</c>, GETs <c>/</c> through it once it listens, and stops it.</summary>
    private static async Task<string> PortForwardGetAsync(SkiffProcess skiff, string target, IReadOnlyList<(string, string)> env)
    {
        var port = SkiffProcess.FreePort();
        using var pf = StartKubectl(skiff, ["port-forward", target, $"{port}:80"], env, out var lines);
        try
        {
            await lines.WaitForLineAsync(l => l.StartsWith("Forwarding from 127.0.0.1", StringComparison.Ordinal)).WaitAsync(TimeSpan.FromSeconds(30));
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
            return await http.GetStringAsync($"http://127.0.0.1:{port}/");
        }
        finally
        {
            pf.Kill(entireProcessTree: true);
        }
    }

    /// <summary>Starts kubectl with this cluster's kubeconfig and <paramref name="env"/>; its stdout and stderr lines go to <paramref name="lines"/>.</summary>
    private static Process StartKubectl(SkiffProcess skiff, IEnumerable<string> args, IReadOnlyList<(string Name, string Value)> env, out ProcessOutput lines)
    {
        var psi = Psi(skiff, args, env, stdin: false);
        var p = Process.Start(psi)!;
        var output = new ProcessOutput();
        p.OutputDataReceived += (_, e) => output.Add(e.Data);
        p.ErrorDataReceived += (_, e) => output.Add(e.Data);
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        lines = output;
        return p;
    }

    private static async Task<(int Exit, string Out, string Err)> RunKubectlAsync(SkiffProcess skiff, IEnumerable<string> args, string stdin, IReadOnlyList<(string Name, string Value)> env)
    {
        using var p = Process.Start(Psi(skiff, args, env, stdin: true))!;
        await p.StandardInput.WriteAsync(stdin);
        p.StandardInput.Close();
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            await p.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"kubectl {string.Join(' ', args)} did not finish: {await stderr}");
        }

        return (p.ExitCode, await stdout, await stderr);
    }

    private static ProcessStartInfo Psi(SkiffProcess skiff, IEnumerable<string> args, IReadOnlyList<(string Name, string Value)> env, bool stdin)
    {
        var psi = new ProcessStartInfo("/usr/bin/kubectl")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = stdin,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add("--cache-dir");
        psi.ArgumentList.Add(Path.Combine(skiff.DataDir, "kcache"));
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        psi.Environment["KUBECONFIG"] = skiff.Kubeconfig;
        psi.Environment["HOME"] = skiff.DataDir;
        foreach (var (name, value) in env)
        {
            psi.Environment[name] = value;
        }

        return psi;
    }
}
