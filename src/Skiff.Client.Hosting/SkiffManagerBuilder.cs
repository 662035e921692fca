using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Skiff.Client.Runtime;

namespace Skiff.Client.Hosting;

/// <summary>Adds controllers and runnables to the manager registered by <see cref="SkiffServiceCollectionExtensions.AddSkiffManager"/>.</summary>
public sealed class SkiffManagerBuilder
{
    private readonly List<Action<IServiceProvider, Manager>> _registrations;

    internal SkiffManagerBuilder(IServiceCollection services, List<Action<IServiceProvider, Manager>> registrations)
    {
        Services = services;
        _registrations = registrations;
    }

    public IServiceCollection Services { get; }

    /// <summary>
    /// Adds a controller reconciled by <typeparamref name="TReconciler"/> and wired by <paramref name="configure"/>
    /// (<c>b =&gt; b.For&lt;V1ReplicaSet&gt;().Owns&lt;V1Pod&gt;()</c>). The reconciler is resolved from DI in a fresh
    /// scope for every reconcile, so it may depend on scoped services; it is registered as scoped unless registered
    /// already.
    /// </summary>
    public SkiffManagerBuilder AddController<TReconciler>(Action<ControllerBuilder> configure)
        where TReconciler : class, IReconciler
    {
        ArgumentNullException.ThrowIfNull(configure);
        Services.TryAddScoped<TReconciler>();
        _registrations.Add((sp, manager) =>
        {
            var builder = manager.CreateController();
            configure(builder);
            builder.Complete(new ScopedReconciler<TReconciler>(sp.GetRequiredService<IServiceScopeFactory>()));
        });
        return this;
    }

    /// <summary>Adds a runnable (resolved from DI as a singleton) that the manager runs beside its controllers.</summary>
    public SkiffManagerBuilder AddRunnable<TRunnable>()
        where TRunnable : class, IRunnable
    {
        Services.TryAddSingleton<TRunnable>();
        _registrations.Add((sp, manager) => manager.Add(sp.GetRequiredService<TRunnable>()));
        return this;
    }
}
