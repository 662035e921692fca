using System.Diagnostics;
using System.Text;
using Microsoft.Extensions.Logging;

namespace Skiff.Client.Rest;

/// <summary>
/// kubectl-style request tracing (<c>-v=6..9</c>, client-go <c>transport/round_trippers.go</c>). Watch and other
/// streaming responses are never buffered: their bodies are not logged.
/// </summary>
internal sealed partial class RequestTracingHandler : DelegatingHandler
{
    private const int TruncateAt = 10 * 1024;
    private readonly ILogger _logger;
    private readonly int _verbosity;

    public RequestTracingHandler(ILogger logger, int verbosity, HttpMessageHandler inner)
        : base(inner)
    {
        _logger = logger;
        _verbosity = verbosity;
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (_verbosity >= 9)
        {
            LogLine(Curl(request));
        }

        if (_verbosity >= 7)
        {
            LogLine($"Request Headers:{Headers(request.Headers)}");
        }

        if (_verbosity >= 8 && request.Content is not null)
        {
            LogLine($"Request Body: {Truncate(await request.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false))}");
        }

        var start = Stopwatch.GetTimestamp();
        HttpResponseMessage response;
        try
        {
            response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogLine($"{request.Method} {request.RequestUri} failed in {Stopwatch.GetElapsedTime(start).TotalMilliseconds:0} milliseconds: {e.Message}");
            throw;
        }

        LogLine($"{request.Method} {request.RequestUri} {(int)response.StatusCode} {response.ReasonPhrase} in {Stopwatch.GetElapsedTime(start).TotalMilliseconds:0} milliseconds");
        if (_verbosity >= 8)
        {
            LogLine($"Response Headers:{Headers(response.Headers)}");
            var streaming = request.RequestUri?.Query.Contains("watch=true", StringComparison.Ordinal) == true
                || request.Options.TryGetValue(RestRequest.StreamingOption, out var s) && s;
            if (!streaming)
            {
                await response.Content.LoadIntoBufferAsync(cancellationToken).ConfigureAwait(false);
                LogLine($"Response Body: {Truncate(await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false))}");
            }
        }

        return response;
    }

    private string Truncate(string body)
        => _verbosity >= 9 || body.Length <= TruncateAt ? body : body[..TruncateAt] + $" [truncated {body.Length - TruncateAt} chars]";

    private static string Headers(System.Net.Http.Headers.HttpHeaders headers)
    {
        var sb = new StringBuilder();
        foreach (var (name, values) in headers)
        {
            var value = name.Equals("Authorization", StringComparison.OrdinalIgnoreCase) ? "<masked>" : string.Join(", ", values);
            sb.Append("\n    ").Append(name).Append(": ").Append(value);
        }

        return sb.ToString();
    }

    private static string Curl(HttpRequestMessage request)
    {
        var sb = new StringBuilder("curl -v -X").Append(request.Method);
        foreach (var (name, values) in request.Headers)
        {
            var value = name.Equals("Authorization", StringComparison.OrdinalIgnoreCase) ? "<masked>" : string.Join(", ", values);
            sb.Append(" -H \"").Append(name).Append(": ").Append(value).Append('"');
        }

        return sb.Append(" '").Append(request.RequestUri).Append('\'').ToString();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Line}")]
    private partial void LogLine(string line);
}
