using Microsoft.Extensions.Logging;

namespace Skiff.Client.Cache;

/// <summary>Configuration of a <see cref="SharedIndexInformer{T}"/>.</summary>
public sealed record SharedInformerOptions
{
    /// <summary>How often handlers get every cached object again as an update (zero: never).</summary>
    public TimeSpan ResyncPeriod { get; init; }

    public string? LabelSelector { get; init; }

    public string? FieldSelector { get; init; }

    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    public ILoggerFactory? LoggerFactory { get; init; }

    /// <summary>A name for logs (e.g. the resource).</summary>
    public string Name { get; init; } = "";

    /// <summary>Reflector tuning beyond the fields above (page size, watch timeout, backoff).</summary>
    public ReflectorOptions? Reflector { get; init; }
}
