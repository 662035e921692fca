using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using Skiff.Testing.ControlPlane;
using Xunit;

namespace Skiff.ApiServer.Tests.Aggregation;

/// <summary>
/// The aggregation layer without a backend: autoregistered local APIServices (listed by the real kubectl, following
/// CRDs), request-header authentication with the front-proxy certificate, the extension-apiserver-authentication
/// ConfigMap, and the Available condition of a backend whose Service is missing.
/// </summary>
public sealed class AggregationTests(ControlPlaneFixture f) : IClassFixture<ControlPlaneFixture>
{
    [Fact]
    public async Task KubectlGetApiServices_ListsALocalApiServicePerServedGroupVersion()
    {
        var kubectl = new Kubectl(f.Cp.KubeconfigPath);
        await kubectl.OkAsync("wait", "--for=condition=Available", "apiservice/v1.apps", "apiservice/v1.", "--timeout=30s");
        var output = await kubectl.OkAsync("get", "apiservices");
        var lines = output.Split('\n');
        Assert.Matches("^NAME +SERVICE +AVAILABLE +AGE$", lines[0]);
        Assert.Contains(lines, l => System.Text.RegularExpressions.Regex.IsMatch(l, "^v1\\.apps +Local +True +"));
        Assert.Contains(lines, l => System.Text.RegularExpressions.Regex.IsMatch(l, "^v1\\. +Local +True +"));
        Assert.Contains(lines, l => l.StartsWith("v1.apiregistration.k8s.io ", StringComparison.Ordinal));

        var apps = await f.Cp.SendAsync(HttpMethod.Get, "/apis/apiregistration.k8s.io/v1/apiservices/v1.apps");
        Assert.Equal("onstart", apps.Body!["metadata"]!["labels"]!["kube-aggregator.kubernetes.io/automanaged"]!.GetValue<string>());
        Assert.Equal(17800, apps.Body["spec"]!["groupPriorityMinimum"]!.GetValue<int>());
        var condition = apps.Body["status"]!["conditions"]![0]!;
        Assert.Equal("Local", condition["reason"]!.GetValue<string>());
        Assert.Equal("Local APIServices are always available", condition["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task ACrdGroupVersion_GetsALocalApiService_ThatGoesWithTheCrd()
    {
        var kubectl = new Kubectl(f.Cp.KubeconfigPath);
        var crd = """
            apiVersion: apiextensions.k8s.io/v1
            kind: CustomResourceDefinition
            metadata: {name: gadgets.autoreg.example.com}
            spec:
              group: autoreg.example.com
              scope: Namespaced
              names: {plural: gadgets, singular: gadget, kind: Gadget}
              versions:
              - {name: v1, served: true, storage: true, schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}}
            """;
        var (exit, _, err) = await kubectl.RunAsync(["apply", "-f", "-"], crd);
        Assert.True(exit == 0, err);
        await kubectl.OkAsync("wait", "--for=condition=Available", "apiservice/v1.autoreg.example.com", "--timeout=30s");
        var created = await f.Cp.SendAsync(HttpMethod.Get, "/apis/apiregistration.k8s.io/v1/apiservices/v1.autoreg.example.com");
        Assert.Equal("true", created.Body!["metadata"]!["labels"]!["kube-aggregator.kubernetes.io/automanaged"]!.GetValue<string>());
        Assert.Equal(1000, created.Body["spec"]!["groupPriorityMinimum"]!.GetValue<int>());

        await kubectl.OkAsync("delete", "crd", "gadgets.autoreg.example.com", "--wait=true");
        await kubectl.OkAsync("wait", "--for=delete", "apiservice/v1.autoreg.example.com", "--timeout=30s");
    }

    [Fact]
    public async Task FrontProxyCertificate_WithRemoteUserHeaders_AuthenticatesAsThatUser()
    {
        using var client = ClientWith(f.Cp.Host.Certificates.FrontProxyClient);
        using var request = SelfSubjectReview();
        request.Headers.Add("X-Remote-User", "alice");
        request.Headers.Add("X-Remote-Group", "devs");
        request.Headers.Add("X-Remote-Extra-Scopes", "read");
        using var response = await client.SendAsync(request);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal(201, (int)response.StatusCode);
        var user = body["status"]!["userInfo"]!;
        Assert.Equal("alice", user["username"]!.GetValue<string>());
        Assert.Equal(["devs", "system:authenticated"], user["groups"]!.AsArray().Select(g => g!.GetValue<string>()));
        Assert.Equal("read", user["extra"]!["scopes"]![0]!.GetValue<string>());
    }

    [Fact]
    public async Task FrontProxyCaCertificate_WithAnotherCn_CannotStateAUser()
    {
        using var intruder = IssueFromFrontProxyCa("CN=intruder");
        using var client = ClientWith(intruder);
        using var request = SelfSubjectReview();
        request.Headers.Add("X-Remote-User", "alice");
        request.Headers.Add("X-Remote-Group", "system:masters");
        using var response = await client.SendAsync(request);
        // Not a proxy, and not a client certificate of the cluster CA either: unauthenticated.
        Assert.Equal(401, (int)response.StatusCode);
    }

    [Fact]
    public async Task ExtensionApiServerAuthentication_ConfigMap_IsPublished()
    {
        var cm = await f.Cp.SendAsync(HttpMethod.Get, "/api/v1/namespaces/kube-system/configmaps/extension-apiserver-authentication");
        Assert.Equal(200, cm.Status);
        var data = cm.Body!["data"]!;
        Assert.Contains(f.Cp.Host.Certificates.CaPem.Trim(), data["client-ca-file"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(f.Cp.Host.Certificates.FrontProxyCaPem.Trim(), data["requestheader-client-ca-file"]!.GetValue<string>().Trim());
        Assert.Equal("[\"front-proxy-client\"]", data["requestheader-allowed-names"]!.GetValue<string>());
        Assert.Equal("[\"X-Remote-User\"]", data["requestheader-username-headers"]!.GetValue<string>());
        Assert.Equal("[\"X-Remote-Group\"]", data["requestheader-group-headers"]!.GetValue<string>());
        Assert.Equal("[\"X-Remote-Extra-\"]", data["requestheader-extra-headers-prefix"]!.GetValue<string>());
    }

    [Fact]
    public async Task ApiServiceForAMissingService_IsNotAvailable_WithServiceNotFound_AndRequestsGet503()
    {
        var kubectl = new Kubectl(f.Cp.KubeconfigPath);
        var (exit, _, err) = await kubectl.RunAsync(["apply", "-f", "-"], """
            apiVersion: apiregistration.k8s.io/v1
            kind: APIService
            metadata: {name: v1.missing.example.com}
            spec:
              group: missing.example.com
              version: v1
              groupPriorityMinimum: 100
              versionPriority: 10
              insecureSkipTLSVerify: true
              service: {namespace: default, name: nothing-here}
            """);
        Assert.True(exit == 0, err);
        await kubectl.OkAsync("wait", "--for=condition=Available=False", "apiservice/v1.missing.example.com", "--timeout=30s");
        var obj = await f.Cp.SendAsync(HttpMethod.Get, "/apis/apiregistration.k8s.io/v1/apiservices/v1.missing.example.com");
        var condition = obj.Body!["status"]!["conditions"]![0]!;
        Assert.Equal("ServiceNotFound", condition["reason"]!.GetValue<string>());
        Assert.Equal("service/nothing-here in \"default\" is not present", condition["message"]!.GetValue<string>());
        Assert.Contains("False (ServiceNotFound)", await kubectl.OkAsync("get", "apiservice", "v1.missing.example.com"), StringComparison.Ordinal);

        using var response = await f.Cp.Client.GetAsync("/apis/missing.example.com/v1/things");
        Assert.Equal(503, (int)response.StatusCode);
        Assert.Equal("service unavailable\n", await response.Content.ReadAsStringAsync());
        var groups = await f.Cp.SendAsync(HttpMethod.Get, "/apis");
        Assert.DoesNotContain(groups.Body!["groups"]!.AsArray(), g => g!["name"]!.GetValue<string>() == "missing.example.com");
        await kubectl.OkAsync("delete", "apiservice", "v1.missing.example.com");
    }

    private static HttpRequestMessage SelfSubjectReview() => new(HttpMethod.Post, "/apis/authentication.k8s.io/v1/selfsubjectreviews")
    {
        Content = new StringContent("""{"apiVersion":"authentication.k8s.io/v1","kind":"SelfSubjectReview"}""", Encoding.UTF8, "application/json"),
    };

    private HttpClient ClientWith(X509Certificate2 certificate)
    {
        var handler = new SocketsHttpHandler();
        handler.SslOptions.ClientCertificates = [certificate];
        handler.SslOptions.RemoteCertificateValidationCallback = (_, _, _, _) => true;
        return new HttpClient(handler) { BaseAddress = f.Cp.BaseAddress };
    }

    private X509Certificate2 IssueFromFrontProxyCa(string subject)
    {
        var pki = Path.Combine(f.Cp.DataDirectory, "pki");
        using var ca = X509Certificate2.CreateFromPemFile(Path.Combine(pki, "front-proxy-ca.crt"), Path.Combine(pki, "front-proxy-ca.key"));
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.2")], false));
        using var cert = request.Create(ca, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1), [1, 2, 3, 4]);
        using var withKey = cert.CopyWithPrivateKey(key);
        return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
    }
}
