namespace Skiff.HostTools.Tests;

/// <summary><see cref="Nft"/>: where the binary is, and a script checked through stdin.</summary>
public sealed class NftTests
{
    [SkippableFact]
    public async Task DefaultPath_ChecksAScriptFromStdin()
    {
        Skip.If(!OperatingSystem.IsLinux() || Environment.UserName != "root" || !Nft.IsAvailable(), "NFT TESTS SKIPPED: needs root and nft");

        var (ok, _, okError) = await HostCommand.RunAsync(Nft.DefaultPath, ["--check", "-f", "-"], "table ip skiff-nft-check {\n}\n", default);
        var (bad, _, badError) = await HostCommand.RunAsync(Nft.DefaultPath, ["--check", "-f", "-"], "table ip skiff-nft-check { nonsense }\n", default);

        Assert.True(ok == 0, okError);
        Assert.NotEqual(0, bad);
        Assert.Contains("nonsense", badError, StringComparison.Ordinal);
    }

    [Fact]
    public void IsAvailable_AgreesWithDefaultPath()
    {
        Assert.Equal(File.Exists("/usr/sbin/nft") ? "/usr/sbin/nft" : "nft", Nft.DefaultPath);
        if (File.Exists("/usr/sbin/nft"))
        {
            Assert.True(Nft.IsAvailable());
        }
    }
}
