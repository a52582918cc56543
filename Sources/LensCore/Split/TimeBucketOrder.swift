import Dispatch

/// The split's sort of rows already in (userId, movieId) order, as GroupLens writes ratings.csv:
/// a stable order by time alone (ties keep the row order, which is the (userId, movieId) order),
/// holding nothing but the resulting permutation, a histogram and the scratch of one bucket. The
/// LSD radix sort it replaces needed a key column and a second key and permutation column besides
/// (400 MB more at 25M ratings, the peak of the whole run).
enum TimeBucketOrder {
    /// Top-level buckets: the times' top bits, at most 2^12 of them (few enough write streams
    /// for the scatter to stay in cache).
    static let topBits = 12

    /// The stable permutation ordering `times` (32-bit times, all in `span`).
    static func permutation(_ times: UnsafeBufferPointer<UInt32>, span: ClosedRange<UInt32>) -> [UInt32] {
        let n = times.count
        precondition(n < Int(Int32.max), "the split handles fewer than 2^31 rows")
        let minTime = span.lowerBound
        let range = span.upperBound - span.lowerBound
        let bits = range == 0 ? 0 : UInt32.bitWidth - range.leadingZeroBitCount
        let top = min(bits, topBits)
        let low = bits - top
        let lowMask: UInt32 = low == 0 ? 0 : UInt32.max >> UInt32(32 - low)
        @inline(__always) func key(_ i: Int) -> UInt32 { times[i] &- minTime }

        // 1. Distribute rows by their top bits, in row order (so ties stay in row order). Each
        //    half of the rows is counted and scattered by its own thread: in every bucket the
        //    first half's rows go before the second half's, which keeps the order stable.
        let buckets = 1 << top
        let halves = n < 1 << 16 ? 1 : 2
        let bounds = [0, halves == 1 ? n : n / 2, n]
        var counts = [[Int]](repeating: [Int](repeating: 0, count: buckets), count: halves)
        counts.withUnsafeMutableBufferPointer { c in
            let perHalf = c
            concurrently(halves) { h in
                perHalf[h].withUnsafeMutableBufferPointer { cnt in
                    for i in bounds[h]..<bounds[h + 1] { cnt[Int(key(i) >> UInt32(low))] += 1 }
                }
            }
        }
        var starts = [Int](repeating: 0, count: buckets + 1)
        var next = [[Int]](repeating: [], count: halves)
        for h in 0..<halves { next[h] = [Int](repeating: 0, count: buckets) }
        for b in 0..<buckets {
            var at = starts[b]
            for h in 0..<halves {
                next[h][b] = at
                at += counts[h][b]
            }
            starts[b + 1] = at
        }
        var perm = [UInt32](repeating: 0, count: n)
        perm.withUnsafeMutableBufferPointer { p in
            next.withUnsafeMutableBufferPointer { nx in
                let (out, cursors) = (p, nx)
                concurrently(halves) { h in
                    cursors[h].withUnsafeMutableBufferPointer { cur in
                        for i in bounds[h]..<bounds[h + 1] {
                            let b = Int(key(i) >> UInt32(low))
                            out[cur[b]] = UInt32(truncatingIfNeeded: i)
                            cur[b] += 1
                        }
                    }
                }
            }
        }
        if low == 0 { return perm }

        // 2. Sort each bucket by the remaining bits, stably: the shared radix sort (which skips the
        //    digits a bucket's keys share), or insertion for the small ones. Two threads take the
        //    buckets below and above the middle row.
        var middle = 0
        while middle < buckets && starts[middle + 1] <= n / 2 { middle += 1 }
        let bucketRanges = halves == 1 ? [0..<buckets] : [0..<middle, middle..<buckets]
        perm.withUnsafeMutableBufferPointer { p in
            let rowsOut = p
            concurrently(bucketRanges.count) { part in
                for b in bucketRanges[part] {
                    let s = starts[b], m = starts[b + 1] - s
                    if m < 2 { continue }
                    let rows = UnsafeMutableBufferPointer(rebasing: rowsOut[s..<(s + m)])
                    var keys = rows.map { key(Int($0)) & lowMask }
                    var sorted = Array(rows)
                    if m <= 32 {
                        insertionSort(keys: &keys, rows: &sorted)
                    } else {
                        RadixSort.sortCarrying(keys: &keys, perm: &sorted)
                    }
                    _ = rows.update(fromContentsOf: sorted)
                }
            }
        }
        return perm
    }

    /// Runs `body(0..<count)` on `count` threads at once (inline for one); each call sorts its own
    /// buckets (see `forkJoin`).
    @inline(__always)
    static func concurrently(_ count: Int, _ body: (Int) -> Void) {
        forkJoin(count, body)
    }

    /// Stable insertion sort of `rows` by `keys`.
    @inline(__always)
    static func insertionSort(keys k: inout [UInt32], rows: inout [UInt32]) {
        for j in 1..<k.count {
            let kj = k[j], rj = rows[j]
            var i = j
            while i > 0 && k[i - 1] > kj {
                k[i] = k[i - 1]
                rows[i] = rows[i - 1]
                i -= 1
            }
            k[i] = kj
            rows[i] = rj
        }
    }
}
