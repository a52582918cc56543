// Reader side of DELTA_BINARY_PACKED (Encodings.md, id 5) and BYTE_STREAM_SPLIT (id 9).
// Any block size (a multiple of 128) and miniblock count a writer chose is accepted; every
// length is checked against the page before it is read.

/// Reads one ULEB128 varint from `p[pos..<length]`.
@inline(__always)
private func readULEB128(_ p: UnsafeRawPointer, length: Int, pos: inout Int) throws -> UInt64 {
    var result: UInt64 = 0
    var shift: UInt64 = 0
    while true {
        guard pos < length else { throw DecodeFailure("a DELTA_BINARY_PACKED varint runs past the end of the page") }
        let b = p.load(fromByteOffset: pos, as: UInt8.self)
        pos &+= 1
        guard shift < 64 else { throw DecodeFailure("a DELTA_BINARY_PACKED varint is longer than 10 bytes") }
        result |= UInt64(b & 0x7F) << shift
        if b & 0x80 == 0 { return result }
        shift &+= 7
    }
}

@inline(__always)
private func unzigzag(_ u: UInt64) -> Int64 {
    Int64(bitPattern: u >> 1) ^ -Int64(bitPattern: u & 1)
}

/// Reads `width` bits (0...64) at bit offset `bit` of `p[0..<length]`, LSB first; the caller has
/// checked that they lie within the buffer.
@inline(__always)
private func readBits(_ p: UnsafeRawPointer, length: Int, bit: Int, width: Int) -> UInt64 {
    let byte = bit >> 3
    let shift = UInt64(bit & 7)
    if byte &+ 8 <= length {
        var v = UInt64(littleEndian: p.loadUnaligned(fromByteOffset: byte, as: UInt64.self)) >> shift
        let got = 64 &- Int(shift)
        if width > got {
            v |= UInt64(p.load(fromByteOffset: byte &+ 8, as: UInt8.self)) << UInt64(got)
        }
        return width == 64 ? v : v & ((1 << UInt64(width)) &- 1)
    }
    var v: UInt64 = 0
    var got = 0
    var at = bit
    while got < width {
        let b = UInt64(p.load(fromByteOffset: at >> 3, as: UInt8.self)) >> UInt64(at & 7)
        let take = min(8 &- (at & 7), width &- got)
        v |= (b & ((1 << UInt64(take)) &- 1)) << UInt64(got)
        got &+= take
        at &+= take
    }
    return v
}

/// Decodes `count` DELTA_BINARY_PACKED values from `p[0..<length]` into `out` as Int64 (INT32
/// values with 32-bit wrapping when `width32`). Returns the bytes consumed.
func decodeDeltaBinaryPacked(_ p: UnsafeRawPointer, length: Int, count: Int, width32: Bool,
                             into out: UnsafeMutablePointer<Int64>) throws -> Int {
    var pos = 0
    let blockSize = try readULEB128(p, length: length, pos: &pos)
    let miniblocks = try readULEB128(p, length: length, pos: &pos)
    let total = try readULEB128(p, length: length, pos: &pos)
    var value = unzigzag(try readULEB128(p, length: length, pos: &pos))
    guard blockSize > 0, blockSize % 128 == 0, blockSize <= 1 << 20, miniblocks > 0, blockSize % miniblocks == 0,
          (blockSize / miniblocks) % 32 == 0 else {
        throw DecodeFailure("DELTA_BINARY_PACKED has block size \(blockSize) with \(miniblocks) miniblocks (the block size must be a multiple of 128 and each miniblock's a multiple of 32)")
    }
    guard total >= UInt64(count) else {
        throw DecodeFailure("DELTA_BINARY_PACKED holds \(total) values but the page needs \(count)")
    }
    if count == 0 { return pos }
    let perMiniblock = Int(blockSize / miniblocks)
    let nMini = Int(miniblocks)
    if width32 { value = Int64(Int32(truncatingIfNeeded: value)) }
    out[0] = value
    var i = 1
    var widths = [Int](repeating: 0, count: nMini)
    while i < count {
        let minDelta = unzigzag(try readULEB128(p, length: length, pos: &pos))
        guard nMini <= length &- pos else { throw DecodeFailure("DELTA_BINARY_PACKED bit widths run past the end of the page") }
        for m in 0..<nMini {
            let w = Int(p.load(fromByteOffset: pos &+ m, as: UInt8.self))
            widths[m] = w
        }
        pos &+= nMini
        for m in 0..<nMini where i < count {
            let w = widths[m]
            guard w <= (width32 ? 32 : 64) else {
                throw DecodeFailure("a DELTA_BINARY_PACKED miniblock has bit width \(w), more than the type's \(width32 ? 32 : 64)")
            }
            let n = min(perMiniblock, count &- i)
            let bytes = perMiniblock &* w / 8
            // The last miniblock's padding may be missing: only the bits of real values must be there.
            let needed = (n &* w &+ 7) / 8
            guard needed <= length &- pos else {
                throw DecodeFailure("a DELTA_BINARY_PACKED miniblock needs \(needed) bytes but the page has \(length - pos) left")
            }
            let mp = p + pos
            let avail = min(bytes, length &- pos)
            if width32 {
                var v = Int32(truncatingIfNeeded: value)
                let md = Int32(truncatingIfNeeded: minDelta)
                for k in 0..<n {
                    let d = w == 0 ? 0 : Int32(truncatingIfNeeded: readBits(mp, length: avail, bit: k &* w, width: w))
                    v = v &+ md &+ d
                    out[i &+ k] = Int64(v)
                }
                value = Int64(v)
            } else {
                for k in 0..<n {
                    let d = w == 0 ? 0 : Int64(bitPattern: readBits(mp, length: avail, bit: k &* w, width: w))
                    value = value &+ minDelta &+ d
                    out[i &+ k] = value
                }
            }
            pos &+= avail
            i &+= n
        }
    }
    return pos
}

/// Decodes `count` BYTE_STREAM_SPLIT values of `width` bytes into `out` (raw little-endian
/// values, `count * width` bytes).
func decodeByteStreamSplit(_ p: UnsafeRawPointer, length: Int, count: Int, width: Int,
                           into out: UnsafeMutableRawPointer) throws {
    guard count &* width <= length else {
        throw DecodeFailure("BYTE_STREAM_SPLIT values need \(count * width) bytes for \(count) values but the page holds \(length)")
    }
    // Streams are spaced by the page's value count; with nulls the page holds only the present
    // values, which is `count` here.
    let streamLength = length / width
    guard streamLength >= count else {
        throw DecodeFailure("BYTE_STREAM_SPLIT streams hold \(streamLength) values but the page needs \(count)")
    }
    let dst = out.assumingMemoryBound(to: UInt8.self)
    for k in 0..<width {
        let src = (p + k &* streamLength).assumingMemoryBound(to: UInt8.self)
        // Values are stored little-endian; the host is too on every platform this runs on.
        let byte = hostIsLittleEndian ? k : width &- 1 &- k
        for i in 0..<count { dst[i &* width &+ byte] = src[i] }
    }
}
