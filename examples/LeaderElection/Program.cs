// The client-go "leader-election" example in C#: run several copies with different --id against the same Lease;
// one leads ("Controller loop..."), the others wait; stop the leader (Ctrl-C releases the Lease) and another takes over.
//
//   dotnet run --project examples/LeaderElection -- --kubeconfig ~/.kube/config --id 1 [--lease-lock-name example --lease-lock-namespace default]
using Skiff.Client.Config;
using Skiff.Client.LeaderElection;
using Skiff.Client.Typed;

string? kubeconfig = null;
var id = Guid.NewGuid().ToString("N")[..8];
var leaseName = "example";
var leaseNamespace = "default";
for (var i = 0; i < args.Length; i++)
{
    var value = i + 1 < args.Length ? args[i + 1] : null;
    switch (args[i])
    {
        case "--kubeconfig" when value is not null: kubeconfig = value; i++; break;
        case "--id" when value is not null: id = value; i++; break;
        case "--lease-lock-name" when value is not null: leaseName = value; i++; break;
        case "--lease-lock-namespace" when value is not null: leaseNamespace = value; i++; break;
        default:
            Console.Error.WriteLine("usage: LeaderElection [--kubeconfig FILE] [--id ID] [--lease-lock-name NAME] [--lease-lock-namespace NS]");
            return 2;
    }
}

kubeconfig ??= Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".kube", "config");
using var clientset = new Clientset(ClientConfigLoader.FromKubeConfig(KubeConfigLoader.LoadFile(kubeconfig)));
using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.Cancel();
};
AppDomain.CurrentDomain.ProcessExit += (_, _) => stop.Cancel();

var elector = new LeaderElector(new LeaderElectionConfig
{
    Lock = new LeaseLock(clientset, leaseNamespace, leaseName, id),
    ReleaseOnCancel = true,
    LeaseDuration = TimeSpan.FromSeconds(60),
    RenewDeadline = TimeSpan.FromSeconds(15),
    RetryPeriod = TimeSpan.FromSeconds(5),
    OnStartedLeading = async ct =>
    {
        // The controller loop would run here, until ct is cancelled.
        Console.WriteLine("Controller loop...");
        await Task.Delay(Timeout.Infinite, ct).ContinueWith(_ => { }, TaskScheduler.Default);
    },
    OnStoppedLeading = () => Console.Out.WriteLineAsync($"leader lost: {id}"),
    OnNewLeader = identity => Console.Out.WriteLineAsync(identity == id ? "still the leader!" : $"new leader elected: {identity}"),
});
await elector.RunAsync(stop.Token);
return 0;
