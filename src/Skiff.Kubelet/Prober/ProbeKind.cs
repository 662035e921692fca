namespace Skiff.Kubelet.Prober;

/// <summary>The three kinds of container probe (upstream <c>probeType</c>); the names are upstream's event and metric words.</summary>
public enum ProbeKind
{
    Liveness,
    Readiness,
    Startup,
}
