using System.Text.Json.Nodes;
using Skiff.Api.Patch;
using Skiff.Client.Runtime;
using Xunit;

namespace Skiff.Client.Tests.Runtime;

public sealed class MergePatchTests
{
    [Fact]
    public void Create_ChangedAddedRemovedNested()
    {
        var before = JsonNode.Parse("""{"a":1,"b":{"c":"x","d":[1,2]},"gone":true,"same":{"k":"v"}}""")!.AsObject();
        var after = JsonNode.Parse("""{"a":2,"b":{"c":"x","d":[1,2,3],"e":null},"same":{"k":"v"},"new":"n"}""")!.AsObject();

        var patch = MergePatch.Create(before, after);

        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"gone":null,"a":2,"b":{"d":[1,2,3],"e":null},"new":"n"}"""), patch), patch.ToJsonString());
    }

    [Fact]
    public void Create_Equal_IsEmpty()
    {
        var doc = JsonNode.Parse("""{"a":{"b":[{"c":1}]}}""")!.AsObject();
        Assert.Empty(MergePatch.Create(doc, (JsonObject)doc.DeepClone()));
    }

    [Fact]
    public void Create_AppliedToTheOriginal_GivesTheModified_ForNullFreeDocuments()
    {
        var before = JsonNode.Parse("""{"spec":{"replicas":1,"tpl":{"x":"y"}},"status":{"ok":false},"meta":{"labels":{"a":"1","b":"2"}}}""")!.AsObject();
        var after = JsonNode.Parse("""{"spec":{"replicas":3,"tpl":{"x":"y","z":[1]}},"meta":{"labels":{"a":"1"}}}""")!.AsObject();

        var applied = JsonMergePatch.Apply(before.DeepClone(), MergePatch.Create(before, after));

        Assert.True(JsonNode.DeepEquals(after, applied), applied?.ToJsonString());
    }
}
