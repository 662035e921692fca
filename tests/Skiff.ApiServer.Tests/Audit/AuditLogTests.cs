using System.Text.Json.Nodes;
using Skiff.ApiServer.Audit;
using Skiff.ApiServer.Tests.Webhooks;
using Skiff.Testing.ControlPlane;
using Xunit;

namespace Skiff.ApiServer.Tests.Audit;

/// <summary>
/// The audit log of an in-process API server driven by the REAL kubectl: upstream's event shape per stage, the
/// <c>Audit-Id</c> header, request and response objects at RequestResponse, the authorization annotations, and the
/// annotations admission adds (PodSecurity's audit mode, a ValidatingAdmissionPolicy's Audit action, webhooks'
/// auditAnnotations and mutation records).
/// </summary>
public sealed class AuditLogTests : IAsyncLifetime
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "skiff-audit-" + Guid.NewGuid().ToString("N")[..10]);
    private TestControlPlane _cp = null!;

    private string LogPath => Path.Combine(_dir, "audit.log");

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_dir);
        var policy = Path.Combine(_dir, "policy.yaml");
        await File.WriteAllTextAsync(policy, """
            apiVersion: audit.k8s.io/v1
            kind: Policy
            rules:
            - level: None
              nonResourceURLs: ["/healthz*", "/readyz*", "/livez*"]
            - level: RequestResponse
              resources: [{group: "", resources: [configmaps]}]
            - level: Metadata
              omitStages: [RequestReceived]
            """);
        _cp = await TestControlPlane.StartAsync(configure: o => o with
        {
            DisableAdmissionPlugins = [],
            Audit = new AuditLogOptions { PolicyFile = policy, LogPath = LogPath },
        });
    }

    public async Task DisposeAsync()
    {
        await _cp.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task ConfigMapCreate_LoggedAtBothStagesWithObjects_AuditIdMatchesHeader()
    {
        var kubectl = new Kubectl(_cp.KubeconfigPath);
        var (exit, _, err) = await kubectl.RunAsync(["create", "configmap", "audited", "-n", "default", "--from-literal=k=v", "-v=8"]);
        Assert.True(exit == 0, err);
        var header = System.Text.RegularExpressions.Regex.Match(err, @"Audit-Id: ([0-9a-f-]{36})");
        Assert.True(header.Success, err);
        var id = header.Groups[1].Value;

        var events = await EventsAsync(e => (string?)e["auditID"] == id && (string?)e["stage"] == "ResponseComplete");
        var mine = events.Where(e => (string?)e["auditID"] == id).ToList();
        Assert.Equal(["RequestReceived", "ResponseComplete"], mine.Select(e => (string?)e["stage"]));
        var done = mine[1];
        Assert.Equal(
            ["kind", "apiVersion", "level", "auditID", "stage", "requestURI", "verb", "user", "sourceIPs", "userAgent", "objectRef", "responseStatus",
                "requestObject", "responseObject", "requestReceivedTimestamp", "stageTimestamp", "annotations"],
            done.Select(p => p.Key));
        Assert.Equal("Event", (string?)done["kind"]);
        Assert.Equal("audit.k8s.io/v1", (string?)done["apiVersion"]);
        Assert.Equal("RequestResponse", (string?)done["level"]);
        Assert.Equal("create", (string?)done["verb"]);
        Assert.StartsWith("/api/v1/namespaces/default/configmaps", (string?)done["requestURI"], StringComparison.Ordinal);
        Assert.Contains("system:masters", done["user"]!["groups"]!.AsArray().Select(g => (string?)g));
        Assert.Equal("127.0.0.1", (string?)done["sourceIPs"]![0]);
        Assert.StartsWith("kubectl", (string?)done["userAgent"], StringComparison.Ordinal);
        Assert.Equal("""{"resource":"configmaps","namespace":"default","name":"audited","apiVersion":"v1"}""", done["objectRef"]!.ToJsonString());
        Assert.Equal("""{"metadata":{},"code":201}""", done["responseStatus"]!.ToJsonString());
        Assert.Equal("v", (string?)done["requestObject"]!["data"]!["k"]);
        Assert.Equal("audited", (string?)done["responseObject"]!["metadata"]!["name"]);
        Assert.False(string.IsNullOrEmpty((string?)done["responseObject"]!["metadata"]!["uid"]));
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$", (string?)done["stageTimestamp"]);
        Assert.Equal("allow", (string?)done["annotations"]![AuditContext.DecisionAnnotation]);
        Assert.NotNull(done["annotations"]![AuditContext.ReasonAnnotation]);
        Assert.Equal((string?)mine[0]["requestReceivedTimestamp"], (string?)done["requestReceivedTimestamp"]);
        Assert.Null(mine[0]["responseStatus"]);
    }

    [Fact]
    public async Task Forbidden_ImpersonatedRequest_LoggedWithDecisionAndStatus()
    {
        var kubectl = new Kubectl(_cp.KubeconfigPath);
        var (exit, _, err) = await kubectl.RunAsync(["get", "secrets", "-n", "kube-system", "--as=nobody-audited"]);
        Assert.NotEqual(0, exit);
        Assert.Contains("Forbidden", err, StringComparison.Ordinal);
        var events = await EventsAsync(e => (string?)e["impersonatedUser"]?["username"] == "nobody-audited");
        var ev = events.Last(e => (string?)e["impersonatedUser"]?["username"] == "nobody-audited");
        Assert.Equal("Metadata", (string?)ev["level"]);
        Assert.Equal("ResponseComplete", (string?)ev["stage"]); // RequestReceived omitted by the rule
        Assert.Equal("list", (string?)ev["verb"]);
        Assert.Equal(403, (int?)ev["responseStatus"]!["code"]);
        Assert.Equal("Failure", (string?)ev["responseStatus"]!["status"]);
        Assert.Equal("Forbidden", (string?)ev["responseStatus"]!["reason"]);
        Assert.Equal("forbid", (string?)ev["annotations"]![AuditContext.DecisionAnnotation]);
        Assert.Null(ev["requestObject"]);
    }

    [Fact]
    public async Task Admission_AddsPodSecurityAndPolicyAuditAnnotations()
    {
        var ns = "audit-" + Guid.NewGuid().ToString("N")[..6];
        var kubectl = new Kubectl(_cp.KubeconfigPath);
        var (exit, _, err) = await kubectl.RunAsync(["apply", "-f", "-"], $$$"""
            apiVersion: v1
            kind: Namespace
            metadata: {name: {{{ns}}}, labels: {pod-security.kubernetes.io/audit: restricted}}
            ---
            apiVersion: v1
            kind: ServiceAccount
            metadata: {name: default, namespace: {{{ns}}}}
            ---
            apiVersion: admissionregistration.k8s.io/v1
            kind: ValidatingAdmissionPolicy
            metadata: {name: audit-{{{ns}}}}
            spec:
              matchConstraints:
                resourceRules: [{apiGroups: [""], apiVersions: [v1], operations: [CREATE], resources: [pods]}]
                namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: {{{ns}}}}}
              validations: [{expression: "object.metadata.name.startsWith('ok-')", message: "name must start with ok-"}]
              auditAnnotations: [{key: image, valueExpression: "object.spec.containers[0].image"}]
            ---
            apiVersion: admissionregistration.k8s.io/v1
            kind: ValidatingAdmissionPolicyBinding
            metadata: {name: audit-{{{ns}}}}
            spec: {policyName: audit-{{{ns}}}, validationActions: [Audit]}
            """);
        Assert.True(exit == 0, err);

        var n = 0;
        JsonObject? found = null;
        await WebhookFixture.EventuallyAsync(async () =>
        {
            var pod = $"p{n++}";
            var (code, _, perr) = await kubectl.RunAsync(["run", pod, "-n", ns, "--image=busybox", "--restart=Never"]);
            Assert.True(code == 0, perr);
            var events = await EventsAsync(e => (string?)e["objectRef"]?["name"] == pod && (string?)e["stage"] == "ResponseComplete");
            found = events.Last(e => (string?)e["objectRef"]?["name"] == pod && (string?)e["stage"] == "ResponseComplete");
            return found["annotations"]?[Skiff.ApiServer.Admission.Plugins.ValidatingAdmissionPolicyPlugin.ValidationFailureAnnotation] is not null;
        }, "the policy's audit annotation");

        var annotations = found!["annotations"]!;
        Assert.StartsWith("would violate PodSecurity \"restricted:latest\": allowPrivilegeEscalation != false",
            (string?)annotations["pod-security.kubernetes.io/audit-violations"], StringComparison.Ordinal);
        Assert.Equal("privileged:latest", (string?)annotations["pod-security.kubernetes.io/enforce-policy"]);
        var failure = JsonNode.Parse((string)annotations[Skiff.ApiServer.Admission.Plugins.ValidatingAdmissionPolicyPlugin.ValidationFailureAnnotation]!)!;
        Assert.Equal("name must start with ok-", (string?)failure[0]!["message"]);
        Assert.Equal($"audit-{ns}", (string?)failure[0]!["binding"]);
        Assert.Equal("busybox", (string?)annotations[$"audit-{ns}/image"]);
    }

    /// <summary>The events logged so far, once one satisfies <paramref name="until"/> (the log is written in the background).</summary>
    [Fact]
    public async Task Webhooks_AuditAnnotationsAndMutationRecords_InTheLog_PatchOnlyAtRequestLevel()
    {
        await using var server = await TestWebhookServer.StartAsync();
        server.Map("/mutate", review => Task.FromResult(WithAuditAnnotations(
            TestWebhookServer.Allow(review, new JsonArray(new JsonObject { ["op"] = "add", ["path"] = "/metadata/labels", ["value"] = new JsonObject { ["mutated"] = "yes" } })),
            ("checked", "yes"))));
        server.Map("/validate", review => Task.FromResult(WithAuditAnnotations(TestWebhookServer.Allow(review), ("verdict", "ok"), ("not a key", "dropped"))));
        var ns = "audit-wh-" + Guid.NewGuid().ToString("N")[..6];
        string Hook(string kind, string name, string path) => $$$"""
            apiVersion: admissionregistration.k8s.io/v1
            kind: {{{kind}}}
            metadata: {name: {{{name}}}-{{{ns}}}}
            webhooks:
            - name: {{{name}}}.audit.test
              admissionReviewVersions: [v1]
              sideEffects: None
              clientConfig: {url: "{{{server.Url(path)}}}", caBundle: {{{server.CaBundle}}}}
              rules: [{operations: [CREATE], apiGroups: [""], apiVersions: [v1], resources: [configmaps, secrets]}]
              namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: {{{ns}}}}}
            """;
        var kubectl = new Kubectl(_cp.KubeconfigPath);
        var (exit, _, err) = await kubectl.RunAsync(["apply", "-f", "-"],
            $"apiVersion: v1\nkind: Namespace\nmetadata: {{name: {ns}}}\n---\n" + Hook("MutatingWebhookConfiguration", "mutate", "/mutate") + "\n---\n" + Hook("ValidatingWebhookConfiguration", "validate", "/validate"));
        Assert.True(exit == 0, err);

        var n = 0;
        var name = "";
        await WebhookFixture.EventuallyAsync(async () =>
        {
            name = $"cm{n++}";
            var created = JsonNode.Parse(await kubectl.OkAsync("create", "configmap", name, "-n", ns, "-o", "json"))!;
            return (string?)created["metadata"]!["labels"]?["mutated"] == "yes";
        }, "the mutating webhook");
        await kubectl.OkAsync("create", "secret", "generic", "s", "-n", ns, "--from-literal=k=v");

        bool Created(JsonObject e, string resource, string objectName) => (string?)e["stage"] == "ResponseComplete" && (string?)e["verb"] == "create"
            && (string?)e["objectRef"]?["resource"] == resource && (string?)e["objectRef"]?["name"] == objectName;
        var events = await EventsAsync(e => Created(e, "secrets", "s"));

        // RequestResponse (configmaps): the webhooks' own annotations, the mutation record and the patch.
        var cm = events.Single(e => Created(e, "configmaps", name))["annotations"]!.AsObject();
        Assert.Equal("yes", (string?)cm["mutate.audit.test/checked"]);
        Assert.Equal("ok", (string?)cm["validate.audit.test/verdict"]);
        Assert.DoesNotContain(cm, p => p.Key.Contains("not a key", StringComparison.Ordinal));
        Assert.Equal($$"""{"configuration":"mutate-{{ns}}","webhook":"mutate.audit.test","mutated":true}""", (string?)cm["mutation.webhook.admission.k8s.io/round_0_index_0"]);
        var patch = JsonNode.Parse((string)cm["patch.webhook.admission.k8s.io/round_0_index_0"]!)!;
        Assert.Equal(("mutate.audit.test", "JSONPatch", "add"), ((string?)patch["webhook"], (string?)patch["patchType"], (string?)patch["patch"]![0]!["op"]));

        // Metadata (secrets): the mutation record, but no patch.
        var secret = events.Single(e => Created(e, "secrets", "s"))["annotations"]!.AsObject();
        Assert.Equal("Metadata", (string?)events.Single(e => Created(e, "secrets", "s"))["level"]);
        Assert.Contains("mutation.webhook.admission.k8s.io/round_0_index_0", secret.Select(p => p.Key));
        Assert.DoesNotContain("patch.webhook.admission.k8s.io/round_0_index_0", secret.Select(p => p.Key));
    }

    private static JsonObject WithAuditAnnotations(JsonObject review, params (string Key, string Value)[] annotations)
    {
        var map = new JsonObject();
        foreach (var (k, v) in annotations)
        {
            map[k] = v;
        }

        review["response"]!["auditAnnotations"] = map;
        return review;
    }

    private async Task<List<JsonObject>> EventsAsync(Func<JsonObject, bool> until)
    {
        List<JsonObject> events = [];
        await WebhookFixture.EventuallyAsync(async () =>
        {
            if (!File.Exists(LogPath))
            {
                return false;
            }

            await using var stream = new FileStream(LogPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var reader = new StreamReader(stream);
            var text = await reader.ReadToEndAsync();
            events = text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!.AsObject()).ToList();
            return events.Any(until);
        }, "the audit event");
        return events;
    }
}
