using Skiff.Client.Dynamic;

namespace Skiff.Controllers.GarbageCollector;

/// <summary>
/// A change an informer reported (<see cref="Object"/>, with <see cref="Old"/> on updates), or a virtual delete the
/// collector raised for a node whose object it found missing (<see cref="IsVirtual"/>, identity only).
/// </summary>
internal sealed record GraphEvent(GraphEventType Type, ObjectIdentity Identity, DynamicObject? Object, DynamicObject? Old, bool IsVirtual);
