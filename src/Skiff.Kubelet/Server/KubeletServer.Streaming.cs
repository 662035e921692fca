using Microsoft.AspNetCore.Http;

namespace Skiff.Kubelet.Server;

public sealed partial class KubeletServer
{
    private Task StreamAsync(HttpContext ctx, string verb, string ns, string podName, string container, CancellationToken ct) =>
        throw new KubeletRequestException(501, $"{verb} is not implemented yet");

    private Task PortForwardAsync(HttpContext ctx, string ns, string podName, CancellationToken ct) =>
        throw new KubeletRequestException(501, "port-forward is not implemented yet");
}
