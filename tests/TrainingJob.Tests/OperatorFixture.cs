using k8s.Models;
using Skiff.Client.Config;
using Skiff.Client.Discovery;
using Skiff.Client.Dynamic;
using Skiff.Client.Entities;
using Skiff.Client.Rest;
using Skiff.Client.Runtime;
using Skiff.Client.Typed;
using Skiff.Controllers;
using Skiff.Testing.ControlPlane;
using TrainingOperator.Api;
using TrainingOperator.Controllers;
using Xunit;

namespace TrainingOperator.Tests;

/// <summary>
/// One in-process API server per test class with the TrainingJob CRD (generated from the class) established, the
/// garbage collector of Skiff's controller manager running in its own manager (as in <c>skiff up</c>), and the
/// operator running in another (as its own process would). Pods are never scheduled; tests play the kubelet with
/// <see cref="SetPhaseAsync"/>.
/// </summary>
public sealed class OperatorFixture : IAsyncLifetime
{
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _runs = [];
    private readonly List<IDisposable> _disposables = [];

    public TestControlPlane Cp { get; private set; } = null!;

    /// <summary>An admin clientset for the tests' own reads and writes.</summary>
    public Clientset Clientset { get; private set; } = null!;

    public Kubectl Kubectl => new(Cp.KubeconfigPath);

    public async Task InitializeAsync()
    {
        Cp = await TestControlPlane.StartAsync();
        var config = ClientConfigLoader.FromKubeConfig(KubeConfigLoader.LoadFile(Cp.KubeconfigPath)) with { Qps = 0 };
        Clientset = new Clientset(config);

        var crds = Clientset.Resource<V1CustomResourceDefinition, V1CustomResourceDefinitionList>();
        await crds.CreateAsync(CustomResourceDefinitionGenerator.Generate(typeof(TrainingJob)));
        await ListWatch.UntilAsync(crds, l => l.Any(c => c.Status?.Conditions?.Any(x => x.Type == "Established" && x.Status == "True") == true));

        // The garbage collector, as the controller manager runs it.
        var gcRest = new RestClient(config);
        var gcClientset = new Clientset(gcRest);
        var dynamic = new DynamicClient(gcRest);
        _disposables.AddRange([gcRest, gcClientset, dynamic]);
        var gcManager = new Manager(gcClientset);
        BuiltInControllers.All.Single(c => c.Name == "garbagecollector").Register(new ControllerContext
        {
            Manager = gcManager,
            Dynamic = dynamic,
            Discovery = new DiscoveryClient(gcRest),
        });
        _runs.Add(gcManager.RunAsync(_stop.Token));

        // The operator.
        var opClientset = new Clientset(config);
        _disposables.Add(opClientset);
        var opManager = new Manager(opClientset);
        TrainingJobController.Register(opManager);
        _runs.Add(opManager.RunAsync(_stop.Token));
        await Task.WhenAll(gcManager.Elected, opManager.Elected).WaitAsync(TimeSpan.FromSeconds(30));
    }

    public async Task DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await Task.WhenAll(_runs);
        }
        catch (OperationCanceledException)
        {
        }

        foreach (var d in _disposables)
        {
            d.Dispose();
        }

        Clientset.Dispose();
        await Cp.DisposeAsync();
        _stop.Dispose();
    }

    public ResourceClient<TrainingJob, TrainingJobList> Jobs(string ns) => Clientset.Resource<TrainingJob, TrainingJobList>(ns);

    /// <summary>A fresh namespace, so the tests of a class do not see each other's objects.</summary>
    public async Task<string> NamespaceAsync()
    {
        var name = "tj-" + Guid.NewGuid().ToString("N")[..8];
        await Clientset.CoreV1().Namespaces().CreateAsync(new V1Namespace { Metadata = new() { Name = name } });
        return name;
    }

    /// <summary>Plays the kubelet: writes <paramref name="phase"/> (Running, Succeeded or Failed) into the pod's status.</summary>
    public async Task SetPhaseAsync(string ns, string pod, string phase)
    {
        var pods = Clientset.CoreV1().Pods(ns);
        var p = await pods.GetAsync(pod);
        var terminated = phase is "Succeeded" or "Failed";
        p.Status ??= new V1PodStatus();
        p.Status.Phase = phase;
        p.Status.StartTime ??= DateTime.UtcNow;
        p.Status.ContainerStatuses = [.. p.Spec.Containers.Select(c => new V1ContainerStatus
        {
            Name = c.Name,
            Image = c.Image,
            ImageID = "",
            Ready = !terminated,
            RestartCount = 0,
            State = terminated
                ? new V1ContainerState { Terminated = new V1ContainerStateTerminated { ExitCode = phase == "Succeeded" ? 0 : 1, Reason = phase == "Succeeded" ? "Completed" : "Error" } }
                : new V1ContainerState { Running = new V1ContainerStateRunning { StartedAt = DateTime.UtcNow } },
        })];
        await pods.UpdateStatusAsync(p);
    }

    /// <summary>Waits (on a watch) until the job's status satisfies <paramref name="predicate"/>; returns the job.</summary>
    public async Task<TrainingJob> UntilJobAsync(string ns, string name, Func<TrainingJob, bool> predicate) =>
        (await ListWatch.UntilAsync(Jobs(ns), l => l.Any(j => j.Metadata.Name == name && predicate(j)))).Single(j => j.Metadata.Name == name);

    /// <summary>Waits (on a watch) until the namespace's pods satisfy <paramref name="predicate"/>.</summary>
    public Task<IReadOnlyList<V1Pod>> UntilPodsAsync(string ns, Func<IReadOnlyList<V1Pod>, bool> predicate) =>
        ListWatch.UntilAsync(Clientset.CoreV1().Pods(ns), predicate);

    /// <summary>Waits (on a watch) until the namespace's services satisfy <paramref name="predicate"/>.</summary>
    public Task<IReadOnlyList<V1Service>> UntilServicesAsync(string ns, Func<IReadOnlyList<V1Service>, bool> predicate) =>
        ListWatch.UntilAsync(Clientset.CoreV1().Services(ns), predicate);
}
