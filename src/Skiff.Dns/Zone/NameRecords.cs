using ARSoft.Tools.Net.Dns;

namespace Skiff.Dns.Zone;

/// <summary>The records one owner name in the cluster zone holds (empty for an empty non-terminal such as <c>svc.cluster.local</c>).</summary>
internal sealed class NameRecords
{
    /// <summary>The name's records of every type, in answer order.</summary>
    public List<DnsRecordBase> Records { get; } = [];

    /// <summary>Adds <paramref name="record"/> unless an equal one (same type and data) is there already.</summary>
    public void Add(DnsRecordBase record)
    {
        var text = record.ToString();
        if (!Records.Exists(r => r.RecordType == record.RecordType && r.ToString() == text))
        {
            Records.Add(record);
        }
    }
}
