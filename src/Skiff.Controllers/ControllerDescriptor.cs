namespace Skiff.Controllers;

/// <summary>
/// One line of the controller catalogue: upstream's controller name (as <c>--controllers</c> spells it), whether it
/// runs when <c>--controllers</c> says <c>*</c>, and how it joins a manager.
/// </summary>
public sealed record ControllerDescriptor(string Name, bool EnabledByDefault, Action<ControllerContext> Register);
