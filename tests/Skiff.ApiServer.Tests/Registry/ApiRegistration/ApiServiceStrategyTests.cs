using Skiff.ApiServer.Registry.ApiRegistration;
using Xunit;

namespace Skiff.ApiServer.Tests.Registry.ApiRegistration;

/// <summary>APIService validation, defaults and printing as upstream's kube-aggregator registry.</summary>
public sealed class ApiServiceStrategyTests
{
    private static string Obj(string name, string group, string version, string extra = "", int groupPriority = 1000, int versionPriority = 15) =>
        "{\"apiVersion\":\"apiregistration.k8s.io/v1\",\"kind\":\"APIService\",\"metadata\":{\"name\":\"" + name + "\"},"
        + "\"spec\":{\"group\":\"" + group + "\",\"version\":\"" + version + "\",\"groupPriorityMinimum\":" + groupPriority
        + ",\"versionPriority\":" + versionPriority + extra + "}}";

    [Fact]
    public void ValidRemoteApiService_DefaultsPort443()
    {
        var (obj, errors) = StrategyHarness.Create(ApiServiceStrategy.Instance,
            Obj("v1alpha1.wardle.example.com", "wardle.example.com", "v1alpha1", ""","service":{"namespace":"wardle","name":"api"},"insecureSkipTLSVerify":true"""));
        Assert.Empty(errors);
        Assert.Equal(443, obj["spec"]!["service"]!["port"]!.GetValue<int>());
        Assert.Equal("wardle/api", ApiServiceStrategy.ServiceCell(obj));
        Assert.Equal("Unknown", ApiServiceStrategy.AvailableCell(obj));
    }

    [Fact]
    public void NameMustBeVersionDotGroup()
    {
        var (_, errors) = StrategyHarness.Create(ApiServiceStrategy.Instance, Obj("v1.wrong.example.com", "wardle.example.com", "v1"));
        Assert.Equal(["metadata.name: Invalid value: \"v1.wrong.example.com\": must be `spec.version+\".\"+spec.group`: \"v1.wardle.example.com\""], errors);
    }

    [Fact]
    public void PrioritiesOutOfRange_AreRejectedWithUpstreamMessages()
    {
        var (_, errors) = StrategyHarness.Create(ApiServiceStrategy.Instance, Obj("v1.a.example.com", "a.example.com", "v1", groupPriority: 0, versionPriority: 1001));
        Assert.Equal(
            [
                "spec.groupPriorityMinimum: Invalid value: 0: must be positive and less than 20000",
                "spec.versionPriority: Invalid value: 1001: must be positive and less than 1000",
            ],
            errors);
    }

    [Fact]
    public void EmptyGroup_OnlyForV1()
    {
        var (_, errors) = StrategyHarness.Create(ApiServiceStrategy.Instance, Obj("v2.", "", "v2"));
        Assert.Contains("spec.group: Required value: only v1 may have an empty group and it better be legacy kube", errors);
        Assert.Empty(StrategyHarness.Create(ApiServiceStrategy.Instance, Obj("v1.", "", "v1", groupPriority: 18000, versionPriority: 1)).Errors);
    }

    [Fact]
    public void LocalApiService_MayNotCarryTlsSettings()
    {
        var (_, errors) = StrategyHarness.Create(ApiServiceStrategy.Instance, Obj("v1.a.example.com", "a.example.com", "v1", ""","caBundle":"AAAA","insecureSkipTLSVerify":true"""));
        Assert.Equal(
            [
                "spec.caBundle: Invalid value: \"3 bytes\": local APIServices may not have a caBundle",
                "spec.insecureSkipTLSVerify: Invalid value: true: local APIServices may not have insecureSkipTLSVerify",
            ],
            errors);
    }

    [Fact]
    public void RemoteApiService_NeedsServiceNames_AndNotBothCaBundleAndInsecure()
    {
        var (_, errors) = StrategyHarness.Create(ApiServiceStrategy.Instance,
            Obj("v1.a.example.com", "a.example.com", "v1", ""","service":{"port":70000},"caBundle":"AAAA","insecureSkipTLSVerify":true"""));
        Assert.Equal(
            [
                "spec.service.namespace: Required value",
                "spec.service.name: Required value",
                "spec.service.port: Invalid value: 70000: must be between 1 and 65535, inclusive",
                "spec.insecureSkipTLSVerify: Invalid value: true: may not be true if caBundle is present",
            ],
            errors);
    }

    [Fact]
    public void AvailableCell_ShowsStatusAndReason()
    {
        var obj = StrategyHarness.Parse("""{"spec":{},"status":{"conditions":[{"type":"Available","status":"False","reason":"FailedDiscoveryCheck"}]}}""");
        Assert.Equal("False (FailedDiscoveryCheck)", ApiServiceStrategy.AvailableCell(obj));
        Assert.Equal("Local", ApiServiceStrategy.ServiceCell(obj));
    }

    [Fact]
    public void BadGroupAndVersion_AreQuotedOnce()
    {
        var (_, errors) = StrategyHarness.Create(ApiServiceStrategy.Instance, Obj("V1.Bad_Group", "Bad_Group", "V1"));
        Assert.Contains(errors, e => e.StartsWith("spec.group: Invalid value: \"Bad_Group\": a lowercase RFC 1123 subdomain", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("spec.version: Invalid value: \"V1\": a DNS-1035 label", StringComparison.Ordinal));
    }
}
