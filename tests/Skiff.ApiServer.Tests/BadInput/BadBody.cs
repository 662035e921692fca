namespace Skiff.ApiServer.Tests.BadInput;

/// <summary>Which request kinds a malformed body is sent as.</summary>
[Flags]
public enum BodyUse
{
    /// <summary>An object body: create, update, subresources, reviews.</summary>
    Object = 1,

    /// <summary>A patch body (JSON: merge and strategic merge; YAML: apply).</summary>
    Patch = 2,

    /// <summary>A DeleteOptions body.</summary>
    Delete = 4,

    /// <summary>Every kind of request.</summary>
    All = Object | Patch | Delete,
}

/// <summary>
/// One malformed request body of the bad-input corpus: a name for failure messages, its media type and bytes, and
/// which requests it is sent as. Every body must be refused with a 4xx whatever endpoint receives it (bodies whose
/// payload alone would be acceptable carry an invalid name as well, after the payload). A body that only validation
/// refuses (an invalid name, a value too long: 422) is <see cref="ValidationOnly"/>: upstream decodes it fine, so
/// it is sent only where objects are validated, not to reviews, bindings or evictions.
/// </summary>
public sealed record BadBody(string Name, string ContentType, byte[] Bytes, BodyUse Use = BodyUse.Object | BodyUse.Patch)
{
    /// <summary>True when only validation refuses the body (see the type's remarks).</summary>
    public bool ValidationOnly { get; init; }

    /// <summary>True for malformed JSON that is valid YAML (single quotes, a trailing comma): not sent as an apply patch.</summary>
    public bool ValidYaml { get; init; }

    /// <summary>True for bodies over 1 MiB, sent to fewer endpoints to keep the run short.</summary>
    public bool Huge => Bytes.Length > 1024 * 1024;

    /// <inheritdoc/>
    public override string ToString() => $"{Name} ({ContentType}, {Bytes.Length} bytes)";
}
