using System.Globalization;
using System.Net;
using System.Net.Sockets;
using ARSoft.Tools.Net;
using ARSoft.Tools.Net.Dns;
using k8s.Models;

namespace Skiff.Dns.Zone;

/// <summary>
/// One immutable build of the cluster zone: every owner name with its records, and the PTR names of service and
/// endpoint IPs. Built by <see cref="ClusterZone"/> from its Services and EndpointSlices following the Kubernetes DNS
/// specification: <c>svc.ns.svc.ZONE</c> A/AAAA (ClusterIP, or a headless service's ready endpoints; not-ready ones too
/// with <c>publishNotReadyAddresses</c>), <c>host.svc.ns.svc.ZONE</c> per endpoint (its hostname, else its dashed IP),
/// SRV <c>_port._proto.svc.ns.svc.ZONE</c> per named port (headless: one per endpoint, targeting its host name), CNAME for
/// ExternalName, PTR for service and endpoint IPs, <c>dns-version.ZONE</c> TXT <c>1.1.0</c>, and CoreDNS's insecure pod
/// names <c>a-b-c-d.ns.pod.ZONE</c>.
/// </summary>
internal sealed class ZoneSnapshot
{
    /// <summary>The <c>kubernetes.io/service-name</c> label that ties an EndpointSlice to its Service.</summary>
    public const string ServiceNameLabel = "kubernetes.io/service-name";

    private readonly Dictionary<string, NameRecords> _names = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DomainName> _ptr = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (DomainName Owner, List<(ushort Port, DomainName Target)> Targets)> _srv = new(StringComparer.Ordinal);
    private readonly DomainName _zone;
    private readonly DomainName _podZone;
    private readonly int _ttl;

    private ZoneSnapshot(ZoneSettings settings, long generation, uint serial)
    {
        _zone = settings.Zone;
        _podZone = DomainName.Parse("pod." + settings.Domain);
        _ttl = settings.Ttl;
        Generation = generation;
        Soa = new SoaRecord(_zone, _ttl, DomainName.Parse("ns.dns." + settings.Domain), DomainName.Parse("hostmaster." + settings.Domain),
            serial, 7200, 1800, 86400, _ttl);
    }

    /// <summary>The zone's change count this snapshot reflects.</summary>
    public long Generation { get; }

    /// <summary>The zone's SOA (sent in the authority section of negative answers).</summary>
    public SoaRecord Soa { get; }

    /// <summary>How many owner names the zone holds.</summary>
    public int NameCount => _names.Count;

    /// <summary>Builds the snapshot of <paramref name="services"/> and their <paramref name="slices"/>.</summary>
    public static ZoneSnapshot Build(ZoneSettings settings, IEnumerable<V1Service> services, IEnumerable<V1EndpointSlice> slices, long generation, uint serial)
    {
        var s = new ZoneSnapshot(settings, generation, serial);
        s.Add(s._zone, s.Soa);
        s.Add(s._zone, new NsRecord(s._zone, s._ttl, s.Soa.MasterName));
        s.Add(DomainName.Parse("dns-version." + settings.Domain), new TxtRecord(DomainName.Parse("dns-version." + settings.Domain), s._ttl, "1.1.0"));
        s.Touch(DomainName.Parse("svc." + settings.Domain));
        s.Touch(s._podZone);
        var byService = slices
            .Where(x => x.Metadata.Labels?.ContainsKey(ServiceNameLabel) == true)
            .ToLookup(x => x.Metadata.NamespaceProperty + "/" + x.Metadata.Labels[ServiceNameLabel], StringComparer.Ordinal);
        foreach (var svc in services)
        {
            s.AddService(svc, settings.Domain, byService[svc.Metadata.NamespaceProperty + "/" + svc.Metadata.Name]);
        }

        foreach (var (owner, targets) in s._srv.Values)
        {
            var weight = (ushort)(100 / targets.Count);
            foreach (var (port, target) in targets)
            {
                s.Add(owner, new SrvRecord(owner, s._ttl, 0, weight, port, target));
            }
        }

        return s;
    }

    /// <summary>Answers one question (see <see cref="ZoneAnswer"/>).</summary>
    public ZoneAnswer Answer(DnsQuestion question)
    {
        var name = question.Name;
        var type = question.RecordType;
        if (!name.IsEqualOrSubDomainOf(_zone))
        {
            return type is RecordType.Ptr or RecordType.Any && _ptr.TryGetValue(Key(name), out var target)
                ? new ZoneAnswer { Answers = [new PtrRecord(name, _ttl, target)] }
                : ZoneAnswer.ForwardQuestion;
        }

        if (!_names.TryGetValue(Key(name), out var records))
        {
            return PodName(name, type) ?? Negative(ReturnCode.NxDomain);
        }

        var answers = records.Records.Where(r => type == RecordType.Any || r.RecordType == type).ToList();
        if (answers.Count == 0 && type != RecordType.CName && records.Records.OfType<CNameRecord>().FirstOrDefault() is { } cname)
        {
            return Chase(cname, type);
        }

        if (answers.Count == 0)
        {
            return Negative(ReturnCode.NoError);
        }

        var additional = answers.OfType<SrvRecord>()
            .SelectMany(r => _names.TryGetValue(Key(r.Target), out var t) ? t.Records.Where(x => x.RecordType is RecordType.A or RecordType.Aaaa) : [])
            .ToList();
        return new ZoneAnswer { Answers = answers, Additional = additional };
    }

    private ZoneAnswer Chase(CNameRecord cname, RecordType type)
    {
        if (!cname.CanonicalName.IsEqualOrSubDomainOf(_zone))
        {
            return new ZoneAnswer { Answers = [cname], ChaseTarget = cname.CanonicalName };
        }

        var more = _names.TryGetValue(Key(cname.CanonicalName), out var t) ? t.Records.Where(r => r.RecordType == type) : [];
        return new ZoneAnswer { Answers = [cname, .. more] };
    }

    private ZoneAnswer Negative(ReturnCode code) => new() { Code = code, Authority = [Soa] };

    /// <summary>CoreDNS's <c>pods insecure</c>: <c>a-b-c-d.ns.pod.ZONE</c> answers the IP its first label spells.</summary>
    private ZoneAnswer? PodName(DomainName name, RecordType type)
    {
        if (name.LabelCount != _podZone.LabelCount + 2 || !name.IsSubDomainOf(_podZone))
        {
            return name.LabelCount == _podZone.LabelCount + 1 && name.IsSubDomainOf(_podZone) ? Negative(ReturnCode.NoError) : null;
        }

        var label = name.Labels[0];
        var text = label.Contains("--", StringComparison.Ordinal) || label.Count(c => c == '-') > 3 ? label.Replace('-', ':') : label.Replace('-', '.');
        if (!IPAddress.TryParse(text, out var ip))
        {
            return null;
        }

        DnsRecordBase? record = ip.AddressFamily == AddressFamily.InterNetwork ? new ARecord(name, _ttl, ip) : new AaaaRecord(name, _ttl, ip);
        return type == RecordType.Any || record.RecordType == type ? new ZoneAnswer { Answers = [record] } : Negative(ReturnCode.NoError);
    }

    private void AddService(V1Service svc, string domain, IEnumerable<V1EndpointSlice> slices)
    {
        if (Parse($"{svc.Metadata.Name}.{svc.Metadata.NamespaceProperty}.svc.{domain}") is not { } owner)
        {
            return;
        }

        Touch(owner);
        var spec = svc.Spec ?? new V1ServiceSpec();
        if (spec.Type == "ExternalName")
        {
            if (Parse(spec.ExternalName ?? "") is { } target)
            {
                Add(owner, new CNameRecord(owner, _ttl, target));
            }

            return;
        }

        if (spec.ClusterIP is "None")
        {
            AddHeadless(owner, spec.PublishNotReadyAddresses == true, slices);
            return;
        }

        foreach (var text in spec.ClusterIPs is { Count: > 0 } ips ? ips : spec.ClusterIP is { } one ? [one] : [])
        {
            if (IPAddress.TryParse(text, out var ip))
            {
                Add(owner, Address(owner, ip));
                _ptr.TryAdd(Key(ip.GetReverseLookupDomain()), owner);
            }
        }

        foreach (var p in spec.Ports ?? [])
        {
            AddSrv(owner, p.Name, p.Protocol, p.Port, owner);
        }
    }

    private void AddHeadless(DomainName owner, bool publishNotReady, IEnumerable<V1EndpointSlice> slices)
    {
        foreach (var slice in slices.Where(x => x.AddressType is "IPv4" or "IPv6"))
        {
            foreach (var e in slice.Endpoints ?? [])
            {
                if (e.Conditions?.Ready == false && !publishNotReady)
                {
                    continue;
                }

                foreach (var text in e.Addresses ?? [])
                {
                    if (!IPAddress.TryParse(text, out var ip))
                    {
                        continue;
                    }

                    var label = e.Hostname is { Length: > 0 } h ? h : Dashed(ip);
                    if (Parse(label + "." + owner) is not { } host)
                    {
                        continue;
                    }

                    Add(owner, Address(owner, ip));
                    Add(host, Address(host, ip));
                    _ptr.TryAdd(Key(ip.GetReverseLookupDomain()), host);
                    foreach (var p in slice.Ports ?? [])
                    {
                        if (p.Port is { } port)
                        {
                            AddSrv(owner, p.Name, p.Protocol, port, host);
                        }
                    }
                }
            }
        }
    }

    /// <summary>SRV on <c>_name._proto.OWNER</c> (named ports only, as the specification says) and on the owner itself.</summary>
    private void AddSrv(DomainName owner, string? portName, string? protocol, int port, DomainName target)
    {
        var owners = new List<DomainName> { owner };
        if (portName is { Length: > 0 } && Parse($"_{portName}._{(protocol ?? "TCP").ToLowerInvariant()}.{owner}") is { } named)
        {
            owners.Add(named);
        }

        foreach (var o in owners)
        {
            Touch(o);
            var key = Key(o);
            if (!_srv.TryGetValue(key, out var entry))
            {
                entry = (o, []);
                _srv[key] = entry;
            }

            if (!entry.Targets.Contains(((ushort)port, target)))
            {
                entry.Targets.Add(((ushort)port, target));
            }
        }
    }

    private DnsRecordBase Address(DomainName owner, IPAddress ip) =>
        ip.AddressFamily == AddressFamily.InterNetwork ? new ARecord(owner, _ttl, ip) : new AaaaRecord(owner, _ttl, ip);

    private static string Dashed(IPAddress ip) =>
        ip.AddressFamily == AddressFamily.InterNetwork ? ip.ToString().Replace('.', '-') : ip.ToString().Replace(':', '-');

    private void Add(DomainName owner, DnsRecordBase record)
    {
        Touch(owner);
        _names[Key(owner)].Add(record);
    }

    /// <summary>Makes <paramref name="owner"/> and every name between it and the zone exist (empty non-terminals answer NODATA).</summary>
    private void Touch(DomainName owner)
    {
        for (var n = owner; n.IsEqualOrSubDomainOf(_zone); n = n.GetParentName())
        {
            if (!_names.TryAdd(Key(n), new NameRecords()) || n.Equals(_zone))
            {
                break;
            }
        }
    }

    private static DomainName? Parse(string text) => text.Length > 0 && DomainName.TryParse(text, out var name) ? name : null;

    private static string Key(DomainName name) => name.ToString().ToLowerInvariant();
}
