using System.CommandLine;
using Skiff.Cli;
using Skiff.Components;

// The skiff binary: parsing and composition only; the components live in the libraries.
var root = SkiffCommand.Create(ComponentHost.RunServerAsync, ComponentHost.RunControllerManagerAsync, ComponentHost.RunSchedulerAsync,
    ComponentHost.RunKubeletAsync);
root.Subcommands.Add(ImagesCommand.Create());
root.Subcommands.Add(DnsCommand.Create(ComponentHost.RunDnsAsync));
root.Subcommands.Add(ProxyCommand.Create(ComponentHost.RunProxyAsync));
root.Subcommands.Add(NetworkPolicyCommand.Create(ComponentHost.RunNetworkPolicyAsync));
root.Subcommands.Add(CrdCommand.Create());
root.Subcommands.Add(VersionCommand.Create());
var parsed = root.Parse(args);
if (parsed.Errors.Count > 0)
{
    foreach (var error in parsed.Errors)
    {
        await Console.Error.WriteLineAsync($"error: {error.Message}");
    }

    var command = string.Join(' ', parsed.CommandResult.Command.Name == root.Name ? ["skiff"] : new[] { "skiff", parsed.CommandResult.Command.Name });
    await Console.Error.WriteLineAsync($"Run '{command} --help' for usage.");
    return SkiffCommand.UsageError;
}

// Signals are the generic host's (stop components in reverse order), not System.CommandLine's.
return await parsed.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null });
