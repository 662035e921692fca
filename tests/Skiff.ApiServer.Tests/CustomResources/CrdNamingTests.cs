using System.Text.Json.Nodes;
using Skiff.ApiServer.CustomResources;
using Skiff.ApiServer.Registry;
using Xunit;

namespace Skiff.ApiServer.Tests.CustomResources;

public sealed class CrdNamingTests
{
    private static JsonObject Crd(string plural, string kind, string[]? shortNames = null, JsonObject? accepted = null) => new()
    {
        ["metadata"] = new JsonObject { ["name"] = $"{plural}.example.com" },
        ["spec"] = new JsonObject
        {
            ["group"] = "example.com",
            ["names"] = new JsonObject
            {
                ["plural"] = plural, ["singular"] = plural.TrimEnd('s'), ["kind"] = kind, ["listKind"] = kind + "List",
                ["shortNames"] = new JsonArray((shortNames ?? []).Select(s => (JsonNode?)s).ToArray()),
            },
        },
        ["status"] = new JsonObject { ["acceptedNames"] = accepted ?? new JsonObject { ["plural"] = "", ["kind"] = "" } },
    };

    private static JsonObject Accepted(JsonObject crd) => (JsonObject)crd["spec"]!["names"]!.DeepClone();

    [Fact]
    public void NoConflicts_AcceptsEveryName_AndEstablishes()
    {
        var r = CrdNaming.Compute(Crd("widgets", "Widget", ["w"]), [], BuiltInResources.Create(new BuiltInResourceOptions()));
        Assert.Equal(("True", "NoConflicts", "no conflicts found"), r.NamesAccepted);
        Assert.Equal(("True", "InitialNamesAccepted", "the initial names have been accepted"), r.Established);
        Assert.Equal("widgets", r.AcceptedNames["plural"]!.GetValue<string>());
        Assert.Equal("widget", r.AcceptedNames["singular"]!.GetValue<string>());
        Assert.Equal("w", r.AcceptedNames["shortNames"]![0]!.GetValue<string>());
        Assert.Equal("WidgetList", r.AcceptedNames["listKind"]!.GetValue<string>());
    }

    [Fact]
    public void ShortNameTakenByAnother_IsShortNamesConflict_OtherNamesStillAccepted()
    {
        var other = Crd("gadgets", "Gadget", ["g"]);
        other["status"]!["acceptedNames"] = Accepted(other);
        var r = CrdNaming.Compute(Crd("gizmos", "Gizmo", ["g", "gadget"]), [other], []);
        Assert.Equal(("False", "ShortNamesConflict", "[\"g\" is already in use, \"gadget\" is already in use]"), r.NamesAccepted);
        Assert.Equal(("False", "NotAccepted", "not all names are accepted"), r.Established);
        Assert.Equal("gizmos", r.AcceptedNames["plural"]!.GetValue<string>());
        Assert.Null(r.AcceptedNames["shortNames"]);
    }

    [Fact]
    public void NamesAlreadyHeld_StayAccepted_EvenIfAnotherClaimsThem()
    {
        var mine = Crd("widgets", "Widget");
        mine["status"]!["acceptedNames"] = Accepted(mine);
        var other = Crd("widgets2", "Widget");
        other["status"]!["acceptedNames"] = Accepted(other);
        var r = CrdNaming.Compute(mine, [other], []);
        Assert.Equal("True", r.NamesAccepted.Status);
    }

    [Fact]
    public void OtherGroups_DoNotConflict()
    {
        var other = Crd("widgets", "Widget");
        other["spec"]!["group"] = "other.com";
        other["status"]!["acceptedNames"] = Accepted(other);
        Assert.Equal("True", CrdNaming.Compute(Crd("widgets", "Widget"), [other], []).NamesAccepted.Status);
    }
}
