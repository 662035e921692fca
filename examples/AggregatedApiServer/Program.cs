// A sample aggregated API server (upstream's sample-apiserver, in C#): serves wardle.example.com/v1alpha1 Flunders
// from memory behind Skiff's aggregator. It reads kube-system/extension-apiserver-authentication to trust the
// aggregator's front-proxy client certificate, serves HTTPS with a CA of its own, and prints the APIService to
// register (with that CA as caBundle) and an ExternalName Service that points the aggregator at it:
//
//   dotnet run --project examples/AggregatedApiServer -- --kubeconfig ~/.skiff/admin.kubeconfig --port 8443 > wardle.yaml
//   kubectl apply -f wardle.yaml && kubectl get apiservice v1alpha1.wardle.example.com && kubectl get flunders
using Skiff.Client.Config;
using Skiff.Client.Typed;
using Skiff.Examples.AggregatedApiServer;

string? kubeconfig = null;
var port = 8443;
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--kubeconfig" when i + 1 < args.Length:
            kubeconfig = args[++i];
            break;
        case "--port" when i + 1 < args.Length && int.TryParse(args[i + 1], out var p):
            port = p;
            i++;
            break;
        default:
            Console.Error.WriteLine("usage: AggregatedApiServer [--kubeconfig FILE] [--port N]");
            return 2;
    }
}

kubeconfig ??= Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".kube", "config");
using var clientset = new Clientset(ClientConfigLoader.FromKubeConfig(KubeConfigLoader.LoadFile(kubeconfig)));
var authentication = await FrontProxyAuthentication.LoadAsync(clientset, CancellationToken.None);
using var serving = ServingCertificate.Create("api", "wardle");
await using var server = new WardleServer(serving.Certificate, authentication);
await server.StartAsync(port, CancellationToken.None);
Console.WriteLine(Registration.Yaml("wardle", "api", server.Port, serving.CaPem));
Console.Error.WriteLine($"serving {WardleServer.Group}/{WardleServer.Version} on https://127.0.0.1:{server.Port}; Ctrl-C stops");
using var done = new ManualResetEventSlim();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    done.Set();
};
done.Wait();
return 0;
