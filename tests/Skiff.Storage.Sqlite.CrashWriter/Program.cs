// Crash-test writer: opens the SQLite store given as argv[0] and writes forever with several concurrent writers,
// printing "ack <key> <revision>" for each write only after its task completed (i.e. after it is durable).
// The test kills this process with SIGKILL at a random moment and checks that every acknowledged write survived.
using System.Text;
using Skiff.Storage;
using Skiff.Storage.Sqlite;

var path = args[0];
var round = args.Length > 1 ? args[1] : "0";
await using var store = await SqliteStorage.OpenAsync(path, null, CancellationToken.None);
var stdout = new StreamWriter(Console.OpenStandardOutput(), new UTF8Encoding(false)) { AutoFlush = false };
var gate = new Lock();
void Ack(string line)
{
    lock (gate)
    {
        stdout.WriteLine(line);
        stdout.Flush();
    }
}

Ack($"ready {await store.GetCurrentRevisionAsync(CancellationToken.None)}");
var writers = Enumerable.Range(0, 8).Select(w => Task.Run(async () =>
{
    for (var n = 0; ; n++)
    {
        var key = $"/crash/r{round}/w{w}/{n:D6}";
        var kv = await store.CreateAsync(key, Encoding.UTF8.GetBytes($"{key}={n}"), CancellationToken.None);
        Ack($"ack {key} {kv.ModRevision}");
        if (n % 5 == 0)
        {
            var counter = $"/crash/counter/w{w}";
            var updated = await store.GuaranteedUpdateAsync(
                counter, (_, _) => ValueTask.FromResult<ReadOnlyMemory<byte>?>(Encoding.UTF8.GetBytes($"{round}:{n}")), allowCreate: true, CancellationToken.None);
            Ack($"set {counter} {updated.ModRevision} {round}:{n}");
        }
    }
})).ToArray();
await Task.WhenAll(writers);
