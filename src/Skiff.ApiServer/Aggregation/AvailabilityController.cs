using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Skiff.Api.Errors;
using Skiff.ApiServer.CustomResources;
using Skiff.ApiServer.Endpoints;
using Skiff.ApiServer.Registry;

namespace Skiff.ApiServer.Aggregation;

/// <summary>
/// Upstream's APIService availability controller (<c>pkg/controllers/status</c>): sets every APIService's
/// <c>Available</c> condition — local ones <c>True/Local</c>; for a backend, the Service and its endpoints are resolved
/// (<c>ServiceNotFound</c>, <c>ServicePortError</c>, <c>EndpointsNotFound</c>, <c>MissingEndpoints</c>) and
/// <c>/apis/GROUP/VERSION</c> is fetched from it as <c>system:kube-aggregator</c> through the proxy transport within
/// 5 s (<c>FailedDiscoveryCheck</c>, else <c>True/Passed</c>). The fetched APIResourceList feeds merged discovery.
/// Every APIService is checked on each pass; passes run every interval and whenever an APIService's spec changes.
/// Only a changed condition is written.
/// </summary>
internal sealed class AvailabilityController(ResourceRegistry registry, ResourceEndpoint endpoint, Aggregator aggregator, ServiceResolver resolver,
    BackendTransports transports, TimeSpan interval, TimeProvider clock, ILogger logger)
{
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(5);
    private readonly SemaphoreSlim _wake = new(0);

    /// <summary>Checks every APIService now and after every interval or spec change, until <paramref name="ct"/> is cancelled.</summary>
    public async Task RunAsync(CancellationToken ct)
    {
        void Wake() => _wake.Release();
        aggregator.SpecChanged += Wake;
        try
        {
            while (!ct.IsCancellationRequested)
            {
                while (_wake.CurrentCount > 0)
                {
                    await _wake.WaitAsync(ct).ConfigureAwait(false);
                }

                try
                {
                    await CheckAllAsync(ct).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    AggregationLog.CheckFailed(logger, e);
                }

                using var wait = CancellationTokenSource.CreateLinkedTokenSource(ct);
                var delay = Task.Delay(interval, clock, wait.Token);
                var woken = _wake.WaitAsync(wait.Token);
                await Task.WhenAny(delay, woken).ConfigureAwait(false);
                await wait.CancelAsync().ConfigureAwait(false);
                await Task.WhenAll(delay, woken).ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Stopped.
        }
        finally
        {
            aggregator.SpecChanged -= Wake;
        }
    }

    /// <summary>One pass over every APIService (backends probed concurrently).</summary>
    public Task CheckAllAsync(CancellationToken ct) => Task.WhenAll(aggregator.Services.ToList().Select(s => CheckAsync(s, ct)));

    /// <summary>Checks <paramref name="service"/> and writes its condition when it changed.</summary>
    public async Task CheckAsync(ApiServiceInfo service, CancellationToken ct)
    {
        var (status, reason, message) = await EvaluateAsync(service, ct).ConfigureAwait(false);
        if (aggregator.Find(service.Name) is not { } current || registry.Find("apiregistration.k8s.io", "v1", "apiservices") is not { } descriptor)
        {
            return;
        }

        var existing = CrdConditions.Find(current, "Available");
        if (existing is not null && JsonPath.Str(existing, "status") == status && JsonPath.Str(existing, "reason") == reason && JsonPath.Str(existing, "message") == message)
        {
            return;
        }

        try
        {
            var now = clock.GetUtcNow();
            await endpoint.StoreFor(descriptor).UpdateDirectAsync("", service.Name, o => CrdConditions.Set(o, "Available", status, reason, message, now), ct).ConfigureAwait(false);
            AggregationLog.AvailabilityChanged(logger, service.Name, status, reason, message);
        }
        catch (StatusException e) when (e.Code == 404)
        {
            // Deleted meanwhile.
        }
    }

    private async Task<(string Status, string Reason, string Message)> EvaluateAsync(ApiServiceInfo service, CancellationToken ct)
    {
        if (service.Service is not { } reference)
        {
            return ("True", "Local", "Local APIServices are always available");
        }

        Uri backend;
        try
        {
            backend = await resolver.ResolveAsync(reference, ct).ConfigureAwait(false);
        }
        catch (ResolveException e)
        {
            aggregator.Discovery.Forget(service.Name);
            return ("False", e.Reason, e.Message);
        }

        var url = new Uri(backend, $"/apis/{service.Group}/{service.Version}");
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(ProbeTimeout);
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            request.Headers.TryAddWithoutValidation("X-Remote-User", "system:kube-aggregator");
            request.Headers.TryAddWithoutValidation("X-Remote-Group", "system:masters");
            request.Headers.Accept.ParseAdd("application/json");
            using var response = await transports.For(service).SendAsync(request, timeout.Token).ConfigureAwait(false);
            var code = (int)response.StatusCode;
            if (code is < 200 or > 299)
            {
                throw new HttpRequestException($"bad status from {url}: {code}");
            }

            var body = await response.Content.ReadAsStringAsync(timeout.Token).ConfigureAwait(false);
            aggregator.Discovery.Remember(service.Name, ParseResourceList(body));
            return ("True", "Passed", "all checks passed");
        }
        catch (Exception e) when (e is HttpRequestException or IOException || (e is OperationCanceledException && !ct.IsCancellationRequested))
        {
            aggregator.Discovery.Forget(service.Name);
            var detail = e is OperationCanceledException ? $"Get \"{url}\": context deadline exceeded" : Innermost(e).Message;
            return ("False", "FailedDiscoveryCheck", $"failing or missing response from {url}: {detail}");
        }
    }

    private static JsonObject? ParseResourceList(string body)
    {
        try
        {
            return JsonNode.Parse(body) is JsonObject o && JsonPath.Str(o, "kind") == "APIResourceList" ? o : null;
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }

    private static Exception Innermost(Exception e)
    {
        while (e.InnerException is not null)
        {
            e = e.InnerException;
        }

        return e;
    }
}
