using System.Text.Json.Nodes;
using Skiff.ApiServer.Tests.Webhooks;
using Skiff.Testing.ControlPlane;
using Xunit;

namespace Skiff.ApiServer.Tests.Admission.Policy;

/// <summary>
/// ValidatingAdmissionPolicy end to end with the REAL kubectl: a policy denies a Deployment with more than 5
/// replicas (upstream's message, 422 Invalid), Warn gives a <c>Warning:</c> line, a param-based policy reads its
/// limit from a ConfigMap, a missing param under <c>parameterNotFoundAction: Deny</c> refuses, and invalid policies
/// and bindings get upstream's validation errors; a policy using the <c>authorizer</c> admits the admin and denies a
/// view-bound deployer.
/// </summary>
public sealed class ValidatingAdmissionPolicyKubectlTests(AdmissionFixture f) : IClassFixture<AdmissionFixture>
{
    private static string Deployment(string name, string ns, int replicas) => $$$"""
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: {{{name}}}, namespace: {{{ns}}}}
        spec:
          replicas: {{{replicas}}}
          selector: {matchLabels: {app: {{{name}}}}}
          template:
            metadata: {labels: {app: {{{name}}}}}
            spec: {containers: [{name: c, image: busybox}]}
        """;

    private static string Policy(string name, string ns, string validations, string extra = "") => $$$"""
        apiVersion: admissionregistration.k8s.io/v1
        kind: ValidatingAdmissionPolicy
        metadata: {name: {{{name}}}}
        spec:
          failurePolicy: Fail
          matchConstraints:
            resourceRules: [{apiGroups: [apps], apiVersions: [v1], operations: [CREATE, UPDATE], resources: [deployments]}]
            namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: {{{ns}}}}}
        {{{extra}}}
          validations:
        {{{validations}}}
        """;

    private static string Binding(string name, string policy, string actions, string extra = "") => $$$"""
        apiVersion: admissionregistration.k8s.io/v1
        kind: ValidatingAdmissionPolicyBinding
        metadata: {name: {{{name}}}}
        spec:
          policyName: {{{policy}}}
          validationActions: {{{actions}}}
        {{{extra}}}
        """;

    private Task<(int Exit, string Out, string Err)> ApplyAsync(string manifest) => new Kubectl(f.Cp.KubeconfigPath).RunAsync(["apply", "-f", "-"], manifest);

    [Fact]
    public async Task Deny_DeploymentOverFiveReplicas_RefusedWithUpstreamMessage()
    {
        var ns = await f.NamespaceAsync("vap");
        var name = $"limit-{ns}";
        var (exit, _, err) = await ApplyAsync(Policy(name, ns,
            "    - {expression: \"object.spec.replicas <= 5\", message: \"replicas must be no greater than 5\"}") + "\n---\n" + Binding(name, name, "[Deny]"));
        Assert.True(exit == 0, err);

        var expected = $"deployments.apps \"big\" is forbidden: ValidatingAdmissionPolicy '{name}' with binding '{name}' denied request: replicas must be no greater than 5";
        var attempt = 0;
        await WebhookFixture.EventuallyAsync(async () =>
        {
            // A fresh name each time: one created before the policy took effect would make a re-apply a no-op.
            var big = $"big{attempt++}";
            var (code, _, stderr) = await ApplyAsync(Deployment(big, ns, 6));
            // kubectl prints an Invalid Status from its details: kind (the resource), name and the causes.
            return code != 0 && stderr.Contains(
                $"The deployments \"{big}\" is invalid: : ValidatingAdmissionPolicy '{name}' with binding '{name}' denied request: replicas must be no greater than 5",
                StringComparison.Ordinal);
        }, "the policy to deny");

        var (okExit, _, okErr) = await ApplyAsync(Deployment("small", ns, 5));
        Assert.True(okExit == 0, okErr);

        // The Status as upstream: 422 Invalid, the message as a cause.
        var (status, body, _) = await f.Cp.SendAsync(HttpMethod.Post, $"/apis/apps/v1/namespaces/{ns}/deployments", JsonNode.Parse("""
            {"metadata":{"name":"big2"},"spec":{"replicas":9,"selector":{"matchLabels":{"a":"b"}},
             "template":{"metadata":{"labels":{"a":"b"}},"spec":{"containers":[{"name":"c","image":"busybox"}]}}}}
            """));
        Assert.Equal(422, status);
        Assert.Equal("Invalid", (string?)body!["reason"]);
        Assert.Equal(expected.Replace("\"big\"", "\"big2\"", StringComparison.Ordinal), (string?)body["message"]);
        Assert.Contains(body["details"]!["causes"]!.AsArray(), c => ((string?)c!["message"])!.StartsWith($"ValidatingAdmissionPolicy '{name}'", StringComparison.Ordinal));

        // The printer columns.
        var table = await new Kubectl(f.Cp.KubeconfigPath).OkAsync("get", "validatingadmissionpolicies", name);
        Assert.Matches(@"^NAME\s+VALIDATIONS\s+PARAMKIND\s+AGE\n" + name + @"\s+1\s+<unset>\s+\d+s$", table);
    }

    [Fact]
    public async Task Authorizer_OnlyUsersWhoMayScaleSetManyReplicas_AdminAllowed_ViewBoundDeployerDenied()
    {
        var ns = await f.NamespaceAsync("vapauthz");
        var name = $"scale-{ns}";
        var group = $"deployers-{ns}";
        var (exit, _, err) = await ApplyAsync($$$"""
            apiVersion: rbac.authorization.k8s.io/v1
            kind: Role
            metadata: {name: deployer, namespace: {{{ns}}}}
            rules: [{apiGroups: [apps], resources: [deployments], verbs: [get, list, create, patch]}]
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: RoleBinding
            metadata: {name: deployer, namespace: {{{ns}}}}
            roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: deployer}
            subjects: [{apiGroup: rbac.authorization.k8s.io, kind: Group, name: {{{group}}}}]
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: RoleBinding
            metadata: {name: view, namespace: {{{ns}}}}
            roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}
            subjects: [{apiGroup: rbac.authorization.k8s.io, kind: Group, name: {{{group}}}}]
            ---

            """ + Policy(name, ns,
            "    - expression: \"object.spec.replicas <= 3 || authorizer.group('apps').resource('deployments').subresource('scale').namespace(request.namespace).check('update').allowed()\"\n" +
            "      message: only users who may scale deployments may set more than 3 replicas\n" +
            "    - {expression: \"request.options.fieldManager != 'banned-manager'\", messageExpression: \"request.options.kind + ' from ' + request.options.fieldManager\"}")
            + "\n---\n" + Binding(name, name, "[Deny]"));
        Assert.True(exit == 0, err);
        var kubectl = new Kubectl(f.Cp.KubeconfigPath);
        var asDeployer = new[] { "--as=bob", "--as-group=" + group };

        // The deployer (view plus create) may not update deployments/scale: denied above 3, with upstream's message.
        var attempt = 0;
        await WebhookFixture.EventuallyAsync(async () =>
        {
            var big = $"big{attempt++}";
            var (code, _, stderr) = await kubectl.RunAsync(["apply", "-f", "-", .. asDeployer], Deployment(big, ns, 4));
            return code != 0 && stderr.Contains(
                $"The deployments \"{big}\" is invalid: : ValidatingAdmissionPolicy '{name}' with binding '{name}' denied request: only users who may scale deployments may set more than 3 replicas",
                StringComparison.Ordinal);
        }, "the policy to deny the deployer");
        var (auth, canI, _) = await kubectl.RunAsync(["auth", "can-i", "update", "deployments/scale", "-n", ns, .. asDeployer]);
        Assert.Equal((1, "no"), (auth, canI.Trim()));

        var (smallExit, _, smallErr) = await kubectl.RunAsync(["apply", "-f", "-", .. asDeployer], Deployment("small", ns, 3));
        Assert.True(smallExit == 0, smallErr);

        // The admin may update deployments/scale: admitted.
        var (adminExit, _, adminErr) = await ApplyAsync(Deployment("admins", ns, 4));
        Assert.True(adminExit == 0, adminErr);

        // The request's options reach the policy: CreateOptions with kubectl's fieldManager.
        var (bannedExit, _, bannedErr) = await kubectl.RunAsync(["create", "-f", "-", "--field-manager=banned-manager"], Deployment("banned", ns, 1));
        Assert.NotEqual(0, bannedExit);
        Assert.Contains("denied request: CreateOptions from banned-manager", bannedErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TypeChecking_UndefinedFieldReportedInStatus_ClearedWhenFixed()
    {
        var ns = await f.NamespaceAsync("vaptc");
        var name = $"typo-{ns}";
        var (exit, _, err) = await ApplyAsync(Policy(name, ns, "    - {expression: \"object.spec.replicass <= 5\"}"));
        Assert.True(exit == 0, err);
        var kubectl = new Kubectl(f.Cp.KubeconfigPath);
        var status = JsonNode.Parse(await kubectl.OkAsync("get", "validatingadmissionpolicy", name, "-o", "jsonpath={.status}"))!;
        Assert.Equal(1, (long?)status["observedGeneration"]);
        var warning = Assert.Single(status["typeChecking"]!["expressionWarnings"]!.AsArray())!;
        Assert.Equal("spec.validations[0].expression", (string?)warning["fieldRef"]);
        Assert.Equal("apps/v1, Kind=Deployment: ERROR: <input>:1:12: undefined field 'replicass'\n | object.spec.replicass <= 5\n | ...........^\n", (string?)warning["warning"]);

        (exit, _, err) = await ApplyAsync(Policy(name, ns, "    - {expression: \"object.spec.replicas <= 5\"}"));
        Assert.True(exit == 0, err);
        status = JsonNode.Parse(await kubectl.OkAsync("get", "validatingadmissionpolicy", name, "-o", "jsonpath={.status}"))!;
        Assert.Equal("""{"observedGeneration":2,"typeChecking":{}}""", status.ToJsonString());
    }

    [Fact]
    public async Task Warn_AdmitsWithKubectlWarningLine_AndReasonChangesCode()
    {
        var ns = await f.NamespaceAsync("vap");
        var name = $"warn-{ns}";
        var (exit, _, err) = await ApplyAsync(Policy(name, ns,
            "    - {expression: \"object.spec.replicas <= 2\", messageExpression: \"'replicas is ' + string(object.spec.replicas) + ', want at most 2'\"}")
            + "\n---\n" + Binding(name, name, "[Warn, Audit]"));
        Assert.True(exit == 0, err);
        await WebhookFixture.EventuallyAsync(async () =>
        {
            var (code, _, stderr) = await ApplyAsync(Deployment($"w{Guid.NewGuid():N}"[..10], ns, 3));
            return code == 0 && stderr.Contains($"Warning: Validation failed for ValidatingAdmissionPolicy '{name}' with binding '{name}': replicas is 3, want at most 2",
                StringComparison.Ordinal);
        }, "the warning");

        var forbid = $"forbid-{ns}";
        (exit, _, err) = await ApplyAsync(Policy(forbid, ns,
            "    - {expression: \"object.metadata.name != 'nope'\", reason: Forbidden}") + "\n---\n" + Binding(forbid, forbid, "[Deny]"));
        Assert.True(exit == 0, err);
        await WebhookFixture.EventuallyAsync(async () =>
        {
            var (code, _, stderr) = await ApplyAsync(Deployment("nope", ns, 1));
            return code != 0 && stderr.Contains("(Forbidden)", StringComparison.Ordinal)
                && stderr.Contains($"denied request: failed expression: object.metadata.name != 'nope'", StringComparison.Ordinal);
        }, "the Forbidden denial");
    }

    [Fact]
    public async Task Params_LimitFromConfigMap_MissingParamDenies()
    {
        var ns = await f.NamespaceAsync("vap");
        var name = $"param-{ns}";
        var manifest = Policy(name, ns,
            "    - {expression: \"object.spec.replicas <= int(params.data.max)\", messageExpression: \"'at most ' + params.data.max + ' replicas in ' + namespaceObject.metadata.name\"}",
            "  paramKind: {apiVersion: v1, kind: ConfigMap}\n  variables: [{name: limit, expression: \"int(params.data.max)\"}]")
            + "\n---\n" + Binding(name, name, "[Deny]", "  paramRef: {name: limits, namespace: " + ns + ", parameterNotFoundAction: Deny}")
            + "\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: limits, namespace: " + ns + "}\ndata: {max: \"3\"}\n";
        var (exit, _, err) = await ApplyAsync(manifest);
        Assert.True(exit == 0, err);
        await WebhookFixture.EventuallyAsync(async () =>
        {
            var (code, _, stderr) = await ApplyAsync(Deployment("four", ns, 4));
            return code != 0 && stderr.Contains($"with binding '{name}' denied request: at most 3 replicas in {ns}", StringComparison.Ordinal);
        }, "the param-based denial");
        var (okExit, _, okErr) = await ApplyAsync(Deployment("three", ns, 3));
        Assert.True(okExit == 0, okErr);

        // The param gone: parameterNotFoundAction Deny refuses every matching request.
        await new Kubectl(f.Cp.KubeconfigPath).OkAsync("delete", "configmap", "limits", "-n", ns);
        await WebhookFixture.EventuallyAsync(async () =>
        {
            var (code, _, stderr) = await ApplyAsync(Deployment("one", ns, 1));
            return code != 0 && stderr.Contains(
                $"ValidatingAdmissionPolicy '{name}' with binding '{name}' denied request: failed to configure binding: no params found for policy binding with `Deny` parameterNotFoundAction",
                StringComparison.Ordinal);
        }, "the missing-param denial");

        var bindings = await new Kubectl(f.Cp.KubeconfigPath).OkAsync("get", "validatingadmissionpolicybindings", name);
        Assert.Matches(@"^NAME\s+POLICYNAME\s+PARAMREF\s+AGE\n" + name + @"\s+" + name + @"\s+" + ns + @"/limits\s+\d+s$", bindings);
    }

    [Fact]
    public async Task InvalidPolicyAndBinding_GetUpstreamValidationErrors()
    {
        var (exit, _, err) = await ApplyAsync("""
            apiVersion: admissionregistration.k8s.io/v1
            kind: ValidatingAdmissionPolicy
            metadata: {name: bad-policy}
            spec:
              matchConstraints: {}
              validations: [{expression: "object.spec.replicas <=", reason: Teapot}]
            """);
        Assert.NotEqual(0, exit);
        Assert.Contains("spec.matchConstraints.resourceRules: Required value", err, StringComparison.Ordinal);
        Assert.Contains("spec.validations[0].expression: Invalid value: \"object.spec.replicas <=\": compilation failed", err, StringComparison.Ordinal);
        Assert.Contains("spec.validations[0].reason: Unsupported value: \"Teapot\"", err, StringComparison.Ordinal);

        (exit, _, err) = await ApplyAsync(Binding("bad-binding", "p", "[Deny, Warn]", "  paramRef: {name: x, selector: {}}"));
        Assert.NotEqual(0, exit);
        Assert.Contains("spec.validationActions: Invalid value: []string{\"Deny\", \"Warn\"}: must not contain both Deny and Warn", err, StringComparison.Ordinal);
        Assert.Contains("spec.paramRef.name: Forbidden: name and selector are mutually exclusive", err, StringComparison.Ordinal);
        Assert.Contains("spec.paramRef.parameterNotFoundAction: Required value", err, StringComparison.Ordinal);
    }
}
