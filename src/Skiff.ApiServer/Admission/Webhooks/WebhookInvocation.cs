namespace Skiff.ApiServer.Admission.Webhooks;

/// <summary>
/// A webhook that matched a request (upstream's <c>WebhookInvocation</c>): the resource and kind the webhook is sent,
/// which differ from the request's when the match was through an equivalent version (<c>matchPolicy: Equivalent</c>).
/// </summary>
/// <param name="Webhook">The webhook.</param>
/// <param name="Group">The resource's group.</param>
/// <param name="Version">The resource's version.</param>
/// <param name="Resource">The resource.</param>
/// <param name="Subresource">The subresource ("" for none).</param>
/// <param name="KindGroup">The kind's group.</param>
/// <param name="KindVersion">The kind's version.</param>
/// <param name="Kind">The kind.</param>
public sealed record WebhookInvocation(AdmissionWebhook Webhook, string Group, string Version, string Resource, string Subresource,
    string KindGroup, string KindVersion, string Kind);
