namespace Skiff.ApiServer.FlowControl;

/// <summary>
/// The outcome of <see cref="FlowController.AdmitAsync"/>: admitted (dispose once the request is done, to free its
/// seat) or rejected (the 429 was written; the caller stops).
/// </summary>
public sealed class FlowAdmission : IDisposable
{
    private readonly IDisposable? _seat;
    private Action? _done;

    internal FlowAdmission(bool admitted, IDisposable? seat, Action? done)
    {
        Admitted = admitted;
        _seat = seat;
        _done = done;
    }

    /// <summary>A long-running request: admitted, holds nothing.</summary>
    internal static FlowAdmission Unlimited => new(true, null, null);

    /// <summary>A rejected request.</summary>
    internal static FlowAdmission Rejected => new(false, null, null);

    /// <summary>Whether the request may proceed.</summary>
    public bool Admitted { get; }

    /// <summary>Frees the seat (once).</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _done, null) is { } done)
        {
            _seat?.Dispose();
            done();
        }
    }
}
