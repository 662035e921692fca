using System.Text.Json.Nodes;
using Skiff.Api.Errors;
using Skiff.ApiServer.Admission.Policy;
using Skiff.ApiServer.Admission.Webhooks;
using Skiff.ApiServer.CustomResources.Cel;
using Skiff.ApiServer.Registry;

namespace Skiff.ApiServer.Admission.Plugins;

/// <summary>
/// Upstream's ValidatingAdmissionPolicy plugin (<c>admission/plugin/policy/validating</c>): every policy whose
/// matchConstraints match the request is evaluated for each of its bindings whose matchResources match, once per
/// param (paramKind + paramRef by name or selector, parameterNotFoundAction), after its matchConditions hold. A
/// failed validation — or an evaluation error under failurePolicy Fail — is acted on per the binding's
/// validationActions: Deny refuses the request (<c>ValidatingAdmissionPolicy 'p' with binding 'b' denied request:
/// msg</c>, 422 Invalid or the validation's reason), Warn adds a <c>Warning</c>, Audit adds the
/// <c>validation.policy.admission.k8s.io/validation_failure</c> audit annotation. auditAnnotations are published as
/// <c>policy/key</c> annotations. Admission configuration objects are never evaluated, as upstream.
/// </summary>
public sealed class ValidatingAdmissionPolicyPlugin(PolicyCache cache, AdmissionReader reader, ResourceRegistry? registry) : IValidatingAdmissionPlugin
{
    /// <summary>The audit annotation key of failures under the Audit action.</summary>
    public const string ValidationFailureAnnotation = "validation.policy.admission.k8s.io/validation_failure";

    private const int MaxMessageLength = 5 * 1024;
    private const int MaxAnnotationValueLength = 10 * 1024;

    /// <inheritdoc/>
    public string Name => "ValidatingAdmissionPolicy";

    /// <inheritdoc/>
    /// <remarks>
    /// False while no policy with a binding exists (the loaded snapshot is empty), so the chain skips this plugin and a request no
    /// other plugin looks at (a delete, a connect) builds no attributes; true until the first snapshot is loaded.
    /// </remarks>
    public bool Handles(AdmissionOperation operation) => ConfigurationCache.MayMatch(cache.GetAsync(CancellationToken.None));

    /// <inheritdoc/>
    public async ValueTask ValidateAsync(AdmissionAttributes attributes, CancellationToken ct)
    {
        var hooks = await ConfigurationCache.ForRequestAsync(cache.GetAsync, attributes, ct).ConfigureAwait(false);
        if (hooks.Count == 0)
        {
            return;
        }

        var denied = new List<PolicyDecision>();
        var request = new Lazy<object?>(() => CelValues.ToCel(PolicyValues.Request(attributes)));
        var authorizer = CelAuthorizer.For(attributes);
        JsonObject? ns = null;
        var nsLoaded = false;
        foreach (var hook in hooks)
        {
            var policy = hook.Policy;
            if (!nsLoaded && attributes.Namespace.Length > 0 && !(attributes.Group.Length == 0 && attributes.Resource == "namespaces"))
            {
                ns = await reader.GetAsync("", "namespaces", "", attributes.Namespace, ct).ConfigureAwait(false);
                nsLoaded = true;
            }

            var nsLabels = JsonPath.Obj(ns, "metadata", "labels");
            try
            {
                if (!policy.MatchConstraints.Matches(attributes, nsLabels, registry))
                {
                    continue;
                }
            }
            catch (PolicyEvaluationException e)
            {
                ConfigError(denied, policy, null, e.Message);
                continue;
            }

            ResourceDescriptor? paramResource = null;
            if (policy.ParamKind is { } pk && (paramResource = ParamResource(pk.ApiVersion, pk.Kind)) is null)
            {
                ConfigError(denied, policy, null, $"failed to find resource referenced by paramKind: '{GoGvk(pk.ApiVersion, pk.Kind)}'");
                continue;
            }

            var annotations = new Dictionary<string, List<string>>(StringComparer.Ordinal);
            foreach (var binding in hook.Bindings)
            {
                IReadOnlyList<JsonObject?> parameters;
                try
                {
                    if (!binding.MatchResources.Matches(attributes, nsLabels, registry))
                    {
                        continue;
                    }

                    parameters = await ParamsAsync(policy, binding, paramResource, attributes, ct).ConfigureAwait(false);
                }
                catch (PolicyEvaluationException e)
                {
                    ConfigError(denied, policy, binding, e.Message);
                    continue;
                }

                foreach (var param in parameters)
                {
                    var vars = new Dictionary<string, object?>(StringComparer.Ordinal)
                    {
                        ["object"] = CelValues.ToCel(attributes.Object),
                        ["oldObject"] = CelValues.ToCel(attributes.OldObject),
                        ["request"] = request.Value,
                        ["params"] = CelValues.ToCel(param),
                        ["namespaceObject"] = CelValues.ToCel(PolicyValues.NamespaceObject(ns)),
                        ["authorizer"] = authorizer,
                    };
                    Evaluate(policy, binding, attributes, vars, denied, annotations);
                }
            }

            foreach (var (key, values) in annotations)
            {
                attributes.AddAnnotation(policy.Name + "/" + key, string.Join(", ", values));
            }
        }

        if (denied.Count > 0)
        {
            throw Denial(attributes, denied[0]);
        }
    }

    /// <summary>
    /// Upstream's denial: <c>admission.NewForbidden</c> with the policy's message, then the decision's reason
    /// (default Invalid) and its code, and the message as a cause.
    /// </summary>
    public static StatusException Denial(AdmissionAttributes a, PolicyDecision decision)
    {
        var message = decision.Binding is { } b
            ? $"ValidatingAdmissionPolicy '{decision.Policy}' with binding '{b}' denied request: {decision.Message}"
            : $"ValidatingAdmissionPolicy '{decision.Policy}' denied request: {decision.Message}";
        var forbidden = AdmissionErrors.Forbidden(a, message);
        var reason = decision.Reason.Length == 0 ? "Invalid" : decision.Reason;
        var code = reason switch
        {
            "Forbidden" => 403,
            "Unauthorized" => 401,
            "RequestEntityTooLarge" => 413,
            _ => 422,
        };
        var details = (forbidden.Details ?? new StatusDetails()) with { Causes = [.. forbidden.Details?.Causes ?? [], new StatusCause("", message)] };
        return new StatusException(code, reason, forbidden.Message, details);
    }

    private static void Evaluate(CompiledPolicy policy, CompiledBinding binding, AdmissionAttributes a, Dictionary<string, object?> vars,
        List<PolicyDecision> denied, Dictionary<string, List<string>> annotations)
    {
        // matchConditions: all must hold; an error is a failure of the policy.
        var conditionErrors = new List<string>();
        foreach (var (_, condition) in policy.MatchConditions)
        {
            try
            {
                var result = condition.Evaluate(vars);
                if (result is false)
                {
                    return;
                }

                if (result is not true)
                {
                    conditionErrors.Add($"expression '{condition.Source}' resulted in error: no such overload");
                }
            }
            catch (PolicyEvaluationException e)
            {
                conditionErrors.Add(e.Message);
            }
        }

        if (conditionErrors.Count > 0)
        {
            if (!policy.IgnoreFailures)
            {
                Act(policy, binding, a, denied, -1, new PolicyDecision(policy.Name, binding.Name, AdmissionErrors.Aggregate(conditionErrors), ""));
            }

            return;
        }

        // Validations (with the variables they use) and their messages share one runtime cost budget; running out
        // replaces every decision of this binding with upstream's out-of-budget error.
        var budget = new CelBudget();
        var decisions = new List<(int Index, PolicyDecision Decision)>();
        try
        {
            var variables = new Dictionary<string, object?>(StringComparer.Ordinal);
            vars["variables"] = variables;
            foreach (var (name, expression) in policy.Variables)
            {
                try
                {
                    variables[name] = expression.Evaluate(vars, budget);
                }
                catch (PolicyEvaluationException)
                {
                    // A variable that fails is an error only where it is used (upstream evaluates them lazily).
                }
            }

            // messageExpression and auditAnnotations see no authorizer (upstream binds it for validations only).
            var withoutAuthorizer = new Dictionary<string, object?>(vars, StringComparer.Ordinal);
            withoutAuthorizer.Remove("authorizer");
            for (var i = 0; i < policy.Validations.Count; i++)
            {
                var v = policy.Validations[i];
                try
                {
                    if (v.Expression.Evaluate(vars, budget) is not true)
                    {
                        decisions.Add((i, new PolicyDecision(policy.Name, binding.Name, Message(v, withoutAuthorizer, budget), v.Reason.Length == 0 ? "Invalid" : v.Reason)));
                    }
                }
                catch (PolicyEvaluationException e)
                {
                    if (!policy.IgnoreFailures)
                    {
                        decisions.Add((i, new PolicyDecision(policy.Name, binding.Name, e.Message, "")));
                    }
                }
            }

            vars = withoutAuthorizer;
        }
        catch (CelBudgetExhaustedException e)
        {
            decisions.Clear();
            if (!policy.IgnoreFailures)
            {
                decisions.Add((-1, new PolicyDecision(policy.Name, binding.Name, e.Message, "")));
            }

            vars.Remove("authorizer");
        }

        foreach (var (index, decision) in decisions)
        {
            Act(policy, binding, a, denied, index, decision);
        }

        var annotationBudget = new CelBudget();

        foreach (var (key, expression) in policy.AuditAnnotations)
        {
            string? error = null;
            try
            {
                switch (expression.Evaluate(vars, annotationBudget))
                {
                    case string s when s.Trim().Length > 0:
                        var value = s.Trim();
                        value = value.Length > MaxAnnotationValueLength ? value[..MaxAnnotationValueLength] : value;
                        if (!annotations.TryGetValue(key, out var list))
                        {
                            annotations[key] = list = [];
                        }

                        if (!list.Contains(value))
                        {
                            list.Add(value);
                        }

                        break;
                    case string or null:
                        break;
                    case var other:
                        error = $"valueExpression '{expression.Source}' resulted in unsupported return type: {CelTypeName(other)}. Return type must be either string or null.";
                        break;
                }
            }
            catch (PolicyEvaluationException e)
            {
                error = policy.IgnoreFailures ? null : e.Message;
            }
            catch (CelBudgetExhaustedException e)
            {
                error = policy.IgnoreFailures ? null : e.Message;
            }

            if (error is not null)
            {
                denied.Add(new PolicyDecision(policy.Name, binding.Name, error, ""));
            }
        }
    }

    /// <summary>Acts on a failed validation per the binding's validationActions.</summary>
    private static void Act(CompiledPolicy policy, CompiledBinding binding, AdmissionAttributes a, List<PolicyDecision> denied, int index, PolicyDecision decision)
    {
        foreach (var action in binding.ValidationActions)
        {
            switch (action)
            {
                case "Deny":
                    denied.Add(decision);
                    break;
                case "Warn":
                    a.AddWarning($"Validation failed for ValidatingAdmissionPolicy '{policy.Name}' with binding '{binding.Name}': {decision.Message}");
                    break;
                case "Audit":
                    var failure = new JsonArray(new JsonObject
                    {
                        ["message"] = decision.Message,
                        ["policy"] = binding.PolicyName,
                        ["binding"] = binding.Name,
                        ["expressionIndex"] = Math.Max(index, 0),
                        ["validationActions"] = new JsonArray(binding.ValidationActions.Select(x => (JsonNode?)x).ToArray()),
                    });
                    a.AddAnnotation(ValidationFailureAnnotation, failure.ToJsonString());
                    break;
            }
        }
    }

    /// <summary>The message of a failed validation: messageExpression's string, else message, else <c>failed expression: …</c>.</summary>
    private static string Message(CompiledPolicy.Validation v, Dictionary<string, object?> vars, CelBudget budget)
    {
        if (v.MessageExpression is { } me)
        {
            try
            {
                if (me.Evaluate(vars, budget) is string s && s.Trim() is { Length: > 0 and <= MaxMessageLength } trimmed && !trimmed.Contains('\n', StringComparison.Ordinal))
                {
                    return trimmed;
                }
            }
            catch (PolicyEvaluationException)
            {
                // Upstream logs the error and falls back to the message.
            }
        }

        return v.Message.Trim() is { Length: > 0 } message ? message : "failed expression: " + v.Expression.Source.Trim();
    }

    private static void ConfigError(List<PolicyDecision> denied, CompiledPolicy policy, CompiledBinding? binding, string error)
    {
        if (policy.IgnoreFailures)
        {
            return;
        }

        var message = binding is null ? "failed to configure policy: " + error : "failed to configure binding: " + error;
        denied.Add(new PolicyDecision(policy.Name, binding?.Name, message, ""));
    }

    /// <summary>Upstream's <c>CollectParams</c>: the params a binding selects, or one null param when the policy takes none.</summary>
    private async Task<IReadOnlyList<JsonObject?>> ParamsAsync(CompiledPolicy policy, CompiledBinding binding, ResourceDescriptor? d,
        AdmissionAttributes a, CancellationToken ct)
    {
        if (policy.ParamKind is null || d is null || !binding.HasParamRef)
        {
            return [null];
        }

        var ns = "";
        if (d.Namespaced)
        {
            ns = binding.ParamNamespace.Length > 0 ? binding.ParamNamespace : a.Namespace;
            if (ns.Length == 0)
            {
                throw new PolicyEvaluationException("cannot use namespaced paramRef in policy binding that matches cluster-scoped resources");
            }
        }
        else if (binding.ParamNamespace.Length > 0)
        {
            throw new PolicyEvaluationException("paramRef.namespace must not be provided for a cluster-scoped `paramKind`");
        }

        var found = new List<JsonObject?>();
        if (binding.ParamName.Length > 0)
        {
            if (await reader.GetAsync(d.Group, d.Resource, ns, binding.ParamName, ct).ConfigureAwait(false) is { } param)
            {
                found.Add(param);
            }
        }
        else if (binding.ParamSelectorError is { } selectorError)
        {
            throw new PolicyEvaluationException(selectorError);
        }
        else if (binding.ParamSelector is { } selector)
        {
            foreach (var item in await reader.ListAsync(d.Group, d.Resource, ns, ct).ConfigureAwait(false))
            {
                if (selector.Matches(JsonPath.Obj(item, "metadata", "labels")))
                {
                    found.Add(item);
                }
            }
        }
        else
        {
            throw new PolicyEvaluationException("one of name or selector must be provided");
        }

        if (found.Count == 0 && binding.DenyWhenParamMissing)
        {
            throw new PolicyEvaluationException("no params found for policy binding with `Deny` parameterNotFoundAction");
        }

        return found;
    }

    private ResourceDescriptor? ParamResource(string apiVersion, string kind)
    {
        var slash = apiVersion.IndexOf('/', StringComparison.Ordinal);
        var (group, version) = slash < 0 ? ("", apiVersion) : (apiVersion[..slash], apiVersion[(slash + 1)..]);
        return registry?.All.FirstOrDefault(d => d.Group == group && d.Version == version && d.Kind == kind && d.Verbs.Contains("list"))
            ?? (registry is null && group.Length == 0 && version == "v1" && kind == "ConfigMap" ? ConfigMaps : null);
    }

    private static readonly ResourceDescriptor ConfigMaps = new()
    {
        Group = "",
        Version = "v1",
        Resource = "configmaps",
        SingularName = "configmap",
        Kind = "ConfigMap",
        Namespaced = true,
        Strategy = new SimpleStrategy(),
    };

    private static string GoGvk(string apiVersion, string kind) =>
        apiVersion.Contains('/', StringComparison.Ordinal) ? $"{apiVersion}, Kind={kind}" : $"/{apiVersion}, Kind={kind}";

    private static string CelTypeName(object value) => value switch
    {
        bool => "bool",
        long => "int",
        ulong => "uint",
        double => "double",
        object?[] => "list",
        IDictionary<string, object?> => "map",
        _ => value.GetType().Name,
    };
}
