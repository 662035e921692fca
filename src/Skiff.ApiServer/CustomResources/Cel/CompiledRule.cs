using global::Cel;
using Skiff.ApiServer.CustomResources.Schema;

namespace Skiff.ApiServer.CustomResources.Cel;

/// <summary>One <c>x-kubernetes-validations</c> rule compiled once: its program, its message program, whether it is a transition rule.</summary>
/// <param name="Rule">The rule as written.</param>
/// <param name="Program">The compiled <c>rule</c>.</param>
/// <param name="MessageProgram">The compiled <c>messageExpression</c>, or null.</param>
/// <param name="IsTransition">True when the rule reads <c>oldSelf</c>.</param>
internal sealed record CompiledRule(ValidationRule Rule, CelProgramDelegate Program, CelProgramDelegate? MessageProgram, bool IsTransition);
