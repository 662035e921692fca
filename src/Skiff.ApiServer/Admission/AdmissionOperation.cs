namespace Skiff.ApiServer.Admission;

/// <summary>The operation being admitted (upstream's <c>admission.Operation</c>).</summary>
public enum AdmissionOperation
{
    /// <summary>CREATE: create, apply of a missing object, and subresource creates (binding, eviction).</summary>
    Create,

    /// <summary>UPDATE: update, patch and apply of an existing object, and subresource writes (status, scale…).</summary>
    Update,

    /// <summary>DELETE: delete and each object of a deletecollection.</summary>
    Delete,

    /// <summary>CONNECT: exec, attach, portforward and proxy.</summary>
    Connect,
}
