using System.Text;
using System.Text.Json.Nodes;
using Skiff.Api.Errors;
using Skiff.Api.Quota;
using Skiff.ApiServer.Admission;
using Skiff.ApiServer.Admission.Plugins;
using Skiff.ApiServer.Tests.Storage.Cacher;
using Skiff.Storage;
using Skiff.Storage.Memory;
using Xunit;

namespace Skiff.ApiServer.Tests.Admission.Plugins;

/// <summary>
/// The quota charge queue (upstream's quota evaluator): the creates waiting in one namespace are charged together with
/// one write per quota, never beyond the limit; dry runs are checked but not charged; a lost compare-and-swap is
/// re-checked against the store.
/// </summary>
public sealed class QuotaChargeQueueTests
{
    private const string Key = "/registry/resourcequotas/ns/q";

    /// <summary>How long a released batch may take to finish: generous, for a loaded machine (10 s failed there).</summary>
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    private static async Task<(MemoryStorage Memory, InstrumentedStorage Storage)> WithQuotaAsync(int limit, int used = 0)
    {
        var memory = new MemoryStorage();
        var quota = "{\"apiVersion\":\"v1\",\"kind\":\"ResourceQuota\",\"metadata\":{\"name\":\"q\",\"namespace\":\"ns\",\"uid\":\"u\"},"
            + $"\"spec\":{{\"hard\":{{\"configmaps\":\"{limit}\"}}}},\"status\":{{\"hard\":{{\"configmaps\":\"{limit}\"}},\"used\":{{\"configmaps\":\"{used}\"}}}}}}";
        await memory.CreateAsync(Key, Encoding.UTF8.GetBytes(quota), default);
        return (memory, new InstrumentedStorage(memory));
    }

    private static QuotaChargeQueue.Waiter ConfigMap(string name, bool dryRun = false)
    {
        var obj = new JsonObject { ["apiVersion"] = "v1", ["kind"] = "ConfigMap", ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = "ns" } };
        var attributes = new AdmissionAttributes
        {
            Operation = AdmissionOperation.Create,
            Group = "",
            Version = "v1",
            Resource = "configmaps",
            Kind = "ConfigMap",
            Namespace = "ns",
            Name = name,
            Object = obj,
            DryRun = dryRun,
        };
        return new QuotaChargeQueue.Waiter(attributes, obj, QuotaUsage.Of("", "configmaps", obj));
    }

    private static Task WaitUntilAsync(Func<bool> condition, string what) =>
        Skiff.ApiServer.Tests.Webhooks.WebhookFixture.EventuallyAsync(() => Task.FromResult(condition()), what);

    private static QuotaChargeQueue Queue(IStorage storage) => new(storage, (_, _) => Task.FromResult(true));

    private static async Task<string> UsedAsync(IStorage storage) =>
        (string)JsonNode.Parse((await storage.GetAsync(Key, 0, default))!.Value.Span)!["status"]!["used"]!["configmaps"]!;

    [Fact]
    public async Task CreatesWaitingTogether_AreChargedWithOneWrite()
    {
        var (memory, storage) = await WithQuotaAsync(100);
        await using var _ = memory;
        var queue = Queue(storage);
        storage.HoldSwaps();
        var first = queue.ChargeAsync("ns", ConfigMap("first"), default);
        await WaitUntilAsync(() => queue.Waiting("ns") == 0 && !first.IsCompleted, "the first batch at its write");
        var rest = Enumerable.Range(0, 20).Select(i => queue.ChargeAsync("ns", ConfigMap($"c{i}"), default)).ToList();
        await WaitUntilAsync(() => queue.Waiting("ns") == 20, "twenty creates queued");
        storage.ReleaseSwaps();
        await Task.WhenAll(rest.Append(first)).WaitAsync(Deadline);

        Assert.Equal(2, storage.Swaps); // one write for the first create, one for the twenty that waited behind it
        Assert.Equal("21", await UsedAsync(memory));
    }

    [Fact]
    public async Task OneBatch_NeverExceedsTheLimit()
    {
        var (memory, storage) = await WithQuotaAsync(3);
        await using var _ = memory;
        var queue = Queue(storage);
        storage.HoldSwaps();
        var first = queue.ChargeAsync("ns", ConfigMap("first"), default);
        await WaitUntilAsync(() => queue.Waiting("ns") == 0 && !first.IsCompleted, "the first batch at its write");
        var rest = Enumerable.Range(0, 9).Select(i => queue.ChargeAsync("ns", ConfigMap($"c{i}"), default)).ToList();
        await WaitUntilAsync(() => queue.Waiting("ns") == 9, "nine creates queued");
        storage.ReleaseSwaps();
        await first.WaitAsync(Deadline);
        var outcomes = await Task.WhenAll(rest.Select(async t =>
        {
            try
            {
                await t.WaitAsync(Deadline);
                return (Exception?)null;
            }
            catch (StatusException e)
            {
                return e;
            }
        }));

        Assert.Equal(2, outcomes.Count(e => e is null));
        Assert.All(outcomes.Where(e => e is not null), e =>
        {
            Assert.Equal(403, ((StatusException)e!).Code);
            Assert.Contains("exceeded quota: q, requested: configmaps=1, used: configmaps=3, limited: configmaps=3", e.Message, StringComparison.Ordinal);
        });
        Assert.Equal("3", await UsedAsync(memory));
    }

    [Fact]
    public async Task DryRun_IsCheckedButChargesNothing()
    {
        var (memory, storage) = await WithQuotaAsync(1);
        await using var _ = memory;
        var queue = Queue(storage);

        await queue.ChargeAsync("ns", ConfigMap("dry", dryRun: true), default);
        Assert.Equal(0, storage.Swaps);
        Assert.Equal("0", await UsedAsync(memory));

        await queue.ChargeAsync("ns", ConfigMap("real"), default);
        var refused = await Assert.ThrowsAsync<StatusException>(() => queue.ChargeAsync("ns", ConfigMap("dry-over", dryRun: true), default));
        Assert.Equal(403, refused.Code);
        Assert.Equal("1", await UsedAsync(memory));
    }

    [Fact]
    public async Task LostCompareAndSwap_IsCheckedAgainstTheStoreAndChargedOnTop()
    {
        var (memory, storage) = await WithQuotaAsync(10);
        await using var _ = memory;
        var queue = Queue(storage);
        var raced = 0;
        storage.BeforeSwap = async key =>
        {
            if (Interlocked.Exchange(ref raced, 1) == 0)
            {
                // Another writer (the quota controller) changes the quota between the batch's read and its write.
                var current = (await memory.GetAsync(key, 0, default))!;
                var quota = JsonNode.Parse(current.Value.Span)!.AsObject();
                quota["status"]!["used"]!["configmaps"] = "5";
                Assert.True((await memory.CompareAndSwapAsync(key, current.ModRevision, Encoding.UTF8.GetBytes(quota.ToJsonString()), default)).Succeeded);
            }
        };

        await queue.ChargeAsync("ns", ConfigMap("a"), default);

        Assert.Equal(2, storage.Swaps); // the lost write, then the one on top of the controller's
        Assert.Equal("6", await UsedAsync(memory));
    }
}
