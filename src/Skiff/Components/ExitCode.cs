namespace Skiff.Components;

/// <summary>The process exit code a component asks for when it stops the process (0 unless one failed).</summary>
internal sealed class ExitCode
{
    private int _code;

    public int Code => Volatile.Read(ref _code);

    /// <summary>Records <paramref name="code"/> unless a failure was recorded already.</summary>
    public void Set(int code) => Interlocked.CompareExchange(ref _code, code, 0);
}
