namespace Skiff.Components;

/// <summary>A component could not start for a reason the user can fix (port in use, unreadable store…): exit 1 with the message.</summary>
internal sealed class ComponentStartException(string message, Exception? inner = null) : Exception(message, inner);
