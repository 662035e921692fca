using System.Net;
using System.Text.Json;
using Skiff.Robustness.History;

namespace Skiff.Robustness.Driver;

/// <summary>
/// Watches the namespace's configmaps like a reflector and records every event in a <see cref="WatchStream"/>: when
/// the stream ends (the server closed it, the connection broke, the server was killed) it resumes from the last
/// revision it saw; on 410 Gone (HTTP 410 or an ERROR event) it relists with a consistent list and watches from the
/// list's revision.
/// </summary>
public sealed class Watcher(ConfigMapClient client, ApiConnection connection, WatchStream stream, int timeoutSeconds)
{
    public WatchStream Stream => stream;

    /// <summary>Watches from <paramref name="startRv"/> until <paramref name="ct"/> is cancelled.</summary>
    public async Task RunAsync(long startRv, CancellationToken ct)
    {
        var segment = new WatchSegment(startRv, null, resumed: false);
        while (!ct.IsCancellationRequested)
        {
            stream.Segments.Add(segment);
            stream.Observe(segment.StartRv);
            var gone = await WatchAsync(segment, ct);
            if (ct.IsCancellationRequested)
            {
                break;
            }

            if (gone)
            {
                segment = await RelistAsync(ct);
            }
            else
            {
                segment = new WatchSegment(segment.Coverage, null, resumed: true);
            }
        }
    }

    /// <summary>Runs one watch request; true when it ended with 410 Gone.</summary>
    private async Task<bool> WatchAsync(WatchSegment segment, CancellationToken ct)
    {
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, client.WatchPath(segment.StartRv, stream.LabelSelector, timeoutSeconds));
            request.Headers.Accept.ParseAdd("application/json");
            using var response = await connection.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
            if (response.StatusCode == HttpStatusCode.Gone)
            {
                segment.End = "HTTP 410";
                return true;
            }

            if (!response.IsSuccessStatusCode)
            {
                segment.End = $"HTTP {(int)response.StatusCode}";
                await Pause.Async(TimeSpan.FromMilliseconds(100), ct);
                return false;
            }

            using var body = await response.Content.ReadAsStreamAsync(ct);
            using var reader = new StreamReader(body);
            while (await reader.ReadLineAsync(ct) is { } line)
            {
                if (line.Length == 0)
                {
                    continue;
                }

                using var doc = JsonDocument.Parse(line);
                var type = doc.RootElement.GetProperty("type").GetString() ?? "";
                var obj = doc.RootElement.GetProperty("object");
                if (type == "ERROR")
                {
                    var code = obj.TryGetProperty("code", out var c) ? c.GetInt32() : 0;
                    segment.End = $"ERROR {code}";
                    return code == 410;
                }

                var rv = ConfigMapJson.Rv(obj) ?? 0;
                var record = type == "BOOKMARK"
                    ? new WatchEventRecord(type, rv, "", null, HistoryRecorder.Now())
                    : new WatchEventRecord(type, rv, ConfigMapJson.Name(obj), ConfigMapJson.Value(obj), HistoryRecorder.Now());
                segment.Events.Add(record);
                stream.Observe(rv);
            }

            segment.End = "closed by the server";
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            segment.End = "stopped";
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or OperationCanceledException)
        {
            segment.End = "connection lost";
            await Pause.Async(TimeSpan.FromMilliseconds(100), ct);
        }

        return false;
    }

    /// <summary>Lists consistently (retrying while the server is down) and starts a segment at the list's revision.</summary>
    private async Task<WatchSegment> RelistAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            var answer = await client.ListAsync(ct);
            if (answer is { Outcome: Outcome.Ok, Body: { } body, ResourceVersion: { } rv })
            {
                var listed = body.GetProperty("items").EnumerateArray().Where(i => stream.Matches(ConfigMapJson.Value(i)))
                    .ToDictionary(ConfigMapJson.Name, ConfigMapJson.Value, StringComparer.Ordinal);
                return new WatchSegment(rv, listed, resumed: false);
            }

            await Pause.Async(TimeSpan.FromMilliseconds(100), ct);
        }

        return new WatchSegment(stream.LastRv, null, resumed: true);
    }
}
