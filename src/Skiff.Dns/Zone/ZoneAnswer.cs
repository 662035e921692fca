using ARSoft.Tools.Net.Dns;

namespace Skiff.Dns.Zone;

/// <summary>
/// What the cluster zone says about one question: <see cref="Forward"/> when the name is not the zone's (every other
/// name, and reverse names it does not know, go to the upstream resolvers); otherwise an authoritative answer with
/// its return code (NXDOMAIN for a name that does not exist, NOERROR with no answers — NODATA — for a name that exists
/// without records of the asked type; both carry the zone's SOA in the authority section).
/// </summary>
internal sealed record ZoneAnswer
{
    /// <summary>The answer for a name outside the zone: forward the question.</summary>
    public static ZoneAnswer ForwardQuestion { get; } = new() { Forward = true };

    /// <summary>True: not the zone's name; forward it.</summary>
    public bool Forward { get; init; }

    public ReturnCode Code { get; init; } = ReturnCode.NoError;

    public IReadOnlyList<DnsRecordBase> Answers { get; init; } = [];

    public IReadOnlyList<DnsRecordBase> Authority { get; init; } = [];

    public IReadOnlyList<DnsRecordBase> Additional { get; init; } = [];

    /// <summary>
    /// Set when the answer is a CNAME (an ExternalName service) to a name outside the zone: the server resolves this
    /// target upstream and appends its records, as CoreDNS does.
    /// </summary>
    public ARSoft.Tools.Net.DomainName? ChaseTarget { get; init; }
}
