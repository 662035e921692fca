using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Skiff.Client.Config;
using Skiff.Client.Runtime;
using Skiff.Client.Typed;

namespace Skiff.Client.Hosting;

/// <summary>
/// Registers a Skiff controller-runtime <see cref="Manager"/> in a .NET host: <c>services.AddSkiffManager(o =&gt; …)
/// .AddController&lt;MyReconciler&gt;(b =&gt; b.For&lt;V1ReplicaSet&gt;().Owns&lt;V1Pod&gt;())</c>. The manager, its
/// <see cref="Clientset"/> and the <see cref="ClientConfig"/> become singletons; the manager runs as a hosted service.
/// </summary>
public static class SkiffServiceCollectionExtensions
{
    /// <summary>Adds the manager; call once per service collection.</summary>
    /// <exception cref="InvalidOperationException">A manager is registered already.</exception>
    public static SkiffManagerBuilder AddSkiffManager(this IServiceCollection services, Action<SkiffManagerOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        if (services.Any(d => d.ServiceType == typeof(Manager)))
        {
            throw new InvalidOperationException("AddSkiffManager may be called once");
        }

        var options = new SkiffManagerOptions();
        configure?.Invoke(options);
        var registrations = new List<Action<IServiceProvider, Manager>>();
        services.AddSingleton(sp => options.Client ?? ClientConfigLoader.LoadDefault());
        services.AddSingleton(sp => new Clientset(sp.GetRequiredService<ClientConfig>() is var c && c.LoggerFactory is null
            ? c with { LoggerFactory = sp.GetService<ILoggerFactory>() }
            : c));
        services.AddSingleton(sp =>
        {
            var manager = new Manager(sp.GetRequiredService<Clientset>(), options.Manager.LoggerFactory is null
                ? options.Manager with { LoggerFactory = sp.GetService<ILoggerFactory>() }
                : options.Manager);
            foreach (var register in registrations)
            {
                register(sp, manager);
            }

            return manager;
        });
        services.AddHostedService<ManagerHostedService>();
        return new SkiffManagerBuilder(services, registrations);
    }
}
