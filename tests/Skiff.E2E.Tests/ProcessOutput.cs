using System.Text;

namespace Skiff.E2E.Tests;

/// <summary>The lines a child process wrote to one of its streams, collected as they arrive (thread-safe).</summary>
public sealed class ProcessOutput
{
    private readonly StringBuilder _text = new();
    private readonly List<(Func<string, bool> Match, TaskCompletionSource<string> Seen)> _waiters = [];

    /// <summary>Everything so far, one line per line.</summary>
    public string Text
    {
        get
        {
            lock (_text)
            {
                return _text.ToString();
            }
        }
    }

    /// <summary>Appends a line (null: the stream ended).</summary>
    public void Add(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_text)
        {
            _text.AppendLine(line);
            foreach (var w in _waiters.Where(w => w.Match(line)).ToList())
            {
                w.Seen.TrySetResult(line);
                _waiters.Remove(w);
            }
        }
    }

    /// <summary>Completes with the first line (already written or still to come) that <paramref name="match"/> accepts.</summary>
    public Task<string> WaitForLineAsync(Func<string, bool> match)
    {
        lock (_text)
        {
            var existing = _text.ToString().Split(Environment.NewLine).FirstOrDefault(match);
            if (existing is not null)
            {
                return Task.FromResult(existing);
            }

            var tcs = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((match, tcs));
            return tcs.Task;
        }
    }
}
