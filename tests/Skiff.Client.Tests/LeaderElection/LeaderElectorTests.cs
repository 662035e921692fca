using Skiff.Client.LeaderElection;
using Xunit;

namespace Skiff.Client.Tests.LeaderElection;

/// <summary>The leader elector alone, on an in-memory lock.</summary>
public sealed class LeaderElectorTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Run_RenewalFailsWithTransportErrorAfterDeadline_LosesLeadershipWithoutThrowing()
    {
        var l = new MemoryLock("a");
        var stopped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var elector = new LeaderElector(new LeaderElectionConfig
        {
            Lock = l,
            LeaseDuration = TimeSpan.FromSeconds(2),
            RenewDeadline = TimeSpan.FromMilliseconds(500),
            RetryPeriod = TimeSpan.FromMilliseconds(100),
            OnStartedLeading = _ =>
            {
                started.TrySetResult();
                return Task.CompletedTask;
            },
            OnStoppedLeading = () =>
            {
                stopped.TrySetResult();
                return Task.CompletedTask;
            },
        });

        var run = elector.RunAsync(CancellationToken.None);
        await started.Task.WaitAsync(Deadline);

        // From now on every request hangs until it is cancelled, and then fails as a transport error (not as an
        // OperationCanceledException), as an HTTP stack may when the renew deadline cuts a request short.
        l.HangThenFail = true;

        await run.WaitAsync(Deadline);
        await stopped.Task.WaitAsync(Deadline);
        Assert.True(l.FailedAfterCancel > 0);
    }

    private sealed class MemoryLock(string identity) : IResourceLock
    {
        private ObservedLock? _current;
        private int _version;
        private int _failedAfterCancel;

        public volatile bool HangThenFail;

        public int FailedAfterCancel => Volatile.Read(ref _failedAfterCancel);

        public string Identity => identity;

        public string Description => "test/lock";

        public async Task<ObservedLock?> GetAsync(CancellationToken ct)
        {
            await MaybeHangAsync(ct);
            return _current;
        }

        public async Task<ObservedLock> CreateAsync(LeaderElectionRecord record, CancellationToken ct)
        {
            await MaybeHangAsync(ct);
            return _current = new ObservedLock(record, (++_version).ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        public async Task<ObservedLock> UpdateAsync(ObservedLock previous, LeaderElectionRecord record, CancellationToken ct)
        {
            await MaybeHangAsync(ct);
            if (_current?.ResourceVersion != previous.ResourceVersion)
            {
                throw new InvalidOperationException("conflict");
            }

            return _current = new ObservedLock(record, (++_version).ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        private async Task MaybeHangAsync(CancellationToken ct)
        {
            if (!HangThenFail)
            {
                return;
            }

            try
            {
                await Task.Delay(Timeout.Infinite, ct);
            }
            catch (OperationCanceledException)
            {
                Interlocked.Increment(ref _failedAfterCancel);
                throw new HttpRequestException("connection reset while cancelling");
            }
        }
    }
}
