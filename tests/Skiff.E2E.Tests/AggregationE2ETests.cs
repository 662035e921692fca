using Xunit;

namespace Skiff.E2E.Tests;

/// <summary>
/// The aggregation layer in the real <c>skiff</c> binary: the front-proxy PKI under the data dir, the
/// <c>--requestheader-*</c> flags published in <c>kube-system/extension-apiserver-authentication</c>, and the
/// autoregistered local APIServices listed by the real kubectl.
/// </summary>
public sealed class AggregationE2ETests
{
    [SkippableFact]
    public async Task Apiserver_RequestHeaderFlags_ArePublished_AndLocalApiServicesAreListed()
    {
        Skip.IfNot(SkiffProcess.KubectlAvailable, "kubectl not installed");
        await using var skiff = await SkiffProcess.StartAsync("apiserver", null, null,
            ["--storage", "memory", "--requestheader-allowed-names", "front-proxy-client,other-proxy", "--requestheader-username-headers", "X-Proxy-User,X-Remote-User"]);

        Assert.True(File.Exists(Path.Combine(skiff.DataDir, "pki", "front-proxy-ca.crt")));
        Assert.True(File.Exists(Path.Combine(skiff.DataDir, "pki", "front-proxy-client.key")));
        var (_, names, _) = await skiff.KubectlArgsOkAsync(["get", "configmap", "-n", "kube-system", "extension-apiserver-authentication",
            "-o", "jsonpath={.data.requestheader-allowed-names} {.data.requestheader-username-headers} {.data.requestheader-group-headers}"]);
        Assert.Equal("""["front-proxy-client","other-proxy"] ["X-Proxy-User","X-Remote-User"] ["X-Remote-Group"]""", names.Trim());

        await skiff.KubectlArgsOkAsync(["wait", "--for=condition=Available", "apiservice/v1.", "apiservice/v1.apps", "--timeout=30s"]);
        var (_, list, _) = await skiff.KubectlOkAsync("get apiservices");
        Assert.Matches("(?m)^v1\\.apps +Local +True +", list);
        Assert.Equal(0, await skiff.SignalAndWaitAsync(15));
    }
}
