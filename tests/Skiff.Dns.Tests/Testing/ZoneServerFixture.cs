using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using Skiff.Dns.Server;
using Skiff.Dns.Zone;

namespace Skiff.Dns.Tests.Testing;

/// <summary>
/// A real cluster DNS server on 127.0.0.1 (a free port, UDP and TCP) over a zone fed directly with a small cluster,
/// forwarding to an in-test <see cref="UpstreamResolver"/>:
/// <list type="bullet">
/// <item><c>default/kubernetes</c> ClusterIP 10.0.0.1, port https 443/TCP</item>
/// <item><c>shop/web</c> ClusterIP 10.0.0.20, ports http 80/TCP and an unnamed 8080/TCP</item>
/// <item><c>shop/db</c> headless; slice: 10.42.0.5 (hostname db-0, ready), 10.42.0.6 (db-1, ready), 10.42.0.7 (not ready); port pg 5432/TCP</item>
/// <item><c>shop/warm</c> headless with publishNotReadyAddresses; 10.42.0.8 not ready</item>
/// <item><c>shop/empty</c> headless without endpoints</item>
/// <item><c>shop/ext</c> ExternalName www.example.test; <c>shop/alias</c> ExternalName web.shop.svc.cluster.local</item>
/// </list>
/// </summary>
public sealed class ZoneServerFixture : IDisposable
{
    public ZoneServerFixture()
    {
        Zone = new ClusterZone(new ZoneSettings());
        Zone.SetService(ZoneObjects.ClusterIp("default", "kubernetes", "10.0.0.1", ("https", 443, "TCP")));
        Zone.SetService(ZoneObjects.ClusterIp("shop", "web", "10.0.0.20", ("http", 80, "TCP"), (null, 8080, "TCP")));
        Zone.SetService(ZoneObjects.Headless("shop", "db"));
        Zone.SetSlice(ZoneObjects.Slice("shop", "db", "db-abc", [("10.42.0.5", "db-0", true), ("10.42.0.6", "db-1", true), ("10.42.0.7", null, false)], ("pg", 5432, "TCP")));
        Zone.SetService(ZoneObjects.Headless("shop", "warm", publishNotReady: true));
        Zone.SetSlice(ZoneObjects.Slice("shop", "warm", "warm-abc", [("10.42.0.8", null, false)], ("http", 80, "TCP")));
        Zone.SetService(ZoneObjects.Headless("shop", "empty"));
        Zone.SetService(ZoneObjects.ExternalName("shop", "ext", "www.example.test"));
        Zone.SetService(ZoneObjects.ExternalName("shop", "alias", "web.shop.svc.cluster.local"));
        Upstream = new UpstreamResolver();
        Forwarder = new DnsForwarder([Upstream.Endpoint], TimeSpan.FromSeconds(2));
        Server = new ClusterDnsServer(Zone, Forwarder, NullLogger.Instance);
        Server.Start(new IPEndPoint(IPAddress.Loopback, 0));
    }

    internal ClusterZone Zone { get; }

    internal UpstreamResolver Upstream { get; }

    internal DnsForwarder Forwarder { get; }

    internal ClusterDnsServer Server { get; }

    public IPEndPoint Endpoint => Server.Endpoint!;

    public void Dispose()
    {
        Server.Dispose();
        Forwarder.Dispose();
        Upstream.Dispose();
    }
}
