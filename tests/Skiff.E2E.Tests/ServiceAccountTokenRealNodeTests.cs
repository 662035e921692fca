using System.Globalization;
using System.Text.Json.Nodes;
using Skiff.Kubelet.Containerd;
using Skiff.Kubelet.Images;
using Xunit;

namespace Skiff.E2E.Tests;

/// <summary>
/// A real pod on containerd gets a projected service-account token (plus the CA bundle and its namespace) written by
/// the kubelet through TokenRequest, atomically (<c>..data</c>); the token the container reads authenticates as the
/// pod's service account, bound to the pod and its node; and the container reaches the API server's port through the
/// <c>kubernetes</c> Service (10.0.0.1:443, which kube-proxy sends to the advertised address). Run under
/// <c>flock /tmp/skiff-realnode.lock</c>.
/// </summary>
[Collection(RealNodeCollection.Name)]
public sealed class ServiceAccountTokenRealNodeTests
{
    private const string Mount = "/var/run/secrets/kubernetes.io/serviceaccount";

    [SkippableFact]
    public async Task PodReadsItsProjectedToken_AndAuthenticatesToTheApiServerWithIt()
    {
        Skip.IfNot(SkiffProcess.KubectlAvailable, "kubectl not installed");
        Skip.IfNot(ContainerdSupervisor.CanStart() && SkiffImages.CanBuild, "REAL NODE TEST SKIPPED: needs root, /usr/bin/containerd and busybox-static");
        var dir = Path.Combine("/tmp", "sk-e2e-" + Guid.NewGuid().ToString("N")[..8]);
        await SkiffImages.BuildBusyboxAsync(Path.Combine(dir, "images", "busybox.tar"), default);
        await using var skiff = await SkiffProcess.StartAsync("up", dir, null, ["--storage", "memory", "--runtime", "containerd"]);
        async Task<string> Ok(params string[] args) => (await skiff.KubectlArgsOkAsync(args)).Out;
        var node = Environment.MachineName.ToLowerInvariant();
        await Ok("wait", "--for=condition=Ready", "node/" + node, "--timeout=90s");
        await Ok("wait", "--for=create", "serviceaccount/default", "--timeout=60s");
        await Ok("wait", "--for=create", "configmap/kube-root-ca.crt", "--timeout=60s");

        // Last, from inside the pod: the API server's port answers through the kubernetes Service (10.0.0.1:443).
        var script = $"cat {Mount}/namespace; echo; ls -a {Mount}; head -c 20 {Mount}/ca.crt; echo; cat {Mount}/token; echo; "
            + "nc -w 10 $KUBERNETES_SERVICE_HOST $KUBERNETES_SERVICE_PORT </dev/null && echo api-reachable";
        var pod = new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Pod",
            ["metadata"] = new JsonObject { ["name"] = "tok" },
            ["spec"] = new JsonObject
            {
                ["restartPolicy"] = "Never",
                ["containers"] = new JsonArray(new JsonObject
                {
                    ["name"] = "c",
                    ["image"] = "docker.io/library/busybox:latest",
                    ["imagePullPolicy"] = "IfNotPresent",
                    ["command"] = new JsonArray("sh", "-c", script),
                    ["volumeMounts"] = new JsonArray(new JsonObject { ["name"] = "kube-api-access", ["mountPath"] = Mount, ["readOnly"] = true }),
                }),
                ["volumes"] = new JsonArray(new JsonObject
                {
                    ["name"] = "kube-api-access",
                    ["projected"] = new JsonObject
                    {
                        ["defaultMode"] = 420,
                        ["sources"] = new JsonArray(
                            new JsonObject { ["serviceAccountToken"] = new JsonObject { ["path"] = "token", ["expirationSeconds"] = 3607 } },
                            new JsonObject { ["configMap"] = new JsonObject { ["name"] = "kube-root-ca.crt", ["items"] = new JsonArray(new JsonObject { ["key"] = "ca.crt", ["path"] = "ca.crt" }) } },
                            new JsonObject
                            {
                                ["downwardAPI"] = new JsonObject
                                {
                                    ["items"] = new JsonArray(new JsonObject { ["path"] = "namespace", ["fieldRef"] = new JsonObject { ["apiVersion"] = "v1", ["fieldPath"] = "metadata.namespace" } }),
                                },
                            }),
                    },
                }),
            },
        };
        await skiff.KubectlArgsOkAsync(["apply", "-f", "-"], pod.ToJsonString());
        var phase = "";
        using (var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(120)))
        {
            while ((phase = await Ok("get", "pod", "tok", "-o", "jsonpath={.status.phase}")) is not ("Succeeded" or "Failed"))
            {
                await Task.Delay(500, deadline.Token);
            }
        }

        var logs = await Ok("logs", "tok");
        Assert.True(phase == "Succeeded", "pod failed; logs:\n" + logs + "\n" + string.Join('\n', skiff.Log.Split('\n').TakeLast(20)));
        var lines = logs.Split('\n');
        Assert.Equal("default", lines[0]);
        Assert.Contains("..data", lines);
        Assert.Contains("token", lines);
        Assert.Contains("-----BEGIN CERTIFICA", logs, StringComparison.Ordinal);

        Assert.True(lines.Contains("api-reachable"), "the API server was not reachable from inside the pod; logs:\n" + logs);

        // The token the container read authenticates the real kubectl as the pod's service account, bound to the pod.
        var token = lines.First(l => l.StartsWith("eyJ", StringComparison.Ordinal)).Trim();
        var kubeconfig = Path.Combine(dir, "pod-token.kubeconfig");
        await File.WriteAllTextAsync(kubeconfig, $$"""
            apiVersion: v1
            kind: Config
            clusters:
            - name: c
              cluster: {server: "https://127.0.0.1:{{skiff.Port}}", insecure-skip-tls-verify: true}
            users:
            - name: u
              user: {token: "{{token}}"}
            contexts:
            - name: c
              context: {cluster: c, user: u}
            current-context: c
            """);
        var review = JsonNode.Parse((await skiff.KubectlArgsOkAsync(["--kubeconfig", kubeconfig, "auth", "whoami", "-o", "json"])).Out)!;
        var user = review["status"]!["userInfo"]!;
        Assert.Equal("system:serviceaccount:default:default", (string?)user["username"]);
        Assert.Equal("tok", (string?)user["extra"]!["authentication.kubernetes.io/pod-name"]![0]);
        Assert.Equal(node, (string?)user["extra"]!["authentication.kubernetes.io/node-name"]![0]);
    }
}
