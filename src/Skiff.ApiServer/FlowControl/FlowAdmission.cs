using Microsoft.AspNetCore.Http;

namespace Skiff.ApiServer.FlowControl;

/// <summary>
/// The outcome of <see cref="FlowController.AdmitAsync"/>: admitted (dispose once the request is done, to free its
/// seats) or rejected (the 429 was written; the caller stops). A WATCH frees its seats earlier, once it has sent its
/// initial events (<see cref="WatchInitialized"/>, upstream's <c>WatchInitialized</c> signal), and stays counted as an
/// open watch until disposed.
/// </summary>
public sealed class FlowAdmission : IDisposable
{
    /// <summary>Where a WATCH's admission waits in <see cref="HttpContext.Items"/> for its initialization signal.</summary>
    internal const string ItemKey = "skiff.flowcontrol.admission";

    private Action? _release;
    private IDisposable? _watch;

    internal FlowAdmission(bool admitted, Action? release)
    {
        Admitted = admitted;
        _release = release;
    }

    /// <summary>A long-running request: admitted, holds nothing.</summary>
    internal static FlowAdmission Unlimited => new(true, null);

    /// <summary>A rejected request.</summary>
    internal static FlowAdmission Rejected => new(false, null);

    /// <summary>Whether the request may proceed.</summary>
    public bool Admitted { get; }

    /// <summary>Whether the request still holds its seats.</summary>
    public bool HoldsSeats => Volatile.Read(ref _release) is not null;

    /// <summary>The open-watch registration (a WATCH only).</summary>
    internal IDisposable? Watch
    {
        set => _watch = value;
    }

    /// <summary>
    /// Signals that the WATCH serving <paramref name="ctx"/> has initialised (sent its initial events): its seats are
    /// freed while it goes on streaming. Does nothing for other requests, or when called again.
    /// </summary>
    public static void WatchInitialized(HttpContext ctx)
    {
        if (ctx.Items.TryGetValue(ItemKey, out var value) && value is FlowAdmission admission)
        {
            admission.ReleaseSeats();
        }
    }

    /// <summary>Frees the seats now (once); the request may go on.</summary>
    public void ReleaseSeats() => Interlocked.Exchange(ref _release, null)?.Invoke();

    /// <summary>Frees the seats (if still held) and forgets the watch.</summary>
    public void Dispose()
    {
        ReleaseSeats();
        Interlocked.Exchange(ref _watch, null)?.Dispose();
    }
}
