/// The split's sort of rows already in (userId, movieId) order, as GroupLens writes ratings.csv:
/// a stable order by time alone (ties keep the row order, which is the (userId, movieId) order),
/// holding nothing but the resulting permutation, a histogram and a scratch buffer the size of
/// the largest bucket. The LSD radix sort it replaces needed a key column and a second key and
/// permutation column besides (400 MB more at 25M ratings, the peak of the whole run).
enum TimeBucketOrder {
    /// Top-level buckets: the times' top bits, at most 2^12 of them (few enough write streams
    /// for the scatter to stay in cache).
    static let topBits = 12

    /// The stable permutation ordering `times` (epoch seconds, all in `minTime...minTime + 2^32 - 1`).
    static func permutation(_ times: UnsafeBufferPointer<Int64>, minTime: Int64, maxTime: Int64) -> [UInt32] {
        let n = times.count
        precondition(n < Int(Int32.max), "the split handles fewer than 2^31 rows")
        precondition(maxTime - minTime < Int64(UInt32.max), "times span less than 2^32 seconds")
        let range = UInt32(truncatingIfNeeded: maxTime - minTime)
        let bits = range == 0 ? 0 : UInt32.bitWidth - range.leadingZeroBitCount
        let top = min(bits, topBits)
        let low = bits - top
        let lowMask: UInt32 = low == 0 ? 0 : UInt32.max >> UInt32(32 - low)
        @inline(__always) func key(_ i: Int) -> UInt32 { UInt32(truncatingIfNeeded: times[i] &- minTime) }

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

        // 2. Sort each bucket by the remaining bits, stably, in cache-sized scratch.
        var largest = 0
        for b in 0..<(1 << top) { largest = max(largest, starts[b + 1] - starts[b]) }
        var keys = [UInt32](repeating: 0, count: largest)
        var keysB = [UInt32](repeating: 0, count: largest)
        var rowsB = [UInt32](repeating: 0, count: largest)
        let digit = low > 11 ? (low + 1) / 2 : low  // one pass, or two of at most 10 bits
        var counts = [Int](repeating: 0, count: 1 << digit)
        perm.withUnsafeMutableBufferPointer { p in
            keys.withUnsafeMutableBufferPointer { k in
                keysB.withUnsafeMutableBufferPointer { kb in
                    rowsB.withUnsafeMutableBufferPointer { rb in
                        counts.withUnsafeMutableBufferPointer { c in
                            for b in 0..<(1 << top) {
                                let s = starts[b], m = starts[b + 1] - s
                                if m < 2 { continue }
                                let rows = UnsafeMutableBufferPointer(rebasing: p[s..<(s + m)])
                                for j in 0..<m { k[j] = key(Int(rows[j])) & lowMask }
                                if m <= 32 {
                                    insertionSort(keys: k, rows: rows, count: m)
                                } else {
                                    lsd(keys: k, rows: rows, count: m, bits: low, digit: digit,
                                        keysB: kb, rowsB: rb, counts: c)
                                }
                            }
                        }
                    }
                }
            }
        }
        return perm
    }

    /// Stable insertion sort of `rows` by `keys` (the first `count` of each).
    @inline(__always)
    static func insertionSort(keys k: UnsafeMutableBufferPointer<UInt32>, rows: UnsafeMutableBufferPointer<UInt32>, count m: Int) {
        for j in 1..<m {
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

    /// Stable LSD radix sort of `rows` by `keys` (`bits` wide), `digit` bits per pass.
    static func lsd(keys k: UnsafeMutableBufferPointer<UInt32>, rows: UnsafeMutableBufferPointer<UInt32>, count m: Int,
                    bits: Int, digit: Int, keysB kb: UnsafeMutableBufferPointer<UInt32>,
                    rowsB rb: UnsafeMutableBufferPointer<UInt32>, counts c: UnsafeMutableBufferPointer<Int>) {
        let mask = UInt32((1 << digit) - 1)
        var shift = 0
        while shift < bits {
            for d in 0..<(1 << digit) { c[d] = 0 }
            for j in 0..<m { c[Int((k[j] >> UInt32(shift)) & mask)] += 1 }
            var sum = 0
            for d in 0..<(1 << digit) {
                let v = c[d]
                c[d] = sum
                sum += v
            }
            for j in 0..<m {
                let d = Int((k[j] >> UInt32(shift)) & mask)
                kb[c[d]] = k[j]
                rb[c[d]] = rows[j]
                c[d] += 1
            }
            for j in 0..<m {
                k[j] = kb[j]
                rows[j] = rb[j]
            }
            shift += digit
        }
    }
}
