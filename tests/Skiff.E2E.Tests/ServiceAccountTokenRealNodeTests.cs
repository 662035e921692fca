using System.Globalization;
using System.Text.Json.Nodes;
using Skiff.Kubelet.Containerd;
using Skiff.Kubelet.Images;
using Xunit;

namespace Skiff.E2E.Tests;

/// <summary>
/// A real pod on containerd gets a projected service-account token (plus the CA bundle and its namespace) written by
/// the kubelet through TokenRequest, atomically (<c>..data</c>); the token the container reads authenticates as the
/// pod's service account, bound to the pod and its node; and the container calls the API server with it as an
/// in-cluster client does: through the <c>kubernetes</c> Service (10.0.0.1:443, which kube-proxy sends to the advertised
/// address) and its DNS name, getting its own pod (its role allows that) and a 403 for secrets. Run under
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
        await using var skiff = await SkiffProcess.StartAsync("up", dir, null, ["--storage", "memory", "--runtime", "containerd", "--cluster-dns-bind", "0.0.0.0:0"]);
        async Task<string> Ok(params string[] args) => (await skiff.KubectlArgsOkAsync(args)).Out;
        var node = Environment.MachineName.ToLowerInvariant();
        await Ok("wait", "--for=condition=Ready", "node/" + node, "--timeout=90s");
        // The kubelet's plain-HTTP healthz on upstream's default 127.0.0.1:10248.
        using (var http = new HttpClient())
        {
            Assert.Equal("ok", await http.GetStringAsync("http://127.0.0.1:10248/healthz"));
        }

        await Ok("wait", "--for=create", "serviceaccount/default", "--timeout=60s");
        await Ok("wait", "--for=create", "configmap/kube-root-ca.crt", "--timeout=60s");

        // The pod's service account may get pods in its namespace, nothing more.
        await Ok("create", "role", "pod-reader", "--verb=get", "--resource=pods");
        await Ok("create", "rolebinding", "default-reads-pods", "--role=pod-reader", "--serviceaccount=default:default");

        // Then, from inside the pod, what an in-cluster client does (client-go's InClusterConfig): the token and CA of
        // the mount, the API server at $KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT (the kubernetes Service,
        // 10.0.0.1:443, which kube-proxy sends to the advertised address), and by its DNS name. busybox wget's built-in
        // TLS verifies no certificate (it has no CA option), hence --no-check-certificate; its ClientHello sends no
        // signature_algorithms, which the API server must accept as Go's crypto/tls does (LegacyTlsSignatures).
        var script = $"cat {Mount}/namespace; echo; ls -a {Mount}; head -c 20 {Mount}/ca.crt; echo; cat {Mount}/token; echo; "
            + $"T=$(cat {Mount}/token); NS=$(cat {Mount}/namespace); "
            + "get() { wget -q -O /tmp/out --no-check-certificate --header \"Authorization: Bearer $T\" \"$1\" 2>/tmp/err; echo \"status=$? $(cat /tmp/err)\"; echo ---json; cat /tmp/out; echo; echo ---end; }; "
            + "get https://$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT/api/v1/namespaces/$NS/pods/$(hostname); "
            + "get https://kubernetes.default.svc/api/v1/namespaces/$NS/pods/$(hostname); "
            + "get https://$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT/api/v1/namespaces/$NS/secrets";
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

        var answers = Answers(logs);
        Assert.True(answers.Count == 3, "logs:\n" + logs);

        // Its own pod, through the Service's IP and through its DNS name: 200 and the Pod.
        foreach (var (status, json) in answers.Take(2))
        {
            Assert.True(status == "status=0", "the pod's GET of itself failed: " + status + "\nlogs:\n" + logs);
            var self = JsonNode.Parse(json)!;
            Assert.Equal("Pod", (string?)self["kind"]);
            Assert.Equal("tok", (string?)self["metadata"]!["name"]);
            Assert.Equal(node, (string?)self["spec"]!["nodeName"]);
        }

        // Secrets: its role does not reach them, so 403 (busybox wget prints the status line and drops the body).
        Assert.Contains("403 Forbidden", answers[2].Status, StringComparison.Ordinal);

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

    /// <summary>Each <c>get</c> of the pod's script: its status line and the body it saved.</summary>
    private static List<(string Status, string Json)> Answers(string logs)
    {
        var answers = new List<(string, string)>();
        var at = 0;
        while (logs.IndexOf("\n---json\n", at, StringComparison.Ordinal) is var json and >= 0)
        {
            var statusStart = logs.LastIndexOf("status=", json, StringComparison.Ordinal);
            var end = logs.IndexOf("\n---end", json, StringComparison.Ordinal);
            if (statusStart < 0 || end < 0)
            {
                break;
            }

            answers.Add((logs[statusStart..json].Trim(), logs[(json + 9)..end].Trim()));
            at = end + 1;
        }

        return answers;
    }
}
