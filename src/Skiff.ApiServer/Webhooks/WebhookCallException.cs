namespace Skiff.ApiServer.Webhooks;

/// <summary>
/// A webhook could not be called or answered with something unusable (upstream's <c>ErrCallingWebhook</c> reason):
/// <see cref="Exception.Message"/> is upstream's text, e.g. <c>Post "https://…?timeout=10s": dial tcp 127.0.0.1:1:
/// connect: connection refused</c> or <c>… context deadline exceeded</c>.
/// </summary>
public sealed class WebhookCallException : Exception
{
    /// <summary>A failure described by <paramref name="message"/>.</summary>
    public WebhookCallException(string message)
        : base(message)
    {
    }

    /// <summary>A failure described by <paramref name="message"/>, caused by <paramref name="inner"/>.</summary>
    public WebhookCallException(string message, Exception inner)
        : base(message, inner)
    {
    }

    /// <summary>A failure with no text.</summary>
    public WebhookCallException()
    {
    }

    /// <summary>True when the call ran out of time (the webhook's timeout).</summary>
    public bool TimedOut { get; init; }

    /// <summary>The webhook's matchConditions could not be evaluated: it was never called.</summary>
    public bool ConditionsNotMet { get; init; }
}
