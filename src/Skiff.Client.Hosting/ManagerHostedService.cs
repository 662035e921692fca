using Microsoft.Extensions.Hosting;
using Skiff.Client.Runtime;

namespace Skiff.Client.Hosting;

/// <summary>
/// Runs the <see cref="Manager"/> while the host runs. Start returns at once (informers sync and leader election
/// proceed in the background; <see cref="Manager.Elected"/> tells when controllers run). Stop cancels the manager and
/// waits for it (queues drained, Lease released). When the manager stops on its own — leadership lost, or a runnable
/// failed — the host is asked to stop, as upstream managers exit.
/// </summary>
internal sealed class ManagerHostedService(Manager manager, IHostApplicationLifetime lifetime) : IHostedService, IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private Task _run = Task.CompletedTask;

    /// <summary>The failure that stopped the manager on its own, if any.</summary>
    public Exception? Failure { get; private set; }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _run = RunAsync();
        return Task.CompletedTask;
    }

    private async Task RunAsync()
    {
        try
        {
            await Task.Yield();
            await manager.RunAsync(_stop.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            return;
        }
        catch (Exception e)
        {
            Failure = e;
        }

        if (!_stop.IsCancellationRequested)
        {
            lifetime.StopApplication();
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _run.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    public void Dispose() => _stop.Dispose();
}
