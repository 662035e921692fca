using System.Text;
using Xunit;

namespace Skiff.Storage.Testing;

/// <summary>
/// The behaviour every <see cref="IStorage"/> backend must show (memory, SQLite, etcd). A backend's test project
/// derives from this class and supplies <see cref="CreateStorageAsync"/>; every test gets a fresh store and works
/// under its own key prefix, so a backend may also share one server between tests.
/// </summary>
public abstract partial class StorageConformanceTests : IAsyncLifetime
{
    private IStorage? _storage;

    /// <summary>A prefix unique to this test, ending in '/'.</summary>
    protected string P { get; } = $"/t{Guid.NewGuid():N}/";

    /// <summary>The store under test.</summary>
    protected IStorage Storage => _storage ?? throw new InvalidOperationException("storage not created");

    /// <summary>Creates a fresh store for one test.</summary>
    protected abstract Task<IStorage> CreateStorageAsync();

    /// <inheritdoc />
    public async Task InitializeAsync() => _storage = await CreateStorageAsync();

    /// <inheritdoc />
    public async Task DisposeAsync()
    {
        if (_storage is not null)
        {
            await _storage.DisposeAsync();
        }
    }

    /// <summary>UTF-8 bytes of a string.</summary>
    protected static byte[] B(string s) => Encoding.UTF8.GetBytes(s);

    /// <summary>The string of a value.</summary>
    protected static string S(ReadOnlyMemory<byte> value) => Encoding.UTF8.GetString(value.Span);

    /// <summary>Test cancellation that never fires.</summary>
    protected static CancellationToken Ct => CancellationToken.None;

    /// <summary>Writes a key under another prefix, so that the store's revision moves without events under <see cref="P"/>.</summary>
    protected Task<KeyValue> BumpAsync() => Storage.CreateAsync($"/other{Guid.NewGuid():N}", B("x"), Ct);

    /// <summary>Updates a key unconditionally-by-read (one CAS, asserting it succeeded).</summary>
    protected async Task<KeyValue> UpdateAsync(string key, string value)
    {
        var cur = await Storage.GetAsync(key, 0, Ct) ?? throw new InvalidOperationException($"missing {key}");
        var r = await Storage.CompareAndSwapAsync(key, cur.ModRevision, B(value), Ct);
        Assert.True(r.Succeeded);
        return r.Current!;
    }
}
