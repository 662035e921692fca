using System.Net;
using ARSoft.Tools.Net;
using ARSoft.Tools.Net.Dns;

namespace Skiff.Dns.Tests.Testing;

/// <summary>Queries a DNS server over UDP or TCP only (ARSoft's client), one question per message.</summary>
internal static class DnsProbe
{
    public static async Task<DnsMessage> QueryAsync(IPEndPoint server, string proto, string name, RecordType type)
    {
        IClientTransport transport = proto == "tcp" ? new TcpClientTransport(server.Port) : new UdpClientTransport(server.Port);
        var client = new DnsClient([server.Address], [transport], true, 5000);
        var query = new DnsMessage { IsRecursionDesired = true };
        query.Questions.Add(new DnsQuestion(DomainName.Parse(name), type, RecordClass.INet));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var answer = await client.SendMessageAsync(query, timeout.Token);
        return answer ?? throw new TimeoutException($"no answer for {name} {type} over {proto}");
    }

    public static IReadOnlyList<string> Addresses(DnsMessage m) =>
        m.AnswerRecords.Select(r => r switch { ARecord a => a.Address.ToString(), AaaaRecord a => a.Address.ToString(), _ => null })
            .OfType<string>().Order(StringComparer.Ordinal).ToList();
}
