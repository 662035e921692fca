using System.Text.Json.Nodes;

namespace Skiff.ApiServer.Tests;

/// <summary>Reads a watch response line by line.</summary>
internal sealed class WatchStream : IAsyncDisposable
{
    private readonly HttpResponseMessage _response;
    private readonly StreamReader _reader;

    private WatchStream(HttpResponseMessage response, StreamReader reader)
    {
        _response = response;
        _reader = reader;
    }

    public static async Task<WatchStream> OpenAsync(HttpClient client, string path, CancellationToken ct, string? accept = null)
    {
        var req = new HttpRequestMessage(HttpMethod.Get, path);
        if (accept is not null)
        {
            req.Headers.TryAddWithoutValidation("Accept", accept);
        }

        var resp = await client.SendAsync(req, HttpCompletionOption.ResponseHeadersRead, ct);
        if ((int)resp.StatusCode != 200)
        {
            throw new InvalidOperationException($"watch failed: {(int)resp.StatusCode} {await resp.Content.ReadAsStringAsync(ct)}");
        }

        return new WatchStream(resp, new StreamReader(await resp.Content.ReadAsStreamAsync(ct)));
    }

    public async Task<JsonObject> NextAsync(CancellationToken ct)
    {
        var line = await _reader.ReadLineAsync(ct) ?? throw new EndOfStreamException("watch ended");
        return JsonNode.Parse(line)!.AsObject();
    }

    public async Task<bool> EndsAsync(CancellationToken ct)
    {
        while (await _reader.ReadLineAsync(ct) is not null)
        {
        }

        return true;
    }

    public ValueTask DisposeAsync()
    {
        _reader.Dispose();
        _response.Dispose();
        return ValueTask.CompletedTask;
    }
}
