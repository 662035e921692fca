using System.Net.Sockets;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;
using Skiff.Api.Validation;
using Skiff.Kubelet.Hollow;

namespace Skiff.Kubelet.Prober;

/// <summary>
/// A grpc probe (upstream <c>pkg/probe/grpc</c>): one <c>grpc.health.v1.Health/Check</c> call with the probe's service
/// over plaintext HTTP/2, as <c>kube-probe/1.32</c>, within the probe's timeout. SERVING is success; any other status,
/// an RPC error or the timeout is a failure with upstream's message texts. Upstream dials with <c>grpc.WithBlock()</c>:
/// a refused or unanswered connection is retried with grpc-go's backoff (1 s, then ×1.6) until the timeout, which then
/// reads <c>timeout: failed to connect service "HOST:PORT" within 1s: context deadline exceeded</c>. So a server that
/// comes up within the timeout still passes.
/// </summary>
internal static class GrpcProbe
{
    private static readonly TimeSpan FirstBackoff = TimeSpan.FromSeconds(1);

    public static async Task<ProbeOutcome> RunAsync(string host, int port, string service, TimeSpan timeout, TimeProvider time, CancellationToken ct)
    {
        var address = GoNetErrors.JoinHostPort(host, port);
        using var deadline = new CancellationTokenSource(timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, deadline.Token);
        var connected = false;
        var backoff = FirstBackoff;
        var connectTimeout = new ProbeOutcome(ProbeResult.Failure, $"timeout: failed to connect service {GoFormat.Quote(address)} within {GoDuration.Format(timeout)}: context deadline exceeded");
        var rpcTimeout = new ProbeOutcome(ProbeResult.Failure, $"timeout: health rpc did not complete within {GoDuration.Format(timeout)}");
        while (true)
        {
            var sockets = new SocketsHttpHandler
            {
                UseProxy = false,
                PooledConnectionLifetime = TimeSpan.Zero,
                ConnectCallback = async (context, token) =>
                {
                    var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                    try
                    {
                        await socket.ConnectAsync(context.DnsEndPoint, token).ConfigureAwait(false);
                    }
                    catch
                    {
                        socket.Dispose();
                        throw;
                    }

                    connected = true;
                    return new NetworkStream(socket, ownsSocket: true);
                },
            };
            using var handler = new UserAgentHandler(sockets);
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
            catch (Exception e) when ((e is RpcException or OperationCanceledException) && deadline.IsCancellationRequested && !ct.IsCancellationRequested)
            {
                return connected ? rpcTimeout : connectTimeout;
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.Unimplemented)
            {
                return new ProbeOutcome(ProbeResult.Failure, $"error: this server does not implement the grpc health protocol (grpc.health.v1.Health): {e.Status.Detail}");
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.Unavailable && !connected && e.Status.DebugException is { } inner && GoNetErrors.IsSocket(inner))
            {
                // Not connected yet: as grpc.WithBlock, wait out the backoff and dial again until the timeout.
                try
                {
                    await Task.Delay(backoff, time, linked.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (deadline.IsCancellationRequested && !ct.IsCancellationRequested)
                {
                    return connectTimeout;
                }

                backoff = TimeSpan.FromTicks((long)(backoff.Ticks * 1.6));
            }
            catch (RpcException e)
            {
                return new ProbeOutcome(ProbeResult.Failure, "error: health rpc probe failed: " + GoNetErrors.Rpc(e));
            }
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
