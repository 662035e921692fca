using System.Runtime.InteropServices;
using Skiff;
using Skiff.ApiServer.Hosting;

// The skiff binary: parsing and composition only.
CommandLine parsed;
try
{
    parsed = CommandLine.Parse(args);
}
catch (UsageException e)
{
    Console.Error.WriteLine($"error: {e.Message}");
    Console.Error.WriteLine(CommandLine.Usage);
    return 2;
}

if (parsed.Help)
{
    Console.WriteLine(CommandLine.Usage);
    return 0;
}

using var shutdown = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    shutdown.Cancel();
};
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, ctx =>
{
    ctx.Cancel = true;
    shutdown.Cancel();
});

Directory.CreateDirectory(parsed.DataDirectory);
Skiff.Storage.IStorage storage;
try
{
    storage = await StorageFactory.OpenAsync(parsed, shutdown.Token);
}
catch (Exception e) when (e is Skiff.Storage.StorageException or IOException or UnauthorizedAccessException)
{
    Console.Error.WriteLine($"error: cannot open {parsed.Storage} storage: {e.Message}");
    return 1;
}

await using var storageScope = storage;
var resources = Catalogue.Resources.ToList();
var openApi = new Skiff.ApiServer.OpenApi.OpenApiService(resources);
await using var host = new ApiServerHost(new ApiServerOptions
{
    OpenApi = openApi,
    Schemas = openApi,
    UnknownFieldDetector = new Skiff.ApiServer.Http.OpenApiUnknownFieldDetector(openApi),
    DataDirectory = parsed.DataDirectory,
    Port = parsed.Port,
    Storage = storage,
    Resources = resources,
    WatchCache = parsed.WatchCache,
    Tokens = parsed.TokenFile is null ? Skiff.ApiServer.Security.TokenFile.Empty : Skiff.ApiServer.Security.TokenFile.Load(parsed.TokenFile),
});
try
{
    await host.StartAsync(shutdown.Token);
}
catch (IOException e)
{
    Console.Error.WriteLine($"error: cannot listen on port {parsed.Port}: {e.Message}");
    return 1;
}

Console.WriteLine($"export KUBECONFIG={host.KubeconfigPath}");
Console.WriteLine("Local Kubernetes cluster is running. Press Ctrl-C to shut it down.");
var warmOpenApi = openApi.WarmAsync(shutdown.Token);
try
{
    await Task.Delay(Timeout.Infinite, shutdown.Token);
}
catch (OperationCanceledException)
{
    // Ctrl-C or SIGTERM.
}

Console.WriteLine("Shutting down.");
await warmOpenApi.ContinueWith(_ => { }, TaskScheduler.Default); // finished or cancelled; nothing to report
return 0;
