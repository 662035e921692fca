namespace Skiff.Storage.Sqlite;

/// <summary>
/// The on-disk layout: an append-only log (kine style) where each row is one write and its id is the revision.
/// <c>name</c> is the key's UTF-8 bytes (a BLOB, so that comparisons are byte order); a delete is a row with
/// <c>deleted = 1</c> that repeats the last value; <c>prev_revision</c> is the id of the key's previous row.
/// <c>meta</c> holds the compaction marker (<c>compact_rev</c>) and how far compaction has physically progressed
/// (<c>compact_done</c>).
/// </summary>
internal static class Schema
{
    public const string Create = """
        CREATE TABLE IF NOT EXISTS kv (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            name BLOB NOT NULL,
            created INTEGER NOT NULL,
            deleted INTEGER NOT NULL,
            create_revision INTEGER NOT NULL,
            prev_revision INTEGER NOT NULL,
            value BLOB NOT NULL);
        CREATE INDEX IF NOT EXISTS kv_name_id ON kv (name, id);
        CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
        INSERT OR IGNORE INTO meta (key, value) VALUES ('compact_rev', 0), ('compact_done', 0), ('schema', 1);
        """;

    public const string CurrentRevision = "SELECT COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'kv'), 0)";

    public const string Revisions = """
        SELECT COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'kv'), 0),
               (SELECT value FROM meta WHERE key = 'compact_rev')
        """;

    public const string Latest = "SELECT id, create_revision, deleted, value FROM kv WHERE name = $name ORDER BY id DESC LIMIT 1";

    public const string AtRevision = "SELECT id, create_revision, deleted, value FROM kv WHERE name = $name AND id <= $rev ORDER BY id DESC LIMIT 1";

    public const string Insert = """
        INSERT INTO kv (id, name, created, deleted, create_revision, prev_revision, value)
        VALUES ($id, $name, $created, $deleted, $create, $prev, $value)
        """;
}
