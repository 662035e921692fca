using System.Text.RegularExpressions;
using Skiff.ApiServer.Store;
using Xunit;

namespace Skiff.ApiServer.Tests.Store;

public class UidsTests
{
    [Fact]
    public void New_IsAVersion4RandomUuid()
    {
        // Upstream's uids (google/uuid NewRandom): 8-4-4-4-12 lower-case hex, version 4, RFC 4122 variant (8, 9, a or b).
        var pattern = new Regex("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$");
        for (var i = 0; i < 200; i++)
        {
            Assert.Matches(pattern, Uids.New());
        }
    }

    [Fact]
    public void New_NeverRepeats_AcrossBufferRefillsAndThreads()
    {
        var seen = new System.Collections.Concurrent.ConcurrentDictionary<string, bool>();
        Parallel.For(0, 4, _ =>
        {
            for (var i = 0; i < 1000; i++)
            {
                Assert.True(seen.TryAdd(Uids.New(), true));
            }
        });

        Assert.Equal(4000, seen.Count);
    }
}
