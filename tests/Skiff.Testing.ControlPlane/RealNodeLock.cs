namespace Skiff.Testing.ControlPlane;

/// <summary>
/// The one lock every real-node test takes, across test processes. <c>dotnet test Skiff.sln</c> runs the test projects
/// at once, in separate processes, but on one kernel: one containerd state, one <c>/proc</c>, netfilter, the CNI
/// bridges and their ranges, and the ports 10250/10248 of <c>skiff up</c>'s kubelet. A real-node fixture of
/// <c>Skiff.Kubelet.Tests</c> and the real-node collection of <c>Skiff.E2E.Tests</c> (and anything else that starts
/// containerd or programs netfilter) hold this lock while they run, so only one of them uses the node at a time.
/// <para>
/// It is <c>flock(2)</c> on <see cref="DefaultPath"/>, the lock .NET takes for <see cref="FileShare.None"/> on Unix.
/// The kernel drops the lock when the holder exits, so a killed test run leaves nothing stale. The file is not
/// <c>/tmp/skiff-realnode.lock</c>, the lock people take around a whole run (<c>flock /tmp/skiff-realnode.lock dotnet
/// test …</c>): the test process inherits that lock's descriptor, and taking the same file again from inside would
/// wait for itself.
/// </para>
/// </summary>
public sealed class RealNodeLock : IDisposable
{
    /// <summary>The lock file.</summary>
    public const string DefaultPath = "/tmp/skiff-realnode-tests.lock";

    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(250);

    private readonly FileStream _file;

    private RealNodeLock(FileStream file) => _file = file;

    /// <summary>
    /// Waits until this process holds the lock, checking every 250 ms. Throws <see cref="TimeoutException"/> after
    /// <paramref name="timeout"/>, naming the file, so a stuck holder shows up as a failure and never as a hang.
    /// </summary>
    public static async Task<RealNodeLock> AcquireAsync(TimeSpan timeout, CancellationToken ct, string path = DefaultPath)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            try
            {
                // Exclusive flock(LOCK_EX | LOCK_NB): fails with IOException while another descriptor holds it.
                return new RealNodeLock(new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(Poll, ct).ConfigureAwait(false);
            }
            catch (IOException e)
            {
                throw new TimeoutException($"the real-node lock {path} was held by another test process for {timeout}", e);
            }
        }
    }

    /// <summary>Releases the lock (closing the descriptor drops the flock).</summary>
    public void Dispose() => _file.Dispose();
}
