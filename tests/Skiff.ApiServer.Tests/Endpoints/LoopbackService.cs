using System.Text.Json.Nodes;
using Skiff.Testing.ControlPlane;
using Xunit;

namespace Skiff.ApiServer.Tests.Endpoints;

/// <summary>A Service in <c>default</c> whose EndpointSlice names a backend the test runs on 127.0.0.1 (no controllers needed).</summary>
internal static class LoopbackService
{
    /// <summary>
    /// Creates Service <paramref name="name"/> (port 8080, named <c>http</c>, targetPort <paramref name="port"/>) and the
    /// EndpointSlice <c>NAME-1</c>: 127.0.0.1 ready on <paramref name="port"/>, then each of <paramref name="notReady"/>
    /// not ready.
    /// </summary>
    public static async Task CreateAsync(TestControlPlane cp, string name, int port, params string[] notReady)
    {
        var service = new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Service",
            ["metadata"] = new JsonObject { ["name"] = name },
            ["spec"] = new JsonObject { ["ports"] = new JsonArray(new JsonObject { ["name"] = "http", ["port"] = 8080, ["targetPort"] = port }) },
        };
        var (code, body, _) = await cp.SendAsync(HttpMethod.Post, "/api/v1/namespaces/default/services", service);
        Assert.True(code == 201, body?.ToJsonString());
        var endpoints = new JsonArray(Endpoint("127.0.0.1", ready: true));
        foreach (var address in notReady)
        {
            endpoints.Add(Endpoint(address, ready: false));
        }

        var slice = new JsonObject
        {
            ["apiVersion"] = "discovery.k8s.io/v1",
            ["kind"] = "EndpointSlice",
            ["metadata"] = new JsonObject { ["name"] = name + "-1", ["labels"] = new JsonObject { ["kubernetes.io/service-name"] = name } },
            ["addressType"] = "IPv4",
            ["ports"] = new JsonArray(new JsonObject { ["name"] = "http", ["port"] = port, ["protocol"] = "TCP" }),
            ["endpoints"] = endpoints,
        };
        (code, body, _) = await cp.SendAsync(HttpMethod.Post, "/apis/discovery.k8s.io/v1/namespaces/default/endpointslices", slice);
        Assert.True(code == 201, body?.ToJsonString());
    }

    private static JsonObject Endpoint(string address, bool ready) =>
        new() { ["addresses"] = new JsonArray(address), ["conditions"] = new JsonObject { ["ready"] = ready } };
}
