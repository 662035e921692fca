using System.Text.Json.Nodes;
using k8s.Models;
using Skiff.Client.Entities;
using Skiff.Client.Tests.Entities.Samples;
using Xunit;

namespace Skiff.Client.Tests.Entities;

public sealed class CustomResourceDefinitionGeneratorTests
{
    private static V1JSONSchemaProps I(V1JSONSchemaProps array) => Assert.IsType<V1JSONSchemaProps>(array.Items);

    private static V1JSONSchemaProps SpecOf(V1CustomResourceDefinition crd) => crd.Spec.Versions[0].Schema.OpenAPIV3Schema.Properties["spec"];

    [Fact]
    public void Names_Scope_AndSubresources_ComeFromTheAttributes()
    {
        var crd = CustomResourceDefinitionGenerator.Generate(typeof(Widget));
        Assert.Equal("widgets.samples.skiff.dev", crd.Metadata.Name);
        Assert.Equal("samples.skiff.dev", crd.Spec.Group);
        Assert.Equal("Namespaced", crd.Spec.Scope);
        Assert.Equal(["wd"], crd.Spec.Names.ShortNames);
        Assert.Equal(["all", "samples"], crd.Spec.Names.Categories);
        Assert.Equal(("Widget", "WidgetList", "widget"), (crd.Spec.Names.Kind, crd.Spec.Names.ListKind, crd.Spec.Names.Singular));
        var v = Assert.Single(crd.Spec.Versions);
        Assert.True(v.Served && v.Storage);
        Assert.NotNull(v.Subresources.Status);
        Assert.Equal((".spec.replicas", ".status.replicas", ".status.selector"),
            (v.Subresources.Scale.SpecReplicasPath, v.Subresources.Scale.StatusReplicasPath, v.Subresources.Scale.LabelSelectorPath));
        Assert.Equal(["Replicas", "Color", "Ready", "Age"], v.AdditionalPrinterColumns.Select(c => c.Name));
        Assert.Equal(1, v.AdditionalPrinterColumns[2].Priority);
        Assert.Equal(".spec.color", Assert.Single(v.SelectableFields).JsonPath);
    }

    [Fact]
    public void Root_HasApiVersionKindAndAnOpaqueMetadata()
    {
        var root = CustomResourceDefinitionGenerator.Generate(typeof(Widget)).Spec.Versions[0].Schema.OpenAPIV3Schema;
        Assert.Equal("object", root.Type);
        Assert.Equal(["apiVersion", "kind", "metadata", "spec", "status"], root.Properties.Keys);
        Assert.Equal("string", root.Properties["apiVersion"].Type);
        Assert.Equal("object", root.Properties["metadata"].Type);
        Assert.Null(root.Properties["metadata"].Properties);
        Assert.Equal(["spec"], root.Required);
        Assert.Equal("A widget: every schema attribute in one class.", root.Description);
    }

    [Fact]
    public void Properties_MapClrTypesAndValidationAttributes()
    {
        var spec = SpecOf(CustomResourceDefinitionGenerator.Generate(typeof(Widget)));
        var p = spec.Properties;
        Assert.Equal(["replicas"], spec.Required);
        Assert.Equal(("integer", "int32", 0d, 100d), (p["replicas"].Type, p["replicas"].Format, p["replicas"].Minimum, p["replicas"].Maximum));
        Assert.Equal("How many copies run.", p["replicas"].Description);
        Assert.Equal(["Red", "Blue", "sea-green"], p["color"].EnumProperty.Select(e => e.ToString()));
        Assert.Equal("Blue", ((JsonNode)p["color"].DefaultProperty).GetValue<string>());
        Assert.Equal(("^[a-z]+$", 1L, 63L), (p["label"].Pattern, p["label"].MinLength, p["label"].MaxLength));
        Assert.Equal("hostname", p["host"].Format);
        Assert.True(p["port"].XKubernetesIntOrString);
        Assert.Null(p["port"].Type);
        Assert.NotNull(p["memory"].Pattern);
        Assert.Equal((true, true, 0.25), (p["ratio"].ExclusiveMinimum, p["ratio"].ExclusiveMaximum, p["ratio"].MultipleOf));
        Assert.Equal(("array", "map", "object"), (p["parts"].Type, p["parts"].XKubernetesListType, I(p["parts"]).Type));
        Assert.Equal(["name"], p["parts"].XKubernetesListMapKeys);
        Assert.Equal(["name"], I(p["parts"]).Required);
        Assert.Equal("set", p["tags"].XKubernetesListType);
        Assert.Equal(("object", "string", "atomic", 16L), (p["settings"].Type, ((V1JSONSchemaProps)p["settings"].AdditionalProperties).Type, p["settings"].XKubernetesMapType, p["settings"].MaxProperties));
        Assert.True(p["extra"].XKubernetesPreserveUnknownFields);
        Assert.True(p["template"].XKubernetesEmbeddedResource);
        Assert.Equal(("self == oldSelf", "FieldValueForbidden"), (p["zone"].XKubernetesValidations[0].Rule, p["zone"].XKubernetesValidations[0].Reason));
        Assert.Equal(["small", "large"], p["size"].EnumProperty.Select(e => e.ToString()));
        Assert.True(p["note"].Nullable);
        Assert.Equal(("string", "date-time"), (p["not_before"].Type, p["not_before"].Format));
        Assert.DoesNotContain("secret", p.Keys);
        var rule = Assert.Single(spec.XKubernetesValidations);
        Assert.Equal(("!has(self.minReplicas) || self.minReplicas <= self.replicas", "minReplicas must not exceed replicas", ".minReplicas"), (rule.Rule, rule.Message, rule.FieldPath));
    }

    [Fact]
    public void ATypeThatContainsItself_StopsWithAnObjectThatPreservesUnknownFields()
    {
        var tree = SpecOf(CustomResourceDefinitionGenerator.Generate(typeof(Widget))).Properties["tree"];
        Assert.Equal("string", tree.Properties["value"].Type);
        var child = I(tree.Properties["children"]);
        Assert.Equal("object", child.Type);
        Assert.True(child.XKubernetesPreserveUnknownFields);
        Assert.Null(child.Properties);
    }

    [Fact]
    public void BuiltInModels_GetTheirShape_AndUpstreamDescriptionsWhenAskedFor()
    {
        var plain = CustomResourceDefinitionGenerator.Generate(typeof(Widget)).Spec.Versions[0].Schema.OpenAPIV3Schema.Properties["status"].Properties["conditions"];
        Assert.Null(I(plain).Properties["type"].Description);
        var crd = Assert.Single(CustomResourceDefinitionGenerator.Generate([typeof(Widget)], new CrdGeneratorOptions { BuiltInDescriptions = true }));
        var conditions = crd.Spec.Versions[0].Schema.OpenAPIV3Schema.Properties["status"].Properties["conditions"];
        Assert.Equal("array", conditions.Type);
        var c = I(conditions).Properties;
        Assert.Equal(("string", "date-time"), (c["lastTransitionTime"].Type, c["lastTransitionTime"].Format));
        Assert.Equal(("integer", "int64"), (c["observedGeneration"].Type, c["observedGeneration"].Format));
        Assert.Contains("type of condition", c["type"].Description, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void SeveralClassesOfOneKind_AreTheVersionsOfOneCrd_WithOneStorageVersion()
    {
        var crd = Assert.Single(CustomResourceDefinitionGenerator.Generate([typeof(GadgetV2), typeof(GadgetV1), typeof(GadgetV1beta1)], null));
        Assert.Equal(["v1", "v1beta1", "v2"], crd.Spec.Versions.Select(v => v.Name));
        Assert.Equal([false, false, true], crd.Spec.Versions.Select(v => v.Storage));
        Assert.Equal([true, false, true], crd.Spec.Versions.Select(v => v.Served));
        Assert.True(crd.Spec.Versions[0].Deprecated);
        Assert.Equal("samples.skiff.dev/v1 Gadget is deprecated; use v2", crd.Spec.Versions[0].DeprecationWarning);
        Assert.Equal("integer", crd.Spec.Versions[2].Schema.OpenAPIV3Schema.Properties["sizes"].AdditionalProperties is V1JSONSchemaProps { Type: var sizesType } ? sizesType : null);
    }

    [Fact]
    public void SeveralVersionsWithoutAStorageVersion_AreRejected()
    {
        var e = Assert.Throws<ArgumentException>(() => CustomResourceDefinitionGenerator.Generate([typeof(GadgetV1), typeof(GadgetV1beta1)], null));
        Assert.Contains("exactly one [StorageVersion]", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ClusterScopedKind_WithoutAPluralName_GetsTheEnglishPlural()
    {
        var crd = CustomResourceDefinitionGenerator.Generate(typeof(Policy));
        Assert.Equal(("Cluster", "policies", "policies.samples.skiff.dev"), (crd.Spec.Scope, crd.Spec.Names.Plural, crd.Metadata.Name));
        Assert.Equal(["rules"], crd.Spec.Versions[0].Schema.OpenAPIV3Schema.Required);
    }

    [Theory]
    [InlineData("widget", "widgets")]
    [InlineData("policy", "policies")]
    [InlineData("gateway", "gateways")]
    [InlineData("ingress", "ingresses")]
    [InlineData("box", "boxes")]
    [InlineData("batch", "batches")]
    public void Pluralize_CoversTheCommonEnglishCases(string singular, string plural)
        => Assert.Equal(plural, CustomResourceDefinitionGenerator.Pluralize(singular));

    [Fact]
    public void ATypeWithoutKubernetesEntity_IsRejected()
        => Assert.Throws<ArgumentException>(() => CustomResourceDefinitionGenerator.Generate(typeof(WidgetSpec)));

    [Fact]
    public void FindEntityTypes_FindsTheCustomResourceClasses_NotBuiltInModels()
    {
        var found = CustomResourceDefinitionGenerator.FindEntityTypes(typeof(Widget).Assembly);
        Assert.Contains(typeof(Widget), found);
        Assert.Contains(typeof(GadgetV2), found);
        Assert.Contains(typeof(Policy), found);
        Assert.Empty(CustomResourceDefinitionGenerator.FindEntityTypes(typeof(V1Pod).Assembly));
    }

    [Fact]
    public void Descriptions_CanBeLeftOut()
    {
        var crd = Assert.Single(CustomResourceDefinitionGenerator.Generate([typeof(Widget)], new CrdGeneratorOptions { Descriptions = false }));
        var schema = CustomResourceDefinitionWriter.ToJsonNode(crd)["spec"]!["versions"]![0]!["schema"]!.ToJsonString();
        Assert.DoesNotContain("description", schema, StringComparison.Ordinal);
    }
}
