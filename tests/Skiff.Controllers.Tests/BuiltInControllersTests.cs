using Skiff.Controllers;
using Xunit;

namespace Skiff.Controllers.Tests;

public sealed class BuiltInControllersTests
{
    [Fact]
    public void Select_UnknownName_Throws()
    {
        var e = Assert.Throws<ArgumentException>(() => BuiltInControllers.Select(["*", "-no-such-controller"]));
        Assert.Contains("no-such-controller", e.Message);
    }

    [Fact]
    public void Select_Star_IsEveryDefaultEnabledController()
    {
        var selected = BuiltInControllers.Select(["*"]);
        Assert.Equal(BuiltInControllers.All.Where(c => c.EnabledByDefault).Select(c => c.Name), selected.Select(c => c.Name));
    }

    [Theory]
    [InlineData("namespace")]
    [InlineData("garbagecollector")]
    [InlineData("serviceaccount")]
    [InlineData("root-ca-cert-publisher")]
    public void All_HasUpstreamController_EnabledByDefault(string name)
    {
        Assert.True(BuiltInControllers.All.Single(c => c.Name == name).EnabledByDefault);
        Assert.DoesNotContain(BuiltInControllers.Select(["*", "-" + name]), c => c.Name == name);
    }

    [Fact]
    public void Select_Names_AreUnique()
    {
        Assert.Equal(BuiltInControllers.All.Count, BuiltInControllers.All.Select(c => c.Name).Distinct().Count());
    }
}
