using Skiff.Robustness.History;

namespace Skiff.Robustness.Tests.Checking;

/// <summary>Builds hand-written histories: each operation with its invocation and response time (null = unknown).</summary>
internal sealed class Histories
{
    private readonly List<Operation> _ops = [];

    public IReadOnlyList<Operation> Ops => _ops;

    public static ObjectValue V(string data, string? label = "yes") => new(data, label);

    public Histories Create(string key, string value, long call, long? ret, Outcome outcome, long? rv = null, int client = 0) =>
        Add(new Operation { Id = _ops.Count, ClientId = client, Kind = OperationKind.Create, Key = key, Input = V(value), CallTicks = call, ReturnTicks = ret, Outcome = outcome, ResultRv = rv });

    public Histories Cas(string key, string value, long precondition, long call, long? ret, Outcome outcome, long? rv = null, int client = 0) =>
        Add(new Operation { Id = _ops.Count, ClientId = client, Kind = OperationKind.CasUpdate, Key = key, Input = V(value), Precondition = precondition, CallTicks = call, ReturnTicks = ret, Outcome = outcome, ResultRv = rv });

    public Histories Update(string key, string value, long call, long? ret, Outcome outcome, long? rv = null, int client = 0, string? label = "yes") =>
        Add(new Operation { Id = _ops.Count, ClientId = client, Kind = OperationKind.Update, Key = key, Input = V(value, label), CallTicks = call, ReturnTicks = ret, Outcome = outcome, ResultRv = rv });

    public Histories Delete(string key, long? precondition, long call, long? ret, Outcome outcome, int client = 0) =>
        Add(new Operation { Id = _ops.Count, ClientId = client, Kind = precondition is null ? OperationKind.Delete : OperationKind.CasDelete, Key = key, Precondition = precondition, CallTicks = call, ReturnTicks = ret, Outcome = outcome });

    public Histories Get(string key, long call, long? ret, Outcome outcome, string? value = null, long? rv = null, int client = 0) =>
        Add(new Operation { Id = _ops.Count, ClientId = client, Kind = OperationKind.Get, Key = key, Output = value is null ? null : V(value), CallTicks = call, ReturnTicks = ret, Outcome = outcome, ResultRv = rv });

    public Histories List(long call, long ret, long rv, params (string Key, long Rv, ObjectValue Value)[] items) =>
        Add(new Operation
        {
            Id = _ops.Count, ClientId = 0, Kind = OperationKind.List, Key = "", CallTicks = call, ReturnTicks = ret, Outcome = Outcome.Ok, ResultRv = rv,
            ListItems = items.ToDictionary(i => i.Key, i => (i.Rv, i.Value), StringComparer.Ordinal),
        });

    private Histories Add(Operation op)
    {
        _ops.Add(op);
        return this;
    }
}
