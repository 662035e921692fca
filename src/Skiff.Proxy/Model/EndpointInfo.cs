namespace Skiff.Proxy.Model;

/// <summary>
/// One endpoint of a service port from its EndpointSlices: address, target port, the three conditions (absent
/// ready/serving count as true, absent terminating as false, as upstream reads them) and whether it runs on this node.
/// </summary>
public sealed record EndpointInfo(string Ip, int Port, bool Ready, bool Serving, bool Terminating, bool IsLocal)
{
    /// <summary><c>ip/port</c>, the suffix of the endpoint's chain name.</summary>
    public string Key => $"{Ip}/{Port}";
}
