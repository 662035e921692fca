using System.Text.Json.Nodes;
using Skiff.ApiServer.OpenApi;
using Xunit;

namespace Skiff.ApiServer.Tests.OpenApi;

public class CustomResourceSchemaTests
{
    [Fact]
    public void FromCrd_ServedVersions_GiveSchemasWithUpstreamNames()
    {
        var crd = JsonNode.Parse("""
            {"apiVersion":"apiextensions.k8s.io/v1","kind":"CustomResourceDefinition","metadata":{"name":"crontabs.stable.example.com"},
             "spec":{"group":"stable.example.com","names":{"kind":"CronTab","plural":"crontabs"},"scope":"Namespaced",
               "versions":[
                 {"name":"v1","served":true,"storage":true,"schema":{"openAPIV3Schema":{"type":"object","properties":{"spec":{"type":"object"}}}}},
                 {"name":"v1beta1","served":false,"storage":false},
                 {"name":"v2","served":true,"storage":false}]}}
            """)!.AsObject();

        var schemas = CustomResourceSchema.FromCrd(crd);

        Assert.Equal(["v1", "v2"], schemas.Select(s => s.Version));
        Assert.Equal("com.example.stable.v1.CronTab", schemas[0].SchemaName);
        Assert.Equal("object", (string?)schemas[0].Schema!["type"]);
        Assert.Null(schemas[1].Schema);
    }

    [Fact]
    public void FromCrd_Malformed_GivesNone()
    {
        Assert.Empty(CustomResourceSchema.FromCrd(JsonNode.Parse("""{"spec":{"group":"g"}}""")!.AsObject()));
    }
}
