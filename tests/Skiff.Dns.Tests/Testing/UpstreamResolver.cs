using System.Net;
using ARSoft.Tools.Net;
using ARSoft.Tools.Net.Dns;
using Skiff.Dns.Zone;

namespace Skiff.Dns.Tests.Testing;

/// <summary>
/// A tiny upstream resolver for forwarding tests (an ARSoft server on 127.0.0.1, a free port): <c>example.test</c> and
/// <c>www.example.test</c> answer A 192.0.2.7; every other name is NXDOMAIN. Counts the queries it saw.
/// </summary>
internal sealed class UpstreamResolver : IDisposable
{
    public static readonly IPAddress Answer = IPAddress.Parse("192.0.2.7");

    private readonly DnsServer _server;
    private int _queries;

    public UpstreamResolver()
    {
        var zone = new ClusterZone(new ZoneSettings { Domain = "unused.invalid" });
        var port = FreePorts.Both();
        Endpoint = new IPEndPoint(IPAddress.Loopback, port);
        _server = new DnsServer(new UdpServerTransport(Endpoint, 5000), new TcpServerTransport(Endpoint, 5000, 120_000));
        _server.QueryReceived += (_, e) =>
        {
            Interlocked.Increment(ref _queries);
            var q = (DnsMessage)e.Query;
            var r = q.CreateResponseInstance();
            var question = q.Questions[0];
            var name = question.Name.ToString().TrimEnd('.').ToLowerInvariant();
            if (name is "example.test" or "www.example.test")
            {
                if (question.RecordType == RecordType.A)
                {
                    r.AnswerRecords.Add(new ARecord(question.Name, 60, Answer));
                }
            }
            else
            {
                r.ReturnCode = ReturnCode.NxDomain;
            }

            e.Response = r;
            return Task.CompletedTask;
        };
        _server.Start();
    }

    public IPEndPoint Endpoint { get; }

    public int Queries => Volatile.Read(ref _queries);

    public void Dispose() => _server.Stop();
}
