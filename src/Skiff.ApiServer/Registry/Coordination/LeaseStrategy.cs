using System.Text.Json.Nodes;
using Skiff.Api.Validation;
using Skiff.ApiServer.Registry.Printing;

namespace Skiff.ApiServer.Registry.Coordination;

/// <summary>coordination.k8s.io/v1 leases: PUT may create (leader election relies on it); durations must be positive; HOLDER printer.</summary>
public sealed class LeaseStrategy : ResourceStrategy
{
    /// <summary>The shared instance.</summary>
    public static LeaseStrategy Instance { get; } = new();

    /// <inheritdoc/>
    public override bool AllowCreateOnUpdate => true;

    /// <inheritdoc/>
    public override IEnumerable<FieldError> ValidateCreate(JsonObject obj)
    {
        if (JsonPath.Long(obj, "spec", "leaseDurationSeconds") is <= 0 and var d)
        {
            yield return FieldError.Invalid("spec.leaseDurationSeconds", d.ToString(), "must be greater than 0");
        }

        if (JsonPath.Long(obj, "spec", "leaseTransitions") is < 0 and var t)
        {
            yield return FieldError.Invalid("spec.leaseTransitions", t.ToString(), "must be greater than or equal to 0");
        }
    }

    /// <inheritdoc/>
    public override TableDefinition Table { get; } = new(
        [Columns.Name, Columns.S("Holder", "holderIdentity contains the identity of the holder of a current lease. If Coordinated Leader Election is used, the holder identity must be equal to the elected LeaseCandidate.metadata.name field."), Columns.Age],
        (o, now) => [JsonPath.Name(o), JsonPath.Str(o, "spec", "holderIdentity") ?? "", Cells.Age(o, now)]);
}
