using System.Text.Json.Nodes;
using k8s.Models;
using Skiff.Client.Dynamic;
using Skiff.Client.Runtime;
using Xunit;

namespace Skiff.Client.Tests.Runtime;

public sealed class OwnerReferencesTests
{
    private static V1Deployment Owner(string name = "web", string ns = "ns", string uid = "u1")
        => new() { Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns, Uid = uid } };

    private static V1ConfigMap Child(string ns = "ns") => new() { Metadata = new V1ObjectMeta { Name = "c", NamespaceProperty = ns } };

    [Fact]
    public void SetControllerReference_TypeMetaFromTheModelType_ControllerAndBlockOwnerDeletion()
    {
        var child = Child();

        OwnerReferences.SetControllerReference(Owner(), child);

        var r = Assert.Single(child.Metadata.OwnerReferences);
        Assert.Equal(("apps/v1", "Deployment", "web", "u1", true, true), (r.ApiVersion, r.Kind, r.Name, r.Uid, r.Controller, r.BlockOwnerDeletion));
        Assert.Same(r, OwnerReferences.GetControllerOf(child));
        Assert.True(OwnerReferences.HasOwnerReference(Owner(), child));
    }

    [Fact]
    public void SetControllerReference_SameOwnerAgain_ReplacesNotDuplicates()
    {
        var child = Child();
        OwnerReferences.SetControllerReference(Owner(uid: "old"), child);
        OwnerReferences.SetControllerReference(Owner(uid: "new"), child);
        Assert.Equal("new", Assert.Single(child.Metadata.OwnerReferences).Uid);
    }

    [Fact]
    public void SetControllerReference_OtherController_Throws_ButAnOwnerReferenceIsAllowed()
    {
        var child = Child();
        OwnerReferences.SetControllerReference(Owner("a"), child);

        var e = Assert.Throws<AlreadyOwnedException>(() => OwnerReferences.SetControllerReference(Owner("b", uid: "u2"), child));
        Assert.Equal("a", e.Owner.Name);
        Assert.Contains("already owned by another Deployment controller a", e.Message, StringComparison.Ordinal);

        OwnerReferences.SetOwnerReference(Owner("b", uid: "u2"), child);
        Assert.Equal(2, child.Metadata.OwnerReferences.Count);
        Assert.Null(child.Metadata.OwnerReferences[1].Controller);
    }

    [Fact]
    public void NamespacedOwner_OfClusterScopedOrOtherNamespace_IsRejected_ClusterOwnerOfAnythingIsNot()
    {
        var cross = Assert.Throws<ArgumentException>(() => OwnerReferences.SetControllerReference(Owner(), Child("other")));
        Assert.StartsWith("cross-namespace owner references are disallowed, owner's namespace ns, obj's namespace other", cross.Message, StringComparison.Ordinal);
        var cluster = Assert.Throws<ArgumentException>(() => OwnerReferences.SetControllerReference(Owner(), new V1Namespace { Metadata = new() { Name = "x" } }));
        Assert.StartsWith("cluster-scoped resource must not have a namespace-scoped owner, owner's namespace ns", cluster.Message, StringComparison.Ordinal);

        var child = Child();
        OwnerReferences.SetControllerReference(new V1Namespace { Metadata = new() { Name = "ns", Uid = "n1" } }, child);
        Assert.Equal("Namespace", Assert.Single(child.Metadata.OwnerReferences).Kind);
    }

    [Fact]
    public void OwnerWithoutUid_Throws()
        => Assert.Throws<ArgumentException>(() => OwnerReferences.SetControllerReference(Owner(uid: ""), Child()));

    [Fact]
    public void DynamicOwnerAndChild_WriteTheChildsJson()
    {
        var owner = new DynamicObject(JsonNode.Parse("""{"apiVersion":"example.com/v1","kind":"Gadget","metadata":{"name":"g","namespace":"ns","uid":"g1"}}""")!.AsObject());
        var child = new DynamicObject(JsonNode.Parse("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c","namespace":"ns"}}""")!.AsObject());

        OwnerReferences.SetControllerReference(owner, child);

        var r = child.Object["metadata"]!["ownerReferences"]![0]!;
        Assert.Equal(("example.com/v1", "Gadget", "g", "g1", true), ((string?)r["apiVersion"], (string?)r["kind"], (string?)r["name"], (string?)r["uid"], (bool?)r["controller"]));
        Assert.Equal("g1", new DynamicObject(child.Object).Metadata.OwnerReferences.Single().Uid);
    }
}
