using System.Text.Json.Nodes;
using Skiff.Api.Selectors;
using Skiff.ApiServer.Registry;

namespace Skiff.ApiServer.Admission.Policy;

/// <summary>One ValidatingAdmissionPolicyBinding: the policy it binds, its paramRef, matchResources and validationActions.</summary>
public sealed class CompiledBinding
{
    /// <summary>Reads <paramref name="binding"/>.</summary>
    public CompiledBinding(JsonObject binding)
    {
        Name = JsonPath.Name(binding);
        var spec = JsonPath.Obj(binding, "spec") ?? [];
        PolicyName = JsonPath.Str(spec, "policyName") ?? "";
        MatchResources = PolicyMatchResources.FromJson(JsonPath.Obj(spec, "matchResources"));
        ValidationActions = JsonPath.Arr(spec, "validationActions")?.Select(n => JsonPath.AsString(n) ?? "").ToList() ?? [];
        if (JsonPath.Obj(spec, "paramRef") is { } pr)
        {
            ParamName = JsonPath.Str(pr, "name") ?? "";
            ParamNamespace = JsonPath.Str(pr, "namespace") ?? "";
            DenyWhenParamMissing = JsonPath.Str(pr, "parameterNotFoundAction") == "Deny";
            HasParamRef = true;
            if (JsonPath.Obj(pr, "selector") is { } selector)
            {
                try
                {
                    ParamSelector = LabelSelector.FromJson(selector);
                }
                catch (SelectorParseException e)
                {
                    ParamSelectorError = e.Message;
                }
            }
        }
    }

    /// <summary>The binding's name.</summary>
    public string Name { get; }

    /// <summary>The policy bound.</summary>
    public string PolicyName { get; }

    /// <summary>What the binding limits the policy to.</summary>
    public PolicyMatchResources MatchResources { get; }

    /// <summary>Deny, Warn and/or Audit.</summary>
    public IReadOnlyList<string> ValidationActions { get; }

    /// <summary>Whether a paramRef is set.</summary>
    public bool HasParamRef { get; }

    /// <summary>The param's name ("" when selected by labels).</summary>
    public string ParamName { get; } = "";

    /// <summary>The param's namespace ("" = the request's, for namespaced params).</summary>
    public string ParamNamespace { get; } = "";

    /// <summary>The param label selector, or null.</summary>
    public LabelSelector? ParamSelector { get; }

    /// <summary>A selector that did not parse, or null.</summary>
    public string? ParamSelectorError { get; }

    /// <summary><c>parameterNotFoundAction: Deny</c>.</summary>
    public bool DenyWhenParamMissing { get; }
}
