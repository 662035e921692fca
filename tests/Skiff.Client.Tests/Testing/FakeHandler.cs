using System.Net;
using System.Text;

namespace Skiff.Client.Tests.Testing;

/// <summary>An in-memory HTTP handler that answers with a function and records every request it saw.</summary>
public sealed class FakeHandler : HttpMessageHandler
{
    private readonly Func<HttpRequestMessage, int, HttpResponseMessage> _respond;
    private int _count;

    public FakeHandler(Func<HttpRequestMessage, int, HttpResponseMessage> respond)
    {
        _respond = respond;
    }

    public List<(HttpMethod Method, string Url, string? Body, string? Authorization)> Requests { get; } = [];

    public static HttpResponseMessage Json(HttpStatusCode code, string json)
        => new(code) { Content = new StringContent(json, Encoding.UTF8, "application/json") };

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = request.Content is null ? null : await request.Content.ReadAsStringAsync(cancellationToken);
        lock (Requests)
        {
            Requests.Add((request.Method, request.RequestUri!.ToString(), body, request.Headers.Authorization?.ToString()));
        }

        return _respond(request, Interlocked.Increment(ref _count) - 1);
    }
}
