using System.Text.Json.Nodes;
using Skiff.ApiServer.Admission.Plugins;
using Xunit;

namespace Skiff.ApiServer.Tests.Admission.Plugins;

/// <summary>
/// <see cref="PodSecurityChecks.Passes"/> (the allocation-free check a passing pod takes) agrees with
/// <see cref="PodSecurityChecks.Evaluate"/> (which builds upstream's failure texts) on pods that pass and on pods that
/// fail each check, at both levels.
/// </summary>
public sealed class PodSecurityChecksTests
{
    private const string Restricted =
        "\"securityContext\":{\"allowPrivilegeEscalation\":false,\"capabilities\":{\"drop\":[\"ALL\"]},\"runAsNonRoot\":true,\"seccompProfile\":{\"type\":\"RuntimeDefault\"}}";

    public static TheoryData<string> Specs() => new()
    {
        "{\"containers\":[{\"name\":\"c\",\"image\":\"i\"}]}",
        "{\"containers\":[{\"name\":\"c\"," + Restricted + "}]}",
        "{\"containers\":[{\"name\":\"c\"," + Restricted + "}],\"volumes\":[{\"name\":\"kube-api-access-x\",\"projected\":{}},{\"name\":\"e\",\"emptyDir\":{}}]}",
        "{\"containers\":[{\"name\":\"c\"," + Restricted + "}],\"volumes\":[{\"name\":\"h\",\"hostPath\":{\"path\":\"/\"}}]}",
        "{\"containers\":[{\"name\":\"c\"," + Restricted + "}],\"volumes\":[{\"name\":\"n\",\"nfs\":{\"server\":\"s\"}}]}",
        "{\"hostNetwork\":true,\"containers\":[{\"name\":\"c\"}]}",
        "{\"hostPID\":false,\"hostIPC\":true,\"containers\":[{\"name\":\"c\"}]}",
        "{\"containers\":[{\"name\":\"c\",\"securityContext\":{\"privileged\":true}}]}",
        "{\"containers\":[{\"name\":\"c\",\"securityContext\":{\"privileged\":false,\"procMount\":\"Default\"}}]}",
        "{\"initContainers\":[{\"name\":\"i\",\"securityContext\":{\"procMount\":\"Unmasked\"}}],\"containers\":[{\"name\":\"c\"}]}",
        "{\"containers\":[{\"name\":\"c\",\"ports\":[{\"containerPort\":80,\"hostPort\":0},{\"containerPort\":81}]}]}",
        "{\"containers\":[{\"name\":\"c\",\"ports\":[{\"containerPort\":80,\"hostPort\":8080}]}]}",
        "{\"containers\":[{\"name\":\"c\",\"securityContext\":{\"capabilities\":{\"add\":[\"CHOWN\",\"NET_BIND_SERVICE\"]}}}]}",
        "{\"containers\":[{\"name\":\"c\",\"securityContext\":{\"capabilities\":{\"add\":[\"NET_ADMIN\"]}}}]}",
        "{\"containers\":[{\"name\":\"c\",\"securityContext\":{\"allowPrivilegeEscalation\":false,\"capabilities\":{\"drop\":[\"ALL\"],\"add\":[\"NET_BIND_SERVICE\"]},\"runAsNonRoot\":true,\"seccompProfile\":{\"type\":\"Localhost\"}}}]}",
        "{\"containers\":[{\"name\":\"c\",\"securityContext\":{\"allowPrivilegeEscalation\":false,\"capabilities\":{\"drop\":[\"ALL\"],\"add\":[\"CHOWN\"]},\"runAsNonRoot\":true,\"seccompProfile\":{\"type\":\"RuntimeDefault\"}}}]}",
        "{\"securityContext\":{\"seccompProfile\":{\"type\":\"Unconfined\"}},\"containers\":[{\"name\":\"c\"}]}",
        "{\"containers\":[{\"name\":\"c\",\"securityContext\":{\"seccompProfile\":{\"type\":\"Unconfined\"}}}]}",
        "{\"securityContext\":{\"runAsNonRoot\":true,\"seccompProfile\":{\"type\":\"RuntimeDefault\"}},\"containers\":[{\"name\":\"c\",\"securityContext\":{\"allowPrivilegeEscalation\":false,\"capabilities\":{\"drop\":[\"ALL\"]}}}]}",
        "{\"securityContext\":{\"runAsNonRoot\":false},\"containers\":[{\"name\":\"c\"," + Restricted + "}]}",
        "{\"securityContext\":{\"runAsUser\":0},\"containers\":[{\"name\":\"c\"," + Restricted + "}]}",
        "{\"containers\":[{\"name\":\"c\",\"securityContext\":{\"allowPrivilegeEscalation\":false,\"capabilities\":{\"drop\":[\"ALL\"]},\"runAsNonRoot\":true,\"runAsUser\":0,\"seccompProfile\":{\"type\":\"RuntimeDefault\"}}}]}",
        "{\"containers\":[{\"name\":\"c\",\"securityContext\":{\"allowPrivilegeEscalation\":false,\"capabilities\":{\"drop\":[\"ALL\"]},\"runAsNonRoot\":true}}]}",
        "{\"containers\":[{\"name\":\"c\",\"securityContext\":{\"allowPrivilegeEscalation\":true,\"capabilities\":{\"drop\":[\"ALL\"]},\"runAsNonRoot\":true,\"seccompProfile\":{\"type\":\"RuntimeDefault\"}}}]}",
        "{\"containers\":[{\"name\":\"c\"," + Restricted + "}],\"ephemeralContainers\":[{\"name\":\"e\"}]}",
        "{\"securityContext\":{\"sysctls\":[{\"name\":\"net.ipv4.tcp_syncookies\",\"value\":\"1\"}]},\"containers\":[{\"name\":\"c\"}]}",
        "{\"securityContext\":{\"sysctls\":[{\"name\":\"kernel.msgmax\",\"value\":\"1\"}]},\"containers\":[{\"name\":\"c\"}]}",
    };

    [Theory]
    [MemberData(nameof(Specs))]
    public void PassesExactlyWhenEvaluateFindsNothing(string json)
    {
        foreach (var level in (string[])["privileged", "baseline", "restricted"])
        {
            var spec = JsonNode.Parse(json)!.AsObject();
            var violations = PodSecurityChecks.Evaluate(level, null, spec);
            Assert.True(violations.Count == 0 == PodSecurityChecks.Passes(level, spec), $"{level}: {string.Join(", ", violations)}");
        }
    }

    [Fact]
    public void ARestrictedPodPassesAndAPrivilegedOneFails()
    {
        var good = JsonNode.Parse("{\"containers\":[{\"name\":\"c\"," + Restricted + "}]}")!.AsObject();
        var bad = JsonNode.Parse("{\"containers\":[{\"name\":\"c\",\"securityContext\":{\"privileged\":true}}]}")!.AsObject();

        Assert.True(PodSecurityChecks.Passes("restricted", good));
        Assert.False(PodSecurityChecks.Passes("baseline", bad));
        Assert.True(PodSecurityChecks.Passes("privileged", bad));
    }
}
