using System.Text.Json.Nodes;
using Skiff.Api.Validation;

namespace Skiff.ApiServer.Registry.Rbac;

/// <summary>rbac.authorization.k8s.io/v1 clusterrolebindings: path-segment names, PUT may create, roleRef required and immutable, subjects validated.</summary>
public sealed class ClusterRoleBindingStrategy : ResourceStrategy
{
    /// <summary>The shared instance.</summary>
    public static ClusterRoleBindingStrategy Instance { get; } = new();

    /// <inheritdoc/>
    public override bool AllowCreateOnUpdate => true;

    /// <inheritdoc/>
    public override TableDefinition Table { get; } = RbacRules.BindingTable("clusterRoleBinding");

    /// <inheritdoc/>
    public override IReadOnlyList<string> ValidateName(string name, bool prefix) => Rules.PathSegmentName(name);

    /// <inheritdoc/>
    public override IEnumerable<FieldError> ValidateCreate(JsonObject obj) => RbacRules.ValidateBinding(obj, clusterScoped: true);

    /// <inheritdoc/>
    public override IEnumerable<FieldError> ValidateUpdate(JsonObject newObj, JsonObject oldObj) =>
        ValidateCreate(newObj).Concat(RbacRules.ImmutableRoleRef(newObj, oldObj));

    /// <inheritdoc/>
    /// <remarks>Escalation and bind prevention for the requesting user (see <see cref="Authorization.RbacWriteChecks"/>).</remarks>
    public override ValueTask<WriteHook?> BeforeWriteAsync(StrategyContext context, JsonObject newObj, JsonObject? oldObj, CancellationToken ct) =>
        ValueTask.FromResult(Authorization.RbacWriteChecks.BeforeWrite(newObj, oldObj, context.DryRun));
}
