using k8s.Models;
using Skiff.Kubelet.Pods;
using Xunit;

namespace Skiff.Kubelet.Tests.Pods;

public class PodHostsFileTests
{
    private const string Localhost =
        "# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n"
        + "fe00::0\tip6-localnet\nfe00::0\tip6-mcastprefix\nfe00::1\tip6-allnodes\nfe00::2\tip6-allrouters\n";

    private static V1Pod Pod(string name, V1PodSpec? spec = null) =>
        new() { Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = "ns" }, Spec = spec ?? new V1PodSpec { Containers = [] } };

    [Fact]
    public void Content_PodNetwork_IsTheManagedFileWithThePodsIpAndName()
    {
        Assert.Equal(Localhost + "10.42.0.7\tweb-0\n", PodHostsFile.Content(Pod("web-0"), ["10.42.0.7"], "cluster.local", "127.0.0.1 node\n"));
    }

    [Fact]
    public void Content_Subdomain_GivesTheFullyQualifiedNameFirst()
    {
        var pod = Pod("mnist-worker-1", new V1PodSpec { Containers = [], Hostname = "w1", Subdomain = "mnist-worker" });

        Assert.Equal(Localhost + "10.42.0.7\tw1.mnist-worker.ns.svc.cluster.local\tw1\n", PodHostsFile.Content(pod, ["10.42.0.7"], "cluster.local", ""));
    }

    [Fact]
    public void Content_HostAliases_FollowUnderTheirHeaderOneLinePerIp()
    {
        var pod = Pod("a", new V1PodSpec
        {
            Containers = [],
            HostAliases = [new V1HostAlias { Ip = "10.1.2.3", Hostnames = ["foo.local", "bar.local"] }, new V1HostAlias { Ip = "10.1.2.4", Hostnames = ["baz"] }],
        });

        Assert.Equal(Localhost + "10.42.0.7\ta\n\n# Entries added by HostAliases.\n10.1.2.3\tfoo.local\tbar.local\n10.1.2.4\tbaz\n",
            PodHostsFile.Content(pod, ["10.42.0.7"], "cluster.local", ""));
    }

    [Fact]
    public void Content_HostNetwork_IsTheNodesFileUnderItsOwnHeader()
    {
        var pod = Pod("h", new V1PodSpec { Containers = [], HostNetwork = true, HostAliases = [new V1HostAlias { Ip = "10.1.2.3", Hostnames = ["foo"] }] });

        Assert.Equal("# Kubernetes-managed hosts file (host network).\n127.0.0.1 localhost\n127.0.0.1 node\n\n# Entries added by HostAliases.\n10.1.2.3\tfoo\n",
            PodHostsFile.Content(pod, ["192.0.2.2"], "cluster.local", "127.0.0.1 localhost\n127.0.0.1 node\n"));
    }

    [Fact]
    public void Hostname_LongerThan63_IsCutWithoutATrailingDash()
    {
        var name = new string('a', 62) + "-bcd";

        Assert.Equal(new string('a', 62), PodHostsFile.Hostname(Pod(name)));
        Assert.Equal("explicit", PodHostsFile.Hostname(Pod(name, new V1PodSpec { Containers = [], Hostname = "explicit" })));
    }

    [Fact]
    public void Mounted_OnlyWithAPodIpAndNoVolumeAtEtcHosts()
    {
        var plain = new V1Container { Name = "c" };
        var own = new V1Container { Name = "c", VolumeMounts = [new V1VolumeMount { Name = "v", MountPath = "/etc/hosts" }] };

        Assert.True(PodHostsFile.Mounted(plain, ["10.42.0.7"]));
        Assert.False(PodHostsFile.Mounted(plain, []));
        Assert.False(PodHostsFile.Mounted(own, ["10.42.0.7"]));
    }

    [Fact]
    public void Write_RewritesInPlaceWithMode0644()
    {
        var dir = Path.Combine(Path.GetTempPath(), "skiff-hosts-" + Guid.NewGuid().ToString("N"));
        try
        {
            var path = PodHostsFile.Write(dir, "one\n");
            using var held = File.OpenRead(path);
            Assert.Equal(path, PodHostsFile.Write(dir, "two\n"));

            Assert.Equal("two\n", new StreamReader(held).ReadToEnd());
            if (!OperatingSystem.IsWindows())
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead, File.GetUnixFileMode(path));
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
