namespace TrainingOperator.Api;

/// <summary>The replica types (the keys of <see cref="TrainingJobSpec.ReplicaSpecs"/>), in the order pods are created.</summary>
public static class ReplicaTypes
{
    /// <summary>The chief: coordinates training; its success is the job's success.</summary>
    public const string Chief = "Chief";

    /// <summary>Parameter servers.</summary>
    public const string PS = "PS";

    /// <summary>Workers; without a chief, worker 0's success is the job's success.</summary>
    public const string Worker = "Worker";

    /// <summary>Every type, in creation order.</summary>
    public static IReadOnlyList<string> All { get; } = [Chief, PS, Worker];
}
