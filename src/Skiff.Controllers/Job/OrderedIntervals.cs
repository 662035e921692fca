using System.Globalization;
using System.Text;

namespace Skiff.Controllers.Job;

/// <summary>
/// A set of completion indexes as sorted, disjoint, non-adjacent closed intervals (upstream's <c>orderedIntervals</c>
/// in <c>indexed_job_utils.go</c>), written as in <c>status.completedIndexes</c>: <c>"1,3-5,7"</c>, where two adjacent
/// indexes print as <c>"3,4"</c>. Immutable.
/// </summary>
internal sealed class OrderedIntervals
{
    /// <summary>No index.</summary>
    public static readonly OrderedIntervals Empty = new([]);

    private readonly List<(int First, int Last)> _intervals;

    private OrderedIntervals(List<(int First, int Last)> intervals)
    {
        _intervals = intervals;
    }

    /// <summary>The intervals, in order.</summary>
    public IReadOnlyList<(int First, int Last)> Intervals => _intervals;

    /// <summary>How many indexes the set holds.</summary>
    public int Total => _intervals.Sum(i => i.Last - i.First + 1);

    /// <summary>Whether <paramref name="index"/> is in the set (a binary search).</summary>
    public bool Has(int index)
    {
        int lo = 0, hi = _intervals.Count;
        while (hi > lo)
        {
            var mid = lo + ((hi - lo) / 2);
            if (_intervals[mid].Last >= index)
            {
                hi = mid;
            }
            else
            {
                lo = mid + 1;
            }
        }

        return hi != _intervals.Count && _intervals[hi].First <= index;
    }

    /// <summary>
    /// Upstream's <c>parseIndexesFromString</c>: the indexes below <paramref name="completions"/> named by
    /// <paramref name="text"/>; unparsable intervals are skipped, the list is cut at the first index out of range.
    /// </summary>
    public static OrderedIntervals Parse(string? text, int completions)
    {
        if (string.IsNullOrEmpty(text))
        {
            return Empty;
        }

        var result = new List<(int First, int Last)>();
        foreach (var part in text.Split(','))
        {
            var limits = part.Split('-');
            if (!int.TryParse(limits[0], NumberStyles.None, CultureInfo.InvariantCulture, out var first))
            {
                continue;
            }

            if (first >= completions)
            {
                break;
            }

            var last = first;
            if (limits.Length > 1)
            {
                if (!int.TryParse(limits[1], NumberStyles.None, CultureInfo.InvariantCulture, out last))
                {
                    continue;
                }

                last = Math.Min(last, completions - 1);
            }

            if (result.Count > 0 && result[^1].Last == first - 1)
            {
                result[^1] = (result[^1].First, last);
            }
            else
            {
                result.Add((first, last));
            }
        }

        return new OrderedIntervals(result);
    }

    /// <summary>The set plus <paramref name="sortedIndexes"/> (given in increasing order).</summary>
    public OrderedIntervals WithOrderedIndexes(IEnumerable<int> sortedIndexes) =>
        Merge(new OrderedIntervals([.. sortedIndexes.Select(i => (i, i))]));

    /// <summary>The union of both sets.</summary>
    public OrderedIntervals Merge(OrderedIntervals other)
    {
        var result = new List<(int First, int Last)>(_intervals.Count + other._intervals.Count);
        void Append((int First, int Last) next)
        {
            if (result.Count == 0 || next.First > result[^1].Last + 1)
            {
                result.Add(next);
            }
            else if (result[^1].Last < next.Last)
            {
                result[^1] = (result[^1].First, next.Last);
            }
        }

        int i = 0, j = 0;
        while (i < _intervals.Count && j < other._intervals.Count)
        {
            Append(_intervals[i].First < other._intervals[j].First ? _intervals[i++] : other._intervals[j++]);
        }

        while (i < _intervals.Count)
        {
            Append(_intervals[i++]);
        }

        while (j < other._intervals.Count)
        {
            Append(other._intervals[j++]);
        }

        return new OrderedIntervals(result);
    }

    /// <summary>The <c>"1,3-5"</c> form (empty string for no index).</summary>
    public override string ToString()
    {
        var b = new StringBuilder();
        foreach (var (first, last) in _intervals)
        {
            if (b.Length > 0)
            {
                b.Append(',');
            }

            b.Append(first.ToString(CultureInfo.InvariantCulture));
            if (last > first)
            {
                b.Append(last == first + 1 ? ',' : '-').Append(last.ToString(CultureInfo.InvariantCulture));
            }
        }

        return b.ToString();
    }
}
