using System.Text.Json.Nodes;
using Skiff.ApiServer.Admission.Policy;
using Xunit;

namespace Skiff.ApiServer.Tests.Admission.Policy;

/// <summary>
/// Type checking of ValidatingAdmissionPolicy expressions against the OpenAPI schemas of the kinds the policy
/// matches exactly, with upstream's <c>ExpressionWarning</c> shape and cel-go's error display.
/// </summary>
public sealed class PolicyTypeCheckerTests
{
    private const string Deployments = """{"apiGroups":["apps"],"apiVersions":["v1"],"operations":["CREATE"],"resources":["deployments"]}""";

    public static TheoryData<string, string, string?> Cases => new()
    {
        // rules, expression, expected warning (null: none)
        { Deployments, "object.spec.replicas > 1", null },
        { Deployments, "object.metadata.labels['app'] == 'x' && object.spec.template.spec.containers[0].image != ''", null },
        { Deployments, "object.spec.replicass > 1", "apps/v1, Kind=Deployment: ERROR: <input>:1:12: undefined field 'replicass'\n | object.spec.replicass > 1\n | ...........^\n" },
        { Deployments, "has(oldObject.spec.template.spec.containers[0].imagee)", "apps/v1, Kind=Deployment: ERROR: <input>:1:47: undefined field 'imagee'\n | has(oldObject.spec.template.spec.containers[0].imagee)\n | ..............................................^\n" },
        { Deployments, "object.spec.nope == 1 || object.spec.selector.matchLabels.app == 'x' || object.statuss == null", "apps/v1, Kind=Deployment: ERROR: <input>:1:12: undefined field 'nope'\n | object.spec.nope == 1 || object.spec.selector.matchLabels.app == 'x' || object.statuss == null\n | ...........^\nERROR: <input>:1:79: undefined field 'statuss'\n | object.spec.nope == 1 || object.spec.selector.matchLabels.app == 'x' || object.statuss == null\n | ..............................................................................^\n" },
        { """{"apiGroups":["","apps"],"apiVersions":["v1"],"operations":["CREATE"],"resources":["pods","deployments"]}""", "object.spec.replicas > 1",
            "/v1, Kind=Pod: ERROR: <input>:1:12: undefined field 'replicas'\n | object.spec.replicas > 1\n | ...........^\n" },
        { """{"apiGroups":["*"],"apiVersions":["v1"],"operations":["CREATE"],"resources":["deployments"]}""", "object.spec.nope > 1", null },
        { """{"apiGroups":["apps"],"apiVersions":["v1"],"operations":["CREATE"],"resources":["deployments/scale"]}""", "object.spec.nope > 1", null },
        { Deployments, "params.data.max == '1' && params.nope == 1", "apps/v1, Kind=Deployment: ERROR: <input>:1:33: undefined field 'nope'\n | params.data.max == '1' && params.nope == 1\n | ................................^\n" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Check_ReportsUndefinedFieldsAsUpstream(string rules, string expression, string? expected)
    {
        var policy = JsonNode.Parse($$$"""
            {"spec":{"paramKind":{"apiVersion":"v1","kind":"ConfigMap"},"matchConstraints":{"resourceRules":[{{{rules}}}]},
             "validations":[{"expression":"true"},{"expression":{{{JsonValue.Create(expression).ToJsonString()}}}}]}}
            """)!.AsObject();
        var warnings = PolicyTypeChecker.Check(policy);
        if (expected is null)
        {
            Assert.Empty(warnings);
            return;
        }

        var (fieldRef, warning) = Assert.Single(warnings);
        Assert.Equal("spec.validations[1].expression", fieldRef);
        Assert.Equal(expected, warning);
    }

    [Fact]
    public void MessageExpression_IsCheckedToo()
    {
        var policy = JsonNode.Parse("""
            {"spec":{"matchConstraints":{"resourceRules":[{"apiGroups":["apps"],"apiVersions":["v1"],"operations":["CREATE"],"resources":["deployments"]}]},
             "validations":[{"expression":"true","messageExpression":"'n=' + string(object.spec.replica)"}]}}
            """)!.AsObject();
        var (fieldRef, warning) = Assert.Single(PolicyTypeChecker.Check(policy));
        Assert.Equal("spec.validations[0].messageExpression", fieldRef);
        Assert.StartsWith("apps/v1, Kind=Deployment: ERROR: <input>:1:26: undefined field 'replica'", warning, StringComparison.Ordinal);
    }
}
