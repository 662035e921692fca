using System.Globalization;
using System.Text;
using System.Threading.Channels;

namespace Skiff.ApiServer.Audit;

/// <summary>
/// Upstream's log backend: one JSON event per line, appended to a file (or standard output for <c>-</c>) by one
/// background writer so that requests never wait on the disk; each batch is flushed. With a maximum size the file
/// is rotated lumberjack-style to <c>name-&lt;timestamp&gt;.ext</c>, keeping at most <c>MaxBackups</c> files no older
/// than <c>MaxAgeDays</c>. Events after disposal are dropped.
/// </summary>
public sealed class AuditLogWriter : IAsyncDisposable
{
    private readonly Channel<string> _lines = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });
    private readonly AuditLogOptions _options;
    private readonly TimeProvider _clock;
    private readonly Task _writer;
    private Stream? _stream;
    private long _size;

    /// <summary>Opens the log of <paramref name="options"/> (creating its directory).</summary>
    public AuditLogWriter(AuditLogOptions options, TimeProvider clock)
    {
        _options = options;
        _clock = clock;
        Open();
        _writer = Task.Run(WriteLoopAsync);
    }

    /// <summary>Queues one event line.</summary>
    public void Write(string json) => _lines.Writer.TryWrite(json);

    /// <summary>Writes what is queued, then closes the file.</summary>
    public async ValueTask DisposeAsync()
    {
        _lines.Writer.TryComplete();
        await _writer.ConfigureAwait(false);
        if (_stream is { } s && _options.LogPath != "-")
        {
            await s.DisposeAsync().ConfigureAwait(false);
        }
    }

    private void Open()
    {
        if (_options.LogPath == "-")
        {
            _stream = Console.OpenStandardOutput();
            return;
        }

        var path = _options.LogPath!;
        if (Path.GetDirectoryName(Path.GetFullPath(path)) is { Length: > 0 } dir)
        {
            Directory.CreateDirectory(dir);
        }

        _stream = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
        _size = _stream.Length;
    }

    private async Task WriteLoopAsync()
    {
        var reader = _lines.Reader;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (reader.TryRead(out var line))
            {
                var bytes = Encoding.UTF8.GetBytes(line + "\n");
                if (_options.MaxSizeMegabytes > 0 && _options.LogPath != "-" && _size + bytes.Length > _options.MaxSizeMegabytes * 1024L * 1024L && _size > 0)
                {
                    await RotateAsync().ConfigureAwait(false);
                }

                await _stream!.WriteAsync(bytes).ConfigureAwait(false);
                _size += bytes.Length;
            }

            await _stream!.FlushAsync().ConfigureAwait(false);
        }
    }

    private async Task RotateAsync()
    {
        await _stream!.DisposeAsync().ConfigureAwait(false);
        var path = Path.GetFullPath(_options.LogPath!);
        var dir = Path.GetDirectoryName(path)!;
        var name = Path.GetFileNameWithoutExtension(path);
        var ext = Path.GetExtension(path);
        var stamp = _clock.GetUtcNow().ToString("yyyy-MM-ddTHH-mm-ss.fff", CultureInfo.InvariantCulture);
        File.Move(path, Path.Combine(dir, $"{name}-{stamp}{ext}"), overwrite: true);
        var backups = Directory.GetFiles(dir, $"{name}-*{ext}").OrderByDescending(f => f, StringComparer.Ordinal).ToList();
        for (var i = 0; i < backups.Count; i++)
        {
            var tooMany = _options.MaxBackups > 0 && i >= _options.MaxBackups;
            var tooOld = _options.MaxAgeDays > 0 && File.GetLastWriteTimeUtc(backups[i]) < _clock.GetUtcNow().UtcDateTime.AddDays(-_options.MaxAgeDays);
            if (tooMany || tooOld)
            {
                File.Delete(backups[i]);
            }
        }

        Open();
    }
}
