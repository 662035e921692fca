using k8s.Models;
using Skiff.Client.Rest;
using Skiff.Client.Typed;
using Skiff.Scheduler.Framework;

namespace Skiff.Scheduler.Plugins.DefaultBinder;

/// <summary>Upstream's <c>DefaultBinder</c>: POST a <c>Binding</c> to <c>pods/{name}/binding</c>.</summary>
internal sealed class DefaultBinder(Clientset clientset) : IBindPlugin
{
    public const string PluginName = "DefaultBinder";

    public string Name => PluginName;

    public async Task<Status?> BindAsync(CycleState state, V1Pod pod, string nodeName, CancellationToken ct)
    {
        var binding = new V1Binding
        {
            ApiVersion = "v1",
            Kind = "Binding",
            Metadata = new V1ObjectMeta { Name = pod.Metadata.Name, NamespaceProperty = pod.Metadata.NamespaceProperty, Uid = pod.Metadata.Uid },
            Target = new V1ObjectReference { Kind = "Node", Name = nodeName },
        };
        try
        {
            await clientset.Rest.Post().Version("v1").Namespace(pod.Metadata.NamespaceProperty).Resource("pods").Name(pod.Metadata.Name)
                .SubResource("binding").Body(binding).DoAsync(ct).ConfigureAwait(false);
            return null;
        }
        catch (KubernetesApiException e)
        {
            return Status.Error(e.Message);
        }
    }
}
