using k8s.Models;
using Microsoft.Extensions.Logging;
using Skiff.ApiServer.Hosting;
using Skiff.ApiServer.Registry;
using Skiff.Controllers;
using Skiff.Kubelet.Hollow;
using Skiff.Storage;

namespace Skiff.Testing;

/// <summary>
/// What a <see cref="SkiffTestCluster"/> runs beside its API server, configured fluently
/// (<c>o =&gt; o.WithControllers().WithScheduler().WithHollowNodes(2)</c>). The defaults are an API server alone, on a
/// fresh memory store, with upstream's authorization (Node, RBAC) and admission plugins, except <c>ServiceAccount</c>
/// admission, which is off as in upstream's integration framework (turn it on with
/// <see cref="EnableAdmissionPlugins"/>; pods then need their service account to exist first).
/// </summary>
public sealed class SkiffTestClusterOptions
{
    private readonly List<string> _controllerNames = [];
    private readonly List<ControllerDescriptor> _controllers = [];
    private readonly List<V1CustomResourceDefinition> _crds = [];
    private readonly List<string> _crdFiles = [];
    private readonly List<string> _enable = [];
    private readonly List<string> _disable = ["ServiceAccount"];
    private readonly List<Func<ApiServerOptions, ApiServerOptions>> _apiServer = [];

    /// <summary>Whether the controller manager runs.</summary>
    public bool RunsControllers { get; private set; }

    /// <summary>Upstream's <c>--controllers</c> selection of built-in controllers (<c>*</c>, <c>name</c>, <c>-name</c>).</summary>
    public IReadOnlyList<string> ControllerNames => _controllerNames;

    /// <summary>Controllers run beside (or instead of) the selected built-in ones, e.g. the operator under test.</summary>
    public IReadOnlyList<ControllerDescriptor> Controllers => _controllers;

    /// <summary>Whether the scheduler runs.</summary>
    public bool RunsScheduler { get; private set; }

    /// <summary>The hollow nodes (null: none).</summary>
    public HollowNodeOptions? HollowNodes { get; private set; }

    /// <summary>CustomResourceDefinitions created at start (and waited for until Established).</summary>
    public IReadOnlyList<V1CustomResourceDefinition> CustomResourceDefinitions => _crds;

    /// <summary>YAML or JSON files (one or more documents each) whose CustomResourceDefinitions are created at start.</summary>
    public IReadOnlyList<string> CustomResourceDefinitionFiles => _crdFiles;

    /// <summary>Whether requests are authorized by Node and RBAC (true) or every authenticated request is allowed.</summary>
    public bool EnforceAuthorization { get; private set; } = true;

    /// <summary>Admission plugins turned on beside upstream's defaults.</summary>
    public IReadOnlyList<string> EnabledAdmissionPlugins => _enable;

    /// <summary>Admission plugins turned off (by default <c>ServiceAccount</c>).</summary>
    public IReadOnlyList<string> DisabledAdmissionPlugins => _disable;

    /// <summary>The backing store (null: a fresh memory store the cluster owns and disposes).</summary>
    public IStorage? Storage { get; private set; }

    /// <summary>The served resources (null: a fresh built-in catalogue).</summary>
    public IEnumerable<ResourceDescriptor>? Resources { get; private set; }

    /// <summary>Whether reads and watches go through the watch cache, as in <c>skiff up</c> (default on).</summary>
    public bool WatchCache { get; private set; } = true;

    /// <summary>Whether this cluster generates its own PKI instead of copying the per-process test template (slower).</summary>
    public bool IsolatedPki { get; private set; }

    /// <summary>The clock of the controllers, the scheduler and the hollow nodes (the API server keeps the system clock).</summary>
    public TimeProvider TimeProvider { get; private set; } = TimeProvider.System;

    /// <summary>Where the components log (null: nowhere).</summary>
    public ILoggerFactory? LoggerFactory { get; private set; }

    /// <summary>Adjustments of the API server's options, applied last, in order.</summary>
    public IReadOnlyList<Func<ApiServerOptions, ApiServerOptions>> ApiServerAdjustments => _apiServer;

    /// <summary>
    /// Runs the controller manager with the built-in controllers <paramref name="selection"/> names, in upstream's
    /// <c>--controllers</c> syntax (<c>"garbagecollector", "namespace"</c>, or <c>"*", "-cronjob"</c>); none means
    /// every controller enabled by default.
    /// </summary>
    public SkiffTestClusterOptions WithControllers(params string[] selection)
    {
        RunsControllers = true;
        _controllerNames.AddRange(selection.Length == 0 ? ["*"] : selection);
        return this;
    }

    /// <summary>Runs <paramref name="controllers"/> in the controller manager (alone unless built-in ones are selected too).</summary>
    public SkiffTestClusterOptions WithControllers(IEnumerable<ControllerDescriptor> controllers)
    {
        RunsControllers = true;
        _controllers.AddRange(controllers);
        return this;
    }

    /// <summary>Runs the scheduler (default profile), so pods get nodes.</summary>
    public SkiffTestClusterOptions WithScheduler()
    {
        RunsScheduler = true;
        return this;
    }

    /// <summary>Registers <paramref name="count"/> hollow nodes (<c>hollow-0</c>…) that run the pods bound to them.</summary>
    public SkiffTestClusterOptions WithHollowNodes(int count, Func<HollowNodeOptions, HollowNodeOptions>? configure = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var options = new HollowNodeOptions { Count = count };
        HollowNodes = configure is null ? options : configure(options);
        return this;
    }

    /// <summary>Has the hollow nodes write with <paramref name="tokens"/> (node name → bearer token), set at start.</summary>
    internal void UseHollowNodeTokens(IReadOnlyDictionary<string, string> tokens) =>
        HollowNodes = HollowNodes! with { NodeToken = name => tokens.GetValueOrDefault(name) };

    /// <summary>Creates <paramref name="crds"/> at start; the start returns once each is Established.</summary>
    public SkiffTestClusterOptions WithCustomResourceDefinitions(params V1CustomResourceDefinition[] crds)
    {
        _crds.AddRange(crds);
        return this;
    }

    /// <summary>Creates every CustomResourceDefinition in the YAML or JSON <paramref name="paths"/> at start (other kinds are ignored).</summary>
    public SkiffTestClusterOptions WithCustomResourceDefinitionFiles(params string[] paths)
    {
        _crdFiles.AddRange(paths);
        return this;
    }

    /// <summary>Turns Node and RBAC authorization on (the default) or off (every authenticated request is allowed).</summary>
    public SkiffTestClusterOptions WithAuthorization(bool enforce = true)
    {
        EnforceAuthorization = enforce;
        return this;
    }

    /// <summary>Turns admission plugins on (upstream's names, e.g. <c>ServiceAccount</c>, <c>AlwaysPullImages</c>).</summary>
    public SkiffTestClusterOptions EnableAdmissionPlugins(params string[] names)
    {
        _enable.AddRange(names);
        _disable.RemoveAll(n => names.Contains(n, StringComparer.Ordinal));
        return this;
    }

    /// <summary>Turns admission plugins off, defaults included (e.g. <c>Priority</c>, <c>LimitRanger</c>).</summary>
    public SkiffTestClusterOptions DisableAdmissionPlugins(params string[] names)
    {
        _disable.AddRange(names);
        _enable.RemoveAll(n => names.Contains(n, StringComparer.Ordinal));
        return this;
    }

    /// <summary>Serves from <paramref name="storage"/> (owned by the caller) instead of a fresh memory store.</summary>
    public SkiffTestClusterOptions WithStorage(IStorage storage)
    {
        Storage = storage;
        return this;
    }

    /// <summary>Serves <paramref name="resources"/> instead of the built-in catalogue.</summary>
    public SkiffTestClusterOptions WithResources(IEnumerable<ResourceDescriptor> resources)
    {
        Resources = resources;
        return this;
    }

    /// <summary>Serves reads and watches through the watch cache (true, the default) or straight from the store.</summary>
    public SkiffTestClusterOptions WithWatchCache(bool on = true)
    {
        WatchCache = on;
        return this;
    }

    /// <summary>Generates a PKI for this cluster alone (its certificates and tokens are not accepted by other test clusters).</summary>
    public SkiffTestClusterOptions WithIsolatedPki()
    {
        IsolatedPki = true;
        return this;
    }

    /// <summary>The clock of the controllers, the scheduler and the hollow nodes (e.g. a <c>FakeTimeProvider</c>).</summary>
    public SkiffTestClusterOptions WithTimeProvider(TimeProvider time)
    {
        TimeProvider = time;
        return this;
    }

    /// <summary>Logs the components to <paramref name="loggers"/>.</summary>
    public SkiffTestClusterOptions WithLogging(ILoggerFactory loggers)
    {
        LoggerFactory = loggers;
        return this;
    }

    /// <summary>Adjusts the API server's options directly (applied after everything else).</summary>
    public SkiffTestClusterOptions ConfigureApiServer(Func<ApiServerOptions, ApiServerOptions> configure)
    {
        _apiServer.Add(configure);
        return this;
    }
}
