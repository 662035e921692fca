// The client-go "out-of-cluster client configuration" example in C#: list every pod, then look for one that
// does not exist, every 10 seconds (or once with --once).
//
//   dotnet run --project examples/OutOfCluster -- --kubeconfig ~/.kube/config [--once]
using Skiff.Client.Config;
using Skiff.Client.Rest;
using Skiff.Client.Typed;

string? kubeconfig = null;
var once = false;
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--kubeconfig" when i + 1 < args.Length:
            kubeconfig = args[++i];
            break;
        case "--once":
            once = true;
            break;
        default:
            Console.Error.WriteLine("usage: OutOfCluster [--kubeconfig FILE] [--once]");
            return 2;
    }
}

kubeconfig ??= Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".kube", "config");
var config = ClientConfigLoader.FromKubeConfig(KubeConfigLoader.LoadFile(kubeconfig));
using var clientset = new Clientset(config);

while (true)
{
    var pods = await clientset.CoreV1().Pods().ListAsync();
    Console.WriteLine($"There are {pods.Items.Count} pods in the cluster");

    // Examples for error handling: an ApiErrors predicate, or the Status the server sent.
    const string ns = "default", pod = "example-xxxxx";
    try
    {
        await clientset.CoreV1().Pods(ns).GetAsync(pod);
        Console.WriteLine($"Found {pod} pod in {ns} namespace");
    }
    catch (KubernetesApiException e) when (ApiErrors.IsNotFound(e))
    {
        Console.WriteLine($"Pod {pod} in namespace {ns} not found");
    }
    catch (KubernetesApiException e)
    {
        Console.WriteLine($"Error getting pod {e.Status.Message}");
    }

    if (once)
    {
        return 0;
    }

    await Task.Delay(TimeSpan.FromSeconds(10));
}
