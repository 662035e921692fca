using System.Text.Json.Nodes;
using k8s;
using k8s.Models;

namespace Skiff.Testing.Tests;

/// <summary>A namespaced Widget CRD (example.com/v1) whose spec.size must be ≥ 0.</summary>
internal static class TestCrds
{
    public const string WidgetsYaml = """
        apiVersion: apiextensions.k8s.io/v1
        kind: CustomResourceDefinition
        metadata:
          name: widgets.example.com
        spec:
          group: example.com
          scope: Namespaced
          names: {plural: widgets, singular: widget, kind: Widget, listKind: WidgetList}
          versions:
          - name: v1
            served: true
            storage: true
            schema:
              openAPIV3Schema:
                type: object
                properties:
                  spec:
                    type: object
                    properties:
                      size: {type: integer, minimum: 0}
        ---
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: not-a-crd, namespace: default}
        """;

    public static V1CustomResourceDefinition Widgets() => KubernetesYaml.LoadAllFromString(WidgetsYaml).OfType<V1CustomResourceDefinition>().Single();

    public static JsonObject Widget(string name, long size) => new()
    {
        ["apiVersion"] = "example.com/v1",
        ["kind"] = "Widget",
        ["metadata"] = new JsonObject { ["name"] = name },
        ["spec"] = new JsonObject { ["size"] = size },
    };
}
