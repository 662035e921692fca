namespace Skiff.Client.Runtime;

/// <summary>What <see cref="ControllerUtil.CreateOrUpdateAsync{T, TList}"/> or <see cref="ControllerUtil.CreateOrPatchAsync{T, TList}"/> did (controller-runtime's <c>OperationResult</c>).</summary>
public enum OperationResult
{
    /// <summary>The object existed and the mutation changed nothing; nothing was written.</summary>
    None,

    /// <summary>The object did not exist and was created.</summary>
    Created,

    /// <summary>The object (not its status) was updated or patched.</summary>
    Updated,

    /// <summary>The object and its status subresource were patched.</summary>
    UpdatedStatus,

    /// <summary>Only the status subresource was patched.</summary>
    UpdatedStatusOnly,
}
