// The client-go "workqueue" example in C#, over namespaces: an informer's handlers put keys on a rate-limited work
// queue; one worker takes each key and syncs it (prints it) from the informer's cache; a failed sync is retried with
// AddRateLimited up to 5 times, then dropped. Stops on Ctrl-C.
//
//   dotnet run --project examples/NamespaceController -- --kubeconfig ~/.kube/config
using k8s.Models;
using Skiff.Client.Cache;
using Skiff.Client.Config;
using Skiff.Client.Typed;
using Skiff.Client.WorkQueue;

string? kubeconfig = null;
for (var i = 0; i < args.Length; i++)
{
    if (args[i] == "--kubeconfig" && i + 1 < args.Length)
    {
        kubeconfig = args[++i];
    }
    else
    {
        Console.Error.WriteLine("usage: NamespaceController [--kubeconfig FILE]");
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

var queue = new RateLimitingQueue<string>(options: new WorkQueueOptions { Name = "namespaces" });
var informer = new SharedIndexInformer<V1Namespace>(clientset.CoreV1().Namespaces());
informer.AddEventHandler(new ResourceEventHandler<V1Namespace>(
    onAdd: (ns, _) => queue.Add(ObjectKeys.KeyOf(ns)),
    onUpdate: (_, ns) => queue.Add(ObjectKeys.KeyOf(ns)),
    onDelete: (ns, _) => queue.Add(ObjectKeys.KeyOf(ns))));

var run = informer.RunAsync(stop.Token);
try
{
    await informer.WaitForCacheSyncAsync(stop.Token);
}
catch (OperationCanceledException)
{
    return 0;
}

Console.WriteLine("Starting Namespace controller");
var worker = Task.Run(async () =>
{
    while (true)
    {
        string key;
        try
        {
            key = await queue.GetAsync(stop.Token);
        }
        catch (Exception e) when (e is OperationCanceledException or WorkQueueShutDownException)
        {
            return;
        }

        try
        {
            Sync(key);
            queue.Forget(key);
        }
        catch (Exception e)
        {
            if (queue.GetRequeueCount(key) < 5)
            {
                Console.WriteLine($"Error syncing namespace {key}: {e.Message}");
                queue.AddRateLimited(key);
            }
            else
            {
                Console.WriteLine($"Dropping namespace {key} out of the queue: {e.Message}");
                queue.Forget(key);
            }
        }
        finally
        {
            queue.Done(key);
        }
    }
});

await Task.WhenAny(Task.Delay(Timeout.Infinite, stop.Token).ContinueWith(_ => { }, TaskScheduler.Default));
queue.ShutDown();
await worker;
await run;
Console.WriteLine("Stopping Namespace controller");
return 0;

// The business logic: print what the cache says about the key.
void Sync(string key)
{
    var ns = informer.Lister.Get(null, key);
    Console.WriteLine(ns is null
        ? $"Namespace {key} does not exist anymore"
        : $"Sync/Add/Update for Namespace {ns.Metadata.Name} (phase {ns.Status?.Phase ?? "?"})");
}
