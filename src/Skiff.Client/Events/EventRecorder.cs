using System.Globalization;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Skiff.Client.Rest;
using Skiff.Client.Typed;

namespace Skiff.Client.Events;

/// <summary>
/// Writes core/v1 Events about objects (client-go <c>record.EventRecorder</c> with its <c>EventCorrelator</c>):
/// <list type="bullet">
/// <item>De-duplication: an event with the same source, involved object, type, reason and message as one written less
/// than <see cref="AggregationWindow"/> ago is not written again — the existing Event gets <c>count</c> + 1 and a new
/// <c>lastTimestamp</c> (a strategic merge patch); if that Event is gone, a new one is created.</item>
/// <item>Aggregation: once 10 events of one object with the same source, type and reason but different messages occur
/// within the window, further ones are folded into one Event whose message is
/// <c>(combined from similar events): &lt;latest message&gt;</c>, counted like a duplicate.</item>
/// <item>Spam filter: per source and object, a token bucket of 25 events refilled at one per 5 minutes; events beyond
/// it are dropped.</item>
/// </list>
/// Events are written in the order recorded by one background loop; a failed write is logged and dropped (events are
/// best-effort), and never throws into the caller.
/// </summary>
public sealed partial class EventRecorder : IAsyncDisposable
{
    public const string Normal = "Normal";
    public const string Warning = "Warning";
    private const int CacheSize = 4096;
    private const int MaxSimilarEvents = 10;
    private const string CombinedPrefix = "(combined from similar events): ";

    private readonly Clientset _clientset;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Channel<(Corev1Event Event, TaskCompletionSource Done)> _channel = Channel.CreateUnbounded<(Corev1Event, TaskCompletionSource)>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Dictionary<string, (string Namespace, string Name, int Count, DateTime LastSeen, LinkedListNode<string> Node)> _seen = new(StringComparer.Ordinal);
    private readonly LinkedList<string> _lru = new();
    private readonly Dictionary<string, (HashSet<string> Messages, DateTime Last)> _similar = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Flowcontrol.TokenBucket> _spam = new(StringComparer.Ordinal);
    private readonly Task _loop;
    private long _lastSuffix;

    public EventRecorder(Clientset clientset, string component, string? host = null, TimeProvider? timeProvider = null, TimeSpan? aggregationWindow = null, ILoggerFactory? loggerFactory = null)
    {
        _clientset = clientset;
        Component = component;
        Host = host ?? Environment.MachineName;
        _time = timeProvider ?? TimeProvider.System;
        AggregationWindow = aggregationWindow ?? TimeSpan.FromMinutes(10);
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger("Skiff.Client.Events");
        _loop = Task.Run(LoopAsync);
    }

    /// <summary>The <c>source.component</c> of every event.</summary>
    public string Component { get; }

    /// <summary>The <c>source.host</c> of every event.</summary>
    public string Host { get; }

    /// <summary>How long after an event's last occurrence a repeat still increments it (upstream: 10 minutes).</summary>
    public TimeSpan AggregationWindow { get; }

    /// <summary>Records an event; returns at once.</summary>
    public void Event(IKubernetesObject<V1ObjectMeta> obj, string type, string reason, string message) => _ = EventAsync(obj, type, reason, message);

    /// <summary>Records an event; completes once it has been written (or dropped after a failure).</summary>
    public Task EventAsync(IKubernetesObject<V1ObjectMeta> obj, string type, string reason, string message) => EventAsync(obj, null, type, reason, message);

    /// <summary>
    /// Records an event about a part of <paramref name="obj"/> (<c>involvedObject.fieldPath</c>, e.g. a pod's
    /// <c>spec.containers{web}</c>, as the kubelet's container events); returns at once.
    /// </summary>
    public void Event(IKubernetesObject<V1ObjectMeta> obj, string? fieldPath, string type, string reason, string message) => _ = EventAsync(obj, fieldPath, type, reason, message);

    /// <summary>Records an event about a part of <paramref name="obj"/> (<c>involvedObject.fieldPath</c>); completes once it has been written.</summary>
    public Task EventAsync(IKubernetesObject<V1ObjectMeta> obj, string? fieldPath, string type, string reason, string message)
    {
        var now = _time.GetUtcNow().UtcDateTime;
        var info = string.IsNullOrEmpty(obj.Kind) || string.IsNullOrEmpty(obj.ApiVersion) ? ResourceInfo.For(obj.GetType()) : null;
        var involved = new V1ObjectReference
        {
            Kind = string.IsNullOrEmpty(obj.Kind) ? info!.Kind : obj.Kind,
            ApiVersion = string.IsNullOrEmpty(obj.ApiVersion) ? info!.ApiVersion : obj.ApiVersion,
            NamespaceProperty = obj.Metadata.NamespaceProperty,
            Name = obj.Metadata.Name,
            Uid = obj.Metadata.Uid,
            ResourceVersion = obj.Metadata.ResourceVersion,
            FieldPath = fieldPath,
        };
        var ev = new Corev1Event
        {
            ApiVersion = "v1",
            Kind = "Event",
            Metadata = new V1ObjectMeta
            {
                Name = $"{obj.Metadata.Name}.{NameSuffix(now).ToString("x", CultureInfo.InvariantCulture)}",
                NamespaceProperty = string.IsNullOrEmpty(obj.Metadata.NamespaceProperty) ? "default" : obj.Metadata.NamespaceProperty,
            },
            InvolvedObject = involved,
            Type = type,
            Reason = reason,
            Message = message,
            Source = new V1EventSource { Component = Component, Host = Host },
            ReportingComponent = Component,
            ReportingInstance = Host,
            FirstTimestamp = now,
            LastTimestamp = now,
            Count = 1,
        };
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_channel.Writer.TryWrite((ev, done)))
        {
            done.TrySetResult();
        }

        return done.Task;
    }

    /// <summary>Writes what is queued, then stops.</summary>
    public async ValueTask DisposeAsync()
    {
        _channel.Writer.TryComplete();
        await _loop.ConfigureAwait(false);
    }

    /// <summary>
    /// Upstream's event name suffix, the time in Unix nanoseconds, made strictly increasing per recorder so that two
    /// events in the same clock tick (a coarse or fake clock) never share a name and lose the second to AlreadyExists.
    /// </summary>
    private long NameSuffix(DateTime now)
    {
        var nanos = (now - DateTime.UnixEpoch).Ticks * 100;
        while (true)
        {
            var last = Interlocked.Read(ref _lastSuffix);
            var next = Math.Max(nanos, last + 1);
            if (Interlocked.CompareExchange(ref _lastSuffix, next, last) == last)
            {
                return next;
            }
        }
    }

    private async Task LoopAsync()
    {
        await foreach (var (ev, done) in _channel.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            try
            {
                await WriteAsync(ev).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                LogWriteFailed(ev.Reason, ev.InvolvedObject.Name, e.Message);
            }
            finally
            {
                done.TrySetResult();
            }
        }
    }

    private async Task WriteAsync(Corev1Event ev)
    {
        var o = ev.InvolvedObject;
        var objectKey = string.Join('\u0000', ev.Source.Component, ev.Source.Host, o.Kind, o.NamespaceProperty, o.Name, o.Uid, o.ApiVersion);
        var now = ev.LastTimestamp!.Value;
        if (!SpamAllowed(objectKey + '\u0000' + ev.Type))
        {
            LogSpam(ev.Reason, o.Name);
            return;
        }

        // Similar events (same reason, many messages) collapse into one combined Event, de-duplicated by reason alone.
        var similarKey = string.Join('\u0000', objectKey, ev.Type, ev.Reason);
        var key = similarKey + '\u0000' + o.FieldPath + '\u0000' + ev.Message;
        if (!_similar.TryGetValue(similarKey, out var similar) || now - similar.Last > AggregationWindow)
        {
            similar = (new HashSet<string>(StringComparer.Ordinal), now);
        }

        similar.Messages.Add(ev.Message);
        _similar[similarKey] = (similar.Messages, now);
        if (_similar.Count > CacheSize)
        {
            _similar.Clear();
        }

        if (similar.Messages.Count >= MaxSimilarEvents)
        {
            ev.Message = CombinedPrefix + ev.Message;
            key = similarKey;
        }

        if (_seen.TryGetValue(key, out var prior) && now - prior.LastSeen <= AggregationWindow)
        {
            var count = prior.Count + 1;
            var patch = new JsonObject
            {
                ["count"] = count,
                ["lastTimestamp"] = now.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
                ["message"] = ev.Message,
            };
            try
            {
                await _clientset.CoreV1().Events(prior.Namespace).PatchAsync(prior.Name, PatchType.StrategicMerge, patch).ConfigureAwait(false);
                Remember(key, prior.Namespace, prior.Name, count, now);
                return;
            }
            catch (KubernetesApiException e) when (e.IsNotFound)
            {
                // Deleted (or expired) meanwhile: start a new one.
            }
        }

        var created = await _clientset.CoreV1().Events(ev.Metadata.NamespaceProperty).CreateAsync(ev).ConfigureAwait(false);
        Remember(key, created.Metadata.NamespaceProperty, created.Metadata.Name, 1, now);
    }

    private bool SpamAllowed(string key)
    {
        if (!_spam.TryGetValue(key, out var bucket))
        {
            if (_spam.Count >= CacheSize)
            {
                _spam.Clear();
            }

            bucket = new Flowcontrol.TokenBucket(1.0 / 300, 25, _time);
            _spam[key] = bucket;
        }

        return bucket.TryTake();
    }

    private void Remember(string key, string ns, string name, int count, DateTime lastSeen)
    {
        if (_seen.TryGetValue(key, out var old))
        {
            _lru.Remove(old.Node);
        }

        var node = _lru.AddFirst(key);
        _seen[key] = (ns, name, count, lastSeen, node);
        if (_lru.Count > CacheSize)
        {
            _seen.Remove(_lru.Last!.Value);
            _lru.RemoveLast();
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "dropped event {Reason} about {Name}: too many events about this object")]
    private partial void LogSpam(string reason, string name);

    [LoggerMessage(Level = LogLevel.Warning, Message = "could not write event {Reason} about {Name}: {Error}")]
    private partial void LogWriteFailed(string reason, string name, string error);
}
