using System.Diagnostics;
using System.Text;

namespace Skiff.Robustness.Servers;

/// <summary>
/// A child process that can be killed with SIGKILL and started again with the same arguments; it keeps the last 64 KB
/// of its output for failure messages.
/// </summary>
public sealed class ServerProcess : IAsyncDisposable
{
    private readonly ProcessStartInfo _info;
    private readonly StringBuilder _log = new();
    private Process? _process;

    public ServerProcess(string fileName, IEnumerable<string> args)
    {
        _info = new ProcessStartInfo(fileName) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in args)
        {
            _info.ArgumentList.Add(a);
        }
    }

    /// <summary>Raised for every output line (stdout and stderr).</summary>
    public event Action<string>? Line;

    public int? Pid => _process is { HasExited: false } p ? p.Id : null;

    /// <summary>The recent output.</summary>
    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    /// <summary>Starts the process (again).</summary>
    public void Start()
    {
        _process?.Dispose();
        _process = Process.Start(_info) ?? throw new InvalidOperationException("cannot start " + _info.FileName);
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// <summary>True once the process has exited.</summary>
    public bool HasExited => _process is null || _process.HasExited;

    /// <summary>SIGKILL, no clean shutdown, and wait until it is gone.</summary>
    public async Task KillAsync()
    {
        if (_process is { HasExited: false } p)
        {
            p.Kill(entireProcessTree: true);
            await p.WaitForExitAsync().ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync().ConfigureAwait(false);
        _process?.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_log)
        {
            if (_log.Length > 64 * 1024)
            {
                _log.Remove(0, 32 * 1024);
            }

            _log.AppendLine(line);
        }

        Line?.Invoke(line);
    }
}
