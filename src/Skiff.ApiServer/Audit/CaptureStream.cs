namespace Skiff.ApiServer.Audit;

/// <summary>
/// A write-through response stream that keeps a copy of what was written, up to a limit (past it the copy is
/// dropped and <see cref="Overflowed"/> is set): the response object of a RequestResponse-level audit event.
/// </summary>
internal sealed class CaptureStream(Stream inner, int limit) : Stream
{
    private MemoryStream? _copy = new();

    /// <summary>Whether the response was larger than the limit.</summary>
    public bool Overflowed => _copy is null;

    /// <inheritdoc/>
    public override long Length => _copy?.Length ?? 0;

    /// <summary>The bytes written.</summary>
    public byte[] Captured => _copy?.ToArray() ?? [];

    /// <inheritdoc/>
    public override bool CanRead => false;

    /// <inheritdoc/>
    public override bool CanSeek => false;

    /// <inheritdoc/>
    public override bool CanWrite => true;

    /// <inheritdoc/>
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    /// <inheritdoc/>
    public override void Flush() => inner.Flush();

    /// <inheritdoc/>
    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

    /// <inheritdoc/>
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    /// <inheritdoc/>
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    /// <inheritdoc/>
    public override void SetLength(long value) => throw new NotSupportedException();

    /// <inheritdoc/>
    public override void Write(byte[] buffer, int offset, int count)
    {
        Keep(buffer.AsSpan(offset, count));
        inner.Write(buffer, offset, count);
    }

    /// <inheritdoc/>
    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        Keep(buffer.Span);
        await inner.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    private void Keep(ReadOnlySpan<byte> data)
    {
        if (_copy is null)
        {
            return;
        }

        if (_copy.Length + data.Length > limit)
        {
            _copy.Dispose();
            _copy = null;
            return;
        }

        _copy.Write(data);
    }
}
