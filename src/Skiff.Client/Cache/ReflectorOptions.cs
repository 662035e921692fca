namespace Skiff.Client.Cache;

/// <summary>How a <see cref="Reflector{T}"/> lists, watches and backs off.</summary>
public sealed record ReflectorOptions
{
    /// <summary>Re-deliver every cached object this often (<see cref="IReflectorStore{T}.Resync"/>); zero disables.</summary>
    public TimeSpan ResyncPeriod { get; init; }

    /// <summary>List page size (client-go 500); 0 lists in one request.</summary>
    public long PageSize { get; init; } = 500;

    public string? LabelSelector { get; init; }

    public string? FieldSelector { get; init; }

    /// <summary>The server ends each watch after a random time between this and twice this (client-go: 5 minutes).</summary>
    public TimeSpan MinWatchTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>First delay after a failed list or watch; doubles up to <see cref="MaxBackoff"/> (client-go 800 ms → 30 s).</summary>
    public TimeSpan InitialBackoff { get; init; } = TimeSpan.FromMilliseconds(800);

    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(30);

    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>A name for logs.</summary>
    public string Name { get; init; } = typeof(ReflectorOptions).Name;
}
