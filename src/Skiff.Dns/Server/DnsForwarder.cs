using System.Net;
using ARSoft.Tools.Net;
using ARSoft.Tools.Net.Dns;

namespace Skiff.Dns.Server;

/// <summary>
/// Forwards questions outside the cluster zone to upstream resolvers (CoreDNS's <c>forward . /etc/resolv.conf</c>):
/// tried in order, UDP first with TCP on truncation (ARSoft's <see cref="DnsClient"/>). A question no upstream
/// answers in time is a SERVFAIL to the caller.
/// </summary>
internal sealed class DnsForwarder : IDisposable
{
    private readonly List<(IPEndPoint Upstream, DnsClient Client)> _clients;

    /// <param name="upstreams">The resolvers, in order (port 53 unless a test says otherwise).</param>
    /// <param name="timeout">How long one upstream gets per query.</param>
    public DnsForwarder(IReadOnlyList<IPEndPoint> upstreams, TimeSpan timeout)
    {
        Upstreams = upstreams;
        _clients = upstreams
            .Select(u => (u, new DnsClient([u.Address], [new UdpClientTransport(u.Port), new TcpClientTransport(u.Port)], true, (int)timeout.TotalMilliseconds)))
            .ToList();
    }

    /// <summary>The upstream resolvers.</summary>
    public IReadOnlyList<IPEndPoint> Upstreams { get; }

    /// <summary>
    /// Asks the upstreams <paramref name="question"/> (recursion desired); the first answer wins, null when none answered.
    /// </summary>
    public async Task<DnsMessage?> ForwardAsync(DnsQuestion question, CancellationToken ct)
    {
        foreach (var (upstream, client) in _clients)
        {
            var query = new DnsMessage { IsRecursionDesired = true, IsEDnsEnabled = true };
            query.Questions.Add(question);
            try
            {
                DnsDiagnostics.Forwarded(upstream);
                if (await client.SendMessageAsync(query, ct).ConfigureAwait(false) is { } answer)
                {
                    return answer;
                }
            }
            catch (Exception e) when (e is System.Net.Sockets.SocketException or IOException or TimeoutException)
            {
                // Try the next upstream.
            }
        }

        return null;
    }

    /// <summary>Resolves <paramref name="name"/>'s <paramref name="type"/> records upstream (a CNAME chase); empty when none.</summary>
    public async Task<IReadOnlyList<DnsRecordBase>> ResolveAsync(DomainName name, RecordType type, CancellationToken ct)
    {
        var answer = await ForwardAsync(new DnsQuestion(name, type, RecordClass.INet), ct).ConfigureAwait(false);
        return answer?.AnswerRecords ?? [];
    }

    public void Dispose()
    {
        foreach (var (_, client) in _clients)
        {
            (client as IDisposable)?.Dispose();
        }
    }
}
