using System.Globalization;
using System.Runtime;

namespace Skiff.Cli;

/// <summary>
/// The garbage collector and JIT settings this process actually runs with, as the runtime reports them
/// (<see cref="GCSettings"/>, <see cref="GC.GetConfigurationVariables"/>): what <c>skiff version --verbose</c> prints and
/// what the benches print before their numbers, so a measurement says which settings it measured. The settings
/// themselves are chosen in <c>src/Skiff/Skiff.Runtime.props</c> (runtimeconfig properties); the user's own
/// <c>DOTNET_gcServer</c>, <c>DOTNET_gcConcurrent</c>, <c>DOTNET_GCgen0size</c>… environment variables override them.
/// </summary>
public static class RuntimeSettings
{
    /// <summary>The environment variables of the runtime's GC knobs that have no runtimeconfig name, reported when set.</summary>
    private static readonly string[] EnvironmentOnly = ["GCgen0size"];

    /// <summary>One line: GC mode, heaps and budgets, and dynamic PGO (for a bench's header).</summary>
    public static string Summary()
    {
        var d = Describe().ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        var line = $"gc server={d["gc.server"]} concurrent={d["gc.concurrent"]} heaps={d["gc.heapCount"]} gen0MaxBudget={d["gc.gen0MaxBudget"]} " +
            $"conserveMemory={d["gc.conserveMemory"]} dynamicAdaptation={d["gc.dynamicAdaptationMode"]} tieredPGO={d["jit.tieredPGO"]}";
        foreach (var (key, value) in d.Where(p => p.Key.StartsWith("env.", StringComparison.Ordinal)))
        {
            line += $" {key[4..]}={value}";
        }

        return line;
    }

    /// <summary>Every setting as <c>name: value</c> pairs, ordered: Skiff's summary names first, then the runtime's own list.</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> Describe()
    {
        var vars = GC.GetConfigurationVariables();
        string Var(string name) => vars.TryGetValue(name, out var v) ? Convert.ToString(v, CultureInfo.InvariantCulture) ?? "" : "";
        var list = new List<KeyValuePair<string, string>>
        {
            new("runtime", System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription),
            new("gc.server", Bool(GCSettings.IsServerGC)),
            new("gc.concurrent", Var("ConcurrentGC").ToLowerInvariant()),
            new("gc.latencyMode", GCSettings.LatencyMode.ToString()),
            new("gc.heapCount", Var("HeapCount")),
            new("gc.gen0MaxBudget", Var("GCGen0MaxBudget")),
            new("gc.conserveMemory", Var("GCConserveMem")),
            new("gc.dynamicAdaptationMode", Var("GCDynamicAdaptationMode")),
            new("jit.tieredCompilation", Switch("System.Runtime.TieredCompilation")),
            new("jit.tieredPGO", Switch("System.Runtime.TieredPGO")),
        };
        foreach (var name in EnvironmentOnly)
        {
            if (EnvironmentValue(name) is { } value)
            {
                list.Add(new("env." + name, value));
            }
        }

        list.AddRange(vars.OrderBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => new KeyValuePair<string, string>("runtime." + p.Key, Convert.ToString(p.Value, CultureInfo.InvariantCulture) ?? "")));
        return list;
    }

    private static string Bool(bool value) => value ? "true" : "false";

    /// <summary>A runtimeconfig switch as the app sees it, or "default" when neither runtimeconfig nor AppContext set it.</summary>
    private static string Switch(string name) => AppContext.GetData(name) is { } v ? Convert.ToString(v, CultureInfo.InvariantCulture)!.ToLowerInvariant() : "default";

    /// <summary>The runtime reads its knobs from <c>DOTNET_name</c>, then <c>COMPlus_name</c>.</summary>
    private static string? EnvironmentValue(string name) =>
        Environment.GetEnvironmentVariable("DOTNET_" + name) ?? Environment.GetEnvironmentVariable("COMPlus_" + name);
}
