using Skiff.Kubelet.Env;
using Xunit;

namespace Skiff.Kubelet.Tests.Env;

/// <summary>Upstream's own table (third_party/forked/golang/expansion/expand_test.go).</summary>
public sealed class EnvExpansionTests
{
    private static readonly Dictionary<string, string> Vars = new()
    {
        ["VAR_A"] = "A",
        ["VAR_B"] = "B",
        ["VAR_C"] = "C",
        ["VAR_REF"] = "$(VAR_A)",
        ["VAR_EMPTY"] = "",
    };

    [Theory]
    [InlineData("$(VAR_A)", "A")]
    [InlineData("$(VAR_A)-$(VAR_A)", "A-A")]
    [InlineData("$(VAR_A)-1", "A-1")]
    [InlineData("___$(VAR_B)___", "___B___")]
    [InlineData("___$(VAR_C)", "___C")]
    [InlineData("$(VAR_A)_$(VAR_B)_$(VAR_C)", "A_B_C")]
    [InlineData("$$(VAR_B)_$(VAR_A)", "$(VAR_B)_A")]
    [InlineData("$$(VAR_A)_$$(VAR_B)", "$(VAR_A)_$(VAR_B)")]
    [InlineData("f000-$$VAR_A", "f000-$VAR_A")]
    [InlineData("foo\\$(VAR_C)bar", "foo\\Cbar")]
    [InlineData("foo\\\\$(VAR_C)bar", "foo\\\\Cbar")]
    [InlineData("foo\\\\\\\\$(VAR_A)bar", "foo\\\\\\\\Abar")]
    [InlineData("$(VAR_A$(VAR_B))", "$(VAR_A$(VAR_B))")]
    [InlineData("$(VAR_A$(VAR_B)", "$(VAR_A$(VAR_B)")]
    [InlineData("$(VAR_REF)", "$(VAR_A)")]
    [InlineData("%%$(VAR_REF)--$(VAR_REF)%%", "%%$(VAR_A)--$(VAR_A)%%")]
    [InlineData("foo$(VAR_EMPTY)bar", "foobar")]
    [InlineData("foo$(VAR_Awhoops!", "foo$(VAR_Awhoops!")]
    [InlineData("f00__(VAR_A)__", "f00__(VAR_A)__")]
    [InlineData("$?_boo_$!", "$?_boo_$!")]
    [InlineData("$VAR_A", "$VAR_A")]
    [InlineData("$(VAR_DNE)", "$(VAR_DNE)")]
    [InlineData("$$$$$$(BIG_MONEY)", "$$$(BIG_MONEY)")]
    [InlineData("$$$$$$(VAR_A)", "$$$(VAR_A)")]
    [InlineData("$$$$$$$(GOOD_ODDS)", "$$$$(GOOD_ODDS)")]
    [InlineData("$$$$$$$(VAR_A)", "$$$A")]
    [InlineData("$VAR_A)", "$VAR_A)")]
    [InlineData("${VAR_A}", "${VAR_A}")]
    [InlineData("$(VAR_B)_______$(A", "B_______$(A")]
    [InlineData("$(VAR_C)_______$(", "C_______$(")]
    [InlineData("$(VAR_A)foobarzab$", "Afoobarzab$")]
    [InlineData("foo-\\$(VAR_A", "foo-\\$(VAR_A")]
    [InlineData("--$($($($($--", "--$($($($($--")]
    [InlineData("$($($($($--foo$(", "$($($($($--foo$(")]
    [InlineData("foo0--$($($($(", "foo0--$($($($(")]
    [InlineData("$(foo$$var)", "$(foo$$var)")]
    [InlineData("\n", "\n")]
    public void Expand_MatchesUpstreamsTable(string input, string expected)
    {
        Assert.Equal(expected, EnvExpansion.Expand(input, EnvExpansion.MappingFor(Vars)));

        // The same through two contexts (upstream TestMappingDual).
        var first = Vars.Where(kv => kv.Key is "VAR_A" or "VAR_EMPTY").ToDictionary();
        var second = Vars.Where(kv => kv.Key is not ("VAR_A" or "VAR_EMPTY")).ToDictionary();
        Assert.Equal(expected, EnvExpansion.Expand(input, EnvExpansion.MappingFor(first, second)));
    }

    [Fact]
    public void ExpandCommandOnlyStatic_UsesLiteralValuesOnly()
    {
        var env = new[]
        {
            new k8s.Models.V1EnvVar { Name = "PORT", Value = "8080" },
            new k8s.Models.V1EnvVar { Name = "NAME", ValueFrom = new k8s.Models.V1EnvVarSource() },
        };
        Assert.Equal(["curl", "localhost:8080/$(NONE)", "x"], EnvExpansion.ExpandCommandOnlyStatic(["curl", "localhost:$(PORT)/$(NONE)", "x$(NAME)"], env));
    }
}
