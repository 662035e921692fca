namespace Skiff.ApiServer.Admission;

/// <summary>
/// The enabled plugins in upstream's order (<c>AllOrderedPlugins</c>): <see cref="AdmitAsync"/> runs every mutating
/// plugin that handles the operation, <see cref="ValidateAsync"/> every validating one. The first rejection ends the
/// request (upstream's <c>chainAdmissionHandler</c>).
/// </summary>
public sealed class AdmissionChain
{
    private readonly IAdmissionPlugin[] _all;
    private readonly IMutatingAdmissionPlugin[] _mutating;
    private readonly IValidatingAdmissionPlugin[] _validating;
    private readonly string[] _mutatingSteps;
    private readonly string[] _validatingSteps;

    /// <summary>A chain of <paramref name="plugins"/>, already in order.</summary>
    public AdmissionChain(IReadOnlyList<IAdmissionPlugin> plugins)
    {
        Plugins = plugins;
        _all = plugins.ToArray();
        _mutating = plugins.OfType<IMutatingAdmissionPlugin>().ToArray();
        _validating = plugins.OfType<IValidatingAdmissionPlugin>().ToArray();
        _mutatingSteps = _mutating.Select(p => "admit " + p.Name).ToArray();
        _validatingSteps = _validating.Select(p => "validate " + p.Name).ToArray();
    }

    /// <summary>A chain that admits everything.</summary>
    public static AdmissionChain Empty { get; } = new([]);

    /// <summary>The plugins, in the order they run.</summary>
    public IReadOnlyList<IAdmissionPlugin> Plugins { get; }

    /// <summary>The names of the enabled plugins, in order.</summary>
    public IEnumerable<string> Names => Plugins.Select(p => p.Name);

    /// <summary>
    /// Whether any plugin looks at <paramref name="operation"/> now (callers skip building attributes otherwise; the
    /// policy and webhook plugins answer false while no configuration exists).
    /// </summary>
    public bool Handles(AdmissionOperation operation)
    {
        foreach (var p in _all)
        {
            if (p.Handles(operation))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Runs the mutating plugins.</summary>
    public async ValueTask AdmitAsync(AdmissionAttributes attributes, CancellationToken ct)
    {
        for (var i = 0; i < _mutating.Length; i++)
        {
            var plugin = _mutating[i];
            if (plugin.Handles(attributes.Operation))
            {
                var started = AdmissionProfile.Start();
                var admitted = plugin.AdmitAsync(attributes, ct);
                AdmissionProfile.End(_mutatingSteps[i], started, admitted.IsCompleted);
                await admitted.ConfigureAwait(false);
            }
        }
    }

    /// <summary>Runs the validating plugins.</summary>
    public async ValueTask ValidateAsync(AdmissionAttributes attributes, CancellationToken ct)
    {
        for (var i = 0; i < _validating.Length; i++)
        {
            var plugin = _validating[i];
            if (plugin.Handles(attributes.Operation))
            {
                var started = AdmissionProfile.Start();
                var validated = plugin.ValidateAsync(attributes, ct);
                AdmissionProfile.End(_validatingSteps[i], started, validated.IsCompleted);
                await validated.ConfigureAwait(false);
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
