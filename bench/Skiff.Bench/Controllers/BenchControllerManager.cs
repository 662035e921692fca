using Skiff.Bench.Client;
using Skiff.Client.Discovery;
using Skiff.Client.Dynamic;
using Skiff.Client.Runtime;
using Skiff.Client.Typed;
using Skiff.Controllers;

namespace Skiff.Bench.Controllers;

/// <summary>
/// The controller side of a controller bench: a <see cref="Runtime.Manager"/> on clients of its own (not the bench's
/// client) with the catalogue's selected controllers registered, as the controller manager registers them. Nothing runs
/// until <see cref="StartAsync"/> (so a bench may add informer handlers first); <see cref="StopAsync"/> (or disposal)
/// stops the manager and waits for it.
/// </summary>
internal sealed class BenchControllerManager : IAsyncDisposable
{
    private readonly Clientset _clients;
    private readonly DynamicClient _dynamic;
    private readonly CancellationTokenSource _stop = new();
    private Task? _running;

    private BenchControllerManager(BenchServer server, IReadOnlyList<string> selection)
    {
        _clients = server.Clientset();
        _dynamic = new DynamicClient(_clients.Rest);
        Manager = new Manager(_clients);
        var context = new ControllerContext { Manager = Manager, Dynamic = _dynamic, Discovery = new DiscoveryClient(_clients.Rest) };
        foreach (var c in BuiltInControllers.Select(selection))
        {
            c.Register(context);
        }
    }

    public Manager Manager { get; }

    /// <summary>Cancelled when the manager is stopped: for the bench's own informers that should stop with it.</summary>
    public CancellationToken Stopping => _stop.Token;

    /// <summary>Registers the controllers <paramref name="selection"/> names (upstream's <c>--controllers</c> syntax) against <paramref name="server"/>.</summary>
    public static BenchControllerManager Register(BenchServer server, IReadOnlyList<string> selection) => new(server, selection);

    /// <summary>The registered controller named <paramref name="name"/>.</summary>
    public Controller Controller(string name) => Manager.Controllers.Single(c => c.Name == name);

    /// <summary>Runs the manager and waits (at most 30 s) until it leads.</summary>
    public async Task StartAsync(CancellationToken ct)
    {
        _running = Manager.RunAsync(_stop.Token);
        await Manager.Elected.WaitAsync(TimeSpan.FromSeconds(30), ct).ConfigureAwait(false);
    }

    /// <summary>Stops the manager and waits until it stopped.</summary>
    public async Task StopAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_running is { } running)
        {
            _running = null;
            await running.ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        _dynamic.Dispose();
        _clients.Dispose();
        _stop.Dispose();
    }
}
