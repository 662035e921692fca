using System.Text.Json.Nodes;
using Skiff.ApiServer.Security;
using Xunit;

namespace Skiff.ApiServer.Tests.Security;

/// <summary>The one authentication/v1 UserInfo encoder and its per-caller options.</summary>
public sealed class UserInfoTests
{
    private static readonly UserInfo Full = new("alice", "u-1", ["devs"])
    {
        Extra = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal) { ["zeta"] = ["z"], ["alpha"] = ["a1", "a2"] },
    };

    [Fact]
    public void Default_OmitsAbsentFields_KeepsExtraOrder()
    {
        Assert.Equal("""{"username":"bob"}""", new UserInfo("bob", null, []).ToJson().ToJsonString());
        Assert.Equal("""{"username":"alice","uid":"u-1","groups":["devs"],"extra":{"zeta":["z"],"alpha":["a1","a2"]}}""", Full.ToJson().ToJsonString());
    }

    [Fact]
    public void Options_AlwaysGroups_SortedExtra()
    {
        Assert.Equal("""{"username":"bob","groups":[]}""", new UserInfo("bob", "", []).ToJson(UserInfoJsonOptions.AlwaysGroups).ToJsonString());
        Assert.Equal("""{"username":"alice","uid":"u-1","groups":["devs"],"extra":{"alpha":["a1","a2"],"zeta":["z"]}}""",
            Full.ToJson(UserInfoJsonOptions.AlwaysGroups | UserInfoJsonOptions.SortedExtra).ToJsonString());
    }

    [Fact]
    public void WriteTo_SetsTheUsersFields_RemovesWhatItLacks_KeepsTheRest()
    {
        var spec = JsonNode.Parse("""{"request":"r","username":"mallory","uid":"forged","groups":["system:masters"],"extra":{"k":["v"]},"signerName":"s"}""")!.AsObject();
        new UserInfo("bob", null, []).WriteTo(spec, UserInfoJsonOptions.AlwaysGroups);
        Assert.Equal("""{"request":"r","username":"bob","groups":[],"signerName":"s"}""", spec.ToJsonString());
        Full.WriteTo(spec);
        Assert.Equal("""{"request":"r","username":"alice","groups":["devs"],"signerName":"s","uid":"u-1","extra":{"zeta":["z"],"alpha":["a1","a2"]}}""", spec.ToJsonString());
    }
}
