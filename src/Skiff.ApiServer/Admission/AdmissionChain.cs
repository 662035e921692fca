namespace Skiff.ApiServer.Admission;

/// <summary>
/// The enabled plugins in upstream's order (<c>AllOrderedPlugins</c>): <see cref="AdmitAsync"/> runs every mutating
/// plugin that handles the operation, <see cref="ValidateAsync"/> every validating one. The first rejection ends the
/// request (upstream's <c>chainAdmissionHandler</c>).
/// </summary>
public sealed class AdmissionChain
{
    private readonly IMutatingAdmissionPlugin[] _mutating;
    private readonly IValidatingAdmissionPlugin[] _validating;

    /// <summary>A chain of <paramref name="plugins"/>, already in order.</summary>
    public AdmissionChain(IReadOnlyList<IAdmissionPlugin> plugins)
    {
        Plugins = plugins;
        _mutating = plugins.OfType<IMutatingAdmissionPlugin>().ToArray();
        _validating = plugins.OfType<IValidatingAdmissionPlugin>().ToArray();
    }

    /// <summary>A chain that admits everything.</summary>
    public static AdmissionChain Empty { get; } = new([]);

    /// <summary>The plugins, in the order they run.</summary>
    public IReadOnlyList<IAdmissionPlugin> Plugins { get; }

    /// <summary>The names of the enabled plugins, in order.</summary>
    public IEnumerable<string> Names => Plugins.Select(p => p.Name);

    /// <summary>Whether any plugin looks at <paramref name="operation"/> (callers skip building attributes otherwise).</summary>
    public bool Handles(AdmissionOperation operation) => Plugins.Any(p => p.Handles(operation));

    /// <summary>Runs the mutating plugins.</summary>
    public async ValueTask AdmitAsync(AdmissionAttributes attributes, CancellationToken ct)
    {
        foreach (var plugin in _mutating)
        {
            if (plugin.Handles(attributes.Operation))
            {
                await plugin.AdmitAsync(attributes, ct).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Runs the validating plugins.</summary>
    public async ValueTask ValidateAsync(AdmissionAttributes attributes, CancellationToken ct)
    {
        foreach (var plugin in _validating)
        {
            if (plugin.Handles(attributes.Operation))
            {
                await plugin.ValidateAsync(attributes, ct).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Runs both phases, for requests whose object no store writes (delete, connect, binding, eviction).</summary>
    public async ValueTask RunAsync(AdmissionAttributes attributes, CancellationToken ct)
    {
        await AdmitAsync(attributes, ct).ConfigureAwait(false);
        await ValidateAsync(attributes, ct).ConfigureAwait(false);
    }
}
