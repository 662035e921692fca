namespace Skiff.Client.Discovery;

/// <summary>No served resource or kind matches what was asked (client-go <c>meta.NoResourceMatchError</c>/<c>NoKindMatchError</c>).</summary>
public sealed class NoMatchException(string message) : Exception(message);
