using System.Diagnostics;
using System.Text;
using Xunit;

namespace Skiff.ClientCompat.Tests;

/// <summary>
/// Runs an official client's script (Python or JavaScript, under this project's source directory) against a server
/// named by a kubeconfig, with a deadline, and asserts it passed. A client that is not installed skips the test
/// locally and fails it in CI (<c>CI=true</c>), so CI can never pass without running the real clients.
/// </summary>
internal static class ExternalClient
{
    private static readonly TimeSpan Deadline = TimeSpan.FromMinutes(2);

    private static readonly Lazy<Task<string?>> PythonMissing = new(() => CheckAsync(
        PythonExecutable, ["-c", "import kubernetes, yaml"], "Debian's python3-kubernetes is not installed (apt-get install python3-kubernetes)"));

    private static readonly Lazy<Task<string?>> NodeMissing = new(async () =>
        await CheckAsync("node", ["--version"], "node is not installed") is { } missing ? missing
        : File.Exists(Path.Combine(ProjectDirectory, "js", "node_modules", "@kubernetes", "client-node", "package.json")) ? null
        : "@kubernetes/client-node is not installed (npm ci in tests/Skiff.ClientCompat.Tests/js; hack/test.sh does it)");

    /// <summary>This project's source directory (scripts and samples live there; node_modules next to the scripts).</summary>
    public static string ProjectDirectory => LazyProjectDirectory.Value;

    private static Lazy<string> LazyProjectDirectory { get; } = new(FindProjectDirectory);

    /// <summary>Debian's interpreter, which sees the python3-kubernetes package (a pyenv python3 on PATH does not).</summary>
    private static string PythonExecutable => File.Exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";

    /// <summary>Runs <c>python/compat_client.py SCENARIO</c>.</summary>
    public static async Task RunPythonAsync(string scenario, string kubeconfig)
    {
        await RequireAsync(PythonMissing.Value);
        await RunAsync(PythonExecutable, [Path.Combine(ProjectDirectory, "python", "compat_client.py"), scenario], kubeconfig, scenario);
    }

    /// <summary>Runs <c>node js/compat_client.mjs SCENARIO</c>.</summary>
    public static async Task RunNodeAsync(string scenario, string kubeconfig)
    {
        await RequireAsync(NodeMissing.Value);
        await RunAsync("node", [Path.Combine(ProjectDirectory, "js", "compat_client.mjs"), scenario], kubeconfig, scenario);
    }

    private static async Task RequireAsync(Task<string?> check)
    {
        if (await check is not { } missing)
        {
            return;
        }

        var ci = Environment.GetEnvironmentVariable("CI");
        if (string.Equals(ci, "true", StringComparison.OrdinalIgnoreCase) || ci == "1")
        {
            Assert.Fail($"CI runs the official clients, but {missing}.");
        }

        Skip.If(true, missing);
    }

    private static async Task RunAsync(string exe, string[] args, string kubeconfig, string scenario)
    {
        var psi = new ProcessStartInfo(exe)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = ProjectDirectory,
        };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        psi.Environment["KUBECONFIG"] = kubeconfig;
        psi.Environment.Remove("HTTPS_PROXY");
        psi.Environment.Remove("https_proxy");
        using var process = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {exe}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(Deadline);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{exe} {scenario} did not finish within {Deadline}:\n{await stdout}\n{await stderr}");
        }

        var output = new StringBuilder().Append(await stdout).Append(await stderr).ToString();
        Assert.True(process.ExitCode == 0, $"{exe} {scenario} exited {process.ExitCode}:\n{output}");
        Assert.Contains($"PASS {scenario}", output, StringComparison.Ordinal);
    }

    private static async Task<string?> CheckAsync(string exe, string[] args, string missing)
    {
        try
        {
            var psi = new ProcessStartInfo(exe) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var a in args)
            {
                psi.ArgumentList.Add(a);
            }

            using var p = Process.Start(psi);
            if (p is null)
            {
                return missing;
            }

            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await p.WaitForExitAsync(cts.Token);
            return p.ExitCode == 0 ? null : missing;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return missing;
        }
    }

    private static string FindProjectDirectory()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Skiff.ClientCompat.Tests.csproj")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Skiff.ClientCompat.Tests.csproj not found above " + AppContext.BaseDirectory);
    }
}
