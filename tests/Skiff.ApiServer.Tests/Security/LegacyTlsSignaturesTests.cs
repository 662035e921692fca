using System.Net.Sockets;
using System.Text;
using Skiff.ApiServer.Security;
using Skiff.Testing;
using Xunit;

namespace Skiff.ApiServer.Tests.Security;

public sealed class LegacyTlsSignaturesTests
{
    private const byte Handshake = 0x16;
    private const byte Alert = 0x15;
    private const byte ServerHello = 0x02;

    /// <summary>
    /// busybox wget's ClientHello (TLS 1.2 only; ECDHE and RSA suites; groups P-256 and x25519; SNI; no
    /// signature_algorithms) gets a ServerHello from the API server, as from Go's crypto/tls, rather than alert 40.
    /// </summary>
    [SkippableFact]
    public async Task ATls12ClientWithoutSignatureAlgorithms_GetsAServerHello()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "OpenSSL's security level is a Linux matter");
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await using var cluster = await SkiffTestCluster.StartAsync(cts.Token);
        Assert.True(LegacyTlsSignatures.EnsureEnabled() || Environment.GetEnvironmentVariable("OPENSSL_CONF") is { Length: > 0 });

        using var tcp = new TcpClient();
        await tcp.ConnectAsync(cluster.BaseAddress.Host, cluster.BaseAddress.Port, cts.Token);
        var stream = tcp.GetStream();
        await stream.WriteAsync(BusyboxClientHello("kubernetes.default.svc"), cts.Token);

        var header = new byte[5];
        await stream.ReadExactlyAsync(header, cts.Token);
        var body = new byte[(header[3] << 8) | header[4]];
        await stream.ReadExactlyAsync(body, cts.Token);
        Assert.True(header[0] != Alert, $"the server answered with alert {(body.Length > 1 ? body[1] : -1)}");
        Assert.Equal(Handshake, header[0]);
        Assert.Equal(ServerHello, body[0]);

        // ServerHello: type(1) length(3) version(2) random(32) session id(1+n) cipher(2): an ECDHE-ECDSA suite it offered.
        Assert.Equal(new byte[] { 3, 3 }, body[4..6]);
        var cipherAt = 4 + 2 + 32 + 1 + body[38];
        var cipher = (body[cipherAt] << 8) | body[cipherAt + 1];
        Assert.Contains(cipher, new[] { 0xc023, 0xc02b });
    }

    /// <summary>The ClientHello busybox 1.35's built-in TLS sends (captured from a pod), with <paramref name="sni"/>.</summary>
    private static byte[] BusyboxClientHello(string sni)
    {
        var name = Encoding.ASCII.GetBytes(sni);
        var hello = new List<byte> { 3, 3 };
        hello.AddRange(new byte[32]); // client random
        hello.Add(0); // no session id
        hello.AddRange(new byte[] { 0x00, 0x10, 0x00, 0xff, 0xc0, 0x23, 0xc0, 0x27, 0xc0, 0x2b, 0xc0, 0x2f, 0x00, 0x3c, 0x00, 0x3d, 0x00, 0x9c });
        hello.AddRange(new byte[] { 1, 0 }); // compression: null
        var extensions = new List<byte> { 0x00, 0x00 };
        extensions.AddRange(U16(name.Length + 5));
        extensions.AddRange(U16(name.Length + 3));
        extensions.Add(0);
        extensions.AddRange(U16(name.Length));
        extensions.AddRange(name);
        extensions.AddRange(new byte[] { 0x00, 0x0a, 0x00, 0x06, 0x00, 0x04, 0x00, 0x17, 0x00, 0x1d }); // supported_groups
        hello.AddRange(U16(extensions.Count));
        hello.AddRange(extensions);

        var message = new List<byte> { 0x01, 0, (byte)(hello.Count >> 8), (byte)hello.Count };
        message.AddRange(hello);
        var record = new List<byte> { Handshake, 3, 3 };
        record.AddRange(U16(message.Count));
        record.AddRange(message);
        return [.. record];
    }

    private static byte[] U16(int value) => [(byte)(value >> 8), (byte)value];
}
