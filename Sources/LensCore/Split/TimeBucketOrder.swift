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

        // 1. Distribute rows by their top bits, in row order (so ties stay in row order).
        var starts = [Int](repeating: 0, count: (1 << top) + 1)
        for i in 0..<n { starts[Int(key(i) >> UInt32(low)) + 1] += 1 }
        for b in 0..<(1 << top) { starts[b + 1] += starts[b] }
        var perm = [UInt32](repeating: 0, count: n)
        var next = starts
        perm.withUnsafeMutableBufferPointer { p in
            for i in 0..<n {
                let b = Int(key(i) >> UInt32(low))
                p[next[b]] = UInt32(truncatingIfNeeded: i)
                next[b] += 1
            }
        }
        if low == 0 { return perm }

        // 2. Sort each bucket by the remaining bits, stably: the shared radix sort (which skips the
        //    digits a bucket's keys share), or insertion for the small ones.
        perm.withUnsafeMutableBufferPointer { p in
            for b in 0..<(1 << top) {
                let s = starts[b], m = starts[b + 1] - s
                if m < 2 { continue }
                let rows = UnsafeMutableBufferPointer(rebasing: p[s..<(s + m)])
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
        return perm
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
