using Skiff.ApiServer.Registry.Networking;
using Xunit;

namespace Skiff.ApiServer.Tests.Registry.Networking;

/// <summary>NetworkPolicy defaulting and validation with upstream's texts (pkg/apis/networking/validation, validation_test.go cases).</summary>
public sealed class NetworkPolicyStrategyTests
{
    private static List<string> Errors(string spec) =>
        StrategyHarness.Create(NetworkPolicyStrategy.Instance, $$"""{"metadata":{"name":"np","namespace":"default"},"spec":{{spec}}}""").Errors;

    [Theory]
    [InlineData("""{"podSelector":{}}""")]
    [InlineData("""{"podSelector":{"matchLabels":{"a":"b"}},"ingress":[{"from":[{"podSelector":{"matchExpressions":[{"key":"c","operator":"In","values":["d"]}]},"namespaceSelector":{}}],"ports":[{"port":80},{"port":"http","protocol":"UDP"},{"port":8000,"endPort":9000},{"protocol":"SCTP"}]}]}""")]
    [InlineData("""{"podSelector":{},"egress":[{"to":[{"ipBlock":{"cidr":"10.0.0.0/8","except":["10.1.0.0/16","10.2.3.4/32"]}},{"ipBlock":{"cidr":"fd00::/8","except":["fd00:1::/32"]}}]}],"policyTypes":["Egress"]}""")]
    [InlineData("""{"podSelector":{},"ingress":[{}],"egress":[{}],"policyTypes":["Ingress","Egress"]}""")]
    public void ValidPoliciesPass(string spec) => Assert.Empty(Errors(spec));

    [Theory]
    [InlineData("""{"podSelector":{},"ingress":[{"from":[{}]}]}""", "spec.ingress[0].from[0]: Required value: must specify a peer")]
    [InlineData("""{"podSelector":{},"egress":[{"to":[{"ipBlock":{"cidr":"10.0.0.0/8"},"podSelector":{}}]}]}""", "spec.egress[0].to[0]: Forbidden: may not specify both ipBlock and another peer")]
    [InlineData("""{"podSelector":{},"ingress":[{"from":[{"ipBlock":{"cidr":""}}]}]}""", "spec.ingress[0].from[0].ipBlock.cidr: Required value")]
    [InlineData("""{"podSelector":{},"ingress":[{"from":[{"ipBlock":{"cidr":"10.0.0.0/33"}}]}]}""", "spec.ingress[0].from[0].ipBlock.cidr: Invalid value: \"10.0.0.0/33\": must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)")]
    [InlineData("""{"podSelector":{},"ingress":[{"from":[{"ipBlock":{"cidr":"10.0.0.0/16","except":["10.0.0.0/16"]}}]}]}""", "spec.ingress[0].from[0].ipBlock.except[0]: Invalid value: \"10.0.0.0/16\": must be a strict subset of `cidr`")]
    [InlineData("""{"podSelector":{},"ingress":[{"from":[{"ipBlock":{"cidr":"10.0.0.0/16","except":["192.168.0.0/24"]}}]}]}""", "spec.ingress[0].from[0].ipBlock.except[0]: Invalid value: \"192.168.0.0/24\": must be a strict subset of `cidr`")]
    [InlineData("""{"podSelector":{},"ingress":[{"ports":[{"port":80,"protocol":"ICMP"}]}]}""", "spec.ingress[0].ports[0].protocol: Unsupported value: \"ICMP\": supported values: \"TCP\", \"UDP\", \"SCTP\"")]
    [InlineData("""{"podSelector":{},"ingress":[{"ports":[{"port":0}]}]}""", "spec.ingress[0].ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive")]
    [InlineData("""{"podSelector":{},"ingress":[{"ports":[{"port":"not_a_name"}]}]}""", "spec.ingress[0].ports[0].port: Invalid value: \"not_a_name\": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)")]
    [InlineData("""{"podSelector":{},"egress":[{"ports":[{"port":9000,"endPort":8000}]}]}""", "spec.egress[0].ports[0].endPort: Invalid value: 9000: must be greater than or equal to `port`")]
    [InlineData("""{"podSelector":{},"egress":[{"ports":[{"port":"dns","endPort":8000}]}]}""", "spec.egress[0].ports[0].endPort: Invalid value: 8000: may not be specified when `port` is non-numeric")]
    [InlineData("""{"podSelector":{},"egress":[{"ports":[{"endPort":8000}]}]}""", "spec.egress[0].ports[0].endPort: Invalid value: 8000: may not be specified when `port` is not specified")]
    [InlineData("""{"podSelector":{},"policyTypes":["Ingress","Egress","Ingress"]}""", "spec.policyTypes: Invalid value: []networking.PolicyType{\"Ingress\", \"Egress\", \"Ingress\"}: may not specify more than two policyTypes")]
    [InlineData("""{"podSelector":{},"policyTypes":["Sideways"]}""", "spec.policyTypes[0]: Unsupported value: \"Sideways\": supported values: \"Ingress\", \"Egress\"")]
    [InlineData("""{"podSelector":{"matchExpressions":[{"key":"a","operator":"In"}]}}""", "spec.podSelector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'")]
    [InlineData("""{"podSelector":{},"ingress":[{"from":[{"namespaceSelector":{"matchExpressions":[{"key":"a","operator":"Exists","values":["x"]}]}}]}]}""", "spec.ingress[0].from[0].namespaceSelector.matchExpressions[0].values: Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'")]
    [InlineData("""{"podSelector":{"matchExpressions":[{"key":"a","operator":"Gt","values":["1"]}]}}""", "spec.podSelector.matchExpressions[0].operator: Invalid value: \"Gt\": not a valid selector operator")]
    [InlineData("""{"podSelector":{"matchLabels":{"a":"b c"}}}""", "spec.podSelector.matchLabels: Invalid value: \"b c\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')")]
    public void InvalidPoliciesFailWithUpstreamsText(string spec, string expected) => Assert.Contains(expected, Errors(spec));

    [Fact]
    public void DefaultsPolicyTypesAndProtocols()
    {
        var (obj, errors) = StrategyHarness.Create(NetworkPolicyStrategy.Instance, """{"metadata":{"name":"np"},"spec":{"egress":[{"ports":[{"port":53}]}]}}""");
        Assert.Empty(errors);
        Assert.Equal("""["Ingress","Egress"]""", obj["spec"]!["policyTypes"]!.ToJsonString());
        Assert.Equal("TCP", (string?)obj["spec"]!["egress"]![0]!["ports"]![0]!["protocol"]);
        Assert.Equal("{}", obj["spec"]!["podSelector"]!.ToJsonString());
    }
}
