using System.Text;
using System.Text.Json.Nodes;
using Skiff.Api.Errors;
using Skiff.ApiServer.Admission;
using Skiff.ApiServer.Admission.Plugins;
using Skiff.ApiServer.Admission.Policy;
using Skiff.ApiServer.Registry;
using Skiff.ApiServer.Security;
using Skiff.Storage.Memory;
using Xunit;

namespace Skiff.ApiServer.Tests.Admission.Policy;

/// <summary>
/// The ValidatingAdmissionPolicy plugin over an in-memory store, table-driven: matching (rules, resourceNames,
/// exclusions, selectors, equivalent versions), matchConditions, variables, params, failurePolicy, and the three
/// validation actions with upstream's texts and audit annotations.
/// </summary>
public sealed class ValidatingAdmissionPolicyPluginTests
{
    private static readonly ResourceRegistry Registry = new(BuiltInResources.Create(new BuiltInResourceOptions()));

    private const string DeploymentRule = """{"apiGroups":["apps"],"apiVersions":["v1"],"operations":["CREATE","UPDATE"],"resources":["deployments"],"scope":"*"}""";

    public static TheoryData<string, string, string, int, string?> Cases => new()
    {
        // name, policy spec (JSON, without matchConstraints when it has "matchConstraints"), binding spec extras, replicas, expected message (null: admitted)
        { "allowed", """{"validations":[{"expression":"object.spec.replicas <= 5"}]}""", "", 5, null },
        { "denied, failed expression", """{"validations":[{"expression":"object.spec.replicas <= 5"}]}""", "", 6, "failed expression: object.spec.replicas <= 5" },
        { "message", """{"validations":[{"expression":"object.spec.replicas <= 5","message":" too many "}]}""", "", 6, "too many" },
        { "messageExpression", """{"validations":[{"expression":"object.spec.replicas <= 5","message":"m","messageExpression":"'got ' + string(object.spec.replicas)"}]}""", "", 6, "got 6" },
        { "messageExpression not a string falls back", """{"validations":[{"expression":"object.spec.replicas <= 5","message":"m","messageExpression":"object.spec.replicas"}]}""", "", 6, "m" },
        { "variables", """{"variables":[{"name":"r","expression":"object.spec.replicas"}],"validations":[{"expression":"variables.r < 3"}]}""", "", 3, "failed expression: variables.r < 3" },
        { "matchCondition false skips", """{"matchConditions":[{"name":"big","expression":"object.spec.replicas > 100"}],"validations":[{"expression":"false"}]}""", "", 6, null },
        { "matchCondition true applies", """{"matchConditions":[{"name":"big","expression":"object.spec.replicas > 1"}],"validations":[{"expression":"false"}]}""", "", 6, "failed expression: false" },
        { "runtime error, Fail", """{"validations":[{"expression":"object.spec.missing > 1"}]}""", "", 1, "expression 'object.spec.missing > 1' resulted in error: " },
        { "runtime error, Ignore", """{"failurePolicy":"Ignore","validations":[{"expression":"object.spec.missing > 1"}]}""", "", 1, null },
        { "request and namespaceObject", """{"validations":[{"expression":"request.operation == 'CREATE' && request.userInfo.username == 'alice' && namespaceObject.metadata.labels.team == 'a'"}]}""", "", 1, null },
        { "oldObject null on create", """{"validations":[{"expression":"oldObject == null"}]}""", "", 1, null },
        { "resourceNames miss", """{"matchConstraints":{"resourceRules":[{"apiGroups":["apps"],"apiVersions":["v1"],"operations":["CREATE"],"resources":["deployments"],"resourceNames":["other"]}]},"validations":[{"expression":"false"}]}""", "", 1, null },
        { "excluded", """{"matchConstraints":{"resourceRules":[""" + DeploymentRule + """],"excludeResourceRules":[{"apiGroups":["apps"],"apiVersions":["v1"],"operations":["*"],"resources":["deployments"],"resourceNames":["d"]}]},"validations":[{"expression":"false"}]}""", "", 1, null },
        { "namespaceSelector miss", """{"matchConstraints":{"namespaceSelector":{"matchLabels":{"team":"b"}},"resourceRules":[""" + DeploymentRule + """]},"validations":[{"expression":"false"}]}""", "", 1, null },
        { "objectSelector hit", """{"matchConstraints":{"objectSelector":{"matchLabels":{"app":"d"}},"resourceRules":[""" + DeploymentRule + """]},"validations":[{"expression":"false"}]}""", "", 1, "failed expression: false" },
        { "Exact version miss", """{"matchConstraints":{"matchPolicy":"Exact","resourceRules":[{"apiGroups":["apps"],"apiVersions":["v1beta2"],"operations":["CREATE"],"resources":["deployments"]}]},"validations":[{"expression":"false"}]}""", "", 1, null },
        { "binding matchResources miss", """{"validations":[{"expression":"false"}]}""", ""","matchResources":{"namespaceSelector":{"matchLabels":{"team":"z"}}}""", 1, null },
        { "param by name", """{"paramKind":{"apiVersion":"v1","kind":"ConfigMap"},"validations":[{"expression":"object.spec.replicas <= int(params.data.max)"}]}""", ""","paramRef":{"name":"limits","parameterNotFoundAction":"Deny"}""", 4, "failed expression: object.spec.replicas <= int(params.data.max)" },
        { "param by selector", """{"paramKind":{"apiVersion":"v1","kind":"ConfigMap"},"validations":[{"expression":"object.spec.replicas <= int(params.data.max)"}]}""", ""","paramRef":{"selector":{"matchLabels":{"kind":"limit"}},"parameterNotFoundAction":"Deny"}""", 3, null },
        { "param missing, Allow", """{"paramKind":{"apiVersion":"v1","kind":"ConfigMap"},"validations":[{"expression":"false"}]}""", ""","paramRef":{"name":"nope","parameterNotFoundAction":"Allow"}""", 1, null },
        { "param missing, Deny", """{"paramKind":{"apiVersion":"v1","kind":"ConfigMap"},"validations":[{"expression":"true"}]}""", ""","paramRef":{"name":"nope","parameterNotFoundAction":"Deny"}""", 1, "failed to configure binding: no params found for policy binding with `Deny` parameterNotFoundAction" },
        { "authorizer, allowed without enforced authorization", """{"validations":[{"expression":"authorizer.requestResource.check('create').allowed() && authorizer.group('apps').resource('deployments').subresource('scale').namespace('ns').check('update').allowed()"}]}""", "", 9, null },
        { "authorizer in matchConditions", """{"matchConditions":[{"name":"may","expression":"authorizer.path('/healthz').check('get').allowed()"}],"validations":[{"expression":"false"}]}""", "", 1, "failed expression: false" },
        { "messageExpression has no authorizer", """{"validations":[{"expression":"false","message":"static","messageExpression":"authorizer.path('/x').check('get').reason()"}]}""", "", 1, "static" },
        { "label key with dots", """{"validations":[{"expression":"'app.kubernetes.io/name' in object.metadata.labels"}]}""", "", 1, "failed expression: 'app.kubernetes.io/name' in object.metadata.labels" },
        { "per-call cost limit", """{"validations":[{"expression":"authorizer.path('/a').check('get').allowed() && authorizer.path('/b').check('get').allowed() && authorizer.path('/c').check('get').allowed()"}]}""", "", 1, "expression 'authorizer.path('/a').check('get').allowed() && authorizer.path('/b').check('get').allowed() && authorizer.path('/c').check('get').allowed()' resulted in error: operation cancelled: actual cost limit exceeded" },
        { "runtime cost budget", """{"validations":[""" + string.Join(",", Enumerable.Repeat("""{"expression":"authorizer.path('/a').check('get').allowed() && authorizer.path('/b').check('get').allowed()"}""", 15)) + "]}", "", 1, "validation failed due to running out of cost budget, no further validation rules will be run" },
        { "runtime cost budget, Ignore: every decision dropped", """{"failurePolicy":"Ignore","validations":[{"expression":"false"},""" + string.Join(",", Enumerable.Repeat("""{"expression":"authorizer.path('/a').check('get').allowed() && authorizer.path('/b').check('get').allowed()"}""", 15)) + "]}", "", 1, null },
        { "unknown paramKind", """{"paramKind":{"apiVersion":"example.com/v1","kind":"Nope"},"validations":[{"expression":"true"}]}""", ""","paramRef":{"name":"x","parameterNotFoundAction":"Deny"}""", 1, "failed to configure policy: failed to find resource referenced by paramKind: 'example.com/v1, Kind=Nope'" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Policy_DecidesAsUpstream(string name, string policySpec, string bindingExtra, int replicas, string? expected)
    {
        await using var storage = new MemoryStorage();
        var spec = JsonNode.Parse(policySpec)!.AsObject();
        spec["matchConstraints"] ??= JsonNode.Parse("""{"resourceRules":[""" + DeploymentRule + "]}");
        await PutAsync(storage, "/registry/namespaces/ns", """{"metadata":{"name":"ns","labels":{"team":"a"}}}""");
        await PutAsync(storage, "/registry/configmaps/ns/limits", """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"limits","namespace":"ns","labels":{"kind":"limit"}},"data":{"max":"3"}}""");
        await PutAsync(storage, PolicyCache.PolicyPrefix + "p", new JsonObject { ["metadata"] = new JsonObject { ["name"] = "p" }, ["spec"] = spec }.ToJsonString());
        await PutAsync(storage, PolicyCache.BindingPrefix + "b", """{"metadata":{"name":"b"},"spec":{"policyName":"p","validationActions":["Deny"]""" + bindingExtra + "}}");
        var plugin = new ValidatingAdmissionPolicyPlugin(new PolicyCache(storage), new AdmissionReader(storage), Registry);

        var attributes = Deployment(replicas);
        var error = await Record.ExceptionAsync(() => plugin.ValidateAsync(attributes, CancellationToken.None).AsTask());
        if (expected is null)
        {
            Assert.True(error is null, $"{name}: {error?.Message}");
            return;
        }

        var status = Assert.IsType<StatusException>(error);
        Assert.Equal(422, status.Code);
        Assert.Equal("Invalid", status.Reason);
        var prefix = expected.StartsWith("failed to configure policy", StringComparison.Ordinal)
            ? "deployments.apps \"d\" is forbidden: ValidatingAdmissionPolicy 'p' denied request: "
            : "deployments.apps \"d\" is forbidden: ValidatingAdmissionPolicy 'p' with binding 'b' denied request: ";
        Assert.StartsWith(prefix + expected, status.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WarnAndAudit_AddWarningAndValidationFailureAnnotation_AuditAnnotationsPublished()
    {
        await using var storage = new MemoryStorage();
        await PutAsync(storage, "/registry/namespaces/ns", """{"metadata":{"name":"ns"}}""");
        var spec = """{"matchConstraints":{"resourceRules":[RULE]},"validations":[{"expression":"true"},{"expression":"object.spec.replicas < 2","message":"too many","reason":"Forbidden"}],"auditAnnotations":[{"key":"replicas","valueExpression":"'replicas=' + string(object.spec.replicas)"},{"key":"none","valueExpression":"null"}]}""";
        await PutAsync(storage, PolicyCache.PolicyPrefix + "p", """{"metadata":{"name":"p"},"spec":SPEC}""".Replace("SPEC", spec.Replace("RULE", DeploymentRule, StringComparison.Ordinal), StringComparison.Ordinal));
        await PutAsync(storage, PolicyCache.BindingPrefix + "b", """{"metadata":{"name":"b"},"spec":{"policyName":"p","validationActions":["Warn","Audit"]}}""");
        var plugin = new ValidatingAdmissionPolicyPlugin(new PolicyCache(storage), new AdmissionReader(storage), Registry);
        var warnings = new List<string>();
        var a = Deployment(4, warnings.Add);

        await plugin.ValidateAsync(a, CancellationToken.None);

        Assert.Equal(["Validation failed for ValidatingAdmissionPolicy 'p' with binding 'b': too many"], warnings);
        var failure = JsonNode.Parse(a.Annotations[ValidatingAdmissionPolicyPlugin.ValidationFailureAnnotation])!.AsArray();
        Assert.Equal("""[{"message":"too many","policy":"p","binding":"b","expressionIndex":1,"validationActions":["Warn","Audit"]}]""", failure.ToJsonString());
        Assert.Equal("replicas=4", a.Annotations["p/replicas"]);
        Assert.False(a.Annotations.ContainsKey("p/none"));
    }

    [Fact]
    public async Task AdmissionConfiguration_IsNeverEvaluated_AndBindingWithoutPolicyBindsNothing()
    {
        await using var storage = new MemoryStorage();
        await PutAsync(storage, PolicyCache.PolicyPrefix + "p",
            """{"metadata":{"name":"p"},"spec":{"matchConstraints":{"resourceRules":[{"apiGroups":["*"],"apiVersions":["*"],"operations":["*"],"resources":["*"]}]},"validations":[{"expression":"false"}]}}""");
        await PutAsync(storage, PolicyCache.BindingPrefix + "orphan", """{"metadata":{"name":"orphan"},"spec":{"policyName":"missing","validationActions":["Deny"]}}""");
        var plugin = new ValidatingAdmissionPolicyPlugin(new PolicyCache(storage), new AdmissionReader(storage), Registry);
        var config = new AdmissionAttributes
        {
            Operation = AdmissionOperation.Create, Group = "admissionregistration.k8s.io", Version = "v1", Resource = "validatingadmissionpolicies",
            Kind = "ValidatingAdmissionPolicy", Name = "x", Object = new JsonObject(),
        };
        await plugin.ValidateAsync(config, CancellationToken.None);
        await plugin.ValidateAsync(Deployment(1), CancellationToken.None); // p has no binding: nothing applies
    }

    private static AdmissionAttributes Deployment(int replicas, Action<string>? warn = null) => new(warn)
    {
        Operation = AdmissionOperation.Create,
        Group = "apps",
        Version = "v1",
        Resource = "deployments",
        Kind = "Deployment",
        Namespace = "ns",
        Name = "d",
        User = new UserInfo("alice", null, ["devs"]),
        Object = JsonNode.Parse(
            """{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d","namespace":"ns","labels":{"app":"d"}},"spec":{"replicas":""" + replicas + "}}")!.AsObject(),
    };

    private static Task PutAsync(MemoryStorage storage, string key, string json) =>
        storage.CreateAsync(key, Encoding.UTF8.GetBytes(json), CancellationToken.None);
}
