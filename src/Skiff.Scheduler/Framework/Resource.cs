using k8s.Models;

namespace Skiff.Scheduler.Framework;

/// <summary>
/// Amounts of compute resources (upstream <c>framework.Resource</c>): milli-CPU, bytes of memory and ephemeral storage,
/// the pod count, and extended/scalar resources by name.
/// </summary>
public sealed class Resource
{
    /// <summary>Upstream's <c>DefaultMilliCPURequest</c>, used for scoring containers without a CPU request.</summary>
    public const long DefaultMilliCpuRequest = 100;

    /// <summary>Upstream's <c>DefaultMemoryRequest</c> (200 MB), used for scoring containers without a memory request.</summary>
    public const long DefaultMemoryRequest = 200 * 1024 * 1024;

    public long MilliCpu { get; set; }

    public long Memory { get; set; }

    public long EphemeralStorage { get; set; }

    public long AllowedPodNumber { get; set; }

    public Dictionary<string, long> Scalar { get; } = new(StringComparer.Ordinal);

    /// <summary>The amount of <paramref name="name"/> (cpu in milli-units).</summary>
    public long Get(string name) => name switch
    {
        "cpu" => MilliCpu,
        "memory" => Memory,
        "ephemeral-storage" => EphemeralStorage,
        "pods" => AllowedPodNumber,
        _ => Scalar.GetValueOrDefault(name),
    };

    public void Set(string name, long value)
    {
        switch (name)
        {
            case "cpu": MilliCpu = value; break;
            case "memory": Memory = value; break;
            case "ephemeral-storage": EphemeralStorage = value; break;
            case "pods": AllowedPodNumber = value; break;
            default: Scalar[name] = value; break;
        }
    }

    public void Add(Resource other, int sign = 1)
    {
        MilliCpu += sign * other.MilliCpu;
        Memory += sign * other.Memory;
        EphemeralStorage += sign * other.EphemeralStorage;
        AllowedPodNumber += sign * other.AllowedPodNumber;
        foreach (var (k, v) in other.Scalar)
        {
            Scalar[k] = Scalar.GetValueOrDefault(k) + (sign * v);
        }
    }

    public Resource Clone()
    {
        var r = new Resource { MilliCpu = MilliCpu, Memory = Memory, EphemeralStorage = EphemeralStorage, AllowedPodNumber = AllowedPodNumber };
        foreach (var (k, v) in Scalar)
        {
            r.Scalar[k] = v;
        }

        return r;
    }

    /// <summary>A resource list (e.g. a node's allocatable) as a <see cref="Resource"/>.</summary>
    public static Resource From(IDictionary<string, ResourceQuantity>? list)
    {
        var r = new Resource();
        if (list is null)
        {
            return r;
        }

        foreach (var (name, q) in list)
        {
            r.Set(name, Amount(name, q));
        }

        return r;
    }

    /// <summary>A quantity in the unit the scheduler counts <paramref name="name"/> in (milli for cpu).</summary>
    public static long Amount(string name, ResourceQuantity q)
    {
        var d = q.ToDecimal();
        return name == "cpu" ? (long)Math.Ceiling(d * 1000) : (long)Math.Ceiling(d);
    }

    /// <summary>
    /// The pod's effective request (upstream <c>resourcehelper.PodRequests</c>): the larger of the containers' sum and
    /// each init container's request, plus the pod overhead. With <paramref name="nonZero"/> a container without a CPU or
    /// memory request counts upstream's defaults (for scoring).
    /// </summary>
    public static Resource PodRequests(V1Pod pod, bool nonZero = false)
    {
        var sum = new Resource();
        foreach (var c in pod.Spec?.Containers ?? [])
        {
            sum.Add(ContainerRequests(c, nonZero));
        }

        foreach (var c in pod.Spec?.InitContainers ?? [])
        {
            var init = ContainerRequests(c, nonZero);
            if (c.RestartPolicy == "Always")
            {
                // A sidecar runs alongside the containers.
                sum.Add(init);
                continue;
            }

            sum.MilliCpu = Math.Max(sum.MilliCpu, init.MilliCpu);
            sum.Memory = Math.Max(sum.Memory, init.Memory);
            sum.EphemeralStorage = Math.Max(sum.EphemeralStorage, init.EphemeralStorage);
            foreach (var (k, v) in init.Scalar)
            {
                sum.Scalar[k] = Math.Max(sum.Scalar.GetValueOrDefault(k), v);
            }
        }

        if (pod.Spec?.Overhead is { } overhead)
        {
            sum.Add(From(overhead));
        }

        return sum;
    }

    private static Resource ContainerRequests(V1Container c, bool nonZero)
    {
        var r = From(c.Resources?.Requests);
        if (nonZero)
        {
            if (c.Resources?.Requests?.ContainsKey("cpu") != true)
            {
                r.MilliCpu = DefaultMilliCpuRequest;
            }

            if (c.Resources?.Requests?.ContainsKey("memory") != true)
            {
                r.Memory = DefaultMemoryRequest;
            }
        }

        return r;
    }
}
