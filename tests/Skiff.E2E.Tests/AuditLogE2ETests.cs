using System.Text.Json.Nodes;
using Xunit;

namespace Skiff.E2E.Tests;

/// <summary>
/// The audit log of the real <c>skiff apiserver</c> binary (<c>--audit-policy-file</c>, <c>--audit-log-path</c>)
/// driven by the real kubectl: the log holds one upstream-shaped JSON event per line, with the levels the policy
/// gives, and an invalid policy file stops the start with the reason.
/// </summary>
public sealed class AuditLogE2ETests
{
    private const string Policy = """
        apiVersion: audit.k8s.io/v1
        kind: Policy
        omitStages: [RequestReceived]
        rules:
        - level: None
          nonResourceURLs: ["/healthz*", "/readyz*", "/livez*", "/version", "/api*", "/openapi*"]
        - level: None
          resources: [{group: coordination.k8s.io}]
        - level: Request
          resources: [{group: "", resources: [configmaps]}]
        - level: Metadata
        """;

    [SkippableFact]
    public async Task Apiserver_WritesUpstreamEventsThatTheTestParses()
    {
        Skip.IfNot(SkiffProcess.KubectlAvailable, "kubectl not installed");
        var dir = Path.Combine(Path.GetTempPath(), "skiff-audit-e2e-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        try
        {
            var policy = Path.Combine(dir, "policy.yaml");
            var log = Path.Combine(dir, "logs", "audit.log");
            await File.WriteAllTextAsync(policy, Policy);
            await using var skiff = await SkiffProcess.StartAsync("apiserver", null, null,
                ["--storage", "memory", "--audit-policy-file", policy, "--audit-log-path", log]);
            await skiff.KubectlOkAsync("create configmap e2e-audited --from-literal=k=v");
            await skiff.KubectlOkAsync("delete configmap e2e-audited");
            var (exit, _, _) = await skiff.KubectlAsync("get secrets -n kube-system --as=e2e-nobody");
            Assert.NotEqual(0, exit);

            var events = await EventsAsync(log, e => (string?)e["impersonatedUser"]?["username"] == "e2e-nobody");
            Assert.All(events, e =>
            {
                Assert.Equal("Event", (string?)e["kind"]);
                Assert.Equal("audit.k8s.io/v1", (string?)e["apiVersion"]);
                Assert.Equal("ResponseComplete", (string?)e["stage"]); // RequestReceived is omitted by the policy
                Assert.False(string.IsNullOrEmpty((string?)e["auditID"]));
                Assert.DoesNotContain("/healthz", (string?)e["requestURI"], StringComparison.Ordinal);
            });
            Assert.DoesNotContain(events, e => (string?)e["objectRef"]?["apiGroup"] == "coordination.k8s.io");

            var create = Assert.Single(events, e => (string?)e["verb"] == "create" && (string?)e["objectRef"]?["resource"] == "configmaps");
            Assert.Equal("Request", (string?)create["level"]);
            Assert.Equal("e2e-audited", (string?)create["objectRef"]!["name"]);
            Assert.Equal("default", (string?)create["objectRef"]!["namespace"]);
            Assert.Equal(201, (int?)create["responseStatus"]!["code"]);
            Assert.Equal("v", (string?)create["requestObject"]!["data"]!["k"]);
            Assert.Null(create["responseObject"]);
            Assert.Equal("allow", (string?)create["annotations"]!["authorization.k8s.io/decision"]);

            var delete = Assert.Single(events, e => (string?)e["verb"] == "delete" && (string?)e["objectRef"]?["name"] == "e2e-audited");
            Assert.Equal(200, (int?)delete["responseStatus"]!["code"]);

            var forbidden = events.Last(e => (string?)e["impersonatedUser"]?["username"] == "e2e-nobody");
            Assert.Equal("Metadata", (string?)forbidden["level"]);
            Assert.Equal(403, (int?)forbidden["responseStatus"]!["code"]);
            Assert.Equal("forbid", (string?)forbidden["annotations"]!["authorization.k8s.io/decision"]);
            Assert.Equal(0, await skiff.SignalAndWaitAsync(15));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task Apiserver_InvalidPolicy_FailsToStartWithTheReason()
    {
        var dir = Path.Combine(Path.GetTempPath(), "skiff-audit-bad-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        try
        {
            var policy = Path.Combine(dir, "policy.yaml");
            await File.WriteAllTextAsync(policy, "apiVersion: audit.k8s.io/v1\nkind: Policy\nrules: [{level: Loud}]\n");
            var psi = new System.Diagnostics.ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true };
            foreach (var a in new[] { SkiffProcess.SkiffDll, "apiserver", "--storage", "memory", "--data-dir", dir, "--port", SkiffProcess.FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture),
                "--audit-policy-file", policy, "--audit-log-path", Path.Combine(dir, "audit.log") })
            {
                psi.ArgumentList.Add(a);
            }

            using var p = System.Diagnostics.Process.Start(psi)!;
            var stderr = p.StandardError.ReadToEndAsync();
            var stdout = p.StandardOutput.ReadToEndAsync();
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await p.WaitForExitAsync(cts.Token);
            Assert.NotEqual(0, p.ExitCode);
            Assert.Contains("rules[0].level: Unsupported value: \"Loud\"", await stderr + await stdout, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static async Task<List<JsonObject>> EventsAsync(string path, Func<JsonObject, bool> until)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            if (File.Exists(path))
            {
                await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                using var reader = new StreamReader(stream);
                var events = (await reader.ReadToEndAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!.AsObject()).ToList();
                if (events.Any(until))
                {
                    return events;
                }
            }

            Assert.True(DateTime.UtcNow < deadline, "timed out waiting for the audit events in " + path);
            await Task.Delay(100);
        }
    }
}
