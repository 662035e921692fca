using System.IO.Pipelines;
using System.Text;
using Skiff.Api.HttpStream;
using Xunit;

namespace Skiff.Api.Tests.HttpStream;

/// <summary>
/// The byte relay after an upgrade: leftover first, both directions copied, and the two ways it ends (either side's
/// end, as upstream's upgrade-aware handler; or the client's end passed on as a half-close while the backend's answer
/// still flows).
/// </summary>
public sealed class UpgradedStreamRelayTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task RelayAsync_WithoutHalfClose_CopiesBothWays_AndEndsWhenTheClientEnds()
    {
        var client = new Duplex();
        var backend = new Duplex();
        var relay = UpgradedStreamRelay.RelayAsync(client.Local, backend.Local, "left"u8.ToArray(), halfCloseBackend: null, CancellationToken.None);

        Assert.Equal("left", await client.ReadRemoteAsync(4));
        await client.WriteRemoteAsync("ping");
        Assert.Equal("ping", await backend.ReadRemoteAsync(4));
        await backend.WriteRemoteAsync("pong");
        Assert.Equal("pong", await client.ReadRemoteAsync(4));

        await client.CompleteRemoteAsync();
        await relay.WaitAsync(Deadline);
    }

    [Fact]
    public async Task RelayAsync_WithHalfClose_PassesTheClientsEndOn_AndRelaysUntilTheBackendEnds()
    {
        var client = new Duplex();
        var backend = new Duplex();
        var halfClosed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var relay = UpgradedStreamRelay.RelayAsync(client.Local, backend.Local, ReadOnlyMemory<byte>.Empty, halfClosed.SetResult, CancellationToken.None);

        await client.WriteRemoteAsync("stdin");
        Assert.Equal("stdin", await backend.ReadRemoteAsync(5));
        await client.CompleteRemoteAsync();
        await halfClosed.Task.WaitAsync(Deadline);
        Assert.False(relay.IsCompleted);

        await backend.WriteRemoteAsync("answer");
        Assert.Equal("answer", await client.ReadRemoteAsync(6));
        await backend.CompleteRemoteAsync();
        await relay.WaitAsync(Deadline);
    }

    [Fact]
    public async Task RelayAsync_Cancelled_Ends()
    {
        using var cts = new CancellationTokenSource();
        var relay = UpgradedStreamRelay.RelayAsync(new Duplex().Local, new Duplex().Local, ReadOnlyMemory<byte>.Empty, null, cts.Token);

        await cts.CancelAsync();
        await relay.WaitAsync(Deadline);
    }

    /// <summary>A connection: <see cref="Local"/> is the relay's end, the test drives the remote one.</summary>
    private sealed class Duplex
    {
        private readonly Pipe _toLocal = new();
        private readonly Pipe _fromLocal = new();

        public Duplex() => Local = new DuplexStream(_toLocal.Reader.AsStream(), _fromLocal.Writer.AsStream());

        public Stream Local { get; }

        public async Task WriteRemoteAsync(string text) => await _toLocal.Writer.WriteAsync(Encoding.UTF8.GetBytes(text));

        public async Task CompleteRemoteAsync() => await _toLocal.Writer.CompleteAsync();

        public async Task<string> ReadRemoteAsync(int length)
        {
            using var deadline = new CancellationTokenSource(Deadline);
            var result = await _fromLocal.Reader.ReadAtLeastAsync(length, deadline.Token);
            var text = Encoding.UTF8.GetString(result.Buffer.Slice(0, length));
            _fromLocal.Reader.AdvanceTo(result.Buffer.GetPosition(length));
            return text;
        }
    }

    private sealed class DuplexStream(Stream read, Stream write) : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Flush() => write.Flush();

        public override Task FlushAsync(CancellationToken cancellationToken) => write.FlushAsync(cancellationToken);

        public override int Read(byte[] buffer, int offset, int count) => read.Read(buffer, offset, count);

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => read.ReadAsync(buffer, cancellationToken);

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) => write.WriteAsync(buffer, cancellationToken);

        public override void Write(byte[] buffer, int offset, int count) => write.Write(buffer, offset, count);

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
