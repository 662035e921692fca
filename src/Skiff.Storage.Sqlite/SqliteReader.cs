using Microsoft.Data.Sqlite;

namespace Skiff.Storage.Sqlite;

/// <summary>A read connection with its prepared point-read commands; rented from the store's pool.</summary>
internal sealed class SqliteReader : IDisposable
{
    private SqliteCommand? _latest;
    private SqliteCommand? _at;
    private SqliteCommand? _revisions;

    public SqliteReader(string connectionString)
    {
        Connection = new SqliteConnection(connectionString);
        Connection.Open();
    }

    public SqliteConnection Connection { get; }

    public SqliteCommand Latest => _latest ??= Prepare(Schema.Latest, "$name");

    public SqliteCommand AtRevision => _at ??= Prepare(Schema.AtRevision, "$name", "$rev");

    public SqliteCommand Revisions => _revisions ??= Prepare(Schema.Revisions);

    /// <summary>Reads (current revision, compacted revision) inside <paramref name="tx"/>.</summary>
    public (long Current, long Compacted) ReadRevisions(SqliteTransaction? tx)
    {
        var cmd = Revisions;
        cmd.Transaction = tx;
        using var r = cmd.ExecuteReader();
        r.Read();
        return (r.GetInt64(0), r.GetInt64(1));
    }

    public void Dispose()
    {
        _latest?.Dispose();
        _at?.Dispose();
        _revisions?.Dispose();
        Connection.Dispose();
    }

    private SqliteCommand Prepare(string sql, params string[] parameters)
    {
        var cmd = Connection.CreateCommand();
        cmd.CommandText = sql;
        foreach (var p in parameters)
        {
            cmd.Parameters.Add(new SqliteParameter { ParameterName = p });
        }

        cmd.Prepare();
        return cmd;
    }
}
