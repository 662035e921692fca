namespace Skiff.Kubelet.Server;

/// <summary>
/// The <c>channel.k8s.io</c> WebSocket protocols of exec and attach (upstream <c>remotecommand</c>): each binary message
/// is one channel byte and its payload. Channels: 0 stdin, 1 stdout, 2 stderr, 3 error (v4+: a JSON <c>Status</c>),
/// 4 resize (v3+: JSON <c>{"Width":W,"Height":H}</c>), and in v5 255 close (payload: the id of the stream that ends).
/// </summary>
public static class ChannelProtocol
{
    /// <summary>v5: v4 plus the close signal.</summary>
    public const string V5 = "v5.channel.k8s.io";

    /// <summary>v4: the error channel carries a JSON Status (exit codes).</summary>
    public const string V4 = "v4.channel.k8s.io";

    /// <summary>v3: adds the resize channel.</summary>
    public const string V3 = "v3.channel.k8s.io";

    /// <summary>v2: stderr and error separated.</summary>
    public const string V2 = "v2.channel.k8s.io";

    /// <summary>The original protocol.</summary>
    public const string V1 = "channel.k8s.io";

    /// <summary>The stdin channel.</summary>
    public const byte Stdin = 0;

    /// <summary>The stdout channel.</summary>
    public const byte Stdout = 1;

    /// <summary>The stderr channel.</summary>
    public const byte Stderr = 2;

    /// <summary>The error channel.</summary>
    public const byte Error = 3;

    /// <summary>The terminal resize channel.</summary>
    public const byte Resize = 4;

    /// <summary>The v5 close signal.</summary>
    public const byte Close = 255;

    /// <summary>The protocols served, newest first.</summary>
    public static IReadOnlyList<string> Supported { get; } = [V5, V4, V3, V2, V1];

    /// <summary>The first of the client's offered protocols that is supported (upstream's handshake), or null.</summary>
    public static string? Negotiate(IEnumerable<string> offered) =>
        offered.SelectMany(o => o.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            .FirstOrDefault(o => Supported.Contains(o, StringComparer.Ordinal));

    /// <summary>One message: <paramref name="channel"/> then <paramref name="payload"/>.</summary>
    public static byte[] Frame(byte channel, ReadOnlySpan<byte> payload)
    {
        var message = new byte[payload.Length + 1];
        message[0] = channel;
        payload.CopyTo(message.AsSpan(1));
        return message;
    }

    /// <summary>True when <paramref name="message"/> is the v5 signal that <paramref name="stream"/> is closed.</summary>
    public static bool IsClose(ReadOnlySpan<byte> message, out byte stream)
    {
        stream = message.Length == 2 && message[0] == Close ? message[1] : (byte)0;
        return message.Length == 2 && message[0] == Close;
    }
}
