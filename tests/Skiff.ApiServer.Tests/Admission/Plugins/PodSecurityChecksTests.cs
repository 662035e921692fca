using System.Text.Json.Nodes;
using Skiff.ApiServer.Admission.Plugins;
using Xunit;

namespace Skiff.ApiServer.Tests.Admission.Plugins;

/// <summary>
/// <see cref="PodSecurityChecks"/> over pods that pass and pods that fail each check, at every level: the failures are
/// upstream's texts (<c>pod-security-admission/policy/check_*.go</c>: reason, detail, pluralization, sorted sets), and
/// <see cref="PodSecurityChecks.Passes"/> — the same checks, stopping at the first failure — agrees with them.
/// </summary>
public sealed class PodSecurityChecksTests
{
    private const string Restricted =
        "\"securityContext\":{\"allowPrivilegeEscalation\":false,\"capabilities\":{\"drop\":[\"ALL\"]},\"runAsNonRoot\":true,\"seccompProfile\":{\"type\":\"RuntimeDefault\"}}";

    private const string Escalation = """allowPrivilegeEscalation != false (container "c" must set securityContext.allowPrivilegeEscalation=false)""";
    private const string NoDrop = """unrestricted capabilities (container "c" must set securityContext.capabilities.drop=["ALL"])""";
    private const string NonRoot = """runAsNonRoot != true (pod or container "c" must set securityContext.runAsNonRoot=true)""";
    private const string Seccomp = """seccompProfile (pod or container "c" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")""";

    /// <summary>What restricted says of a container "c" that sets nothing.</summary>
    private static readonly string[] Unhardened = [Escalation, NoDrop, NonRoot, Seccomp];

    /// <summary>A pod spec, its failures at baseline, and its failures at restricted.</summary>
    public static TheoryData<string, string[], string[]> Cases() => new()
    {
        { "{\"containers\":[{\"name\":\"c\",\"image\":\"i\"}]}",
            [],
            Unhardened },
        { "{\"containers\":[{\"name\":\"c\"," + Restricted + "}]}",
            [],
            [] },
        { "{\"containers\":[{\"name\":\"c\"," + Restricted + "}],\"volumes\":[{\"name\":\"kube-api-access-x\",\"projected\":{}},{\"name\":\"e\",\"emptyDir\":{}}]}",
            [],
            [] },
        { "{\"containers\":[{\"name\":\"c\"," + Restricted + "}],\"volumes\":[{\"name\":\"h\",\"hostPath\":{\"path\":\"/\"}}]}",
            ["""hostPath volumes (volume "h")"""],
            ["""restricted volume types (volume "h" uses restricted volume type "hostPath")"""] },
        { "{\"containers\":[{\"name\":\"c\"," + Restricted + "}],\"volumes\":[{\"name\":\"n\",\"nfs\":{\"server\":\"s\"}}]}",
            [],
            ["""restricted volume types (volume "n" uses restricted volume type "nfs")"""] },
        { "{\"hostNetwork\":true,\"containers\":[{\"name\":\"c\"}]}",
            ["""host namespaces (hostNetwork=true)"""],
            [Escalation, NoDrop, """host namespaces (hostNetwork=true)""", NonRoot, Seccomp] },
        { "{\"hostPID\":false,\"hostIPC\":true,\"containers\":[{\"name\":\"c\"}]}",
            ["""host namespaces (hostIPC=true)"""],
            [Escalation, NoDrop, """host namespaces (hostIPC=true)""", NonRoot, Seccomp] },
        { "{\"containers\":[{\"name\":\"c\",\"securityContext\":{\"privileged\":true}}]}",
            ["""privileged (container "c" must not set securityContext.privileged=true)"""],
            [Escalation, NoDrop, """privileged (container "c" must not set securityContext.privileged=true)""", NonRoot, Seccomp] },
        { "{\"containers\":[{\"name\":\"c\",\"securityContext\":{\"privileged\":false,\"procMount\":\"Default\"}}]}",
            [],
            Unhardened },
        { "{\"initContainers\":[{\"name\":\"i\",\"securityContext\":{\"procMount\":\"Unmasked\"}}],\"containers\":[{\"name\":\"c\"}]}",
            ["""procMount (container "i" must not set securityContext.procMount to "Unmasked")"""],
            [
                """allowPrivilegeEscalation != false (containers "i", "c" must set securityContext.allowPrivilegeEscalation=false)""",
                """unrestricted capabilities (containers "i", "c" must set securityContext.capabilities.drop=["ALL"])""",
                """procMount (container "i" must not set securityContext.procMount to "Unmasked")""",
                """runAsNonRoot != true (pod or containers "i", "c" must set securityContext.runAsNonRoot=true)""",
                """seccompProfile (pod or containers "i", "c" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")""",
            ] },
        { "{\"containers\":[{\"name\":\"c\",\"ports\":[{\"containerPort\":80,\"hostPort\":0},{\"containerPort\":81}]}]}",
            [],
            Unhardened },
        { "{\"containers\":[{\"name\":\"c\",\"ports\":[{\"containerPort\":80,\"hostPort\":8080}]}]}",
            ["""hostPort (container "c" uses hostPort 8080)"""],
            [Escalation, NoDrop, """hostPort (container "c" uses hostPort 8080)""", NonRoot, Seccomp] },
        { "{\"containers\":[{\"name\":\"c\",\"securityContext\":{\"capabilities\":{\"add\":[\"CHOWN\",\"NET_BIND_SERVICE\"]}}}]}",
            [],
            [
                Escalation,
                """unrestricted capabilities (container "c" must set securityContext.capabilities.drop=["ALL"]; container "c" must not include "CHOWN" in securityContext.capabilities.add)""", NonRoot, Seccomp,
            ] },
        { "{\"containers\":[{\"name\":\"c\",\"securityContext\":{\"capabilities\":{\"add\":[\"NET_ADMIN\"]}}}]}",
            ["""non-default capabilities (container "c" must not include "NET_ADMIN" in securityContext.capabilities.add)"""],
            [
                Escalation,
                """non-default capabilities (container "c" must not include "NET_ADMIN" in securityContext.capabilities.add)""",
                """unrestricted capabilities (container "c" must set securityContext.capabilities.drop=["ALL"]; container "c" must not include "NET_ADMIN" in securityContext.capabilities.add)""", NonRoot, Seccomp,
            ] },
        { "{\"containers\":[{\"name\":\"c\",\"securityContext\":{\"allowPrivilegeEscalation\":false,\"capabilities\":{\"drop\":[\"ALL\"],\"add\":[\"NET_BIND_SERVICE\"]},\"runAsNonRoot\":true,\"seccompProfile\":{\"type\":\"Localhost\"}}}]}",
            [],
            [] },
        { "{\"containers\":[{\"name\":\"c\",\"securityContext\":{\"allowPrivilegeEscalation\":false,\"capabilities\":{\"drop\":[\"ALL\"],\"add\":[\"CHOWN\"]},\"runAsNonRoot\":true,\"seccompProfile\":{\"type\":\"RuntimeDefault\"}}}]}",
            [],
            ["""unrestricted capabilities (container "c" must not include "CHOWN" in securityContext.capabilities.add)"""] },
        { "{\"securityContext\":{\"seccompProfile\":{\"type\":\"Unconfined\"}},\"containers\":[{\"name\":\"c\"}]}",
            ["""seccompProfile (pod must not set securityContext.seccompProfile.type to "Unconfined")"""],
            [
                Escalation, NoDrop, NonRoot,
                """seccompProfile (pod must not set securityContext.seccompProfile.type to "Unconfined"; pod or container "c" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")""",
            ] },
        { "{\"containers\":[{\"name\":\"c\",\"securityContext\":{\"seccompProfile\":{\"type\":\"Unconfined\"}}}]}",
            ["""seccompProfile (container "c" must not set securityContext.seccompProfile.type to "Unconfined")"""],
            [Escalation, NoDrop, NonRoot, """seccompProfile (container "c" must not set securityContext.seccompProfile.type to "Unconfined")"""] },
        { "{\"securityContext\":{\"runAsNonRoot\":true,\"seccompProfile\":{\"type\":\"RuntimeDefault\"}},\"containers\":[{\"name\":\"c\",\"securityContext\":{\"allowPrivilegeEscalation\":false,\"capabilities\":{\"drop\":[\"ALL\"]}}}]}",
            [],
            [] },
        { "{\"securityContext\":{\"runAsNonRoot\":false},\"containers\":[{\"name\":\"c\"," + Restricted + "}]}",
            [],
            ["""runAsNonRoot != true (pod must not set securityContext.runAsNonRoot=false)"""] },
        { "{\"securityContext\":{\"runAsUser\":0},\"containers\":[{\"name\":\"c\"," + Restricted + "}]}",
            [],
            ["""runAsUser=0 (pod must not set runAsUser=0)"""] },
        { "{\"containers\":[{\"name\":\"c\",\"securityContext\":{\"allowPrivilegeEscalation\":false,\"capabilities\":{\"drop\":[\"ALL\"]},\"runAsNonRoot\":true,\"runAsUser\":0,\"seccompProfile\":{\"type\":\"RuntimeDefault\"}}}]}",
            [],
            ["""runAsUser=0 (container "c" must not set runAsUser=0)"""] },
        { "{\"containers\":[{\"name\":\"c\",\"securityContext\":{\"allowPrivilegeEscalation\":false,\"capabilities\":{\"drop\":[\"ALL\"]},\"runAsNonRoot\":true}}]}",
            [],
            [Seccomp] },
        { "{\"containers\":[{\"name\":\"c\",\"securityContext\":{\"allowPrivilegeEscalation\":true,\"capabilities\":{\"drop\":[\"ALL\"]},\"runAsNonRoot\":true,\"seccompProfile\":{\"type\":\"RuntimeDefault\"}}}]}",
            [],
            [Escalation] },
        { "{\"containers\":[{\"name\":\"c\"," + Restricted + "}],\"ephemeralContainers\":[{\"name\":\"e\"}]}",
            [],
            [
                """allowPrivilegeEscalation != false (container "e" must set securityContext.allowPrivilegeEscalation=false)""",
                """unrestricted capabilities (container "e" must set securityContext.capabilities.drop=["ALL"])""",
                """runAsNonRoot != true (pod or container "e" must set securityContext.runAsNonRoot=true)""",
                """seccompProfile (pod or container "e" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")""",
            ] },
        { "{\"securityContext\":{\"sysctls\":[{\"name\":\"net.ipv4.tcp_syncookies\",\"value\":\"1\"}]},\"containers\":[{\"name\":\"c\"}]}",
            [],
            Unhardened },
        { "{\"securityContext\":{\"sysctls\":[{\"name\":\"kernel.msgmax\",\"value\":\"1\"}]},\"containers\":[{\"name\":\"c\"}]}",
            ["""forbidden sysctls (kernel.msgmax)"""],
            [Escalation, NoDrop, NonRoot, Seccomp, """forbidden sysctls (kernel.msgmax)"""] },
        {
            "{\"containers\":[{\"name\":\"a\",\"ports\":[{\"hostPort\":9000},{\"hostPort\":80}]},{\"name\":\"b\",\"ports\":[{\"hostPort\":80}]}]}",
            ["""hostPort (containers "a", "b" use hostPorts 80, 9000)"""],
            [
                """allowPrivilegeEscalation != false (containers "a", "b" must set securityContext.allowPrivilegeEscalation=false)""",
                """unrestricted capabilities (containers "a", "b" must set securityContext.capabilities.drop=["ALL"])""",
                """hostPort (containers "a", "b" use hostPorts 80, 9000)""",
                """runAsNonRoot != true (pod or containers "a", "b" must set securityContext.runAsNonRoot=true)""",
                """seccompProfile (pod or containers "a", "b" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")""",
            ]
        },
        {
            "{\"containers\":[{\"name\":\"a\",\"securityContext\":{\"capabilities\":{\"add\":[\"SYS_ADMIN\",\"CHOWN\"]}}},{\"name\":\"b\",\"securityContext\":{\"capabilities\":{\"add\":[\"NET_ADMIN\",\"SYS_ADMIN\"]}}}]}",
            ["""non-default capabilities (containers "a", "b" must not include "NET_ADMIN", "SYS_ADMIN" in securityContext.capabilities.add)"""],
            [
                """allowPrivilegeEscalation != false (containers "a", "b" must set securityContext.allowPrivilegeEscalation=false)""",
                """non-default capabilities (containers "a", "b" must not include "NET_ADMIN", "SYS_ADMIN" in securityContext.capabilities.add)""",
                """unrestricted capabilities (containers "a", "b" must set securityContext.capabilities.drop=["ALL"]; containers "a", "b" must not include "CHOWN", "NET_ADMIN", "SYS_ADMIN" in securityContext.capabilities.add)""",
                """runAsNonRoot != true (pod or containers "a", "b" must set securityContext.runAsNonRoot=true)""",
                """seccompProfile (pod or containers "a", "b" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")""",
            ]
        },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Evaluate_GivesUpstreamsFailures_AndPassesAgrees(string json, string[] baseline, string[] restricted)
    {
        foreach (var (level, expected) in new[] { ("privileged", Array.Empty<string>()), ("baseline", baseline), ("restricted", restricted) })
        {
            var spec = JsonNode.Parse(json)!.AsObject();
            Assert.Equal(expected, PodSecurityChecks.Evaluate(level, null, spec));
            Assert.True(expected.Length == 0 == PodSecurityChecks.Passes(level, spec), level);
        }
    }

    [Fact]
    public void Evaluate_APassingPod_AllocatesNothing()
    {
        var spec = JsonNode.Parse("{\"containers\":[{\"name\":\"c\"," + Restricted + "}],\"volumes\":[{\"name\":\"k\",\"projected\":{}}]}")!.AsObject();
        for (var i = 0; i < 3; i++)
        {
            Assert.Empty(PodSecurityChecks.Evaluate("restricted", null, spec)); // materializes the parsed nodes once
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        var failures = PodSecurityChecks.Evaluate("restricted", null, spec).Count + PodSecurityChecks.Evaluate("baseline", null, spec).Count;
        var passes = PodSecurityChecks.Passes("restricted", spec);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, failures);
        Assert.True(passes);
        Assert.Equal(0, allocated);
    }
}
