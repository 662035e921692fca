using Skiff.Client.Config;
using Xunit;

namespace Skiff.Client.Tests.Config;

public class KubeConfigLoaderTests
{
    private const string First = """
        apiVersion: v1
        kind: Config
        current-context: one
        clusters:
        - name: c1
          cluster:
            server: https://one.example:6443
            certificate-authority: ca.pem
            insecure-skip-tls-verify: true
            tls-server-name: api.one
        users:
        - name: u1
          user:
            token: tok-1
            client-certificate: certs/u1.crt
            client-key: /abs/u1.key
        contexts:
        - name: one
          context:
            cluster: c1
            user: u1
            namespace: team-a
        """;

    private const string Second = """
        current-context: two
        clusters:
        - name: c1
          cluster:
            server: https://shadowed.example
        - name: c2
          cluster:
            server: https://two.example
            certificate-authority-data: aGVsbG8=
        users:
        - name: u2
          user:
            username: admin
            password: secret
        contexts:
        - name: two
          context:
            cluster: c2
            user: u2
        """;

    [Fact]
    public void Parse_FullConfig_ReadsEveryField_ResolvesRelativePaths()
    {
        var cfg = KubeConfigLoader.Parse(First, "/home/me/.kube");
        Assert.Equal("one", cfg.CurrentContext);
        var c1 = cfg.Clusters["c1"];
        Assert.Equal("https://one.example:6443", c1.Server);
        Assert.Equal("/home/me/.kube/ca.pem", c1.CertificateAuthority);
        Assert.True(c1.InsecureSkipTlsVerify);
        Assert.Equal("api.one", c1.TlsServerName);
        var u1 = cfg.Users["u1"];
        Assert.Equal("tok-1", u1.Token);
        Assert.Equal("/home/me/.kube/certs/u1.crt", u1.ClientCertificate);
        Assert.Equal("/abs/u1.key", u1.ClientKey);
        Assert.Equal(new KubeContext { Cluster = "c1", User = "u1", Namespace = "team-a" }, cfg.Contexts["one"]);
    }

    [Fact]
    public void Merge_SeveralFiles_FirstDefinitionAndFirstCurrentContextWin()
    {
        var merged = KubeConfigLoader.Merge([KubeConfigLoader.Parse(First), KubeConfigLoader.Parse(Second)]);
        Assert.Equal("one", merged.CurrentContext);
        Assert.Equal("https://one.example:6443", merged.Clusters["c1"].Server);
        Assert.Equal("https://two.example", merged.Clusters["c2"].Server);
        Assert.Equal("hello"u8.ToArray(), merged.Clusters["c2"].CertificateAuthorityData);
        Assert.Equal(["one", "two"], merged.Contexts.Keys.Order());
    }

    [Fact]
    public void Merge_FirstHasNoCurrentContext_TakesNext()
    {
        var merged = KubeConfigLoader.Merge([KubeConfigLoader.Parse("clusters: []"), KubeConfigLoader.Parse(Second)]);
        Assert.Equal("two", merged.CurrentContext);
    }

    [Fact]
    public void LoadFile_RelativePaths_ResolvedAgainstTheFilesDirectory()
    {
        var dir = Directory.CreateTempSubdirectory("kubecfg");
        try
        {
            var path = Path.Combine(dir.FullName, "config");
            File.WriteAllText(path, First);
            var cfg = KubeConfigLoader.LoadFile(path);
            Assert.Equal(Path.Combine(dir.FullName, "ca.pem"), cfg.Clusters["c1"].CertificateAuthority);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Theory]
    [InlineData("clusters: [")]
    [InlineData("clusters:\n- name: x\n  cluster:\n    certificate-authority-data: '***'")]
    public void Parse_Malformed_ThrowsFormatException(string yaml)
    {
        Assert.Throws<FormatException>(() => KubeConfigLoader.Parse(yaml));
    }

    [Fact]
    public void FromKubeConfig_SelectedContext_BuildsClientConfig()
    {
        var merged = KubeConfigLoader.Merge([KubeConfigLoader.Parse(First), KubeConfigLoader.Parse(Second.Replace("certificate-authority-data: aGVsbG8=", "proxy-url: ''"))]);
        var two = ClientConfigLoader.FromKubeConfig(merged, "two");
        Assert.Equal(new Uri("https://two.example"), two.Host);
        Assert.Equal("admin", two.Username);
        Assert.Equal("secret", two.Password);
        Assert.Null(two.Namespace);
    }

    [Fact]
    public void FromKubeConfig_CaDataWithoutCertificate_ThrowsFormatException()
    {
        var cfg = KubeConfigLoader.Parse(Second);
        Assert.Throws<FormatException>(() => ClientConfigLoader.FromKubeConfig(cfg, "two"));
    }

    [Theory]
    [InlineData("missing")]
    [InlineData(null)]
    public void FromKubeConfig_UnknownOrNoContext_Throws(string? context)
    {
        var cfg = KubeConfigLoader.Parse("clusters: []");
        Assert.Throws<InvalidOperationException>(() => ClientConfigLoader.FromKubeConfig(cfg, context));
    }
}
