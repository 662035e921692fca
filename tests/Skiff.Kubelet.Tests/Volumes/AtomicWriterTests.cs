using System.Text;
using Skiff.Kubelet.Volumes;
using Xunit;

namespace Skiff.Kubelet.Tests.Volumes;

public sealed class AtomicWriterTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "aw-" + Guid.NewGuid().ToString("N")[..8]);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static AtomicWriter.FileProjection F(string s) => new(Encoding.UTF8.GetBytes(s), (UnixFileMode)0b110_100_100);

    [Fact]
    public void SwapsThePayloadThroughTheDataSymlink()
    {
        Assert.True(AtomicWriter.Write(_dir, new Dictionary<string, AtomicWriter.FileProjection> { ["a"] = F("1"), ["b"] = F("2") }));
        Assert.Equal("1", File.ReadAllText(Path.Combine(_dir, "a")));
        Assert.Equal(Path.Combine("..data", "a"), new FileInfo(Path.Combine(_dir, "a")).LinkTarget);
        var first = new FileInfo(Path.Combine(_dir, "..data")).LinkTarget;

        Assert.False(AtomicWriter.Write(_dir, new Dictionary<string, AtomicWriter.FileProjection> { ["a"] = F("1"), ["b"] = F("2") }));
        Assert.Equal(first, new FileInfo(Path.Combine(_dir, "..data")).LinkTarget);

        Assert.True(AtomicWriter.Write(_dir, new Dictionary<string, AtomicWriter.FileProjection> { ["a"] = F("3") }));
        Assert.Equal("3", File.ReadAllText(Path.Combine(_dir, "a")));
        Assert.False(File.Exists(Path.Combine(_dir, "b")));
        Assert.False(Directory.Exists(Path.Combine(_dir, first!)));
    }
}
