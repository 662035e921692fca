using System.Diagnostics.Metrics;
using System.Net;

namespace Skiff.Dns.Server;

/// <summary>
/// The cluster DNS's instruments on the meter <c>Skiff.Dns</c>, named as CoreDNS's (the component host publishes them
/// in Prometheus format): <c>coredns_dns_requests_total{server,zone,proto,type}</c>,
/// <c>coredns_dns_responses_total{server,zone,rcode}</c>, <c>coredns_dns_request_duration_seconds{server,zone,type}</c> and
/// <c>coredns_forward_requests_total{to}</c>.
/// </summary>
internal static class DnsDiagnostics
{
    /// <summary>The meter's name.</summary>
    public const string MeterName = "Skiff.Dns";

    private static readonly Meter Meter = new(MeterName);
    private static readonly Counter<long> Requests = Meter.CreateCounter<long>("coredns_dns_requests_total", description: "Counter of DNS requests made per zone, protocol and family.");
    private static readonly Counter<long> Responses = Meter.CreateCounter<long>("coredns_dns_responses_total", description: "Counter of response status codes.");
    private static readonly Histogram<double> Duration = Meter.CreateHistogram<double>("coredns_dns_request_duration_seconds", "s", "Histogram of the time (in seconds) each request took.");
    private static readonly Counter<long> Forwards = Meter.CreateCounter<long>("coredns_forward_requests_total", description: "Counter of requests made per upstream.");

    public static void Request(string server, string zone, string proto, string type) =>
        Requests.Add(1, new("server", server), new("zone", zone), new("proto", proto), new("type", type));

    public static void Response(string server, string zone, string rcode, string type, double seconds)
    {
        Responses.Add(1, new("server", server), new("zone", zone), new("rcode", rcode));
        Duration.Record(seconds, new("server", server), new("zone", zone), new("type", type));
    }

    public static void Forwarded(IPEndPoint upstream) => Forwards.Add(1, new KeyValuePair<string, object?>("to", upstream.ToString()));
}
