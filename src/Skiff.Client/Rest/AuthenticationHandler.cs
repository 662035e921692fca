using System.Net.Http.Headers;
using System.Text;
using Skiff.Client.Config;

namespace Skiff.Client.Rest;

/// <summary>
/// Adds credentials to every request: a bearer token (from a file, re-read when its modification time changes, or
/// fixed) or basic credentials.
/// </summary>
internal sealed class AuthenticationHandler : DelegatingHandler
{
    private readonly ClientConfig _config;
    private readonly object _lock = new();
    private string? _fileToken;
    private DateTime _fileStamp;

    public AuthenticationHandler(ClientConfig config, HttpMessageHandler inner)
        : base(inner)
    {
        _config = config;
    }

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.Headers.Authorization is null)
        {
            var token = Token();
            if (!string.IsNullOrEmpty(token))
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            }
            else if (!string.IsNullOrEmpty(_config.Username))
            {
                var basic = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{_config.Username}:{_config.Password}"));
                request.Headers.Authorization = new AuthenticationHeaderValue("Basic", basic);
            }
        }

        return base.SendAsync(request, cancellationToken);
    }

    private string? Token()
    {
        var file = _config.BearerTokenFile;
        if (string.IsNullOrEmpty(file) || !File.Exists(file))
        {
            return _config.BearerToken;
        }

        lock (_lock)
        {
            var stamp = File.GetLastWriteTimeUtc(file);
            if (_fileToken is null || stamp != _fileStamp)
            {
                _fileToken = File.ReadAllText(file).Trim();
                _fileStamp = stamp;
            }

            return _fileToken;
        }
    }
}
