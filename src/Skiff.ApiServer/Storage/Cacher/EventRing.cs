using Skiff.Storage;

namespace Skiff.ApiServer.Storage.Cacher;

/// <summary>A fixed-capacity ring of key events in revision order; adding to a full ring evicts the oldest.</summary>
internal sealed class EventRing
{
    private readonly StorageEvent[] _events;
    private int _head; // index of the oldest event
    private int _count;

    public EventRing(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _events = new StorageEvent[capacity];
    }

    public int Count => _count;

    /// <summary>The i-th retained event, oldest first.</summary>
    public StorageEvent this[int i] => _events[(_head + i) % _events.Length];

    /// <summary>Appends an event (revisions must increase); returns the evicted oldest event when the ring was full.</summary>
    public StorageEvent? Add(StorageEvent e)
    {
        if (_count < _events.Length)
        {
            _events[(_head + _count) % _events.Length] = e;
            _count++;
            return null;
        }

        var evicted = _events[_head];
        _events[_head] = e;
        _head = (_head + 1) % _events.Length;
        return evicted;
    }

    public void Clear()
    {
        Array.Clear(_events);
        _head = 0;
        _count = 0;
    }

    /// <summary>The logical index of the first event with a revision greater than <paramref name="revision"/> (Count when none).</summary>
    public int FirstAfter(long revision)
    {
        int lo = 0, hi = _count;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (this[mid].Revision <= revision)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }
}
