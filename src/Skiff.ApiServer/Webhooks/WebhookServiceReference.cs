namespace Skiff.ApiServer.Webhooks;

/// <summary>A webhook's <c>clientConfig.service</c>: the Service, its port (default 443) and the URL path.</summary>
/// <param name="Namespace">The Service's namespace.</param>
/// <param name="Name">The Service's name.</param>
/// <param name="Port">The Service port.</param>
/// <param name="Path">The path the request is posted to (<c>/</c> when unset).</param>
public sealed record WebhookServiceReference(string Namespace, string Name, int Port, string Path)
{
    /// <summary>The TLS server name upstream verifies the serving certificate against: <c>&lt;name&gt;.&lt;namespace&gt;.svc</c>.</summary>
    public string ServerName => $"{Name}.{Namespace}.svc";
}
