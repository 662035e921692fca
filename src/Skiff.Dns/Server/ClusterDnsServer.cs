using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using ARSoft.Tools.Net;
using ARSoft.Tools.Net.Dns;
using Microsoft.Extensions.Logging;
using Skiff.Dns.Zone;

namespace Skiff.Dns.Server;

/// <summary>
/// The DNS server on UDP and TCP (ARSoft.Tools.Net's <see cref="DnsServer"/>) that answers from a
/// <see cref="ClusterZone"/>: names of the zone authoritatively (AA, SOA in negative answers), everything else through
/// the <see cref="DnsForwarder"/>. One question per message (anything else is FORMERR); a forwarded question nobody
/// answers is SERVFAIL.
/// </summary>
internal sealed partial class ClusterDnsServer : IDisposable
{
    private readonly ClusterZone _zone;
    private readonly DnsForwarder _forwarder;
    private readonly ILogger _logger;
    private readonly string _zoneLabel;
    private DnsServer? _server;

    public ClusterDnsServer(ClusterZone zone, DnsForwarder forwarder, ILogger logger)
    {
        _zone = zone;
        _forwarder = forwarder;
        _logger = logger;
        _zoneLabel = zone.Settings.Domain.TrimEnd('.') + ".";
    }

    /// <summary>Where the server listens (UDP and TCP on the same port), after <see cref="Start"/>.</summary>
    public IPEndPoint? Endpoint { get; private set; }

    /// <summary>
    /// Binds UDP and TCP on <paramref name="bind"/> and starts serving. Port 0 picks a port free on both protocols.
    /// </summary>
    /// <exception cref="SocketException">The address cannot be bound.</exception>
    public void Start(IPEndPoint bind)
    {
        for (var attempt = 0; ; attempt++)
        {
            var ep = bind.Port == 0 ? new IPEndPoint(bind.Address, FreePort(bind.Address)) : bind;
            var server = new DnsServer(new UdpServerTransport(ep, 5000), new TcpServerTransport(ep, 5000, 120_000));
            server.QueryReceived += OnQueryAsync;
            server.ExceptionThrown += OnExceptionAsync;
            try
            {
                server.Start();
                _server = server;
                Endpoint = ep;
                return;
            }
            catch (SocketException) when (bind.Port == 0 && attempt < 5)
            {
                server.Stop();
            }
        }
    }

    /// <summary>Answers one query message (the server's handler; the benchmark calls it in process too).</summary>
    public async Task<DnsMessage> AnswerAsync(DnsMessage query, string proto, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        var response = query.CreateResponseInstance();
        response.IsRecursionAllowed = true;
        if (query.Questions.Count != 1)
        {
            response.ReturnCode = ReturnCode.FormatError;
            return response;
        }

        var question = query.Questions[0];
        var type = question.RecordType.ToString().ToUpperInvariant();
        var answer = _zone.Answer(question);
        var zone = answer.Forward ? "." : _zoneLabel;
        DnsDiagnostics.Request("dns://" + Endpoint, zone, proto, type);
        if (answer.Forward)
        {
            var upstream = await _forwarder.ForwardAsync(question, ct).ConfigureAwait(false);
            if (upstream is null)
            {
                response.ReturnCode = ReturnCode.ServerFailure;
            }
            else
            {
                response.ReturnCode = upstream.ReturnCode;
                response.AnswerRecords.AddRange(upstream.AnswerRecords);
                response.AuthorityRecords.AddRange(upstream.AuthorityRecords);
                response.AdditionalRecords.AddRange(upstream.AdditionalRecords.Where(r => r.RecordType != RecordType.Opt));
            }
        }
        else
        {
            response.IsAuthoritiveAnswer = true;
            response.ReturnCode = answer.Code;
            response.AnswerRecords.AddRange(answer.Answers);
            response.AuthorityRecords.AddRange(answer.Authority);
            response.AdditionalRecords.AddRange(answer.Additional);
            if (answer.ChaseTarget is { } target && question.RecordType is not (RecordType.CName or RecordType.Any))
            {
                response.AnswerRecords.AddRange(await _forwarder.ResolveAsync(target, question.RecordType, ct).ConfigureAwait(false));
            }
        }

        DnsDiagnostics.Response("dns://" + Endpoint, zone, RcodeName(response.ReturnCode), type, Stopwatch.GetElapsedTime(started).TotalSeconds);
        return response;
    }

    public void Dispose()
    {
        _server?.Stop();
        _server = null;
    }

    private async Task OnQueryAsync(object sender, QueryReceivedEventArgs e)
    {
        if (e.Query is DnsMessage query)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            e.Response = await AnswerAsync(query, e.TransportProtocol == TransportProtocol.Tcp ? "tcp" : "udp", timeout.Token).ConfigureAwait(false);
        }
    }

    private Task OnExceptionAsync(object sender, ExceptionEventArgs e)
    {
        LogServerError(_logger, e.Exception.Message, e.Exception);
        return Task.CompletedTask;
    }

    private static string RcodeName(ReturnCode code) => code switch
    {
        ReturnCode.NoError => "NOERROR",
        ReturnCode.NxDomain => "NXDOMAIN",
        ReturnCode.ServerFailure => "SERVFAIL",
        ReturnCode.FormatError => "FORMERR",
        ReturnCode.Refused => "REFUSED",
        _ => code.ToString().ToUpperInvariant(),
    };

    /// <summary>A port free for both UDP and TCP on <paramref name="address"/> at the moment of the call.</summary>
    private static int FreePort(IPAddress address)
    {
        while (true)
        {
            using var udp = new Socket(address.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
            udp.Bind(new IPEndPoint(address, 0));
            var port = ((IPEndPoint)udp.LocalEndPoint!).Port;
            using var tcp = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                tcp.Bind(new IPEndPoint(address, port));
                return port;
            }
            catch (SocketException)
            {
                // Taken for TCP: try another.
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "dns server: {Reason}")]
    private static partial void LogServerError(ILogger logger, string reason, Exception e);
}
