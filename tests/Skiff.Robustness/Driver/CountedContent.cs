using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace Skiff.Robustness.Driver;

/// <summary>
/// A JSON request body that counts how often the handler wrote it onto a connection. <see cref="SocketsHttpHandler"/>
/// may send one request more than once (on a pooled connection closed before any response byte it retries a request
/// without a body; on HTTP/2 GOAWAY or REFUSED_STREAM any request), and the caller sees only the last attempt's error.
/// A server cannot carry out a write whose body it never received, so <see cref="Sends"/> = 0 proves the write was
/// not done whatever the final error says.
/// </summary>
public sealed class CountedContent : HttpContent
{
    private readonly byte[] _bytes;
    private int _sends;

    public CountedContent(string json)
    {
        _bytes = Encoding.UTF8.GetBytes(json);
        Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
    }

    /// <summary>How many times the body was written to a connection.</summary>
    public int Sends => Volatile.Read(ref _sends);

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _sends);
        return stream.WriteAsync(_bytes, cancellationToken).AsTask();
    }

    protected override void SerializeToStream(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _sends);
        stream.Write(_bytes);
    }

    protected override bool TryComputeLength(out long length)
    {
        length = _bytes.Length;
        return true;
    }
}
