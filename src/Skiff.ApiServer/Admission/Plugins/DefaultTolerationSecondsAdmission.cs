using System.Text.Json.Nodes;
using Skiff.ApiServer.Registry;
using Skiff.ApiServer.Registry.Core;

namespace Skiff.ApiServer.Admission.Plugins;

/// <summary>
/// Upstream's <c>DefaultTolerationSeconds</c>: pods created or updated without a toleration of the not-ready or
/// unreachable NoExecute taints get one for 300 seconds (see <see cref="DefaultTolerationSeconds"/>).
/// </summary>
public sealed class DefaultTolerationSecondsAdmission : IMutatingAdmissionPlugin
{
    /// <inheritdoc/>
    public string Name => "DefaultTolerationSeconds";

    /// <inheritdoc/>
    public bool Handles(AdmissionOperation operation) => operation is AdmissionOperation.Create or AdmissionOperation.Update;

    /// <inheritdoc/>
    public ValueTask AdmitAsync(AdmissionAttributes a, CancellationToken ct)
    {
        if (a.IsCore("pods") && a.Object is { } pod)
        {
            DefaultTolerationSeconds.Apply(JsonPath.Ensure(pod, "spec"));
        }

        return ValueTask.CompletedTask;
    }
}
