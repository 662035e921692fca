namespace Skiff.ApiServer.Authentication.ServiceAccounts;

/// <summary>A name and uid, as a token's <c>kubernetes.io</c> claim records a service account, pod, secret or node.</summary>
public sealed record BoundObject(string Name, string Uid);
