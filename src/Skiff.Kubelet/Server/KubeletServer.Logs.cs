using System.Globalization;
using Microsoft.AspNetCore.Http;
using Skiff.Kubelet.Logs;

namespace Skiff.Kubelet.Server;

public sealed partial class KubeletServer
{
    /// <summary>
    /// <c>GET /containerLogs/{ns}/{pod}/{container}</c> (upstream <c>getContainerLogs</c>): the container's current log
    /// file (<c>CONTAINER/N.log</c> with the highest N in the pod's log directory), or with <c>previous=true</c> the one
    /// before it, read as <see cref="ContainerLogReader"/> does; <c>text/plain</c>, flushed as it is read.
    /// </summary>
    private async Task ContainerLogsAsync(HttpContext ctx, string ns, string podName, string container, CancellationToken ct)
    {
        var q = ctx.Request.Query;
        var previous = Bool(q, "previous");

        // As upstream's getContainerLogs: the legacy "tail" parameter stands for tailLines ("all" for none), and options
        // that PodLogOptions validation refuses get 422 {"message": "Invalid request."}.
        var tail = q["tail"].ToString() is { Length: > 0 } legacy ? (legacy == "all" ? null : ParseInt64("tail", legacy)) : Int64(q, "tailLines");
        var limit = Int64(q, "limitBytes");
        var sinceSeconds = Int64(q, "sinceSeconds");
        if (tail is < 0 || limit is < 1 || sinceSeconds is < 1 || (sinceSeconds is not null && q["sinceTime"].ToString().Length > 0))
        {
            throw new KubeletRequestException(422, "{\"message\": \"Invalid request.\"}");
        }

        var options = new ContainerLogOptions
        {
            Follow = Bool(q, "follow"),
            Timestamps = Bool(q, "timestamps"),
            TailLines = tail,
            LimitBytes = limit,
            Since = Since(q),
        };
        var pod = FindPod(ns, podName);
        if (!pod.Containers.TryGetValue(container, out var containerId))
        {
            throw new KubeletRequestException(404, $"container \"{container}\" not found in pod \"{podName}\"\n");
        }

        var files = LogFiles(pod.LogDirectory, container);
        string path;
        if (previous)
        {
            path = files.Count >= 2 ? files[^2].Path : throw new KubeletRequestException(400, $"previous terminated container \"{container}\" in pod \"{podName}\" not found");
        }
        else if (files.Count > 0 && containerId is not null)
        {
            path = files[^1].Path;
        }
        else
        {
            throw new KubeletRequestException(400, $"container \"{container}\" in pod \"{podName}\" is waiting to start: ContainerCreating");
        }

        var current = files[^1].Restart;
        bool IsRunning() =>
            !previous
            && _options.Runtime.Find(ns, podName) is { } now
            && now.Containers.TryGetValue(container, out var id) && id == containerId && !now.Exited.Contains(containerId!)
            && LogFiles(pod.LogDirectory, container) is { Count: > 0 } latest && latest[^1].Restart == current;

        ctx.Response.StatusCode = 200;
        ctx.Response.ContentType = "text/plain";
        await ctx.Response.StartAsync(ct).ConfigureAwait(false);
        await ContainerLogReader.ReadAsync(path, options with { Follow = options.Follow && !previous }, ctx.Response.Body, IsRunning, _options.Clock, ct).ConfigureAwait(false);
    }

    /// <summary>The container's log files, <c>N.log</c>, by restart count N ascending.</summary>
    private static List<(int Restart, string Path)> LogFiles(string podDirectory, string container)
    {
        var dir = Path.Combine(podDirectory, container);
        if (!Directory.Exists(dir))
        {
            return [];
        }

        var files = new List<(int, string)>();
        foreach (var f in Directory.EnumerateFiles(dir, "*.log"))
        {
            if (int.TryParse(Path.GetFileNameWithoutExtension(f), NumberStyles.None, CultureInfo.InvariantCulture, out var n))
            {
                files.Add((n, f));
            }
        }

        files.Sort((a, b) => a.Item1.CompareTo(b.Item1));
        return files;
    }

    /// <summary>upstream's <c>NewLogOptions</c>: now minus sinceSeconds, or sinceTime when that is later.</summary>
    private DateTimeOffset? Since(IQueryCollection q)
    {
        DateTimeOffset? since = Int64(q, "sinceSeconds") is { } seconds ? _options.Clock.GetUtcNow().AddSeconds(-seconds) : null;
        if (q["sinceTime"].ToString() is { Length: > 0 } text)
        {
            var t = CriLogParser.TryParseTimestamp(text, out var parsed) ? parsed : throw new KubeletRequestException(400, $"invalid sinceTime {text}");
            since = since is null || t > since ? t : since;
        }

        return since;
    }

    private static bool Bool(IQueryCollection q, string name) =>
        q[name].ToString() is "true" or "1" or "True" or "TRUE" or "t" or "T";

    private static long? Int64(IQueryCollection q, string name) => q[name].ToString() is { Length: > 0 } text ? ParseInt64(name, text) : null;

    private static long ParseInt64(string name, string text) =>
        long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v)
            ? v
            : throw new KubeletRequestException(400, $"invalid {name}: {text}");
}
