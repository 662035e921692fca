using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;
using Skiff.Api.Validation;
using Skiff.Kubelet.Hollow;

namespace Skiff.Kubelet.Prober;

/// <summary>
/// A grpc probe (upstream <c>pkg/probe/grpc</c>): one <c>grpc.health.v1.Health/Check</c> call with the probe's service
/// over plaintext HTTP/2 on a fresh connection, as <c>kube-probe/1.32</c>. SERVING is success; any other status, an
/// RPC error, a refused connection or the timeout is a failure with upstream's message texts.
/// </summary>
internal static class GrpcProbe
{
    public static async Task<ProbeOutcome> RunAsync(string host, int port, string service, TimeSpan timeout, TimeProvider time, CancellationToken ct)
    {
        var address = GoNetErrors.JoinHostPort(host, port);
        using var deadline = new CancellationTokenSource(timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, deadline.Token);
        using var handler = new UserAgentHandler(new SocketsHttpHandler { UseProxy = false, PooledConnectionLifetime = TimeSpan.Zero });
        using var channel = GrpcChannel.ForAddress($"http://{address}", new GrpcChannelOptions
        {
            HttpHandler = handler,
            DisposeHttpClient = false,
            Credentials = ChannelCredentials.Insecure,
            MaxRetryAttempts = 0,
        });
        try
        {
            var response = await new Health.HealthClient(channel)
                .CheckAsync(new HealthCheckRequest { Service = service }, cancellationToken: linked.Token)
                .ResponseAsync.ConfigureAwait(false);
            return response.Status == HealthCheckResponse.Types.ServingStatus.Serving
                ? new ProbeOutcome(ProbeResult.Success, "service healthy")
                : new ProbeOutcome(ProbeResult.Failure, $"service unhealthy (responded with {GoFormat.Quote(StatusName(response.Status))})");
        }
        catch (RpcException) when (deadline.IsCancellationRequested && !ct.IsCancellationRequested)
        {
            return new ProbeOutcome(ProbeResult.Failure, $"timeout: health rpc did not complete within {GoDuration.Format(timeout)}");
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !ct.IsCancellationRequested)
        {
            return new ProbeOutcome(ProbeResult.Failure, $"timeout: health rpc did not complete within {GoDuration.Format(timeout)}");
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.Unimplemented)
        {
            return new ProbeOutcome(ProbeResult.Failure, $"error: this server does not implement the grpc health protocol (grpc.health.v1.Health): {e.Status.Detail}");
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.Unavailable && e.Status.DebugException is { } inner && GoNetErrors.IsSocket(inner))
        {
            return new ProbeOutcome(ProbeResult.Failure, $"error: failed to connect service at {GoFormat.Quote(address)}: {GoNetErrors.Dial(address, inner)}");
        }
        catch (RpcException e)
        {
            return new ProbeOutcome(ProbeResult.Failure, $"error: health rpc probe failed: rpc error: code = {CodeName(e.StatusCode)} desc = {e.Status.Detail}");
        }
    }

    // Go's protobuf enum names (grpc_health_v1.HealthCheckResponse_ServingStatus.String()).
    private static string StatusName(HealthCheckResponse.Types.ServingStatus status) => status switch
    {
        HealthCheckResponse.Types.ServingStatus.Serving => "SERVING",
        HealthCheckResponse.Types.ServingStatus.NotServing => "NOT_SERVING",
        HealthCheckResponse.Types.ServingStatus.ServiceUnknown => "SERVICE_UNKNOWN",
        _ => "UNKNOWN",
    };

    // Go's codes.Code.String() differs from the C# names only in "Canceled".
    private static string CodeName(StatusCode code) => code == StatusCode.Cancelled ? "Canceled" : code.ToString();

    /// <summary>Replaces grpc-dotnet's own User-Agent with upstream's.</summary>
    private sealed class UserAgentHandler(HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            request.Headers.Remove("User-Agent");
            request.Headers.TryAddWithoutValidation("User-Agent", HttpGetProbe.UserAgent);
            return base.SendAsync(request, cancellationToken);
        }
    }
}
