using System.Text;
using k8s.Models;
using Skiff.Client.Config;
using Skiff.Client.Events;
using Skiff.Client.Options;
using Skiff.Client.Typed;
using Skiff.Kubelet.Env;
using Xunit;

namespace Skiff.Kubelet.Tests.Env;

/// <summary>The resolver against a real in-process API server; expectations from upstream's TestMakeEnvironmentVariables.</summary>
public sealed class ContainerEnvResolverTests : IAsyncLifetime
{
    private static readonly PodNetworkInfo Network = new(["1.2.3.4", "fd00::6"], ["127.0.0.1"]);
    private static readonly Dictionary<string, ResourceQuantity> Allocatable = new() { ["cpu"] = new("4"), ["memory"] = new("8Gi") };
    private TestControlPlane _cp = null!;
    private Clientset _client = null!;
    private string _ns = null!;
    private Dictionary<string, string> _kubernetes = null!;

    public async Task InitializeAsync()
    {
        _cp = await TestControlPlane.StartAsync();
        var config = ClientConfigLoader.FromKubeConfig(KubeConfigLoader.LoadFile(_cp.KubeconfigPath)) with { Qps = 0 };
        _client = new Clientset(config);
        _ns = "env-" + Guid.NewGuid().ToString("N")[..8];
        await _client.CoreV1().Namespaces().CreateAsync(new V1Namespace { Metadata = new() { Name = _ns } });
        var master = await _client.CoreV1().Services("default").GetAsync("kubernetes");
        _kubernetes = ServiceEnvVars.FromServices([master]).ToDictionary();
        await _client.CoreV1().ConfigMaps(_ns).CreateAsync(new V1ConfigMap
        {
            Metadata = new() { Name = "test-config-map" },
            Data = new Dictionary<string, string> { ["REPLACE_ME"] = "FROM_CONFIG_MAP", ["DUPE_TEST"] = "CONFIG_MAP" },
        });
        await _client.CoreV1().Secrets(_ns).CreateAsync(new V1Secret
        {
            Metadata = new() { Name = "test-secret" },
            Data = new Dictionary<string, byte[]> { ["REPLACE_ME"] = Encoding.UTF8.GetBytes("FROM_SECRET"), ["DUPE_TEST"] = Encoding.UTF8.GetBytes("SECRET") },
        });
    }

    public async Task DisposeAsync() => await _cp.DisposeAsync();

    [Fact]
    public async Task ConfigMapEnvFrom_WithPrefix_ExpansionAndEnvOverride_PlusTheMasterService()
    {
        var container = new V1Container
        {
            Name = "app",
            EnvFrom =
            [
                new V1EnvFromSource { ConfigMapRef = new V1ConfigMapEnvSource { Name = "test-config-map" } },
                new V1EnvFromSource { Prefix = "p_", ConfigMapRef = new V1ConfigMapEnvSource { Name = "test-config-map" } },
            ],
            Env =
            [
                new V1EnvVar { Name = "TEST_LITERAL", Value = "test-test-test" },
                new V1EnvVar { Name = "EXPANSION_TEST", Value = "$(REPLACE_ME)" },
                new V1EnvVar { Name = "DUPE_TEST", Value = "ENV_VAR" },
            ],
        };
        var env = await ResolveAsync(container, enableServiceLinks: false);
        var expected = new Dictionary<string, string>(_kubernetes)
        {
            ["TEST_LITERAL"] = "test-test-test",
            ["REPLACE_ME"] = "FROM_CONFIG_MAP",
            ["EXPANSION_TEST"] = "FROM_CONFIG_MAP",
            ["DUPE_TEST"] = "ENV_VAR",
            ["p_REPLACE_ME"] = "FROM_CONFIG_MAP",
            ["p_DUPE_TEST"] = "CONFIG_MAP",
        };
        Assert.Equal(expected, env.ToDictionary());
        Assert.Equal(env.Count, env.Select(kv => kv.Key).Distinct().Count());
        Assert.Equal(["DUPE_TEST", "REPLACE_ME", "p_DUPE_TEST", "p_REPLACE_ME", "TEST_LITERAL", "EXPANSION_TEST"], env.Take(6).Select(kv => kv.Key));
    }

    [Fact]
    public async Task SecretEnvFromAndKeyRefs_OptionalOnesAreSkipped()
    {
        var container = new V1Container
        {
            Name = "app",
            EnvFrom = [new V1EnvFromSource { Prefix = "s_", SecretRef = new V1SecretEnvSource { Name = "test-secret" } }],
            Env =
            [
                new V1EnvVar { Name = "FROM_CM", ValueFrom = new V1EnvVarSource { ConfigMapKeyRef = new V1ConfigMapKeySelector { Name = "test-config-map", Key = "REPLACE_ME" } } },
                new V1EnvVar { Name = "FROM_SECRET", ValueFrom = new V1EnvVarSource { SecretKeyRef = new V1SecretKeySelector { Name = "test-secret", Key = "DUPE_TEST" } } },
                new V1EnvVar { Name = "GONE_CM", ValueFrom = new V1EnvVarSource { ConfigMapKeyRef = new V1ConfigMapKeySelector { Name = "missing", Key = "k", Optional = true } } },
                new V1EnvVar { Name = "GONE_KEY", ValueFrom = new V1EnvVarSource { SecretKeyRef = new V1SecretKeySelector { Name = "test-secret", Key = "nope", Optional = true } } },
            ],
        };
        var env = (await ResolveAsync(container, enableServiceLinks: false)).ToDictionary();
        Assert.Equal("FROM_SECRET", env["s_REPLACE_ME"]);
        Assert.Equal("SECRET", env["s_DUPE_TEST"]);
        Assert.Equal("FROM_CONFIG_MAP", env["FROM_CM"]);
        Assert.Equal("SECRET", env["FROM_SECRET"]);
        Assert.False(env.ContainsKey("GONE_CM"));
        Assert.False(env.ContainsKey("GONE_KEY"));

        var optionalSources = new V1Container
        {
            Name = "app",
            EnvFrom =
            [
                new V1EnvFromSource { ConfigMapRef = new V1ConfigMapEnvSource { Name = "missing-config-map", Optional = true } },
                new V1EnvFromSource { SecretRef = new V1SecretEnvSource { Name = "missing-secret", Optional = true } },
            ],
        };
        Assert.Equal(_kubernetes, (await ResolveAsync(optionalSources, enableServiceLinks: false)).ToDictionary());
    }

    [Theory]
    [InlineData("cm", "configmap \"missing-config-map\" not found")]
    [InlineData("secret", "secret \"missing-secret\" not found")]
    [InlineData("cmkey", "couldn't find key nope in ConfigMap {ns}/test-config-map")]
    [InlineData("secretkey", "couldn't find key nope in Secret {ns}/test-secret")]
    public async Task MissingRequiredSources_FailWithUpstreamsMessage(string kind, string message)
    {
        var container = new V1Container { Name = "app" };
        switch (kind)
        {
            case "cm":
                container.EnvFrom = [new V1EnvFromSource { ConfigMapRef = new V1ConfigMapEnvSource { Name = "missing-config-map" } }];
                break;
            case "secret":
                container.Env = [new V1EnvVar { Name = "X", ValueFrom = new V1EnvVarSource { SecretKeyRef = new V1SecretKeySelector { Name = "missing-secret", Key = "k" } } }];
                break;
            case "cmkey":
                container.Env = [new V1EnvVar { Name = "X", ValueFrom = new V1EnvVarSource { ConfigMapKeyRef = new V1ConfigMapKeySelector { Name = "test-config-map", Key = "nope" } } }];
                break;
            default:
                container.Env = [new V1EnvVar { Name = "X", ValueFrom = new V1EnvVarSource { SecretKeyRef = new V1SecretKeySelector { Name = "test-secret", Key = "nope" } } }];
                break;
        }

        var e = await Assert.ThrowsAsync<EnvResolutionException>(() => ResolveAsync(container, enableServiceLinks: false));
        Assert.Equal(message.Replace("{ns}", _ns, StringComparison.Ordinal), e.Message);
    }

    [Fact]
    public async Task DownwardApiAndExpansion_AsUpstreamsEnvExpansionCase()
    {
        var container = new V1Container
        {
            Name = "app",
            Resources = new V1ResourceRequirements { Requests = new Dictionary<string, ResourceQuantity> { ["memory"] = new("64Mi") } },
            Env =
            [
                new V1EnvVar { Name = "TEST_LITERAL", Value = "test-test-test" },
                new V1EnvVar { Name = "POD_NAME", ValueFrom = new V1EnvVarSource { FieldRef = new V1ObjectFieldSelector { ApiVersion = "v1", FieldPath = "metadata.name" } } },
                new V1EnvVar { Name = "OUT_OF_ORDER_TEST", Value = "$(OUT_OF_ORDER_TARGET)" },
                new V1EnvVar { Name = "OUT_OF_ORDER_TARGET", Value = "FOO" },
                new V1EnvVar { Name = "EMPTY_VAR" },
                new V1EnvVar { Name = "EMPTY_TEST", Value = "foo-$(EMPTY_VAR)" },
                new V1EnvVar { Name = "POD_NAME_TEST2", Value = "test2-$(POD_NAME)" },
                new V1EnvVar { Name = "POD_NAME_TEST3", Value = "$(POD_NAME_TEST2)-3" },
                new V1EnvVar { Name = "LITERAL_TEST", Value = "literal-$(TEST_LITERAL)" },
                new V1EnvVar { Name = "TEST_UNDEFINED", Value = "$(UNDEFINED_VAR)" },
                new V1EnvVar { Name = "ESCAPED", Value = "$$(TEST_LITERAL)" },
                new V1EnvVar { Name = "POD_IPS", ValueFrom = new V1EnvVarSource { FieldRef = new V1ObjectFieldSelector { FieldPath = "status.podIPs" } } },
                new V1EnvVar { Name = "CPU_LIMIT", ValueFrom = new V1EnvVarSource { ResourceFieldRef = new V1ResourceFieldSelector { Resource = "limits.cpu", Divisor = new ResourceQuantity("1m") } } },
                new V1EnvVar { Name = "MEM_REQUEST", ValueFrom = new V1EnvVarSource { ResourceFieldRef = new V1ResourceFieldSelector { Resource = "requests.memory", Divisor = new ResourceQuantity("1Mi") } } },
                new V1EnvVar { Name = "KUBE_HOST", Value = "$(KUBERNETES_SERVICE_HOST)" },
            ],
        };
        var env = (await ResolveAsync(container, enableServiceLinks: false)).ToDictionary();
        Assert.Equal("dapi-test-pod-name", env["POD_NAME"]);
        Assert.Equal("test2-dapi-test-pod-name", env["POD_NAME_TEST2"]);
        Assert.Equal("test2-dapi-test-pod-name-3", env["POD_NAME_TEST3"]);
        Assert.Equal("literal-test-test-test", env["LITERAL_TEST"]);
        Assert.Equal("$(OUT_OF_ORDER_TARGET)", env["OUT_OF_ORDER_TEST"]);
        Assert.Equal("$(UNDEFINED_VAR)", env["TEST_UNDEFINED"]);
        Assert.Equal("", env["EMPTY_VAR"]);
        Assert.Equal("foo-", env["EMPTY_TEST"]);
        Assert.Equal("$(TEST_LITERAL)", env["ESCAPED"]);
        Assert.Equal("1.2.3.4,fd00::6", env["POD_IPS"]);
        Assert.Equal("4000", env["CPU_LIMIT"]);
        Assert.Equal("64", env["MEM_REQUEST"]);
        Assert.Equal(_kubernetes["KUBERNETES_SERVICE_HOST"], env["KUBE_HOST"]);
    }

    [Fact]
    public async Task ServiceLinks_AddTheNamespacesServices_FromTheApiOrAnInformersCache()
    {
        var svc = await _client.CoreV1().Services(_ns).CreateAsync(new V1Service
        {
            Metadata = new() { Name = "test" },
            Spec = new V1ServiceSpec { Ports = [new V1ServicePort { Port = 8083, Protocol = "TCP" }] },
        });
        var ip = svc.Spec.ClusterIP;
        Assert.False(string.IsNullOrEmpty(ip));
        var container = new V1Container { Name = "app", Env = [new V1EnvVar { Name = "SERVICE_VAR_TEST", Value = "$(TEST_SERVICE_HOST):$(TEST_SERVICE_PORT)" }] };

        var env = (await ResolveAsync(container, enableServiceLinks: true)).ToDictionary();
        Assert.Equal($"{ip}:8083", env["SERVICE_VAR_TEST"]);
        Assert.Equal($"tcp://{ip}:8083", env["TEST_PORT_8083_TCP"]);
        Assert.Equal(_kubernetes["KUBERNETES_PORT"], env["KUBERNETES_PORT"]);
        Assert.False((await ResolveAsync(container, enableServiceLinks: false)).ToDictionary().ContainsKey("TEST_SERVICE_HOST"));

        var indexer = new Skiff.Client.Cache.Indexer<V1Service>();
        foreach (var s in (await _client.CoreV1().Services().ListAsync(new ListOptions())).Items)
        {
            indexer.AddOrUpdate(s);
        }

        var cached = new ContainerEnvResolver(_client, Allocatable, new Skiff.Client.Cache.Lister<V1Service>(indexer));
        Assert.Equal(env, (await cached.ResolveAsync(NewPod(true), container, Network, CancellationToken.None)).ToDictionary());
    }

    [Fact]
    public async Task EnvFromKeysThatAreNotVariableNames_AreSkippedWithAnEvent()
    {
        var pod = await _client.CoreV1().Pods(_ns).CreateAsync(new V1Pod
        {
            Metadata = new() { Name = "dapi-test-pod-name" },
            Spec = new V1PodSpec { Containers = [new V1Container { Name = "app", Image = "busybox" }] },
        });
        var container = new V1Container
        {
            Name = "app",
            EnvFrom = [new V1EnvFromSource { Prefix = "bad=", ConfigMapRef = new V1ConfigMapEnvSource { Name = "test-config-map" } }],
        };
        await using var events = new EventRecorder(_client, "kubelet", "node-1");
        var resolver = new ContainerEnvResolver(_client, Allocatable, events: events);
        var env = await resolver.ResolveAsync(pod, container, Network, CancellationToken.None);
        Assert.DoesNotContain(env, kv => kv.Key.StartsWith("bad=", StringComparison.Ordinal));

        var list = await ListWatch.UntilAsync(_client.CoreV1().Events(_ns), es => es.Any(e => e.Reason == "InvalidEnvironmentVariableNames"));
        var ev = list.Single(e => e.Reason == "InvalidEnvironmentVariableNames");
        Assert.Equal("Warning", ev.Type);
        Assert.Equal("dapi-test-pod-name", ev.InvolvedObject.Name);
        Assert.Equal($"Keys [bad=DUPE_TEST, bad=REPLACE_ME] from the EnvFrom configMap {_ns}/test-config-map were skipped since they are considered invalid environment variable names.", ev.Message);
    }

    private Task<IReadOnlyList<KeyValuePair<string, string>>> ResolveAsync(V1Container container, bool enableServiceLinks) =>
        new ContainerEnvResolver(_client, Allocatable).ResolveAsync(NewPod(enableServiceLinks), container, Network, CancellationToken.None);

    private V1Pod NewPod(bool enableServiceLinks) => new()
    {
        Metadata = new V1ObjectMeta { Name = "dapi-test-pod-name", NamespaceProperty = _ns, Uid = "uid-1" },
        Spec = new V1PodSpec { NodeName = "node-name", ServiceAccountName = "special", EnableServiceLinks = enableServiceLinks },
    };
}
