// The TrainingJob operator: a TFJob-style custom resource (Api/) and its controller (Controllers/) on Skiff's controller
// runtime. Runs until Ctrl-C against the cluster of a kubeconfig. Install the CRD first (deploy/, or skiff crd gen).
//
//   dotnet run --project examples/TrainingJob -- --kubeconfig ~/.skiff/admin.kubeconfig
using Skiff.Client.Config;
using Skiff.Client.Runtime;
using Skiff.Client.Typed;
using TrainingOperator.Controllers;

string? kubeconfig = null;
string? ns = null;
for (var i = 0; i < args.Length; i++)
{
    if (args[i] == "--kubeconfig" && i + 1 < args.Length)
    {
        kubeconfig = args[++i];
    }
    else if (args[i] == "--namespace" && i + 1 < args.Length)
    {
        ns = args[++i];
    }
    else
    {
        Console.Error.WriteLine("usage: TrainingJob [--kubeconfig FILE] [--namespace NS]");
        return 2;
    }
}

kubeconfig ??= Environment.GetEnvironmentVariable("KUBECONFIG")
    ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".kube", "config");
using var clientset = new Clientset(ClientConfigLoader.FromKubeConfig(KubeConfigLoader.LoadFile(kubeconfig)));
using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.Cancel();
};
AppDomain.CurrentDomain.ProcessExit += (_, _) => stop.Cancel();

var manager = new Manager(clientset, new ManagerOptions { Namespace = ns });
TrainingJobController.Register(manager);
Console.WriteLine("Starting TrainingJob operator");
await manager.RunAsync(stop.Token);
Console.WriteLine("Stopping TrainingJob operator");
return 0;
