using System.Globalization;
using System.Text;
using Skiff.Robustness.History;
using Skiff.Robustness.Model;

namespace Skiff.Robustness.Checking;

/// <summary>
/// Decides whether a concurrent history is linearizable with respect to <see cref="RevisionedStoreModel"/>: the
/// Wing &amp; Gong search with Lowe's memoization, as porcupine (github.com/anishathalye/porcupine) implements it. No
/// .NET port of porcupine exists, so this is written here from the algorithm.
/// <para>
/// Keys are independent in the model (P-compositionality): each key's sub-history is checked alone. What ties keys
/// together, the global revision order, is checked separately by <see cref="GlobalOrderChecker"/>.
/// </para>
/// <para>
/// The search walks the history's call/return events in time order. At a call it tries to linearize that operation
/// now (apply it to the model); at a return whose call is not yet linearized it backtracks. A memo of (set of
/// linearized operations, model state) prunes states already explored. An operation of unknown outcome returns at
/// infinity, so it may be linearized anywhere after its call, or never take effect (the model allows both).
/// </para>
/// </summary>
public static class LinearizabilityChecker
{
    /// <summary>The default bound on model steps per key before the verdict is <see cref="LinearizabilityVerdict.Unknown"/>.</summary>
    public const long DefaultStepBudget = 20_000_000;

    /// <summary>Checks every key of <paramref name="history"/> (lists are multi-key reads, checked against the revision log instead).</summary>
    public static IReadOnlyList<LinearizabilityResult> Check(IEnumerable<Operation> history, long stepBudget = DefaultStepBudget) =>
        [.. history.Where(o => o.Kind != OperationKind.List).GroupBy(o => o.Key).OrderBy(g => g.Key, StringComparer.Ordinal)
            .AsParallel().AsOrdered().Select(g => CheckKey(g.Key, [.. g], stepBudget))];

    /// <summary>Checks the history of one key.</summary>
    public static LinearizabilityResult CheckKey(string key, IReadOnlyList<Operation> ops, long stepBudget = DefaultStepBudget)
    {
        var head = BuildEntries(ops);
        var memo = new HashSet<Memo>();
        var stack = new Stack<(Entry Call, StateSet State)>();
        var linearized = new Bits(ops.Count);
        var state = StateSet.Initial;
        var entry = head.Next;
        long steps = 0;
        var longest = new List<Operation>();
        Entry? stuckAt = null;
        while (head.Next is not null)
        {
            if (++steps > stepBudget)
            {
                return new LinearizabilityResult(key, LinearizabilityVerdict.Unknown, ops.Count, steps, $"gave up after {stepBudget} steps");
            }

            if (entry!.IsCall)
            {
                var op = ops[entry.Index];
                var next = state.Step(s => RevisionedStoreModel.Step(s, op));
                if (!next.IsEmpty)
                {
                    var bits = linearized.With(entry.Index);
                    if (memo.Add(new Memo(bits, next)))
                    {
                        stack.Push((entry, state));
                        state = next;
                        linearized = bits;
                        entry.Lift();
                        if (stack.Count > longest.Count)
                        {
                            longest = [.. stack.Reverse().Select(c => ops[c.Call.Index])];
                            stuckAt = null;
                        }

                        entry = head.Next;
                        continue;
                    }
                }

                entry = entry.Next;
            }
            else
            {
                if (stack.Count == longest.Count)
                {
                    stuckAt ??= entry;
                }

                if (stack.Count == 0)
                {
                    return new LinearizabilityResult(key, LinearizabilityVerdict.Illegal, ops.Count, steps, Explain(ops, longest, stuckAt));
                }

                var (call, previous) = stack.Pop();
                state = previous;
                linearized = linearized.Without(call.Index);
                call.Unlift();
                entry = call.Next;
            }
        }

        return new LinearizabilityResult(key, LinearizabilityVerdict.Ok, ops.Count, steps, null);
    }

    private static string Explain(IReadOnlyList<Operation> ops, List<Operation> longest, Entry? stuckAt)
    {
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"no linearization of {ops.Count} operations; the longest linearizable prefix has {longest.Count}:");
        var state = StateSet.Initial;
        foreach (var op in longest.TakeLast(12))
        {
            sb.Append("\n    ").Append(op);
        }

        foreach (var op in longest)
        {
            state = state.Step(s => RevisionedStoreModel.Step(s, op));
        }

        sb.Append("\n  state after it: ").Append(state);
        if (stuckAt is not null)
        {
            sb.Append("\n  and this operation returned before it could be linearized: ").Append(ops[stuckAt.Index]);
        }

        return sb.ToString();
    }

    private static Entry BuildEntries(IReadOnlyList<Operation> ops)
    {
        var entries = new List<Entry>(ops.Count * 2);
        for (var i = 0; i < ops.Count; i++)
        {
            var call = new Entry(true, i, ops[i].CallTicks);
            var ret = new Entry(false, i, ops[i].ReturnTicks ?? long.MaxValue);
            call.Match = ret;
            entries.Add(call);
            entries.Add(ret);
        }

        // Calls before returns at equal times: such operations count as concurrent, the permissive reading.
        entries.Sort((a, b) => a.Time != b.Time ? a.Time.CompareTo(b.Time) : a.IsCall != b.IsCall ? (a.IsCall ? -1 : 1) : a.Index.CompareTo(b.Index));
        var head = new Entry(true, -1, long.MinValue);
        var prev = head;
        foreach (var e in entries)
        {
            prev.Next = e;
            e.Prev = prev;
            prev = e;
        }

        return head;
    }

    /// <summary>A call or return event in the doubly linked list the search lifts operations out of.</summary>
    private sealed class Entry(bool isCall, int index, long time)
    {
        public bool IsCall { get; } = isCall;

        public int Index { get; } = index;

        public long Time { get; } = time;

        public Entry? Match { get; set; }

        public Entry? Prev { get; set; }

        public Entry? Next { get; set; }

        /// <summary>Removes this call and its return from the list.</summary>
        public void Lift()
        {
            Prev!.Next = Next;
            Next!.Prev = Prev;
            var match = Match!;
            match.Prev!.Next = match.Next;
            if (match.Next is not null)
            {
                match.Next.Prev = match.Prev;
            }
        }

        /// <summary>Puts this call and its return back where they were (undoes <see cref="Lift"/>, in reverse order).</summary>
        public void Unlift()
        {
            var match = Match!;
            match.Prev!.Next = match;
            if (match.Next is not null)
            {
                match.Next.Prev = match;
            }

            Prev!.Next = this;
            Next!.Prev = this;
        }
    }

    /// <summary>An immutable bit set of linearized operations.</summary>
    private readonly struct Bits : IEquatable<Bits>
    {
        private readonly ulong[] _words;

        public Bits(int count) => _words = new ulong[(count + 63) / 64];

        private Bits(ulong[] words) => _words = words;

        public Bits With(int i)
        {
            var words = (ulong[])_words.Clone();
            words[i / 64] |= 1UL << (i % 64);
            return new Bits(words);
        }

        public Bits Without(int i)
        {
            var words = (ulong[])_words.Clone();
            words[i / 64] &= ~(1UL << (i % 64));
            return new Bits(words);
        }

        public bool Equals(Bits other) => _words.AsSpan().SequenceEqual(other._words);

        public override bool Equals(object? obj) => obj is Bits b && Equals(b);

        public override int GetHashCode()
        {
            var hash = new HashCode();
            foreach (var w in _words)
            {
                hash.Add(w);
            }

            return hash.ToHashCode();
        }
    }

    private readonly record struct Memo(Bits Linearized, StateSet State);
}
