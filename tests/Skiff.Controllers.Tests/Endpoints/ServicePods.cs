using System.Globalization;
using System.Text.Json.Nodes;
using k8s.Models;
using Skiff.Client.Rest;
using Skiff.Controllers.Tests.Testing;

namespace Skiff.Controllers.Tests.Endpoints;

/// <summary>
/// Test support for the endpoints controllers: nodes, and pods bound to them whose status (IP, readiness) the test
/// writes itself, as a kubelet would — so readiness can be toggled both ways.
/// </summary>
internal static class ServicePods
{
    /// <summary>Creates a node (cluster-scoped) with an optional zone label; an existing one is fine.</summary>
    public static async Task NodeAsync(ControllerHarness h, string name, string? zone = null)
    {
        var labels = new Dictionary<string, string> { ["kubernetes.io/hostname"] = name };
        if (zone is not null)
        {
            labels["topology.kubernetes.io/zone"] = zone;
        }

        try
        {
            await h.Clientset.CoreV1().Nodes().CreateAsync(new V1Node { Metadata = new V1ObjectMeta { Name = name, Labels = labels } });
        }
        catch (KubernetesApiException e) when (e.IsAlreadyExists)
        {
        }
    }

    /// <summary>A pod with <paramref name="labels"/> on <paramref name="node"/>, one container with port <c>http</c> 8080, running with <paramref name="ip"/>.</summary>
    public static async Task<V1Pod> PodAsync(ControllerHarness h, string ns, string name, IDictionary<string, string> labels, string node, string ip, bool ready,
        string? hostname = null, string? subdomain = null, int containerPort = 8080)
    {
        var pod = new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = name, Labels = labels },
            Spec = new V1PodSpec
            {
                NodeName = node,
                Hostname = hostname,
                Subdomain = subdomain,
                Containers = [new V1Container { Name = "app", Image = "busybox", Ports = [new V1ContainerPort { Name = "http", ContainerPort = containerPort }] }],
            },
        };
        await h.Clientset.CoreV1().Pods(ns).CreateAsync(pod);
        return await StatusAsync(h, ns, name, ip, ready);
    }

    /// <summary>Writes the pod's status: Running with <paramref name="ip"/>, Ready as given.</summary>
    public static Task<V1Pod> StatusAsync(ControllerHarness h, string ns, string name, string ip, bool ready)
    {
        var now = DateTime.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        var status = ready ? "True" : "False";
        var patch = new JsonObject
        {
            ["status"] = new JsonObject
            {
                ["phase"] = "Running",
                ["podIP"] = ip,
                ["podIPs"] = new JsonArray(new JsonObject { ["ip"] = ip }),
                ["conditions"] = new JsonArray(
                    new JsonObject { ["type"] = "ContainersReady", ["status"] = status, ["lastTransitionTime"] = now },
                    new JsonObject { ["type"] = "Ready", ["status"] = status, ["lastTransitionTime"] = now }),
            },
        };
        return h.Clientset.CoreV1().Pods(ns).PatchAsync(name, PatchType.Merge, patch, subresource: "status");
    }

    /// <summary>Flips the pod's readiness, keeping its IP.</summary>
    public static async Task SetReadyAsync(ControllerHarness h, string ns, string name, bool ready)
    {
        var pod = await h.Clientset.CoreV1().Pods(ns).GetAsync(name);
        await StatusAsync(h, ns, name, pod.Status.PodIP, ready);
    }

    /// <summary>A ClusterIP service selecting <c>app=<paramref name="app"/></c> with port 80 → target <paramref name="targetPort"/>.</summary>
    public static Task<V1Service> ServiceAsync(ControllerHarness h, string ns, string name, string app, string targetPort = "http",
        bool publishNotReady = false, bool headless = false)
    {
        var svc = new V1Service
        {
            Metadata = new V1ObjectMeta { Name = name, Labels = new Dictionary<string, string> { ["team"] = "blue" } },
            Spec = new V1ServiceSpec
            {
                Selector = new Dictionary<string, string> { ["app"] = app },
                PublishNotReadyAddresses = publishNotReady,
                ClusterIP = headless ? "None" : null,
                Ports = [new V1ServicePort { Name = "web", Port = 80, TargetPort = targetPort }],
            },
        };
        return h.Clientset.CoreV1().Services(ns).CreateAsync(svc);
    }

    /// <summary>The labels <c>app=<paramref name="app"/></c>.</summary>
    public static Dictionary<string, string> App(string app) => new() { ["app"] = app };
}
