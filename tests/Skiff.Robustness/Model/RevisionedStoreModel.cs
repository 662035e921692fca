using Skiff.Robustness.History;

namespace Skiff.Robustness.Model;

/// <summary>
/// The sequential specification of one key of a Kubernetes resource, with upstream's resourceVersion semantics:
/// <list type="bullet">
/// <item>create: 409 AlreadyExists when the key exists, else a new revision above every earlier revision of the key;</item>
/// <item>update: 404 when absent; with a resourceVersion precondition, 409 Conflict unless it equals the current one;
/// a write of the same value is a no-op that returns the current resourceVersion (upstream skips no-op updates);</item>
/// <item>delete: 404 when absent; with a precondition, 409 Conflict unless it matches;</item>
/// <item>get: 404 when absent, else exactly the current value and resourceVersion.</item>
/// </list>
/// An operation of <see cref="Outcome.Unknown"/> outcome is nondeterministic (it took effect or it did not); the model
/// is therefore run over sets of states (porcupine's NondeterministicModel).
/// </summary>
public static class RevisionedStoreModel
{
    /// <summary>The states the key may be in after <paramref name="op"/> from <paramref name="s"/>; empty when the outcome is impossible.</summary>
    public static IEnumerable<KeyState> Step(KeyState s, Operation op)
    {
        switch (op.Outcome)
        {
            case Outcome.Ok:
                if (Apply(s, op, op.ResultRv, op.Kind == OperationKind.Get) is { } next)
                {
                    yield return next;
                }

                break;
            case Outcome.AlreadyExists:
                if (op.Kind == OperationKind.Create && s.Exists)
                {
                    yield return s;
                }

                break;
            case Outcome.Conflict:
                // A state whose revision is unknown (after a write of unknown outcome) may conflict with any precondition.
                if (op.Precondition is { } p && s.Exists && s.Rv != p)
                {
                    yield return s;
                }

                break;
            case Outcome.NotFound:
                if (!s.Exists && op.Kind != OperationKind.Create)
                {
                    yield return s;
                }

                break;
            case Outcome.Unknown:
                yield return s;
                if (op.Kind != OperationKind.Get && Apply(s, op, null, false) is { } applied && applied != s)
                {
                    yield return applied;
                }

                break;
        }
    }

    /// <summary>The state after <paramref name="op"/> succeeded returning <paramref name="rv"/> (null = unknown), or null when it could not have.</summary>
    private static KeyState? Apply(KeyState s, Operation op, long? rv, bool isRead)
    {
        if (isRead)
        {
            return s.Exists && op.Output == s.Value && (s.Rv is null || s.Rv == rv) ? s with { Rv = rv, Floor = Math.Max(s.Floor, rv ?? 0) } : null;
        }

        var preconditionHolds = op.Precondition is not { } p || s.Rv is null || s.Rv == p;
        switch (op.Kind)
        {
            case OperationKind.Create:
                return !s.Exists && Fresh(s, rv) ? s.Put(rv, op.Input!.Value) : null;
            case OperationKind.CasUpdate:
            case OperationKind.Update:
                if (!s.Exists || !preconditionHolds)
                {
                    return null;
                }

                if (op.Input == s.Value && (rv is null || s.Rv is null || rv == s.Rv))
                {
                    return s with { Rv = rv ?? s.Rv }; // a no-op update keeps the revision
                }

                return Fresh(s, rv) ? s.Put(rv, op.Input!.Value) : null;
            case OperationKind.CasDelete:
            case OperationKind.Delete:
                return s.Exists && preconditionHolds ? s.Deleted() : null;
            default:
                return null;
        }
    }

    private static bool Fresh(KeyState s, long? rv) => rv is null || rv > s.Floor;
}
