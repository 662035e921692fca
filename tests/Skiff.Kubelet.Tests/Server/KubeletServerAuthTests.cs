using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using k8s.Models;
using Skiff.ApiServer.Security;
using Skiff.Kubelet.Server;
using Skiff.Kubelet.Tests.Testing;
using Xunit;

namespace Skiff.Kubelet.Tests.Server;

/// <summary>
/// The kubelet API's authentication and authorization (upstream <c>pkg/kubelet/server/auth.go</c>) against the real API
/// server: cluster-CA client certificates and reviewed bearer tokens, SubjectAccessReviews on <c>nodes/*</c>.
/// </summary>
public sealed class KubeletServerAuthTests : IAsyncLifetime
{
    private StreamingHarness _h = null!;

    public async Task InitializeAsync() => _h = await StreamingHarness.StartAsync();

    public async Task DisposeAsync() => await _h.DisposeAsync();

    [Theory]
    [InlineData("GET", "/containerLogs/default/p/c", "get", "proxy")]
    [InlineData("POST", "/exec/default/p/c", "create", "proxy")]
    [InlineData("GET", "/stats/summary", "get", "stats")]
    [InlineData("GET", "/metrics/cadvisor", "get", "metrics")]
    [InlineData("GET", "/logs/syslog", "get", "log")]
    [InlineData("POST", "/checkpoint/default/p/c", "create", "checkpoint")]
    [InlineData("GET", "/logsx", "get", "proxy")]
    [InlineData("PUT", "/pods", "update", "proxy")]
    public void RequestAttributesAreUpstreams(string method, string path, string verb, string subresource) =>
        Assert.Equal((verb, subresource), KubeletAuthFilter.Attributes(method, path));

    [Fact]
    public async Task ACertificateUserWithoutRightsIsForbiddenWithUpstreamsText()
    {
        using var http = CertificateClient("alice", ["team-a"]);
        var r = await http.GetAsync(Url("/pods"));
        Assert.Equal(HttpStatusCode.Forbidden, r.StatusCode);
        Assert.Equal("Forbidden (user=alice, verb=get, resource=nodes, subresource=proxy)", await r.Content.ReadAsStringAsync());
        r = await http.GetAsync(Url("/stats/summary"));
        Assert.Equal("Forbidden (user=alice, verb=get, resource=nodes, subresource=stats)", await r.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task ACertificateUserBoundToNodesProxyIsServed()
    {
        await GrantAsync("User", "bob", "get");
        using var http = CertificateClient("bob", []);
        var r = await http.GetAsync(Url("/healthz"));
        Assert.Equal("ok", await r.Content.ReadAsStringAsync());
        r = await http.PostAsync(Url("/exec/default/p/c?command=true"), null);
        Assert.Equal("Forbidden (user=bob, verb=create, resource=nodes, subresource=proxy)", await r.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task BearerTokensAreReviewedByTheApiServer()
    {
        var cs = _h.Cp.Cluster.Clientset;
        await cs.CoreV1().ServiceAccounts("default").CreateAsync(new V1ServiceAccount { Metadata = new V1ObjectMeta { Name = "scraper" } });
        await GrantAsync("ServiceAccount", "scraper", "get");
        var token = await TokenAsync("scraper");

        using var handler = new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, _, _, _) => true };
        using var http = new HttpClient(handler);
        using var ok = new HttpRequestMessage(HttpMethod.Get, Url("/healthz")) { Headers = { Authorization = new AuthenticationHeaderValue("Bearer", token) } };
        var r = await http.SendAsync(ok);
        Assert.Equal("ok", await r.Content.ReadAsStringAsync());

        using var bad = new HttpRequestMessage(HttpMethod.Get, Url("/healthz")) { Headers = { Authorization = new AuthenticationHeaderValue("Bearer", token[..^4] + "AAAA") } };
        r = await http.SendAsync(bad);
        Assert.Equal(HttpStatusCode.Unauthorized, r.StatusCode);
        Assert.Equal("Unauthorized", await r.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task TheApiServersKubeletClientIdentityIsAllowedThroughItsBootstrapBinding()
    {
        // The API server's kubelet-client certificate (CN kube-apiserver-kubelet-client), as the kubelet reviews it.
        var auth = new DelegatedKubeletAuth(_h.Cp.Cluster.Clientset, StreamingHarness.NodeName);
        var apiserver = new KubeletUser("kube-apiserver-kubelet-client", ["kubeadm:cluster-admins", "system:authenticated"]);
        foreach (var (verb, subresource) in new[] { ("get", "proxy"), ("create", "proxy"), ("get", "stats"), ("get", "log"), ("get", "metrics") })
        {
            Assert.True(await auth.AuthorizeAsync(apiserver, verb, subresource, default), $"{verb} nodes/{subresource}");
        }

        Assert.False(await auth.AuthorizeAsync(new KubeletUser("mallory", ["system:authenticated"]), "get", "proxy", default));
    }

    private Uri Url(string path) => new($"https://127.0.0.1:{_h.Kubelet.Port}{path}");

    private HttpClient CertificateClient(string user, string[] groups)
    {
        var (certPem, keyPem) = ClusterCertificates.IssueClientCertificate(Path.Combine(_h.Cp.DataDirectory, "pki"), user, groups);
        using var pem = X509Certificate2.CreateFromPem(certPem, keyPem);
        var cert = X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
        var handler = new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, _, _, _) => true, ClientCertificateOptions = ClientCertificateOption.Manual };
        handler.ClientCertificates.Add(cert);
        return new HttpClient(handler, disposeHandler: true);
    }

    /// <summary>A ClusterRole allowing <paramref name="verbs"/> on nodes/proxy, bound to the subject.</summary>
    private async Task GrantAsync(string kind, string name, string verbs)
    {
        var cs = _h.Cp.Cluster.Clientset;
        var role = "kubelet-" + name;
        await cs.Resource<V1ClusterRole, V1ClusterRoleList>().CreateAsync(new V1ClusterRole
        {
            Metadata = new V1ObjectMeta { Name = role },
            Rules = [new V1PolicyRule { ApiGroups = [""], Resources = ["nodes/proxy"], Verbs = [.. verbs.Split(',')] }],
        });
        await cs.Resource<V1ClusterRoleBinding, V1ClusterRoleBindingList>().CreateAsync(new V1ClusterRoleBinding
        {
            Metadata = new V1ObjectMeta { Name = role },
            RoleRef = new V1RoleRef { ApiGroup = "rbac.authorization.k8s.io", Kind = "ClusterRole", Name = role },
            Subjects = [kind == "ServiceAccount"
                ? new Rbacv1Subject { Kind = kind, Name = name, NamespaceProperty = "default" }
                : new Rbacv1Subject { Kind = kind, Name = name, ApiGroup = "rbac.authorization.k8s.io" }],
        });
    }

    private async Task<string> TokenAsync(string sa)
    {
        var body = new Dictionary<string, object> { ["apiVersion"] = "authentication.k8s.io/v1", ["kind"] = "TokenRequest", ["spec"] = new Dictionary<string, object>() };
        var r = await _h.Cp.Cluster.Clientset.Rest.Post().ApiVersion("v1").Namespace("default").Resource("serviceaccounts").Name(sa).SubResource("token").Body(body).DoAsync();
        return JsonDocument.Parse(Encoding.UTF8.GetString(r.Body)).RootElement.GetProperty("status").GetProperty("token").GetString()!;
    }
}
