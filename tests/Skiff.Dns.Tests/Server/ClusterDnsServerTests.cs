using ARSoft.Tools.Net.Dns;
using Skiff.Dns.Tests.Testing;

namespace Skiff.Dns.Tests.Server;

/// <summary>The zone's answers as a client gets them from the real server, over UDP and over TCP.</summary>
public sealed class ClusterDnsServerTests(ZoneServerFixture f) : IClassFixture<ZoneServerFixture>
{
    public static TheoryData<string> Protocols => new() { "udp", "tcp" };

    [Theory]
    [MemberData(nameof(Protocols))]
    public async Task ClusterIpServiceAnswersItsClusterIpAuthoritativelyWithTtl5(string proto)
    {
        var m = await DnsProbe.QueryAsync(f.Endpoint, proto, "kubernetes.default.svc.cluster.local", RecordType.A);
        Assert.Equal(ReturnCode.NoError, m.ReturnCode);
        Assert.True(m.IsAuthoritiveAnswer);
        var a = Assert.IsType<ARecord>(Assert.Single(m.AnswerRecords));
        Assert.Equal("10.0.0.1", a.Address.ToString());
        Assert.Equal(5, a.TimeToLive);
    }

    [Theory]
    [MemberData(nameof(Protocols))]
    public async Task NamesAreCaseInsensitive(string proto)
    {
        var m = await DnsProbe.QueryAsync(f.Endpoint, proto, "WEB.Shop.SVC.cluster.LOCAL", RecordType.A);
        Assert.Equal(["10.0.0.20"], DnsProbe.Addresses(m));
    }

    [Theory]
    [MemberData(nameof(Protocols))]
    public async Task HeadlessServiceAnswersOnlyReadyEndpoints(string proto)
    {
        var m = await DnsProbe.QueryAsync(f.Endpoint, proto, "db.shop.svc.cluster.local", RecordType.A);
        Assert.Equal(["10.42.0.5", "10.42.0.6"], DnsProbe.Addresses(m));
    }

    [Theory]
    [MemberData(nameof(Protocols))]
    public async Task PublishNotReadyAddressesAnswersNotReadyEndpointsToo(string proto)
    {
        var m = await DnsProbe.QueryAsync(f.Endpoint, proto, "warm.shop.svc.cluster.local", RecordType.A);
        Assert.Equal(["10.42.0.8"], DnsProbe.Addresses(m));
        var host = await DnsProbe.QueryAsync(f.Endpoint, proto, "10-42-0-8.warm.shop.svc.cluster.local", RecordType.A);
        Assert.Equal(["10.42.0.8"], DnsProbe.Addresses(host));
    }

    [Theory]
    [MemberData(nameof(Protocols))]
    public async Task EndpointHostnameUnderItsSubdomainAnswersThePod(string proto)
    {
        var m = await DnsProbe.QueryAsync(f.Endpoint, proto, "db-1.db.shop.svc.cluster.local", RecordType.A);
        Assert.Equal(["10.42.0.6"], DnsProbe.Addresses(m));
        var notReady = await DnsProbe.QueryAsync(f.Endpoint, proto, "10-42-0-7.db.shop.svc.cluster.local", RecordType.A);
        Assert.Equal(ReturnCode.NxDomain, notReady.ReturnCode);
    }

    [Theory]
    [MemberData(nameof(Protocols))]
    public async Task SrvOfANamedPortOfAClusterIpServiceTargetsTheService(string proto)
    {
        var m = await DnsProbe.QueryAsync(f.Endpoint, proto, "_http._tcp.web.shop.svc.cluster.local", RecordType.Srv);
        var srv = Assert.IsType<SrvRecord>(Assert.Single(m.AnswerRecords));
        Assert.Equal(80, srv.Port);
        Assert.Equal("web.shop.svc.cluster.local.", srv.Target.ToString());
        Assert.Contains(m.AdditionalRecords, r => r is ARecord a && a.Address.ToString() == "10.0.0.20");
    }

    [Theory]
    [MemberData(nameof(Protocols))]
    public async Task SrvOfAHeadlessServiceHasOneRecordPerReadyEndpointWithItsHostname(string proto)
    {
        var m = await DnsProbe.QueryAsync(f.Endpoint, proto, "_pg._tcp.db.shop.svc.cluster.local", RecordType.Srv);
        var targets = m.AnswerRecords.Cast<SrvRecord>().Select(r => $"{r.Target}:{r.Port}").Order(StringComparer.Ordinal);
        Assert.Equal(["db-0.db.shop.svc.cluster.local.:5432", "db-1.db.shop.svc.cluster.local.:5432"], targets);
        Assert.Equal(2, m.AdditionalRecords.OfType<ARecord>().Count());
    }

    [Theory]
    [MemberData(nameof(Protocols))]
    public async Task SrvOfAnUnknownPortIsNxdomain(string proto)
    {
        var m = await DnsProbe.QueryAsync(f.Endpoint, proto, "_nope._tcp.web.shop.svc.cluster.local", RecordType.Srv);
        Assert.Equal(ReturnCode.NxDomain, m.ReturnCode);
    }

    [Theory]
    [MemberData(nameof(Protocols))]
    public async Task PtrAnswersServiceAndEndpointIps(string proto)
    {
        var svc = await DnsProbe.QueryAsync(f.Endpoint, proto, "20.0.0.10.in-addr.arpa", RecordType.Ptr);
        Assert.Equal("web.shop.svc.cluster.local.", Assert.IsType<PtrRecord>(Assert.Single(svc.AnswerRecords)).PointerDomainName.ToString());
        var ep = await DnsProbe.QueryAsync(f.Endpoint, proto, "5.0.42.10.in-addr.arpa", RecordType.Ptr);
        Assert.Equal("db-0.db.shop.svc.cluster.local.", Assert.IsType<PtrRecord>(Assert.Single(ep.AnswerRecords)).PointerDomainName.ToString());
    }

    [Theory]
    [MemberData(nameof(Protocols))]
    public async Task ExternalNameIsACnameChasedUpstream(string proto)
    {
        var m = await DnsProbe.QueryAsync(f.Endpoint, proto, "ext.shop.svc.cluster.local", RecordType.A);
        Assert.Equal(ReturnCode.NoError, m.ReturnCode);
        Assert.Equal("www.example.test.", Assert.IsType<CNameRecord>(m.AnswerRecords[0]).CanonicalName.ToString());
        Assert.Equal([UpstreamResolver.Answer.ToString()], DnsProbe.Addresses(m));
    }

    [Theory]
    [MemberData(nameof(Protocols))]
    public async Task ExternalNameIntoTheZoneIsResolvedInTheZone(string proto)
    {
        var m = await DnsProbe.QueryAsync(f.Endpoint, proto, "alias.shop.svc.cluster.local", RecordType.A);
        Assert.IsType<CNameRecord>(m.AnswerRecords[0]);
        Assert.Equal(["10.0.0.20"], DnsProbe.Addresses(m));
    }

    [Theory]
    [MemberData(nameof(Protocols))]
    public async Task AMissingNameIsNxdomainWithTheSoa(string proto)
    {
        var m = await DnsProbe.QueryAsync(f.Endpoint, proto, "nothere.shop.svc.cluster.local", RecordType.A);
        Assert.Equal(ReturnCode.NxDomain, m.ReturnCode);
        Assert.Empty(m.AnswerRecords);
        var soa = Assert.IsType<SoaRecord>(Assert.Single(m.AuthorityRecords));
        Assert.Equal("cluster.local.", soa.Name.ToString());
        Assert.Equal(5, soa.NegativeCachingTTL);
    }

    [Theory]
    [MemberData(nameof(Protocols))]
    public async Task AnExistingNameWithoutThatTypeIsNodataWithTheSoa(string proto)
    {
        foreach (var (name, type) in new[]
        {
            ("web.shop.svc.cluster.local", RecordType.Aaaa),
            ("empty.shop.svc.cluster.local", RecordType.A),
            ("shop.svc.cluster.local", RecordType.A),
            ("svc.cluster.local", RecordType.A),
        })
        {
            var m = await DnsProbe.QueryAsync(f.Endpoint, proto, name, type);
            Assert.True(m.ReturnCode == ReturnCode.NoError, $"{name} {type}: {m.ReturnCode}");
            Assert.Empty(m.AnswerRecords);
            Assert.IsType<SoaRecord>(Assert.Single(m.AuthorityRecords));
        }
    }

    [Theory]
    [MemberData(nameof(Protocols))]
    public async Task SearchPathExpansionsOfOutsideNamesAreNxdomainWithoutAskingUpstream(string proto)
    {
        var before = f.Upstream.Queries;
        var m = await DnsProbe.QueryAsync(f.Endpoint, proto, "example.test.shop.svc.cluster.local", RecordType.A);
        Assert.Equal(ReturnCode.NxDomain, m.ReturnCode);
        Assert.Equal(before, f.Upstream.Queries);
    }

    [Theory]
    [MemberData(nameof(Protocols))]
    public async Task OtherNamesAreForwardedUpstream(string proto)
    {
        var m = await DnsProbe.QueryAsync(f.Endpoint, proto, "example.test", RecordType.A);
        Assert.Equal(ReturnCode.NoError, m.ReturnCode);
        Assert.False(m.IsAuthoritiveAnswer);
        Assert.Equal([UpstreamResolver.Answer.ToString()], DnsProbe.Addresses(m));
        var missing = await DnsProbe.QueryAsync(f.Endpoint, proto, "missing.test", RecordType.A);
        Assert.Equal(ReturnCode.NxDomain, missing.ReturnCode);
    }

    [Theory]
    [MemberData(nameof(Protocols))]
    public async Task PodNamesAnswerTheIpTheySpell(string proto)
    {
        var m = await DnsProbe.QueryAsync(f.Endpoint, proto, "10-42-0-9.shop.pod.cluster.local", RecordType.A);
        Assert.Equal(["10.42.0.9"], DnsProbe.Addresses(m));
    }

    [Theory]
    [MemberData(nameof(Protocols))]
    public async Task DnsVersionIsTheSpecificationsSchemaVersion(string proto)
    {
        var m = await DnsProbe.QueryAsync(f.Endpoint, proto, "dns-version.cluster.local", RecordType.Txt);
        Assert.Equal("1.1.0", Assert.IsType<TxtRecord>(Assert.Single(m.AnswerRecords)).TextData);
    }
}
