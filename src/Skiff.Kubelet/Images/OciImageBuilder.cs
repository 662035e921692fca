using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Skiff.Kubelet.Images;

/// <summary>
/// Builds a single-layer OCI image archive (an OCI image layout in a tar: <c>oci-layout</c>, <c>index.json</c> whose
/// manifest carries the <c>io.containerd.image.name</c> and <c>org.opencontainers.image.ref.name</c> annotations, and
/// <c>blobs/sha256/</c> with the manifest, the config and one gzip layer). Entries get a fixed mtime, so the same input
/// gives the same digests (an import of an unchanged image is a no-op).
/// </summary>
public sealed class OciImageBuilder
{
    private static readonly DateTimeOffset Epoch = new(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly List<(string Path, TarEntryType Type, string? Link, byte[]? Data, string? Source, UnixFileMode Mode)> _entries = [];

    /// <summary>The image's entrypoint.</summary>
    public IReadOnlyList<string> Entrypoint { get; set; } = [];

    /// <summary>The image's default arguments.</summary>
    public IReadOnlyList<string> Cmd { get; set; } = [];

    /// <summary>The image's environment.</summary>
    public IReadOnlyList<string> Env { get; set; } = ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"];

    /// <summary>Adds a directory (parents must be added first).</summary>
    public OciImageBuilder Directory(string path, UnixFileMode mode = (UnixFileMode)0b111_101_101)
    {
        _entries.Add((path.TrimStart('/') + "/", TarEntryType.Directory, null, null, null, mode));
        return this;
    }

    /// <summary>Adds a file with <paramref name="content"/>.</summary>
    public OciImageBuilder File(string path, byte[] content, UnixFileMode mode = (UnixFileMode)0b110_100_100)
    {
        _entries.Add((path.TrimStart('/'), TarEntryType.RegularFile, null, content, null, mode));
        return this;
    }

    /// <summary>Adds a file copied from the host's <paramref name="source"/>.</summary>
    public OciImageBuilder HostFile(string path, string source, UnixFileMode mode = (UnixFileMode)0b111_101_101)
    {
        _entries.Add((path.TrimStart('/'), TarEntryType.RegularFile, null, null, source, mode));
        return this;
    }

    /// <summary>Adds a symbolic link to <paramref name="target"/>.</summary>
    public OciImageBuilder Symlink(string path, string target)
    {
        _entries.Add((path.TrimStart('/'), TarEntryType.SymbolicLink, target, null, null, (UnixFileMode)0b111_111_111));
        return this;
    }

    /// <summary>Writes the archive of image <paramref name="reference"/> (e.g. <c>docker.io/library/busybox:latest</c>) to <paramref name="output"/>.</summary>
    public async Task WriteAsync(string reference, Stream output, CancellationToken ct)
    {
        // The layer: an uncompressed tar (its digest is the config's diff_id) and its gzip (the blob).
        using var layerTar = new MemoryStream();
        await using (var writer = new TarWriter(layerTar, TarEntryFormat.Pax, leaveOpen: true))
        {
            foreach (var e in _entries)
            {
                var entry = new PaxTarEntry(e.Type, e.Path) { Mode = e.Mode, ModificationTime = Epoch, Uid = 0, Gid = 0 };
                if (e.Link is not null)
                {
                    entry.LinkName = e.Link;
                }

                if (e.Data is not null)
                {
                    entry.DataStream = new MemoryStream(e.Data);
                }
                else if (e.Source is not null)
                {
                    entry.DataStream = new MemoryStream(await System.IO.File.ReadAllBytesAsync(e.Source, ct).ConfigureAwait(false));
                }

                await writer.WriteEntryAsync(entry, ct).ConfigureAwait(false);
            }
        }

        var diffId = Digest(layerTar.ToArray());
        using var layerGz = new MemoryStream();
        await using (var gz = new GZipStream(layerGz, CompressionLevel.Fastest, leaveOpen: true))
        {
            layerTar.Position = 0;
            await layerTar.CopyToAsync(gz, ct).ConfigureAwait(false);
        }

        var layer = layerGz.ToArray();
        var config = Json(new JsonObject
        {
            ["architecture"] = "amd64",
            ["os"] = "linux",
            ["created"] = Epoch.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture),
            ["config"] = new JsonObject
            {
                ["Env"] = Array(Env),
                ["Entrypoint"] = Entrypoint.Count > 0 ? Array(Entrypoint) : null,
                ["Cmd"] = Cmd.Count > 0 ? Array(Cmd) : null,
                ["WorkingDir"] = "/",
            },
            ["rootfs"] = new JsonObject { ["type"] = "layers", ["diff_ids"] = new JsonArray(diffId) },
            ["history"] = new JsonArray(new JsonObject { ["created_by"] = "skiff images build", ["created"] = "2024-01-01T00:00:00Z" }),
        });
        var manifest = Json(new JsonObject
        {
            ["schemaVersion"] = 2,
            ["mediaType"] = "application/vnd.oci.image.manifest.v1+json",
            ["config"] = Descriptor("application/vnd.oci.image.config.v1+json", config),
            ["layers"] = new JsonArray(Descriptor("application/vnd.oci.image.layer.v1.tar+gzip", layer)),
        });
        var tag = reference[(reference.LastIndexOf(':') is var i && i > reference.LastIndexOf('/') ? i + 1 : reference.Length)..];
        var manifestDescriptor = Descriptor("application/vnd.oci.image.manifest.v1+json", manifest);
        manifestDescriptor["annotations"] = new JsonObject
        {
            ["io.containerd.image.name"] = reference,
            ["org.opencontainers.image.ref.name"] = tag.Length > 0 ? tag : "latest",
        };
        manifestDescriptor["platform"] = new JsonObject { ["architecture"] = "amd64", ["os"] = "linux" };
        var index = Json(new JsonObject
        {
            ["schemaVersion"] = 2,
            ["mediaType"] = "application/vnd.oci.image.index.v1+json",
            ["manifests"] = new JsonArray(manifestDescriptor),
        });

        await using var archive = new TarWriter(output, TarEntryFormat.Pax, leaveOpen: true);
        await Add(archive, "oci-layout", """{"imageLayoutVersion":"1.0.0"}"""u8.ToArray(), ct).ConfigureAwait(false);
        await Add(archive, "index.json", index, ct).ConfigureAwait(false);
        await archive.WriteEntryAsync(new PaxTarEntry(TarEntryType.Directory, "blobs/") { Mode = (UnixFileMode)0b111_101_101, ModificationTime = Epoch }, ct).ConfigureAwait(false);
        await archive.WriteEntryAsync(new PaxTarEntry(TarEntryType.Directory, "blobs/sha256/") { Mode = (UnixFileMode)0b111_101_101, ModificationTime = Epoch }, ct).ConfigureAwait(false);
        foreach (var blob in new[] { manifest, config, layer })
        {
            await Add(archive, "blobs/sha256/" + Digest(blob)["sha256:".Length..], blob, ct).ConfigureAwait(false);
        }
    }

    /// <summary><c>sha256:HEX</c> of <paramref name="data"/>.</summary>
    public static string Digest(byte[] data) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(data));

    private static async Task Add(TarWriter archive, string name, byte[] data, CancellationToken ct)
    {
        var entry = new PaxTarEntry(TarEntryType.RegularFile, name) { Mode = (UnixFileMode)0b110_100_100, ModificationTime = Epoch, DataStream = new MemoryStream(data) };
        await archive.WriteEntryAsync(entry, ct).ConfigureAwait(false);
    }

    private static JsonObject Descriptor(string mediaType, byte[] blob) => new()
    {
        ["mediaType"] = mediaType,
        ["digest"] = Digest(blob),
        ["size"] = blob.Length,
    };

    private static JsonArray Array(IEnumerable<string> values) => new([.. values.Select(v => (JsonNode?)JsonValue.Create(v))]);

    private static byte[] Json(JsonObject node) => JsonSerializer.SerializeToUtf8Bytes(node);
}
