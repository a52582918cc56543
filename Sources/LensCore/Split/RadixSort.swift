/// Stable LSD radix sort producing a permutation, for the two sorts of the pipeline that
/// touch every rating (dedup grouping and the temporal split). Comparison sorts of 25M
/// rows cost several seconds; this costs a few linear passes, and it skips the 11-bit
/// digits that are the same in every key (e.g. the high bits of small ids).
public enum RadixSort {
    static let digitBits = 11
    static let buckets = 1 << digitBits

    /// The permutation that orders rows by (`primary`, `secondary`), ties kept in row order.
    /// `secondary`, when given, must have the same count as `primary`.
    public static func permutation(primary: [UInt64], secondary: [UInt32]? = nil) -> [UInt32] {
        let n = primary.count
        precondition(n < Int(UInt32.max), "radix sort handles fewer than 2^32 rows")
        var perm = [UInt32](unsafeUninitializedCapacity: n) { buf, count in
            for i in 0..<n { buf[i] = UInt32(truncatingIfNeeded: i) }
            count = n
        }
        if n < 2 { return perm }
        if let secondary {
            var keys = secondary.map { UInt64($0) }
            sortCarrying(keys: &keys, perm: &perm)
            keys = [UInt64](unsafeUninitializedCapacity: n) { buf, count in
                primary.withUnsafeBufferPointer { p in
                    for i in 0..<n { buf[i] = p[Int(perm[i])] }
                }
                count = n
            }
            sortCarrying(keys: &keys, perm: &perm)
        } else {
            var keys = primary
            sortCarrying(keys: &keys, perm: &perm)
        }
        return perm
    }

    /// Sorts rows stably by 32-bit `keys` (given in the current order of `perm`), applying the
    /// moves to `perm`: half the scratch of 64-bit keys, for the split's per-column passes.
    static func sortCarrying32(keys input: consuming [UInt32], perm: inout [UInt32]) {
        var keys = input
        sortCarrying(keys: &keys, perm: &perm)
    }

    /// Sorts `keys` stably, applying the same moves to `perm`.
    static func sortCarrying<Key: FixedWidthInteger & UnsignedInteger>(keys: inout [Key], perm: inout [UInt32]) {
        let n = keys.count
        precondition(n == perm.count, "one key per row")
        var orBits: Key = 0
        var andBits: Key = ~0
        for k in keys {
            orBits |= k
            andBits &= k
        }
        let varying = orBits ^ andBits
        if varying == 0 { return }
        var keysB = [Key](repeating: 0, count: n)
        var permB = [UInt32](repeating: 0, count: n)
        var counts = [Int](repeating: 0, count: buckets)
        let mask = Key(buckets - 1)
        var shift = 0
        while shift < Key.bitWidth {
            defer { shift += digitBits }
            if (varying &>> shift) & mask == 0 { continue }
            keys.withUnsafeBufferPointer { src in
                perm.withUnsafeBufferPointer { psrc in
                    keysB.withUnsafeMutableBufferPointer { dst in
                        permB.withUnsafeMutableBufferPointer { pdst in
                            counts.withUnsafeMutableBufferPointer { c in
                                for i in 0..<buckets { c[i] = 0 }
                                for i in 0..<n { c[Int((src[i] &>> shift) & mask)] += 1 }
                                var sum = 0
                                for i in 0..<buckets {
                                    let v = c[i]
                                    c[i] = sum
                                    sum += v
                                }
                                for i in 0..<n {
                                    let k = src[i]
                                    let d = Int((k &>> shift) & mask)
                                    let at = c[d]
                                    c[d] = at + 1
                                    dst[at] = k
                                    pdst[at] = psrc[i]
                                }
                            }
                        }
                    }
                }
            }
            swap(&keys, &keysB)
            swap(&perm, &permB)
        }
    }
}
