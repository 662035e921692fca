using System.CommandLine;
using System.Reflection;

namespace Skiff.Cli;

/// <summary>
/// <c>skiff version [--verbose]</c>: the Kubernetes version Skiff speaks and its build; with <c>--verbose</c> also the
/// runtime's garbage collector and JIT settings this process runs with (<see cref="RuntimeSettings"/>), one
/// <c>name: value</c> a line, so that what the binary ships (and what a user's <c>DOTNET_*</c> variables changed) can
/// be checked.
/// </summary>
internal static class VersionCommand
{
    public static Command Create()
    {
        var verbose = new Option<bool>("--verbose", "-v") { Description = "Also print the runtime's GC and JIT settings of this process." };
        var command = new Command("version", "Print the version (and, with --verbose, the runtime's GC settings).") { verbose };
        command.SetAction(r =>
        {
            var build = typeof(VersionCommand).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";
            Console.WriteLine($"skiff version: {build}");
            Console.WriteLine("kubernetes version: v1.32");
            if (r.GetValue(verbose))
            {
                foreach (var (name, value) in RuntimeSettings.Describe())
                {
                    Console.WriteLine($"{name}: {value}");
                }
            }

            return 0;
        });
        return command;
    }
}
