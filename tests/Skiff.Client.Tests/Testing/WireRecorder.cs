using System.Collections.Concurrent;

namespace Skiff.Client.Tests.Testing;

/// <summary>
/// A transport wrapper (for <c>ClientConfig.WrapTransport</c>) that records, per request, the method, path, request
/// Content-Type, Accept and response Content-Type (with parameters) as they went over the wire.
/// </summary>
public sealed class WireRecorder
{
    private readonly ConcurrentQueue<WireExchange> _exchanges = new();

    public IReadOnlyList<WireExchange> Exchanges => [.. _exchanges];

    public HttpMessageHandler Wrap(HttpMessageHandler inner) => new Handler(this, inner);

    private sealed class Handler(WireRecorder recorder, HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
            recorder._exchanges.Enqueue(new WireExchange(
                request.Method.Method,
                request.RequestUri?.AbsolutePath ?? "",
                request.Content?.Headers.ContentType?.ToString(),
                request.Headers.TryGetValues("Accept", out var accept) ? string.Join(", ", accept) : "",
                response.Content.Headers.ContentType?.ToString(),
                (int)response.StatusCode));
            return response;
        }
    }
}

/// <summary>One recorded request/response pair.</summary>
public sealed record WireExchange(string Method, string Path, string? RequestContentType, string Accept, string? ResponseContentType, int Status);
