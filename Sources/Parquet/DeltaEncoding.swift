// The DELTA_BINARY_PACKED (Encodings.md, "Delta Encoding", id 5) and BYTE_STREAM_SPLIT (id 9)
// value encodings of the writer.
//
// DELTA_BINARY_PACKED: a header <block size> <miniblocks per block> <value count> <first value>
// (ULEB128, the first value zigzag ULEB128), then blocks of 128 deltas: <min delta> (zigzag
// ULEB128), one bit-width byte per miniblock, and the miniblocks (32 values each) of
// `delta - min delta` bit-packed LSB first. Deltas wrap in the physical type's width (32 or 64
// bits), as the spec asks. Sorted or near-sorted integers (timestamps, ids in key order, line
// numbers) shrink to a few bits per value.
//
// BYTE_STREAM_SPLIT: byte k of every value goes to stream k; the streams follow one another.
// It gives zstd runs of similar bytes (exponents, high mantissa bytes) of floats.

/// Values per block and miniblocks per block (the spec's recommended sizes).
let deltaBlockSize = 128
let deltaMiniblocks = 4
let deltaMiniblockSize = deltaBlockSize / deltaMiniblocks

/// Appends the DELTA_BINARY_PACKED encoding of `values[0..<n]`. With `width32`, the values are
/// INT32 (sign-extended in the buffer) and deltas wrap at 32 bits.
func encodeDeltaBinaryPacked(_ values: UnsafePointer<Int64>, count n: Int, width32: Bool, into out: ByteBuffer) {
    out.appendVarint(UInt64(deltaBlockSize))
    out.appendVarint(UInt64(deltaMiniblocks))
    out.appendVarint(UInt64(n))
    out.appendVarint(zigzag64(n > 0 ? values[0] : 0))
    if n <= 1 { return }
    // Worst case per block: min delta (10) + widths (4) + 128 values of 64 bits.
    var deltas = [UInt64](repeating: 0, count: deltaBlockSize)
    var i = 1
    while i < n {
        let count = min(deltaBlockSize, n &- i)
        out.reserve(14 &+ deltaBlockSize &* 8)
        var minDelta = Int64.max
        // Deltas of the block, wrapped to the physical width.
        for k in 0..<count {
            let d: Int64
            if width32 {
                d = Int64(Int32(truncatingIfNeeded: values[i &+ k]) &- Int32(truncatingIfNeeded: values[i &+ k &- 1]))
            } else {
                d = values[i &+ k] &- values[i &+ k &- 1]
            }
            deltas[k] = UInt64(bitPattern: d)
            if d < minDelta { minDelta = d }
        }
        out.appendVarint(zigzag64(minDelta))
        // delta - minDelta, unsigned in the physical width.
        for k in 0..<count {
            let d = Int64(bitPattern: deltas[k])
            deltas[k] = width32
                ? UInt64(UInt32(bitPattern: Int32(truncatingIfNeeded: d) &- Int32(truncatingIfNeeded: minDelta)))
                : UInt64(bitPattern: d &- minDelta)
        }
        let used = (count &+ deltaMiniblockSize &- 1) / deltaMiniblockSize
        var widths = [Int](repeating: 0, count: deltaMiniblocks)
        for m in 0..<used {
            var orBits: UInt64 = 0
            let lo = m &* deltaMiniblockSize
            for k in lo..<min(count, lo &+ deltaMiniblockSize) { orBits |= deltas[k] }
            widths[m] = bitWidth(forMaxValue: orBits)
        }
        // Unused miniblocks of the last block get width 0 and no bytes.
        for m in 0..<deltaMiniblocks { out.append(UInt8(widths[m])) }
        for m in 0..<used {
            let lo = m &* deltaMiniblockSize
            // The last miniblock is padded with zeros to a full miniblock.
            for k in count..<max(count, lo &+ deltaMiniblockSize) { deltas[k] = 0 }
            deltas.withUnsafeBufferPointer { d in
                packBits(d.baseAddress! + lo, count: deltaMiniblockSize, bitWidth: widths[m], into: out)
            }
        }
        i &+= count
    }
}

/// Bit-packs `count` values (a multiple of 32) of `bitWidth` bits, LSB first.
@inline(__always)
private func packBits(_ v: UnsafePointer<UInt64>, count: Int, bitWidth b: Int, into out: ByteBuffer) {
    if b == 0 { return }
    out.reserve(count &* 8)
    var acc: UInt64 = 0
    var bits = 0
    for k in 0..<count {
        let x = v[k]
        acc |= x << UInt64(bits)
        if bits &+ b >= 64 {
            out.appendLE64(acc)
            let consumed = 64 &- bits
            acc = consumed >= 64 ? 0 : x >> UInt64(consumed)
            bits = bits &+ b &- 64
        } else {
            bits &+= b
        }
    }
    // count * b is a multiple of 32: at most 4 bytes remain.
    var rest = bits / 8
    while rest > 0 {
        out.append(UInt8(truncatingIfNeeded: acc))
        acc >>= 8
        rest &-= 1
    }
}

/// Appends the BYTE_STREAM_SPLIT encoding of `n` physical bit patterns of `width` bytes.
func encodeByteStreamSplit(_ bits: UnsafePointer<UInt64>, count n: Int, width: Int, into out: ByteBuffer) {
    let total = n &* width
    out.reserve(total)
    let p = out.tail
    for k in 0..<width {
        let stream = p + k &* n
        let shift = UInt64(k &* 8)
        for i in 0..<n {
            stream.storeBytes(of: UInt8(truncatingIfNeeded: bits[i] >> shift), toByteOffset: i, as: UInt8.self)
        }
    }
    out.count &+= total
}
