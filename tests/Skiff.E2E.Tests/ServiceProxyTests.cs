using System.Net.Http;
using Skiff.Kubelet.Containerd;
using Skiff.Kubelet.Images;
using Xunit;

namespace Skiff.E2E.Tests;

/// <summary>
/// kube-proxy end to end on a real node (issue 15 §1; run under <c>flock /tmp/skiff-realnode.lock</c>): <c>skiff up
/// --runtime containerd</c>, a web Deployment (busybox httpd serving its hostname) behind a NodePort Service and a
/// LoadBalancer Service, reached from a client pod through the ClusterIP, from the host through the NodePort and the
/// load balancer's address; scaling changes which pods answer, a not-ready pod gets no traffic, a pod reaches itself
/// through its Service (hairpin), and stopping <c>skiff up</c> removes the table.
/// </summary>
[Collection(RealNodeCollection.Name)] // skiff up with containerd: cni0, :10250, kube-proxy's tables
public sealed class ServiceProxyTests
{
    private const string Web = """
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: web}
        spec:
          replicas: 2
          selector: {matchLabels: {app: web}}
          template:
            metadata: {labels: {app: web}}
            spec:
              terminationGracePeriodSeconds: 1
              containers:
              - name: httpd
                image: docker.io/library/busybox:latest
                imagePullPolicy: IfNotPresent
                command: [sh, -c, "mkdir -p /www && hostname > /www/index.html && touch /tmp/ready && exec httpd -f -p 80 -h /www"]
                readinessProbe:
                  exec: {command: [cat, /tmp/ready]}
                  periodSeconds: 1
                  failureThreshold: 1
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: web}
        spec:
          type: NodePort
          selector: {app: web}
          ports: [{port: 80, targetPort: 80}]
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: web-lb}
        spec:
          type: LoadBalancer
          selector: {app: web}
          ports: [{port: 8088, targetPort: 80}]
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: client}
        spec:
          terminationGracePeriodSeconds: 1
          containers:
          - name: c
            image: docker.io/library/busybox:latest
            imagePullPolicy: IfNotPresent
            command: [sleep, "3600"]
        """;

    [SkippableFact]
    public async Task ServicesReachPodsThroughClusterIpNodePortAndLoadBalancer()
    {
        Skip.IfNot(SkiffProcess.KubectlAvailable, "kubectl not installed");
        Skip.IfNot(ContainerdSupervisor.CanStart() && SkiffImages.CanBuild && File.Exists("/usr/sbin/nft"), "REAL NODE TEST SKIPPED: needs root, containerd, nft and busybox-static");
        var dir = Path.Combine("/tmp", "sk-e2e-" + Guid.NewGuid().ToString("N")[..8]);
        await SkiffImages.BuildBusyboxAsync(Path.Combine(dir, "images", "busybox.tar"), default);
        var skiff = await SkiffProcess.StartAsync("up", dir, null, ["--storage", "memory", "--runtime", "containerd"]);
        try
        {
            async Task<string> Ok(params string[] args) => (await skiff.KubectlArgsOkAsync(args)).Out.Trim();
            var node = Environment.MachineName.ToLowerInvariant();
            await Ok("wait", "--for=condition=Ready", "node/" + node, "--timeout=90s");
            await skiff.KubectlArgsOkAsync(["apply", "-f", "-"], Web);
            await Ok("wait", "--for=condition=Available", "deployment/web", "--timeout=120s");
            await Ok("wait", "--for=condition=Ready", "pod/client", "--timeout=120s");
            var clusterIp = await Ok("get", "svc", "web", "-o", "jsonpath={.spec.clusterIP}");
            var nodePort = await Ok("get", "svc", "web", "-o", "jsonpath={.spec.ports[0].nodePort}");
            var nodeIp = await Ok("get", "node", node, "-o", "jsonpath={.status.addresses[?(@.type==\"InternalIP\")].address}");

            async Task<HashSet<string>> PodsAsync() => [.. (await Ok("get", "pods", "-l", "app=web", "--field-selector=status.phase=Running", "-o", "jsonpath={.items[*].metadata.name}"))
                .Split(' ', StringSplitOptions.RemoveEmptyEntries)];
            async Task<string> FromClient(string url) =>
                (await skiff.KubectlArgsAsync(["exec", "client", "--", "timeout", "3", "wget", "-qO-", url])).Out.Trim();

            // Through the ClusterIP from a pod: every replica answers, with its hostname.
            var pods = await PodsAsync();
            Assert.Equal(2, pods.Count);
            await UntilAllAnswerAsync(() => FromClient($"http://{clusterIp}/"), pods, "both replicas through the ClusterIP");

            // From the host: the NodePort on the node's address.
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(3) };
            Assert.Contains((await http.GetStringAsync($"http://{nodeIp}:{nodePort}/")).Trim(), pods);

            // LoadBalancer: ServiceLB puts the node's address in the status, and the proxy serves it.
            await Ok("wait", "--for=jsonpath={.status.loadBalancer.ingress[0].ip}=" + nodeIp, "svc/web-lb", "--timeout=30s");
            Assert.Contains((await http.GetStringAsync($"http://{nodeIp}:8088/")).Trim(), pods);

            // Scaling up: the new replica answers too.
            await Ok("scale", "deployment/web", "--replicas=3");
            await Ok("wait", "--for=condition=Available", "deployment/web", "--timeout=120s");
            await RealNodeWait.UntilAsync(async () => (await PodsAsync()).Count == 3, TimeSpan.FromSeconds(60), "three running replicas");
            pods = await PodsAsync();
            await UntilAllAnswerAsync(() => FromClient($"http://{clusterIp}/"), pods, "three replicas through the ClusterIP");

            // Hairpin: a replica reaches itself through its own Service.
            var self = pods.First();
            await RealNodeWait.UntilAsync(async () => (await skiff.KubectlArgsAsync(["exec", self, "--", "timeout", "3", "wget", "-qO-", $"http://{clusterIp}/"])).Out.Trim() == self,
                TimeSpan.FromSeconds(60), "a replica answering itself through the ClusterIP");

            // A pod that turns not ready gets no traffic.
            await Ok("exec", self, "--", "rm", "/tmp/ready");
            await Ok("wait", "--for=condition=Ready=false", "pod/" + self, "--timeout=30s");
            await RealNodeWait.UntilAsync(async () =>
            {
                for (var i = 0; i < 12; i++)
                {
                    var answer = await FromClient($"http://{clusterIp}/");
                    if (answer == self || answer.Length == 0)
                    {
                        return false;
                    }
                }

                return true;
            }, TimeSpan.FromSeconds(60), "the not-ready replica out of rotation");
            Assert.Contains("kube-proxy", await NftTablesAsync(), StringComparison.Ordinal);
        }
        finally
        {
            await skiff.DisposeAsync();
        }

        // skiff up removes its rules when it stops.
        Assert.DoesNotContain("table ip kube-proxy", await NftTablesAsync(), StringComparison.Ordinal);
    }

    private static async Task UntilAllAnswerAsync(Func<Task<string>> get, IReadOnlySet<string> pods, string what)
    {
        var seen = new HashSet<string>();
        await RealNodeWait.UntilAsync(async () =>
        {
            var answer = await get();
            Assert.True(answer.Length == 0 || pods.Contains(answer), $"unexpected answer \"{answer}\" (pods: {string.Join(", ", pods)})");
            seen.Add(answer);
            return pods.All(seen.Contains);
        }, TimeSpan.FromSeconds(90), what);
    }

    private static async Task<string> NftTablesAsync()
    {
        using var p = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("nft", "list tables") { RedirectStandardOutput = true })!;
        var output = await p.StandardOutput.ReadToEndAsync();
        await p.WaitForExitAsync();
        return output;
    }
}
