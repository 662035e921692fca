using System.Text.Json.Nodes;
using Skiff.ApiServer.Http;

namespace Skiff.ApiServer.Endpoints.Subresources;

/// <summary>
/// The virtual, create-only review resources (upstream's <c>tokenreview</c>, <c>subjectaccessreview</c>,
/// <c>selfsubjectrulesreview</c>, … REST storages): the body is decoded as the resource's kind (fieldValidation
/// applied, 400 for another apiVersion or kind), answered from the request's user and the authorizer, never stored or
/// admitted, and written back as 201 with <c>metadata.creationTimestamp: null</c> and the computed status.
/// </summary>
internal abstract class ReviewHandler : ISubresourceHandler
{
    /// <inheritdoc />
    public IReadOnlyCollection<string> Verbs { get; } = ["create"];

    /// <inheritdoc />
    public async Task HandleAsync(SubresourceCall call, CancellationToken ct)
    {
        var d = call.Resource;
        var neg = Negotiation.Negotiate(call.Http.Request.Headers.Accept, allowTransform: false);
        var review = await call.Endpoint.ReadSubresourceBodyAsync(call, ct).ConfigureAwait(false);
        ResourceEndpoint.CheckTypeMeta(review, d.Kind, d.GroupVersion);
        var result = new JsonObject
        {
            ["kind"] = d.Kind,
            ["apiVersion"] = d.GroupVersion,
            ["metadata"] = new JsonObject { ["creationTimestamp"] = null },
        };
        await CompleteAsync(call, review, result, ct).ConfigureAwait(false);
        await Responses.WriteAsync(call.Http, 201, result, neg.Format).ConfigureAwait(false);
    }

    /// <summary>Fills <paramref name="result"/> (spec, status, namespace) from the decoded <paramref name="review"/>; throws a Status for an invalid one.</summary>
    protected abstract Task CompleteAsync(SubresourceCall call, JsonObject review, JsonObject result, CancellationToken ct);
}
