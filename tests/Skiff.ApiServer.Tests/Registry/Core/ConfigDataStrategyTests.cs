using Skiff.ApiServer.Registry.Core;
using Xunit;
using static Skiff.ApiServer.Tests.Registry.StrategyHarness;

namespace Skiff.ApiServer.Tests.Registry.Core;

public class ConfigDataStrategyTests
{
    [Fact]
    public void Secret_DefaultsToOpaqueAndMergesStringData()
    {
        var (secret, errors) = Create(SecretStrategy.Instance, """{"metadata":{"name":"s"},"stringData":{"user":"admin"}}""");
        Assert.Empty(errors);
        Assert.Equal("Opaque", (string?)secret["type"]);
        Assert.Equal("YWRtaW4=", (string?)secret["data"]!["user"]);
        Assert.Null(secret["stringData"]);
    }

    [Fact]
    public void Secret_TypeChange_FieldIsImmutable()
    {
        var (secret, _) = Create(SecretStrategy.Instance, """{"metadata":{"name":"s"},"data":{"a":"YQ=="}}""");
        var (_, errors) = Update(SecretStrategy.Instance, secret, s => s["type"] = "kubernetes.io/basic-auth");
        Assert.Contains("type: Invalid value: \"kubernetes.io/basic-auth\": field is immutable", errors);
    }

    [Fact]
    public void Secret_TlsType_RequiresKeys()
    {
        var (_, errors) = Create(SecretStrategy.Instance, """{"metadata":{"name":"s"},"type":"kubernetes.io/tls","data":{"tls.crt":"eA=="}}""");
        Assert.Equal(["data[tls.key]: Required value"], errors);
    }

    [Fact]
    public void ConfigMap_Immutable_DataAndFlagFrozen()
    {
        var (cm, _) = Create(ConfigMapStrategy.Instance, """{"metadata":{"name":"c"},"immutable":true,"data":{"a":"1"}}""");
        var (_, dataErrors) = Update(ConfigMapStrategy.Instance, cm, c => c["data"]!["a"] = "2");
        Assert.Equal(["data: Forbidden: field is immutable when `immutable` is set"], dataErrors);
        var (_, flagErrors) = Update(ConfigMapStrategy.Instance, cm, c => c["immutable"] = false);
        Assert.Equal(["immutable: Forbidden: field is immutable when `immutable` is set"], flagErrors);
        var (_, labelsOnly) = Update(ConfigMapStrategy.Instance, cm, c => c["metadata"]!["labels"] = new System.Text.Json.Nodes.JsonObject { ["x"] = "y" });
        Assert.Empty(labelsOnly);
    }

    [Fact]
    public void ConfigMap_BadKeyAndOverlap_UpstreamErrors()
    {
        var (_, errors) = Create(ConfigMapStrategy.Instance, """{"metadata":{"name":"c"},"data":{"a b":"1","k":"v"},"binaryData":{"k":"dg=="}}""");
        Assert.Contains("data[a b]: Invalid value: \"a b\": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')", errors);
        Assert.Contains("data: Invalid value: \"k\": duplicate of key present in binaryData", errors);
    }

    [Fact]
    public void ConfigMap_DataCell_CountsDataAndBinaryData()
    {
        var (cm, _) = Create(ConfigMapStrategy.Instance, """{"metadata":{"name":"c"},"data":{"a":"1"},"binaryData":{"b":"dg=="}}""");
        Assert.Equal(2L, ConfigMapStrategy.Instance.Table.Cells(cm, DateTimeOffset.UtcNow)[1]);
    }

    [Fact]
    public void Namespace_CreateSetsFinalizerPhaseAndNameLabel()
    {
        var (ns, errors) = Create(NamespaceStrategy.Instance, """{"metadata":{"name":"team-a"}}""");
        Assert.Empty(errors);
        Assert.Equal("""["kubernetes"]""", ns["spec"]!["finalizers"]!.ToJsonString());
        Assert.Equal("Active", (string?)ns["status"]!["phase"]);
        Assert.Equal("team-a", (string?)ns["metadata"]!["labels"]!["kubernetes.io/metadata.name"]);
        Assert.Empty(NamespaceStrategy.Instance.ValidateName("team-a", false));
        Assert.NotEmpty(NamespaceStrategy.Instance.ValidateName("team.a", false));
    }

    [Fact]
    public void Namespace_UpdateCannotChangeSpec()
    {
        var (ns, _) = Create(NamespaceStrategy.Instance, """{"metadata":{"name":"a"}}""");
        var (updated, _) = Update(NamespaceStrategy.Instance, ns, n => n["spec"]!["finalizers"] = new System.Text.Json.Nodes.JsonArray());
        Assert.Equal("""["kubernetes"]""", updated["spec"]!["finalizers"]!.ToJsonString());
    }
}
