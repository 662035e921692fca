using k8s.Models;

namespace Skiff.Controllers.NodeLifecycle;

/// <summary>
/// What the controller remembers of a node (upstream's <c>nodeHealthData</c>): when it last showed a sign of life on
/// the controller's clock, the Ready condition and the Lease renewal it last saw.
/// </summary>
internal sealed record NodeHealth(DateTimeOffset ProbeTimestamp, DateTimeOffset ReadyTransitionTimestamp, V1NodeCondition? Ready, DateTime? LeaseRenewTime);
