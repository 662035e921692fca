using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Skiff.ApiServer.FlowControl;
using Skiff.Testing;
using PrometheusText = Skiff.Testing.ControlPlane.PrometheusText;
using Xunit;
using Xunit.Abstractions;

namespace Skiff.ApiServer.Tests.FlowControl;

/// <summary>
/// Overload with upstream's bootstrap configuration scaled down (server limit 12 seats: global-default 1, workload-high
/// 2; 1 s queue wait): one user's flood of 3 MiB LISTs and creates (global-default, 64 at a time) gets 429s, while the
/// controllers (system:kube-controller-manager, workload-high) roll a Deployment out and every acknowledged create is
/// stored. The flood's level is taken over as upstream lets an admin take over a suggested object
/// (<c>apf.kubernetes.io/autoupdate-spec: "false"</c>): one seat that it neither lends nor borrows, one queue of
/// <see cref="QueueLength"/>, so more than 1 + <see cref="QueueLength"/> flood requests at once are refused whatever
/// the machine's speed (a wait limit alone refuses only when the single seat is slow enough). Big LISTs are
/// estimated at several seats.
/// </summary>
public sealed class FlowControlOverloadTests(ITestOutputHelper output)
{
    private const int Workers = 64;
    private const int QueueLength = 4;
    private const string Levels = "/apis/flowcontrol.apiserver.k8s.io/v1/prioritylevelconfigurations";

    [Fact]
    public async Task FloodFromOneUser_Gets429_ControllersProceed_NoAcknowledgedWriteLost()
    {
        await using var cluster = await SkiffTestCluster.StartAsync(o => o
            .WithControllers("deployment", "replicaset")
            .DisableAdmissionPlugins("ServiceAccount", "Priority")
            .ConfigureApiServer(a => a with
            {
                FlowControl = new FlowControlSettings { MaxRequestsInflight = 8, MaxMutatingRequestsInflight = 4, QueueWaitLimit = TimeSpan.FromSeconds(1) },
            }));
        Assert.Equal(1, cluster.Server.FlowControl!.ConcurrencyLimits["global-default"]);
        Assert.Equal(2, cluster.Server.FlowControl.ConcurrencyLimits["workload-high"]);
        var ns = await cluster.CreateNamespaceAsync("flood");
        var admin = cluster.HttpClient;
        await BindClusterAdminAsync(admin, "flooder");
        await TakeOverGlobalDefaultAsync(admin);

        // Lists worth serving: 400 ConfigMaps of 8 KiB each (created as admin, exempt).
        var payload = new string('x', 8192);
        await Parallel.ForEachAsync(Enumerable.Range(0, 400), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, ct) =>
            (await admin.PostAsJsonAsync($"/api/v1/namespaces/{ns}/configmaps",
                new JsonObject { ["metadata"] = new JsonObject { ["name"] = $"seed-{i}" }, ["data"] = new JsonObject { ["v"] = payload } }, ct)).EnsureSuccessStatusCode());

        var flooder = cluster.CreateHttpClient("flooder");
        var acked = new ConcurrentBag<string>();
        var refused = new ConcurrentBag<string>();
        var codes = new ConcurrentDictionary<int, int>();
        var first429 = new TaskCompletionSource<HttpResponseMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        var retryAfters = new ConcurrentBag<string>();
        using var stop = new CancellationTokenSource();
        var workers = Enumerable.Range(0, Workers).Select(w => Task.Run(async () =>
        {
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                HttpResponseMessage response;
                var name = $"flood-{w}-{i}";
                if (i % 4 == 3)
                {
                    response = await flooder.PostAsJsonAsync($"/api/v1/namespaces/{ns}/configmaps",
                        new JsonObject { ["metadata"] = new JsonObject { ["name"] = name } }, CancellationToken.None);
                    if (response.StatusCode == HttpStatusCode.Created)
                    {
                        acked.Add(name);
                    }
                    else
                    {
                        refused.Add(name);
                    }
                }
                else
                {
                    response = await flooder.GetAsync($"/api/v1/namespaces/{ns}/configmaps", CancellationToken.None);
                }

                codes.AddOrUpdate((int)response.StatusCode, 1, (_, n) => n + 1);
                if (response.StatusCode == HttpStatusCode.TooManyRequests)
                {
                    retryAfters.Add(response.Headers.GetValues("Retry-After").Single());
                    first429.TrySetResult(response);
                }
                else
                {
                    response.Dispose();
                }
            }
        })).ToList();

        try
        {
            // The flood is refused… (a worker that failed fails the test with its own exception).
            var firstEnded = Task.WhenAny(workers);
            await Task.WhenAny(first429.Task, firstEnded).WaitAsync(TimeSpan.FromSeconds(60));
            if (!first429.Task.IsCompleted)
            {
                await await firstEnded;
            }

            using var rejected = await first429.Task;
            Assert.Equal(FlowController.TooManyRequestsMessage + "\n", await rejected.Content.ReadAsStringAsync());
            Assert.True(rejected.Headers.Contains("X-Kubernetes-PF-PriorityLevel-UID"));

            // …while the controllers, in their own level, roll a Deployment out during it.
            (await admin.PostAsJsonAsync($"/apis/apps/v1/namespaces/{ns}/deployments", Deployment("web"))).EnsureSuccessStatusCode();
            await ListWatch.UntilAsync(cluster.Clientset.CoreV1().Pods(ns), pods => pods.Count(p => p.Metadata?.Labels is { } l && l.TryGetValue("app", out var app) && app == "web") == 3,
                TimeSpan.FromSeconds(60));
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(workers).WaitAsync(TimeSpan.FromSeconds(60));
        }

        output.WriteLine("flood responses: " + string.Join(", ", codes.OrderBy(c => c.Key).Select(c => $"{c.Key}×{c.Value}")));
        Assert.True(codes.GetValueOrDefault(429) > 0);
        Assert.DoesNotContain(codes.Keys, c => c >= 500);

        // The level's first drop says 1 s (upstream's droppedRequestsTracker starts there). The 429 that reached the
        // test first need not be the first the server dropped: on a busy machine a later one, made after a second of
        // ≥ 3 drops doubled the advice, can finish sooner. So every 429's advice is checked once the flood has ended.
        Assert.Contains("1", retryAfters);
        Assert.All(retryAfters, v => Assert.InRange(long.Parse(v, CultureInfo.InvariantCulture), 1, DroppedRequestsTracker.MaxRetryAfter));

        // Every acknowledged create is stored; no refused one is.
        var list = await admin.GetFromJsonAsync<JsonObject>($"/api/v1/namespaces/{ns}/configmaps");
        var stored = list!["items"]!.AsArray().Select(i => (string)i!["metadata"]!["name"]!).Where(n => n.StartsWith("flood-", StringComparison.Ordinal)).ToHashSet();
        Assert.Equal(acked.ToHashSet().OrderBy(n => n), stored.OrderBy(n => n));
        Assert.DoesNotContain(refused, stored.Contains);

        // The metrics saw it: rejections in global-default, none in the exempt and system levels; the controllers' level dispatched.
        var metrics = PrometheusText.Parse(await admin.GetStringAsync("/metrics"));
        var rejections = metrics.Samples.Where(s => s.Name == "apiserver_flowcontrol_rejected_requests_total").ToList();
        Assert.Contains(rejections, s => s.Labels["priority_level"] == "global-default" && s.Labels["flow_schema"] == "global-default" && s.Value > 0);
        Assert.DoesNotContain(rejections, s => s.Labels["priority_level"] is "exempt" or "system");
        Assert.Contains(metrics.Samples, s => s.Name == "apiserver_flowcontrol_dispatched_requests_total" && s.Labels["priority_level"] == "workload-high" && s.Value > 0);
        Assert.Contains(metrics.Samples, s => s.Name == "apiserver_flowcontrol_request_wait_duration_seconds_count" && s.Labels["priority_level"] == "workload-high" && s.Value > 0);
    }

    [Fact]
    public async Task BigLists_AreEstimatedWiderThanOneSeat_InTheMetrics()
    {
        // Upstream's default 600 seats: global-default may take up to 8 seats per request; counts refreshed quickly.
        await using var cluster = await SkiffTestCluster.StartAsync(o => o
            .DisableAdmissionPlugins("ServiceAccount", "Priority")
            .ConfigureApiServer(a => a with { FlowControl = new FlowControlSettings { ObjectCountPeriod = TimeSpan.FromMilliseconds(100) } }));
        var ns = await cluster.CreateNamespaceAsync("wide");
        var admin = cluster.HttpClient;
        await BindClusterAdminAsync(admin, "lister");
        await Parallel.ForEachAsync(Enumerable.Range(0, 350), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, ct) =>
            (await admin.PostAsJsonAsync($"/api/v1/namespaces/{ns}/configmaps", new JsonObject { ["metadata"] = new JsonObject { ["name"] = $"c-{i}" } }, ct)).EnsureSuccessStatusCode());

        // 350+ ConfigMaps served from the watch cache: ceil(n / 100) = 4 seats once the count is refreshed.
        var lister = cluster.CreateHttpClient("lister");
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        double widest = 0;
        while (widest < 4)
        {
            (await lister.GetAsync($"/api/v1/namespaces/{ns}/configmaps", deadline.Token)).EnsureSuccessStatusCode();
            var metrics = PrometheusText.Parse(await admin.GetStringAsync("/metrics", deadline.Token));
            var samples = metrics.Samples.Where(s => s.Name.StartsWith("apiserver_flowcontrol_work_estimated_seats", StringComparison.Ordinal)
                && s.Labels.GetValueOrDefault("priority_level") == "global-default").ToList();
            var count = samples.Single(s => s.Name.EndsWith("_count", StringComparison.Ordinal)).Value;
            var upTo2 = samples.Single(s => s.Name.EndsWith("_bucket", StringComparison.Ordinal) && s.Labels["le"] is "2" or "2.0").Value;
            var upTo4 = samples.Single(s => s.Name.EndsWith("_bucket", StringComparison.Ordinal) && s.Labels["le"] is "4" or "4.0").Value;
            widest = upTo4 - upTo2 > 0 ? 4 : upTo2 < count ? 10 : 1;
        }

        Assert.Equal(4, widest);
        Assert.Contains(PrometheusText.Parse(await admin.GetStringAsync("/metrics")).Samples,
            s => s.Name == "apiserver_flowcontrol_current_limit_seats" && s.Labels["priority_level"] == "global-default" && s.Value >= 24);
    }

    /// <summary>
    /// Takes global-default over from the bootstrap ensurer: no lending or borrowing (its limit stays its nominal seat
    /// whatever the other levels' demand), one queue of <see cref="QueueLength"/>; returns once the server applies it
    /// (its lower, upper and current limits read 1).
    /// </summary>
    private static async Task TakeOverGlobalDefaultAsync(HttpClient admin)
    {
        var takeOver = new JsonObject
        {
            ["metadata"] = new JsonObject { ["annotations"] = new JsonObject { [FlowControlBootstrap.AutoUpdateAnnotation] = "false" } },
            ["spec"] = new JsonObject
            {
                ["limited"] = new JsonObject
                {
                    ["lendablePercent"] = 0,
                    ["borrowingLimitPercent"] = 0,
                    ["limitResponse"] = new JsonObject
                    {
                        ["type"] = "Queue",
                        ["queuing"] = new JsonObject { ["queues"] = 1, ["handSize"] = 1, ["queueLengthLimit"] = QueueLength },
                    },
                },
            },
        };
        using var patch = new StringContent(takeOver.ToJsonString(), System.Text.Encoding.UTF8, "application/merge-patch+json");
        (await admin.PatchAsync($"{Levels}/global-default", patch)).EnsureSuccessStatusCode();
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (true)
        {
            var limits = PrometheusText.Parse(await admin.GetStringAsync("/metrics", deadline.Token)).Samples
                .Where(s => s.Name is "apiserver_flowcontrol_lower_limit_seats" or "apiserver_flowcontrol_upper_limit_seats" or "apiserver_flowcontrol_current_limit_seats"
                    && s.Labels.GetValueOrDefault("priority_level") == "global-default")
                .ToList();
            if (limits.Count == 3 && limits.All(s => s.Value == 1))
            {
                return;
            }

            await Task.Delay(50, deadline.Token);
        }
    }

    private static async Task BindClusterAdminAsync(HttpClient admin, string user) =>
        (await admin.PostAsJsonAsync("/apis/rbac.authorization.k8s.io/v1/clusterrolebindings", new JsonObject
        {
            ["metadata"] = new JsonObject { ["name"] = user + "-cluster-admin" },
            ["roleRef"] = new JsonObject { ["apiGroup"] = "rbac.authorization.k8s.io", ["kind"] = "ClusterRole", ["name"] = "cluster-admin" },
            ["subjects"] = new JsonArray(new JsonObject { ["apiGroup"] = "rbac.authorization.k8s.io", ["kind"] = "User", ["name"] = user }),
        })).EnsureSuccessStatusCode();

    private static JsonObject Deployment(string name) => new()
    {
        ["metadata"] = new JsonObject { ["name"] = name },
        ["spec"] = new JsonObject
        {
            ["replicas"] = 3,
            ["selector"] = new JsonObject { ["matchLabels"] = new JsonObject { ["app"] = name } },
            ["template"] = new JsonObject
            {
                ["metadata"] = new JsonObject { ["labels"] = new JsonObject { ["app"] = name } },
                ["spec"] = new JsonObject { ["containers"] = new JsonArray(new JsonObject { ["name"] = "c", ["image"] = "busybox" }) },
            },
        },
    };
}
