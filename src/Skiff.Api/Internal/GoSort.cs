namespace Skiff.Api.Internal;

/// <summary>
/// Go's <c>sort.SliceStable</c> algorithm (insertion sort on blocks of 20, then SymMerge), reproduced so that
/// upstream comparators that are not strict weak orders give the same order as upstream.
/// </summary>
internal static class GoSort
{
    public static void SliceStable<T>(IList<T> data, Func<T, T, bool> less)
    {
        bool Less(int i, int j) => less(data[i], data[j]);
        void Swap(int i, int j) => (data[i], data[j]) = (data[j], data[i]);

        void InsertionSort(int a, int b)
        {
            for (var i = a + 1; i < b; i++)
            {
                for (var j = i; j > a && Less(j, j - 1); j--)
                {
                    Swap(j, j - 1);
                }
            }
        }

        void SwapRange(int a, int b, int n)
        {
            for (var i = 0; i < n; i++)
            {
                Swap(a + i, b + i);
            }
        }

        void Rotate(int a, int m, int b)
        {
            var i = m - a;
            var j = b - m;
            while (i != j)
            {
                if (i > j)
                {
                    SwapRange(m - i, m, j);
                    i -= j;
                }
                else
                {
                    SwapRange(m - i, m + j - i, i);
                    j -= i;
                }
            }

            SwapRange(m - i, m, i);
        }

        void SymMerge(int a, int m, int b)
        {
            if (m - a == 1)
            {
                int i = m, j = b;
                while (i < j)
                {
                    var h = (int)((uint)(i + j) >> 1);
                    if (Less(h, a))
                    {
                        i = h + 1;
                    }
                    else
                    {
                        j = h;
                    }
                }

                for (var k = a; k < i - 1; k++)
                {
                    Swap(k, k + 1);
                }

                return;
            }

            if (b - m == 1)
            {
                int i = a, j = m;
                while (i < j)
                {
                    var h = (int)((uint)(i + j) >> 1);
                    if (!Less(m, h))
                    {
                        i = h + 1;
                    }
                    else
                    {
                        j = h;
                    }
                }

                for (var k = m; k > i; k--)
                {
                    Swap(k, k - 1);
                }

                return;
            }

            var mid = (int)((uint)(a + b) >> 1);
            var n = mid + m;
            int start, r;
            if (m > mid)
            {
                start = n - b;
                r = mid;
            }
            else
            {
                start = a;
                r = m;
            }

            var p = n - 1;
            while (start < r)
            {
                var c = (int)((uint)(start + r) >> 1);
                if (!Less(p - c, c))
                {
                    start = c + 1;
                }
                else
                {
                    r = c;
                }
            }

            var end = n - start;
            if (start < m && m < end)
            {
                Rotate(start, m, end);
            }

            if (a < start && start < mid)
            {
                SymMerge(a, start, mid);
            }

            if (mid < end && end < b)
            {
                SymMerge(mid, end, b);
            }
        }

        var count = data.Count;
        var blockSize = 20;
        int a0 = 0, b0 = blockSize;
        while (b0 <= count)
        {
            InsertionSort(a0, b0);
            a0 = b0;
            b0 += blockSize;
        }

        InsertionSort(a0, count);
        while (blockSize < count)
        {
            a0 = 0;
            b0 = 2 * blockSize;
            while (b0 <= count)
            {
                SymMerge(a0, a0 + blockSize, b0);
                a0 = b0;
                b0 += 2 * blockSize;
            }

            var m0 = a0 + blockSize;
            if (m0 < count)
            {
                SymMerge(a0, m0, count);
            }

            blockSize *= 2;
        }
    }
}
