using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;

namespace Skiff.Client.Rest;

/// <summary>
/// Counts every request the client sends as client-go's <c>rest_client_requests_total{code,method,host}</c> on the
/// meter <c>Skiff.Client.Rest</c>: <c>code</c> is the HTTP status (or <c>&lt;error&gt;</c> when no response came
/// back), <c>method</c> the HTTP verb, <c>host</c> the server's host:port.
/// </summary>
internal sealed class RequestMetricsHandler(HttpMessageHandler inner) : DelegatingHandler(inner)
{
    /// <summary>The meter's name.</summary>
    public const string MeterName = "Skiff.Client.Rest";

    private static readonly Meter Meter = new(MeterName);
    private static readonly Counter<long> Requests = Meter.CreateCounter<long>("rest_client_requests_total",
        description: "Number of HTTP requests, partitioned by status code, method, and host.");

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var host = request.RequestUri is { IsAbsoluteUri: true } uri ? uri.Authority : "";
        try
        {
            var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
            Count(((int)response.StatusCode).ToString(CultureInfo.InvariantCulture), request.Method.Method, host);
            return response;
        }
        catch (Exception e) when (e is HttpRequestException or IOException or TaskCanceledException)
        {
            Count("<error>", request.Method.Method, host);
            throw;
        }
    }

    private static void Count(string code, string method, string host) =>
        Requests.Add(1, new TagList { { "code", code }, { "method", method }, { "host", host } });
}
