using Microsoft.Extensions.Logging;

namespace Skiff.ApiServer.Aggregation;

/// <summary>The aggregator's log messages.</summary>
internal static partial class AggregationLog
{
    [LoggerMessage(Level = LogLevel.Information, Message = "APIService {Name}: Available={Status} ({Reason}) {Message}")]
    public static partial void AvailabilityChanged(ILogger logger, string name, string status, string reason, string message);

    [LoggerMessage(Level = LogLevel.Warning, Message = "autoregistration of {Name} failed")]
    public static partial void AutoRegisterFailed(ILogger logger, string name, Exception error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "availability check pass failed")]
    public static partial void CheckFailed(ILogger logger, Exception error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "publishing kube-system/extension-apiserver-authentication failed")]
    public static partial void PublishFailed(ILogger logger, Exception error);

    [LoggerMessage(Level = LogLevel.Information, Message = "error resolving {Namespace}/{Name}: {Error}")]
    public static partial void ResolveFailed(ILogger logger, string @namespace, string name, string error);
}
