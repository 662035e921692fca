using System.Text.Json.Nodes;
using Skiff.ApiServer.Registry;

namespace Skiff.ApiServer.Admission.Plugins;

/// <summary>
/// Upstream's <c>Priority</c> plugin (<c>plugin/pkg/admission/priority</c>). On pod creation the pod's
/// <c>priorityClassName</c> is resolved to <c>spec.priority</c> and <c>spec.preemptionPolicy</c>: an unknown class is
/// 403 <c>no PriorityClass with name X was found</c>; a pod without a class gets the global default class with the
/// highest value, or priority 0 and PreemptLowerPriority when there is none; a pod that states another priority or
/// preemption policy than the class gives is refused with upstream's texts. On pod update a priority the client left
/// out is kept. PriorityClass creates and updates may not add a second <c>globalDefault</c>.
/// </summary>
public sealed class Priority(AdmissionReader reader) : IMutatingAdmissionPlugin, IValidatingAdmissionPlugin
{
    private const string Group = "scheduling.k8s.io";

    /// <inheritdoc/>
    public string Name => "Priority";

    /// <inheritdoc/>
    public bool Handles(AdmissionOperation operation) => operation is AdmissionOperation.Create or AdmissionOperation.Update;

    /// <inheritdoc/>
    public async ValueTask AdmitAsync(AdmissionAttributes a, CancellationToken ct)
    {
        if (!a.IsCore("pods") || a.Object is not { } pod)
        {
            return;
        }

        var spec = JsonPath.Ensure(pod, "spec");
        if (a.Operation == AdmissionOperation.Update)
        {
            foreach (var field in (string[])["priority", "preemptionPolicy"])
            {
                if (spec[field] is null && a.OldObject?["spec"]?[field] is { } kept)
                {
                    spec[field] = kept.DeepClone();
                }
            }

            return;
        }

        long priority;
        string? policy;
        var className = JsonPath.Str(spec, "priorityClassName") ?? "";
        if (className.Length == 0)
        {
            var classes = await reader.ListAsync(Group, "priorityclasses", "", ct).ConfigureAwait(false);
            var best = classes.Where(c => JsonPath.Bool(c, "globalDefault") == true).MaxBy(c => JsonPath.Long(c, "value") ?? 0);
            if (best is null)
            {
                priority = 0;
                policy = "PreemptLowerPriority";
            }
            else
            {
                spec["priorityClassName"] = JsonPath.Name(best);
                priority = JsonPath.Long(best, "value") ?? 0;
                policy = JsonPath.Str(best, "preemptionPolicy");
            }
        }
        else
        {
            var pc = await reader.GetAsync(Group, "priorityclasses", "", className, ct).ConfigureAwait(false)
                ?? throw AdmissionErrors.Forbidden(a, $"no PriorityClass with name {className} was found");
            priority = JsonPath.Long(pc, "value") ?? 0;
            policy = JsonPath.Str(pc, "preemptionPolicy");
        }

        if (JsonPath.Long(spec, "priority") is { } stated && stated != priority)
        {
            throw AdmissionErrors.Forbidden(a,
                $"the integer value of priority ({stated}) must not be provided in pod spec; priority admission controller computed {priority} from the given PriorityClass name");
        }

        spec["priority"] = priority;
        if (policy is not null)
        {
            if (JsonPath.Str(spec, "preemptionPolicy") is { } statedPolicy && statedPolicy != policy)
            {
                throw AdmissionErrors.Forbidden(a,
                    $"the string value of PreemptionPolicy ({statedPolicy}) must not be provided in pod spec; priority admission controller computed {policy} from the given PriorityClass name");
            }

            spec["preemptionPolicy"] = policy;
        }
    }

    /// <inheritdoc/>
    public async ValueTask ValidateAsync(AdmissionAttributes a, CancellationToken ct)
    {
        if (a.Group != Group || a.Resource != "priorityclasses" || a.Subresource.Length > 0 || a.Object is not { } pc
            || JsonPath.Bool(pc, "globalDefault") != true)
        {
            return;
        }

        var classes = await reader.ListAsync(Group, "priorityclasses", "", ct).ConfigureAwait(false);
        if (classes.FirstOrDefault(c => JsonPath.Bool(c, "globalDefault") == true && JsonPath.Name(c) != a.Name) is { } other)
        {
            throw AdmissionErrors.Forbidden(a, $"PriorityClass {JsonPath.Name(other)} is already marked as default. Only one default can exist");
        }
    }
}
