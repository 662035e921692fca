using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Skiff.ApiServer.CustomResources;

namespace Skiff.Bench.CustomResources;

/// <summary>
/// The cost per object of a custom resource's schema on a write (prune, default, validate), in one run for three
/// variants of the same kind: no schema (pass-through), a structural schema with OpenAPI checks and defaults, and the
/// same schema plus a CEL rule. Every variant parses the same JSON body first, as a create does; the medians of
/// several runs and the ratios to the no-schema variant are printed.
/// </summary>
internal static class CrdSchemaBench
{
    private const string Body = """
        {"apiVersion":"stable.example.com/v1","kind":"CronTab","metadata":{"name":"c1","namespace":"default","labels":{"app":"x"}},
         "spec":{"cronSpec":"*/5 * * * *","image":"registry.example.com/cron:1.2","replicas":3,"maxReplicas":5,
           "ports":[{"name":"http","port":80},{"name":"https","port":443}],"junk":{"a":1}}}
        """;

    private static JsonObject Schema(bool withCel)
    {
        var spec = JsonNode.Parse("""
            {"type":"object","required":["cronSpec","image"],
             "properties":{
               "cronSpec":{"type":"string","pattern":"^(\\d+|\\*)(/\\d+)?(\\s+(\\d+|\\*)(/\\d+)?){4}$"},
               "image":{"type":"string","maxLength":253},
               "replicas":{"type":"integer","minimum":1,"maximum":10,"default":1},
               "maxReplicas":{"type":"integer","minimum":1,"maximum":100},
               "suspend":{"type":"boolean","default":false},
               "ports":{"type":"array","x-kubernetes-list-type":"map","x-kubernetes-list-map-keys":["name"],"maxItems":16,
                 "items":{"type":"object","required":["name","port"],"properties":{
                   "name":{"type":"string","maxLength":15},"port":{"type":"integer","minimum":1,"maximum":65535},
                   "protocol":{"type":"string","enum":["TCP","UDP"],"default":"TCP"}}}}}}
            """)!.AsObject();
        if (withCel)
        {
            spec["x-kubernetes-validations"] = new JsonArray(new JsonObject
            {
                ["rule"] = "self.replicas <= self.maxReplicas",
                ["message"] = "replicas must not exceed maxReplicas",
            });
        }

        return new JsonObject { ["type"] = "object", ["properties"] = new JsonObject { ["spec"] = spec } };
    }

    /// <summary>Runs the benchmark: <c>[--objects N] [--runs N]</c>.</summary>
    public static void Run(string[] args)
    {
        var objects = Arg(args, "--objects", 20_000);
        var runs = Arg(args, "--runs", 5);
        var variants = new (string Name, ICustomResourceSchema Schema)[]
        {
            ("no schema", CustomResourceSchemaCompiler.Compile(null)),
            ("schema", CustomResourceSchemaCompiler.Compile(Schema(withCel: false))),
            ("schema+CEL", CustomResourceSchemaCompiler.Compile(Schema(withCel: true))),
        };

        foreach (var (_, schema) in variants)
        {
            Once(schema, 2_000, check: true);
        }

        var medians = new Dictionary<string, double>();
        foreach (var (name, schema) in variants)
        {
            var perObject = new List<double>();
            for (var r = 0; r < runs; r++)
            {
                perObject.Add(Once(schema, objects, check: false));
            }

            perObject.Sort();
            medians[name] = perObject[perObject.Count / 2];
        }

        Console.WriteLine($"crd-schema: {objects} objects x {runs} runs, parse + prune + default + validate per object (median)");
        foreach (var (name, _) in variants)
        {
            var us = medians[name];
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {name,-12} {us,8:F2} us/object  {1e6 / us,10:F0} objects/s  x{us / medians["no schema"]:F2} of no schema"));
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  CEL rule alone adds x{medians["schema+CEL"] / medians["schema"]:F2} over the schema without it"));
    }

    /// <summary>Microseconds per object for <paramref name="n"/> writes.</summary>
    private static double Once(ICustomResourceSchema schema, int n, bool check)
    {
        var sw = Stopwatch.StartNew();
        var errors = 0;
        for (var i = 0; i < n; i++)
        {
            var obj = JsonNode.Parse(Body)!.AsObject();
            schema.Prune(obj);
            schema.Default(obj);
            errors += schema.Validate(obj, null).Count;
        }

        sw.Stop();
        if (check && errors != 0)
        {
            throw new InvalidOperationException($"the benchmark object should be valid, got {errors} errors");
        }

        return sw.Elapsed.TotalMicroseconds / n;
    }

    private static int Arg(string[] args, string name, int fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
    }
}
