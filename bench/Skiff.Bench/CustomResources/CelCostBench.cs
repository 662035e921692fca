using System.Diagnostics;
using System.Globalization;
using Skiff.ApiServer.Admission.Policy;
using Skiff.ApiServer.CustomResources.Cel;
using CelEnvironment = global::Cel.CelEnvironment;

namespace Skiff.Bench.CustomResources;

/// <summary>
/// What CEL cost metering costs (issue 14 §4): the same expressions evaluated over a Deployment-shaped object with
/// 50 containers on a plain <c>Cel</c> environment (baseline: the Kubernetes library, no metering), on the shared
/// instrumented environment with no meter running (CRD rules), and through <see cref="PolicyExpression"/> (metered
/// against the per-call limit, as admission policies run). Medians of <c>--runs</c>, ratios against the baseline
/// measured in the same run; the load average is printed with the numbers.
/// </summary>
internal static class CelCostBench
{
    private static readonly string[] Expressions =
    [
        "object.spec.replicas <= 10",
        "object.spec.template.spec.containers.all(c, c.image.startsWith('registry.example.com/'))",
        "object.spec.template.spec.containers.map(c, c.name).exists(n, n.lowerAscii() == 'c49')",
    ];

    public static void Run(string[] args)
    {
        var evaluations = BenchArgs.Int(args, "--evaluations", 20_000);
        var runs = BenchArgs.Int(args, "--runs", 5);
        var plain = new CelEnvironment([], "");
        KubernetesCelLibrary.Register(plain);
        var containers = Enumerable.Range(0, 50).Select(i => (object?)new Dictionary<string, object?>
        {
            ["name"] = "c" + i.ToString(CultureInfo.InvariantCulture),
            ["image"] = "registry.example.com/app:" + i.ToString(CultureInfo.InvariantCulture),
        }).ToArray();
        var vars = new Dictionary<string, object?>
        {
            ["object"] = new Dictionary<string, object?>
            {
                ["spec"] = new Dictionary<string, object?>
                {
                    ["replicas"] = 3L,
                    ["template"] = new Dictionary<string, object?> { ["spec"] = new Dictionary<string, object?> { ["containers"] = containers } },
                },
            },
        };

        Console.WriteLine($"cel-cost: {evaluations} evaluations x {runs} runs per expression (median us/evaluation); load average {File.ReadAllText("/proc/loadavg").Trim()}");
        foreach (var expression in Expressions)
        {
            var baseline = plain.Compile(expression);
            var shared = CelRuleCompiler.TryCompile(expression, out var error) ?? throw new InvalidOperationException(error);
            var policy = new PolicyExpression(expression);
            var variants = new (string Name, Func<object?> Evaluate)[]
            {
                ("plain", () => baseline(vars)),
                ("instrumented, unmetered", () => shared(vars)),
                ("PolicyExpression, metered", () => policy.Evaluate(vars)),
            };
            var medians = Medians(variants.Select(v => v.Evaluate).ToArray(), evaluations, runs);
            Console.WriteLine("  " + expression);
            for (var i = 0; i < variants.Length; i++)
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"    {variants[i].Name,-26} {medians[i],8:F2} us  x{medians[i] / medians[0]:F2} of plain"));
            }
        }

        Console.WriteLine($"  load average after: {File.ReadAllText("/proc/loadavg").Trim()}");
    }

    /// <summary>Median microseconds per evaluation of each variant; the variants take turns within each run so that load and JIT tiering hit them alike.</summary>
    private static double[] Medians(Func<object?>[] variants, int evaluations, int runs)
    {
        foreach (var evaluate in variants)
        {
            for (var i = 0; i < 2_000; i++)
            {
                evaluate();
            }
        }

        var perRun = variants.Select(_ => new List<double>()).ToArray();
        for (var r = 0; r < runs; r++)
        {
            for (var v = 0; v < variants.Length; v++)
            {
                var sw = Stopwatch.StartNew();
                for (var i = 0; i < evaluations; i++)
                {
                    variants[v]();
                }

                perRun[v].Add(sw.Elapsed.TotalMicroseconds / evaluations);
            }
        }

        return perRun.Select(p => p.Order().ElementAt(p.Count / 2)).ToArray();
    }
}
