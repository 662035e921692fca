using System.Buffers.Binary;
using System.Text;
using System.Text.Json.Nodes;
using Skiff.ApiServer.Endpoints;
using Skiff.ApiServer.Storage.Cacher;
using Xunit;

namespace Skiff.ApiServer.Tests.Endpoints;

/// <summary>The non-parallel collection of tests that flip the process-wide encoding switches.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class EncodingSwitchesCollection
{
    public const string Name = "encoding switches";
}

/// <summary>
/// Table and PartialObjectMetadata lists and watches served from the shared per-version encodings are byte for byte what
/// the decoding path (stored-bytes serving off) sends, in every format the cache keys.
/// </summary>
[Collection(EncodingSwitchesCollection.Name)]
public sealed class TransformedResponsesTests(ControlPlaneFixture f) : IClassFixture<ControlPlaneFixture>
{
    private const string TableJson = "application/json;as=Table;g=meta.k8s.io;v=v1";
    private const string TableV1Beta1 = "application/json;as=Table;g=meta.k8s.io;v=v1beta1";
    private const string PartialJson = "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1";
    private const string PartialListJson = "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1";
    private const string PartialProtobuf = "application/vnd.kubernetes.protobuf;as=PartialObjectMetadata;g=meta.k8s.io;v=v1";
    private const string PartialListProtobuf = "application/vnd.kubernetes.protobuf;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1";

    public static TheoryData<string, string> ListCases => new()
    {
        { TableJson, "" },
        { TableJson, "&includeObject=Object" },
        { TableJson, "&includeObject=None" },
        { TableV1Beta1, "" },
        { PartialListJson, "" },
        { TableJson, "&labelSelector=app%3Dweb" },
    };

    public static TheoryData<string, string> WatchCases => new()
    {
        { TableJson, "" },
        { TableJson, "&includeObject=Object" },
        { TableV1Beta1, "&includeObject=None" },
        { PartialJson, "" },
        { PartialProtobuf, "" },
        { TableJson, "&labelSelector=app%3Dweb" },
    };

    [Theory]
    [MemberData(nameof(ListCases))]
    public async Task List_SharedEncodings_EqualTheDecodingPath(string accept, string query)
    {
        var ns = await SeedAsync();
        var path = $"/api/v1/namespaces/{ns}/configmaps?resourceVersion=0{query}";
        var (decoded, cached, again) = await InOneSecondAsync(ct => GetAsync(path, accept, ct));

        Assert.Equal(Encoding.UTF8.GetString(decoded), Encoding.UTF8.GetString(cached));
        Assert.Equal(cached, again);
        var body = JsonNode.Parse(cached)!;
        Assert.Equal(query.Contains("labelSelector", StringComparison.Ordinal) ? 2 : 3, (body["rows"] ?? body["items"])!.AsArray().Count);
    }

    public static TheoryData<string, string> ProtobufListCases => new()
    {
        { "application/vnd.kubernetes.protobuf", "" },
        { "application/vnd.kubernetes.protobuf", "&labelSelector=app%3Dweb" },
        { PartialListProtobuf, "" },
        { PartialListProtobuf, "&labelSelector=app%3Dweb" },
    };

    [Theory]
    [MemberData(nameof(ProtobufListCases))]
    public async Task List_ProtobufFromSharedItemMessages_EqualsTheDecodingPath(string accept, string query)
    {
        var ns = await SeedAsync();
        var path = $"/api/v1/namespaces/{ns}/configmaps?resourceVersion=0{query}";
        var (decoded, cached, again) = await InOneSecondAsync(ct => GetAsync(path, accept, ct));

        Assert.Equal(Convert.ToHexString(decoded), Convert.ToHexString(cached));
        Assert.Equal(cached, again);
        var list = Skiff.Api.Protobuf.ProtobufCodec.Decode(cached);
        Assert.Equal(accept.Contains("PartialObjectMetadataList", StringComparison.Ordinal) ? "PartialObjectMetadataList" : "ConfigMapList", list["kind"]!.GetValue<string>());
        Assert.Equal(query.Length > 0 ? 2 : 3, list["items"]!.AsArray().Count);
        Assert.Equal("é <&> \u2028", list["items"]![0]!["metadata"]!["annotations"]!["note"]!.GetValue<string>());
    }

    [Theory]
    [MemberData(nameof(WatchCases))]
    public async Task Watch_SharedEncodings_EqualTheDecodingPath(string accept, string query)
    {
        var ns = await SeedAsync();
        var (_, list, _) = await f.Cp.SendAsync(HttpMethod.Get, $"/api/v1/namespaces/{ns}/configmaps");
        var from = list!["metadata"]!["resourceVersion"]!.GetValue<string>();
        await ChangeAsync(ns);

        // From a revision: the history's events (modified, deleted, added, and one leaving the selector); from "0": the
        // current state as ADDED events. Both start with the Table's column definitions.
        foreach (var (start, count) in new[] { (from, 4), ("0", 3) })
        {
            var path = $"/api/v1/namespaces/{ns}/configmaps?watch=1&resourceVersion={start}{query}";
            var n = query.Contains("labelSelector", StringComparison.Ordinal) ? count - 1 : count;
            var (decoded, cached, again) = await InOneSecondAsync(ct => WatchAsync(path, accept, n, ct));

            Assert.Equal(Show(decoded, accept), Show(cached, accept));
            Assert.Equal(cached, again);
            if (accept.Contains("as=Table", StringComparison.Ordinal))
            {
                var lines = Encoding.UTF8.GetString(cached).Split('\n', StringSplitOptions.RemoveEmptyEntries);
                Assert.NotEmpty(JsonNode.Parse(lines[0])!["object"]!["columnDefinitions"]!.AsArray());
                Assert.All(lines.Skip(1), l => Assert.Empty(JsonNode.Parse(l)!["object"]!["columnDefinitions"]!.AsArray()));
            }
        }
    }

    [Theory]
    [InlineData(TableJson)]
    [InlineData(PartialListJson)]
    public async Task List_PastTheListItemBudget_EvictsAndStillEqualsTheDecodingPath(string accept)
    {
        var ns = await SeedAsync();
        var path = $"/api/v1/namespaces/{ns}/configmaps?resourceVersion=0";
        var saved = WatchFrameCache.ListItemBudgetBytes;
        try
        {
            // Room for exactly one item (the largest, with the fixed overhead): each list keeps at most one and evicts
            // the others as it goes.
            using (var doc = System.Text.Json.JsonDocument.Parse(await GetAsync(path, accept, CancellationToken.None)))
            {
                var items = doc.RootElement.TryGetProperty("rows", out var rows) ? rows : doc.RootElement.GetProperty("items");
                WatchFrameCache.ListItemBudgetBytes = items.EnumerateArray().Max(i => Encoding.UTF8.GetByteCount(i.GetRawText())) + 97;
            }

            var budget = WatchFrameCache.ListItemBudgetBytes;
            var (decoded, cached, again) = await InOneSecondAsync(ct => GetAsync(path, accept, ct));

            Assert.Equal(Encoding.UTF8.GetString(decoded), Encoding.UTF8.GetString(cached));
            Assert.Equal(Encoding.UTF8.GetString(cached), Encoding.UTF8.GetString(again));
            Assert.InRange(WatchFrameCache.ListItemBytes, 1, budget);
            Assert.Equal(3, (JsonNode.Parse(again)!["rows"] ?? JsonNode.Parse(again)!["items"])!.AsArray().Count);

            // Nothing kept at all (a budget smaller than any item): still the same body.
            WatchFrameCache.ListItemBudgetBytes = 0;
            Assert.Equal(0, WatchFrameCache.ListItemBytes);
            // Compared with the decoding path of the same second: a Table's AGE cells may have moved on since `cached`.
            var (decodedNow, none, _) = await InOneSecondAsync(ct => GetAsync(path, accept, ct));
            Assert.Equal(Encoding.UTF8.GetString(decodedNow), Encoding.UTF8.GetString(none));
            Assert.Equal(0, WatchFrameCache.ListItemBytes);
        }
        finally
        {
            WatchFrameCache.ListItemBudgetBytes = saved;
        }
    }

    [SkippableFact]
    public async Task Kubectl_GetAndGetWatch_PrintTheSameRowsFromTheCacheAsFromTheDecodingPath()
    {
        Skip.IfNot(Skiff.Testing.Kubectl.IsAvailable, "kubectl is not installed");
        var ns = await SeedAsync();
        var kubectl = new Skiff.Testing.ControlPlane.Kubectl(f.Cp.KubeconfigPath);
        foreach (var args in new[] { new[] { "get", "configmaps", "-n", ns, "--show-labels" }, ["get", "configmaps", "-n", ns, "-w", "--request-timeout=3s"] })
        {
            StoredObject.Enabled = false;
            string decoded;
            try
            {
                decoded = WithoutAge((await kubectl.RunAsync(args)).Out);
            }
            finally
            {
                StoredObject.Enabled = true;
            }

            var cached = WithoutAge((await kubectl.RunAsync(args)).Out);
            var again = WithoutAge((await kubectl.RunAsync(args)).Out);

            Assert.Equal(decoded, cached);
            Assert.Equal(cached, again);
            Assert.Matches(@"^NAME\s+DATA\s+<age>", cached);
            Assert.Matches(@"\na\s+2\s+<age>", cached);
        }
    }

    /// <summary>kubectl's table output without the AGE column (the time-dependent cells; every other cell must match).</summary>
    private static string WithoutAge(string output) => string.Join('\n', output.Split('\n').Select(line =>
        System.Text.RegularExpressions.Regex.Replace(line, @"(^\S+\s+\S+\s+)\S+", "$1<age>")));

    [Fact]
    public async Task List_PrettyTable_BypassesTheCacheAndIsIndented()
    {
        var ns = await SeedAsync();
        var pretty = Encoding.UTF8.GetString(await GetAsync($"/api/v1/namespaces/{ns}/configmaps?pretty=true", TableJson, CancellationToken.None));
        Assert.Contains("\n  \"kind\": \"Table\"", pretty, StringComparison.Ordinal);
    }

    private static string Show(byte[] bytes, string accept) => accept.Contains("protobuf", StringComparison.Ordinal) ? Convert.ToHexString(bytes) : Encoding.UTF8.GetString(bytes);

    /// <summary>
    /// The response with stored-bytes serving off (the decoding path), then twice with the shared encodings (the
    /// second from the cache), all within one wall-clock second so that AGE cells agree; retried when a second boundary
    /// falls between them.
    /// </summary>
    private static async Task<(byte[] Decoded, byte[] Cached, byte[] Again)> InOneSecondAsync(Func<CancellationToken, Task<byte[]>> fetch)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        for (var attempt = 0; ; attempt++)
        {
            var second = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
            byte[] decoded;
            StoredObject.Enabled = false;
            try
            {
                decoded = await fetch(cts.Token);
            }
            finally
            {
                StoredObject.Enabled = true;
            }

            var cached = await fetch(cts.Token);
            var again = await fetch(cts.Token);
            if (DateTimeOffset.UtcNow.ToUnixTimeSeconds() == second || attempt == 20)
            {
                return (decoded, cached, again);
            }
        }
    }

    private async Task<string> SeedAsync()
    {
        var ns = "tr-" + Guid.NewGuid().ToString("N")[..8];
        var (status, _, _) = await f.Cp.SendAsync(HttpMethod.Post, "/api/v1/namespaces",
            new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Namespace", ["metadata"] = new JsonObject { ["name"] = ns } });
        Assert.Equal(201, status);
        foreach (var (name, app) in new[] { ("a", "web"), ("b", "web"), ("c", "db") })
        {
            var cm = new JsonObject
            {
                ["apiVersion"] = "v1",
                ["kind"] = "ConfigMap",
                ["metadata"] = new JsonObject { ["name"] = name, ["labels"] = new JsonObject { ["app"] = app }, ["annotations"] = new JsonObject { ["note"] = "é <&> \u2028" } },
                ["data"] = new JsonObject { ["k"] = "v", ["k2"] = "v2" },
            };
            (status, _, _) = await f.Cp.SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/configmaps", cm);
            Assert.Equal(201, status);
        }

        return ns;
    }

    /// <summary>Modifies a, deletes c, creates d, and moves b out of app=web: four events.</summary>
    private async Task ChangeAsync(string ns)
    {
        var merge = new[] { ("a", "{\"data\":{\"k3\":\"v3\"}}"), ("b", "{\"metadata\":{\"labels\":{\"app\":\"gone\"}}}") };
        var (status, _, _) = await f.Cp.SendAsync(HttpMethod.Patch, $"/api/v1/namespaces/{ns}/configmaps/{merge[0].Item1}", JsonNode.Parse(merge[0].Item2), contentType: "application/merge-patch+json");
        Assert.Equal(200, status);
        (status, _, _) = await f.Cp.SendAsync(HttpMethod.Delete, $"/api/v1/namespaces/{ns}/configmaps/c");
        Assert.Equal(200, status);
        (status, _, _) = await f.Cp.SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/configmaps",
            new JsonObject { ["apiVersion"] = "v1", ["kind"] = "ConfigMap", ["metadata"] = new JsonObject { ["name"] = "d", ["labels"] = new JsonObject { ["app"] = "web" } } });
        Assert.Equal(201, status);
        (status, _, _) = await f.Cp.SendAsync(HttpMethod.Patch, $"/api/v1/namespaces/{ns}/configmaps/{merge[1].Item1}", JsonNode.Parse(merge[1].Item2), contentType: "application/merge-patch+json");
        Assert.Equal(200, status);
    }

    private async Task<byte[]> GetAsync(string path, string accept, CancellationToken ct)
    {
        using var req = new HttpRequestMessage(HttpMethod.Get, path);
        req.Headers.TryAddWithoutValidation("Accept", accept);
        using var resp = await f.Cp.Client.SendAsync(req, ct);
        Assert.Equal(200, (int)resp.StatusCode);
        return await resp.Content.ReadAsByteArrayAsync(ct);
    }

    /// <summary>The first <paramref name="events"/> events of a watch, as sent: JSON lines or length-prefixed protobuf frames.</summary>
    private async Task<byte[]> WatchAsync(string path, string accept, int events, CancellationToken ct)
    {
        using var req = new HttpRequestMessage(HttpMethod.Get, path);
        req.Headers.TryAddWithoutValidation("Accept", accept);
        using var resp = await f.Cp.Client.SendAsync(req, HttpCompletionOption.ResponseHeadersRead, ct);
        Assert.Equal(200, (int)resp.StatusCode);
        await using var stream = await resp.Content.ReadAsStreamAsync(ct);
        using var output = new MemoryStream();
        var protobuf = accept.Contains("protobuf", StringComparison.Ordinal);
        for (var i = 0; i < events; i++)
        {
            if (protobuf)
            {
                var prefix = new byte[4];
                await stream.ReadExactlyAsync(prefix, ct);
                var frame = new byte[BinaryPrimitives.ReadUInt32BigEndian(prefix)];
                await stream.ReadExactlyAsync(frame, ct);
                output.Write(prefix);
                output.Write(frame);
                continue;
            }

            var one = new byte[1];
            do
            {
                await stream.ReadExactlyAsync(one, ct);
                output.WriteByte(one[0]);
            }
            while (one[0] != (byte)'\n');
        }

        return output.ToArray();
    }
}
