namespace Skiff.ApiServer.Admission.Policy;

/// <summary>A policy with the bindings that bind it (upstream's <c>PolicyHook</c>).</summary>
/// <param name="Policy">The compiled policy.</param>
/// <param name="Bindings">Its bindings, by name.</param>
public sealed record PolicyHook(CompiledPolicy Policy, IReadOnlyList<CompiledBinding> Bindings);
