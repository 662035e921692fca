using System.Diagnostics;
using System.Text.Json.Nodes;
using Xunit;

namespace Skiff.E2E.Tests;

/// <summary>
/// <c>skiff crd gen</c> on the TrainingJob example's assembly, as a user runs it: the binary loads the assembly in its own
/// load context and prints the committed CRD (examples/TrainingJob/deploy) byte for byte.
/// </summary>
public sealed class CrdGenTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    private static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Skiff.sln")))
        {
            dir = dir.Parent;
        }

        Assert.NotNull(dir);
        return dir.FullName;
    }

    /// <summary>The example's built dll, in this test assembly's configuration (bin/&lt;Configuration&gt;/net10.0).</summary>
    private static string TrainingJobDll()
    {
        var here = AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar);
        var dll = Path.Combine(RepoRoot(), "examples", "TrainingJob", "bin", Path.GetFileName(Path.GetDirectoryName(here)!), Path.GetFileName(here), "TrainingJob.dll");
        Assert.True(File.Exists(dll), $"{dll} is not built");
        return dll;
    }

    private static async Task<(int Exit, string Out, string Err)> SkiffAsync(params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(SkiffProcess.SkiffDll);
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync().WaitAsync(Deadline);
        return (p.ExitCode, await stdout, await stderr);
    }

    [Fact]
    public async Task Gen_PrintsTheCommittedCrdOfTheExample()
    {
        var (exit, output, err) = await SkiffAsync("crd", "gen", TrainingJobDll());
        Assert.True(exit == 0, err);
        var committed = await File.ReadAllTextAsync(Path.Combine(RepoRoot(), "examples", "TrainingJob", "deploy", "training.skiff.dev_trainingjobs.yaml"));
        Assert.Equal(committed.ReplaceLineEndings("\n"), output);
    }

    [Fact]
    public async Task Gen_WritesJsonFilesIntoTheOutputDirectory()
    {
        var dir = Path.Combine(Path.GetTempPath(), "skiff-crdgen-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            var (exit, output, err) = await SkiffAsync("crd", "gen", TrainingJobDll(), "--type", "TrainingJob", "-o", "json", "--output-dir", dir);
            Assert.True(exit == 0, err);
            var file = Path.Combine(dir, "training.skiff.dev_trainingjobs.json");
            Assert.Equal($"wrote {file}", output.Trim());
            var crd = JsonNode.Parse(await File.ReadAllTextAsync(file))!;
            Assert.Equal("trainingjobs.training.skiff.dev", crd["metadata"]!["name"]!.GetValue<string>());
            Assert.Equal("object", crd["spec"]!["versions"]![0]!["schema"]!["openAPIV3Schema"]!["properties"]!["metadata"]!["type"]!.GetValue<string>());
        }
        finally
        {
            if (Directory.Exists(dir))
            {
                Directory.Delete(dir, recursive: true);
            }
        }
    }

    [Fact]
    public async Task Gen_FailsWithAMessage_ForAMissingAssemblyOrType()
    {
        var missing = await SkiffAsync("crd", "gen", "/nonexistent/Types.dll");
        Assert.Equal(1, missing.Exit);
        Assert.StartsWith("error: /nonexistent/Types.dll: no such file", missing.Err, StringComparison.Ordinal);

        var noType = await SkiffAsync("crd", "gen", TrainingJobDll(), "--type", "Nope");
        Assert.Equal(1, noType.Exit);
        Assert.Contains("no custom resource class matches --type Nope (found: TrainingOperator.Api.TrainingJob)", noType.Err, StringComparison.Ordinal);

        var badFormat = await SkiffAsync("crd", "gen", TrainingJobDll(), "-o", "xml");
        Assert.Equal(2, badFormat.Exit);
    }
}
