// Decoding of the RLE / bit-packing hybrid (Encodings.md, "RLE = 3"): repetition and definition
// levels, dictionary indices and RLE booleans; and of PLAIN bit-packed booleans.
//
// Inputs always live in the reader's padded buffers (`ReaderBuffer`): at least
// `ReaderBuffer.padding` readable bytes follow the logical end of any input, so bit-unpacking
// can load 8 bytes at a time without a bounds check per value. Every run is checked against the
// input's length before it is decoded.

/// Decodes exactly `count` hybrid-encoded values of `bitWidth` bits from `p[0..<length]` into
/// `out`. Values of the last bit-packed run past `count` (padding) are ignored. Returns the number
/// of input bytes consumed. Throws when the input ends before `count` values or `bitWidth` is
/// outside 0...32.
@inline(__always)
func decodeHybrid<T: FixedWidthInteger & UnsignedInteger>(
    _ p: UnsafeRawPointer, length: Int, bitWidth: Int, count: Int, into out: UnsafeMutablePointer<T>
) throws -> Int {
    guard bitWidth >= 0 && bitWidth <= 32 && bitWidth <= T.bitWidth else {
        throw DecodeFailure("RLE/bit-packed data declares a bit width of \(bitWidth)")
    }
    if count == 0 { return 0 }
    if bitWidth == 0 {
        // Every value is 0; writers may store nothing at all.
        out.initialize(repeating: 0, count: count)
        return 0
    }
    let byteWidth = (bitWidth + 7) >> 3
    let mask: UInt64 = (1 << UInt64(bitWidth)) &- 1
    var pos = 0
    var done = 0
    while done < count {
        // Run header: unsigned LEB128.
        var header: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard pos < length else {
                throw DecodeFailure("RLE/bit-packed data ends after \(done) of \(count) values")
            }
            let b = p.load(fromByteOffset: pos, as: UInt8.self)
            pos &+= 1
            header |= UInt64(b & 0x7F) << shift
            if b & 0x80 == 0 { break }
            shift &+= 7
            if shift > 56 { throw DecodeFailure("an RLE/bit-packed run header is too long") }
        }
        let want = count &- done
        if header & 1 == 0 {
            // RLE run: (header >> 1) copies of a byteWidth-byte little-endian value.
            let runLength = header >> 1
            guard runLength > 0 else { throw DecodeFailure("an RLE run has length 0") }
            guard pos &+ byteWidth <= length else { throw DecodeFailure("RLE data ends inside a run value") }
            var v: UInt64 = 0
            for k in 0..<byteWidth {
                v |= UInt64(p.load(fromByteOffset: pos &+ k, as: UInt8.self)) << UInt64(8 &* k)
            }
            pos &+= byteWidth
            guard v <= mask else { throw DecodeFailure("an RLE run value \(v) does not fit \(bitWidth) bits") }
            let n = runLength < UInt64(want) ? Int(runLength) : want
            (out + done).initialize(repeating: T(truncatingIfNeeded: v), count: n)
            done &+= n
        } else {
            // Bit-packed run: (header >> 1) groups of 8 values, LSB first.
            let groups = header >> 1
            guard groups > 0, groups <= UInt64(length) else {
                throw DecodeFailure("a bit-packed run claims \(groups) groups")
            }
            let runBytes = Int(groups) &* bitWidth
            guard pos &+ runBytes <= length else {
                throw DecodeFailure("a bit-packed run of \(groups) groups needs \(runBytes) bytes but only \(length - pos) remain")
            }
            let runValues = Int(groups) &* 8
            let n = runValues < want ? runValues : want
            let src = p + pos
            let dst = out + done
            var bit = 0
            for i in 0..<n {
                // The padding after the input makes this 8-byte load safe.
                let word = UInt64(littleEndian: src.loadUnaligned(fromByteOffset: bit &>> 3, as: UInt64.self))
                dst[i] = T(truncatingIfNeeded: (word &>> UInt64(bit & 7)) & mask)
                bit &+= bitWidth
            }
            pos &+= runBytes
            done &+= n
        }
    }
    return pos
}

/// Unpacks `count` PLAIN booleans (bit-packed LSB first) from `p[0..<length]`; returns bytes consumed.
@inline(__always)
func unpackBools(_ p: UnsafeRawPointer, length: Int, count: Int, into out: UnsafeMutablePointer<Bool>) throws -> Int {
    let bytes = (count &+ 7) >> 3
    guard bytes <= length else {
        throw DecodeFailure("PLAIN booleans need \(bytes) bytes for \(count) values but only \(length) remain")
    }
    for i in 0..<count {
        let b = p.load(fromByteOffset: i &>> 3, as: UInt8.self)
        out[i] = (b &>> UInt8(i & 7)) & 1 != 0
    }
    return bytes
}

/// Largest value of `p[0..<n]` (0 when empty): one vectorizable pass to validate decoded levels
/// and dictionary indices.
@inline(__always)
func maxValue<T: FixedWidthInteger & UnsignedInteger>(_ p: UnsafePointer<T>, count n: Int) -> T {
    var m: T = 0
    for i in 0..<n { m = Swift.max(m, p[i]) }
    return m
}
