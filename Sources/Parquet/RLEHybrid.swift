// The RLE / bit-packing hybrid encoding (Encodings.md, "RLE = 3"), used for definition and
// repetition levels and for dictionary indices, and the bit-packing of PLAIN booleans.

/// Number of bits needed to represent `maxValue` (0 for 0).
@inline(__always)
func bitWidth(forMaxValue maxValue: UInt64) -> Int {
    maxValue == 0 ? 0 : 64 - maxValue.leadingZeroBitCount
}

/// Worst-case size in bytes of `encodeHybrid` output for `n` values of `bitWidth` bits.
@inline(__always)
func hybridWorstCase(count n: Int, bitWidth: Int) -> Int {
    // Bit-packed data for every value (groups padded to 8), plus a header and a repeated value
    // for every possible run boundary.
    ((n + 7) / 8) * bitWidth + (n / 8 + 2) * 10 + 16
}

/// Appends the RLE/bit-packed hybrid encoding of `values[0..<n]` (no length prefix).
///
/// Runs of 8 or more equal values become RLE runs; everything else is bit-packed in groups of 8.
/// Only the very last bit-packed group may be padded (with zeros), as the spec requires.
@inline(__always)
func encodeHybrid<T: FixedWidthInteger & UnsignedInteger>(
    _ values: UnsafePointer<T>, count n: Int, bitWidth: Int, into out: ByteBuffer
) {
    if n == 0 { return }
    out.reserve(hybridWorstCase(count: n, bitWidth: bitWidth))
    let start = out.tail
    var p = start
    let byteWidth = (bitWidth + 7) / 8
    var i = 0
    while i < n {
        let x = values[i]
        var j = i &+ 1
        while j < n && values[j] == x { j &+= 1 }
        if j &- i >= 8 {
            // RLE run: header = run length << 1, then the value in byteWidth little-endian bytes.
            p = storeVarint(UInt64(j &- i) << 1, at: p)
            var v = UInt64(x)
            for _ in 0..<byteWidth {
                p.storeBytes(of: UInt8(truncatingIfNeeded: v), as: UInt8.self)
                p += 1
                v >>= 8
            }
            i = j
            continue
        }
        // Bit-packed run: whole groups of 8 until a group starts a run of >= 8 equal values.
        var end = i &+ 8
        while end < n {
            if end &+ 8 <= n {
                let y = values[end]
                var k = 1
                while k < 8 && values[end &+ k] == y { k &+= 1 }
                if k == 8 { break }
            }
            end &+= 8
        }
        let groups = (min(end, n) &- i &+ 7) / 8
        p = storeVarint(UInt64(groups) << 1 | 1, at: p)
        p = bitPackGroups(values + i, available: n &- i, groups: groups, bitWidth: bitWidth, at: p)
        i = min(end, n)
    }
    out.count &+= p - start
}

/// Bit-packs `groups * 8` values (LSB first) starting at `values`; values past `available`
/// are written as zeros. Fills a 64-bit accumulator and stores it 8 bytes at a time.
@inline(__always)
func bitPackGroups<T: FixedWidthInteger & UnsignedInteger>(
    _ values: UnsafePointer<T>, available: Int, groups: Int, bitWidth: Int,
    at dst: UnsafeMutableRawPointer
) -> UnsafeMutableRawPointer {
    var p = dst
    var acc: UInt64 = 0
    var bits = 0
    let w = bitWidth
    let total = groups &* 8
    let full = min(total, available)
    @inline(__always)
    func put(_ v: UInt64) {
        acc |= v << UInt64(bits)
        bits &+= w
        if bits >= 64 {
            p.storeBytes(of: acc.littleEndian, as: UInt64.self)
            p += 8
            bits &-= 64
            acc = bits > 0 ? v >> UInt64(w &- bits) : 0
        }
    }
    for k in 0..<full { put(UInt64(values[k])) }
    for _ in full..<total { put(0) }
    // groups * 8 * w bits is a whole number of bytes.
    while bits > 0 {
        p.storeBytes(of: UInt8(truncatingIfNeeded: acc), as: UInt8.self)
        p += 1
        acc >>= 8
        bits &-= 8
    }
    return p
}

/// Appends a run of `n` copies of `value` in hybrid encoding (no length prefix).
func encodeHybridConstant(_ value: UInt64, count n: Int, bitWidth: Int, into out: ByteBuffer) {
    if n == 0 { return }
    out.appendVarint(UInt64(n) << 1)
    var v = value
    for _ in 0..<((bitWidth + 7) / 8) {
        out.append(UInt8(truncatingIfNeeded: v))
        v >>= 8
    }
}

/// Appends booleans bit-packed LSB first (PLAIN encoding of BOOLEAN), no header.
/// `pending`/`pendingBits` carry a partial byte across calls; call `flushBoolBits` at the end.
@inline(__always)
func packBools(
    _ values: UnsafePointer<Bool>, count n: Int, into out: ByteBuffer,
    pending: inout UInt8, pendingBits: inout Int
) {
    out.reserve(n / 8 + 2)
    var p = out.tail
    let start = p
    var acc = pending
    var bits = pendingBits
    let raw = UnsafeRawPointer(values)
    for k in 0..<n {
        let b = raw.load(fromByteOffset: k, as: UInt8.self) & 1
        acc |= b << UInt8(bits)
        bits &+= 1
        if bits == 8 {
            p.storeBytes(of: acc, as: UInt8.self)
            p += 1
            acc = 0
            bits = 0
        }
    }
    pending = acc
    pendingBits = bits
    out.count &+= p - start
}

func flushBoolBits(into out: ByteBuffer, pending: inout UInt8, pendingBits: inout Int) {
    if pendingBits > 0 {
        out.append(pending)
        pending = 0
        pendingBits = 0
    }
}
