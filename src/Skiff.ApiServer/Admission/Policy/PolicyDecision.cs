namespace Skiff.ApiServer.Admission.Policy;

/// <summary>A failed validation (or an evaluation error under failurePolicy Fail) of one policy and binding.</summary>
/// <param name="Policy">The policy's name.</param>
/// <param name="Binding">The binding's name, or null for a policy-level configuration error.</param>
/// <param name="Message">The message (upstream's decision message).</param>
/// <param name="Reason">The Status reason ("" = Invalid).</param>
public sealed record PolicyDecision(string Policy, string? Binding, string Message, string Reason);
