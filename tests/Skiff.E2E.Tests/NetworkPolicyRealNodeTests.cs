using Skiff.Kubelet.Containerd;
using Skiff.Kubelet.Images;
using Xunit;

namespace Skiff.E2E.Tests;

/// <summary>
/// NetworkPolicy end to end on a real node (issue 15 §4; run under <c>flock /tmp/skiff-realnode.lock</c>): <c>skiff up
/// --runtime containerd</c>, a web pod (busybox httpd, a named port, an HTTP readiness probe) behind a Service and two
/// client pods. A policy allowing only <c>role=client</c> on the named port: the client still connects by ClusterIP and
/// pod IP, the other pod times out, the kubelet's probes from the node keep the web pod ready; deleting the policy opens
/// it again, and stopping <c>skiff up</c> removes the table.
/// </summary>
[Collection(RealNodeCollection.Name)]
public sealed class NetworkPolicyRealNodeTests
{
    private const string Pods = """
        apiVersion: v1
        kind: Pod
        metadata: {name: web, labels: {app: web}}
        spec:
          terminationGracePeriodSeconds: 1
          containers:
          - name: httpd
            image: docker.io/library/busybox:latest
            imagePullPolicy: IfNotPresent
            command: [sh, -c, "mkdir -p /www && echo web > /www/index.html && exec httpd -f -p 80 -h /www"]
            ports: [{name: http, containerPort: 80}]
            readinessProbe:
              httpGet: {path: /, port: http}
              periodSeconds: 1
              failureThreshold: 1
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: web}
        spec:
          selector: {app: web}
          ports: [{port: 80, targetPort: http}]
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: client, labels: {role: client}}
        spec:
          terminationGracePeriodSeconds: 1
          containers:
          - {name: c, image: docker.io/library/busybox:latest, imagePullPolicy: IfNotPresent, command: [sleep, "3600"]}
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: other, labels: {role: other}}
        spec:
          terminationGracePeriodSeconds: 1
          containers:
          - {name: c, image: docker.io/library/busybox:latest, imagePullPolicy: IfNotPresent, command: [sleep, "3600"]}
        """;

    private const string Policy = """
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: {name: web-allow-client}
        spec:
          podSelector: {matchLabels: {app: web}}
          ingress:
          - from: [{podSelector: {matchLabels: {role: client}}}]
            ports: [{port: http}]
        """;

    [SkippableFact]
    public async Task APolicyAdmitsTheAllowedClientAndDeniesTheOther()
    {
        Skip.IfNot(SkiffProcess.KubectlAvailable, "kubectl not installed");
        Skip.IfNot(ContainerdSupervisor.CanStart() && SkiffImages.CanBuild && File.Exists("/usr/sbin/nft"), "REAL NODE TEST SKIPPED: needs root, containerd, nft and busybox-static");
        var dir = Path.Combine("/tmp", "sk-e2e-" + Guid.NewGuid().ToString("N")[..8]);
        await SkiffImages.BuildBusyboxAsync(Path.Combine(dir, "images", "busybox.tar"), default);
        var skiff = await SkiffProcess.StartAsync("up", dir, null, ["--storage", "memory", "--runtime", "containerd"]);
        try
        {
            async Task<string> Ok(params string[] args) => (await skiff.KubectlArgsOkAsync(args)).Out.Trim();
            async Task<bool> Connects(string from, string ip) =>
                (await skiff.KubectlArgsAsync(["exec", from, "--", "timeout", "3", "wget", "-qO-", $"http://{ip}/"])).Out.Trim() == "web";
            var node = Environment.MachineName.ToLowerInvariant();
            await Ok("wait", "--for=condition=Ready", "node/" + node, "--timeout=90s");
            await skiff.KubectlArgsOkAsync(["apply", "-f", "-"], Pods);
            await Ok("wait", "--for=condition=Ready", "pod/web", "pod/client", "pod/other", "--timeout=120s");
            var clusterIp = await Ok("get", "svc", "web", "-o", "jsonpath={.spec.clusterIP}");
            var podIp = await Ok("get", "pod", "web", "-o", "jsonpath={.status.podIP}");

            // No policy: both pods reach the web pod.
            var deadline = TimeSpan.FromSeconds(60);
            await RealNodeWait.UntilAsync(() => Connects("other", clusterIp), deadline, "the other pod through the ClusterIP before any policy");
            await RealNodeWait.UntilAsync(() => Connects("client", podIp), deadline, "the client by pod IP before any policy");

            // The policy: only role=client, on the named port.
            await skiff.KubectlArgsOkAsync(["apply", "-f", "-"], Policy);
            await RealNodeWait.UntilAsync(async () => !await Connects("other", podIp), deadline, "the other pod denied by pod IP");
            Assert.False(await Connects("other", clusterIp), "the other pod must time out through the ClusterIP too");
            Assert.True(await Connects("client", podIp), "the allowed client must connect by pod IP");
            Assert.True(await Connects("client", clusterIp), "the allowed client must connect through the ClusterIP");
            var table = await NftAsync("list", "table", "inet", "skiff-netpol");
            Assert.Contains("pod-ingress-default/web", table, StringComparison.Ordinal);

            // The kubelet probes from the node: the web pod stays ready under the policy.
            await Ok("wait", "--for=condition=Ready", "pod/web", "--timeout=10s");
            Assert.Equal("0", await Ok("get", "pod", "web", "-o", "jsonpath={.status.containerStatuses[0].restartCount}"));

            // Deleting the policy opens the pod again.
            await Ok("delete", "networkpolicy", "web-allow-client");
            await RealNodeWait.UntilAsync(() => Connects("other", podIp), deadline, "the other pod allowed again after the policy is gone");
        }
        finally
        {
            await skiff.DisposeAsync();
        }

        Assert.DoesNotContain("skiff-netpol", await NftAsync("list", "tables"), StringComparison.Ordinal);
    }

    private static async Task<string> NftAsync(params string[] args)
    {
        var info = new System.Diagnostics.ProcessStartInfo("nft") { RedirectStandardOutput = true };
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        using var p = System.Diagnostics.Process.Start(info)!;
        var output = await p.StandardOutput.ReadToEndAsync();
        await p.WaitForExitAsync();
        return output;
    }
}
