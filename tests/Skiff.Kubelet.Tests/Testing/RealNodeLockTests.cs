using Skiff.Testing.ControlPlane;
using Xunit;

namespace Skiff.Kubelet.Tests.Testing;

public sealed class RealNodeLockTests
{
    [Fact]
    public async Task ASecondHolderWaits_TimesOutNamingTheFile_AndGetsTheLockOnceReleased()
    {
        var path = Path.Combine(Path.GetTempPath(), "skiff-lock-test-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            var first = await RealNodeLock.AcquireAsync(TimeSpan.FromSeconds(5), CancellationToken.None, path);
            var e = await Assert.ThrowsAsync<TimeoutException>(() => RealNodeLock.AcquireAsync(TimeSpan.FromMilliseconds(600), CancellationToken.None, path));
            Assert.Contains(path, e.Message, StringComparison.Ordinal);

            // A waiter gets it as soon as the holder lets go.
            var waiter = RealNodeLock.AcquireAsync(TimeSpan.FromSeconds(30), CancellationToken.None, path);
            first.Dispose();
            using var second = await waiter;
        }
        finally
        {
            File.Delete(path);
        }
    }
}
