using System.Text.Json.Nodes;
using Skiff.Api.Validation;

namespace Skiff.ApiServer.Registry.Rbac;

/// <summary>rbac.authorization.k8s.io/v1 roles: path-segment names, PUT may create, rules validated; no printer upstream (Name, Created At).</summary>
public sealed class RoleStrategy : ResourceStrategy
{
    /// <summary>The shared instance.</summary>
    public static RoleStrategy Instance { get; } = new();

    /// <inheritdoc/>
    public override bool AllowCreateOnUpdate => true;

    /// <inheritdoc/>
    public override IReadOnlyList<string> ValidateName(string name, bool prefix) => Rules.PathSegmentName(name);

    /// <inheritdoc/>
    public override IEnumerable<FieldError> ValidateCreate(JsonObject obj) => RbacRules.ValidateRules(obj, clusterScoped: false);

    /// <inheritdoc/>
    /// <remarks>Escalation and bind prevention for the requesting user (see <see cref="Authorization.RbacWriteChecks"/>).</remarks>
    public override ValueTask<WriteHook?> BeforeWriteAsync(StrategyContext context, JsonObject newObj, JsonObject? oldObj, CancellationToken ct) =>
        ValueTask.FromResult(Authorization.RbacWriteChecks.BeforeWrite(newObj, oldObj, context.DryRun));
}
