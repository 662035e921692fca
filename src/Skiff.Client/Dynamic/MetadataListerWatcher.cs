using Skiff.Client.Cache;
using Skiff.Client.Options;
using Skiff.Client.Rest;
using Skiff.Client.Schema;

namespace Skiff.Client.Dynamic;

/// <summary>
/// Lists and watches a resource of a <see cref="SharedInformerFactory"/> in the metadata-only form (client-go's
/// <c>metadatainformer</c>): the same requests as the dynamic client, with the <c>as=PartialObjectMetadata(List)</c>
/// Accept header. Scope is resolved as <see cref="ResolvingListerWatcher"/> does.
/// </summary>
internal sealed class MetadataListerWatcher(SharedInformerFactory factory, GroupVersionResource gvr) : IListerWatcher<PartialObjectMetadata>
{
    private const string ListAccept = "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1";
    private const string ObjectAccept = "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1";
    private string? _ns;
    private bool _resolved;

    public async Task<ObjectList<PartialObjectMetadata>> ListAsync(ListOptions options, CancellationToken ct)
    {
        var request = await RequestAsync(ct).ConfigureAwait(false);
        var list = (await request.VersionedParams(options).Accept(ListAccept).DoAsync(ct).ConfigureAwait(false)).Into<PartialObjectMetadataList>();
        return new ObjectList<PartialObjectMetadata>([.. list.Items ?? []], list.Metadata?.ResourceVersion ?? "", list.Metadata?.ContinueProperty);
    }

    public async IAsyncEnumerable<WatchEvent<PartialObjectMetadata>> WatchAsync(ListOptions options, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        var request = await RequestAsync(ct).ConfigureAwait(false);
        await foreach (var e in request.VersionedParams(options).Accept(ObjectAccept).WatchAsync<PartialObjectMetadata>(ct).ConfigureAwait(false))
        {
            yield return e;
        }
    }

    private async ValueTask<RestRequest> RequestAsync(CancellationToken ct)
    {
        if (!_resolved)
        {
            var ns = factory.Namespace;
            if (ns is not null && !(await factory.GetMappingAsync(gvr, ct).ConfigureAwait(false)).Namespaced)
            {
                ns = null;
            }

            _ns = ns;
            _resolved = true;
        }

        return factory.Clientset.Rest.Get().Group(gvr.Group).Version(gvr.Version).Namespace(_ns).Resource(gvr.Resource);
    }
}
