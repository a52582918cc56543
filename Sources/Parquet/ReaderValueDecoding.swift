// PLAIN (and, for booleans, RLE) decoding of page values into the Swift types the reader
// returns. Fixed-width values are copied in bulk; strings are validated as UTF-8.

/// A value type the reader produces, with its decoding from a page's value bytes.
protocol ReaderValue {
    /// What a null slot holds (the writer ignores null slots; the reader fills them with this).
    static var placeholder: Self { get }
    /// PLAIN bytes are the little-endian in-memory layout (INT32/INT64/FLOAT/DOUBLE read as such).
    static var plainIsMemoryLayout: Bool { get }
    /// Decodes `count` PLAIN values from `p[0..<length]` into `out` (uninitialized or trivially
    /// typed memory); returns the bytes consumed.
    static func decodePlain(_ p: UnsafeRawPointer, length: Int, count: Int, into out: UnsafeMutablePointer<Self>) throws -> Int
    /// Decodes `count` RLE-encoded values (only booleans support it).
    static func decodeRLE(_ p: UnsafeRawPointer, length: Int, count: Int, into out: UnsafeMutablePointer<Self>,
                          scratch: ReaderBuffer) throws
    /// Decodes `count` DELTA_BINARY_PACKED values (integer types only).
    static func decodeDeltaBinaryPacked(_ p: UnsafeRawPointer, length: Int, count: Int, into out: UnsafeMutablePointer<Self>,
                                        scratch: ReaderBuffer) throws
    /// Decodes `count` BYTE_STREAM_SPLIT values (float and double only).
    static func decodeByteStreamSplit(_ p: UnsafeRawPointer, length: Int, count: Int, into out: UnsafeMutablePointer<Self>) throws
}

extension ReaderValue {
    static var plainIsMemoryLayout: Bool { false }

    static func decodeRLE(_ p: UnsafeRawPointer, length: Int, count: Int, into out: UnsafeMutablePointer<Self>,
                          scratch: ReaderBuffer) throws {
        throw UnsupportedFeature("the RLE encoding for \(Self.self) values")
    }

    static func decodeDeltaBinaryPacked(_ p: UnsafeRawPointer, length: Int, count: Int, into out: UnsafeMutablePointer<Self>,
                                        scratch: ReaderBuffer) throws {
        throw UnsupportedFeature("the DELTA_BINARY_PACKED encoding for \(Self.self) values")
    }

    static func decodeByteStreamSplit(_ p: UnsafeRawPointer, length: Int, count: Int, into out: UnsafeMutablePointer<Self>) throws {
        throw UnsupportedFeature("the BYTE_STREAM_SPLIT encoding for \(Self.self) values")
    }
}

/// DELTA_BINARY_PACKED into an integer type of `bits` bits (8, 16, 32 from INT32; 64 from INT64),
/// checking that each value fits.
@inline(__always)
private func decodeDeltaInto<T: FixedWidthInteger>(_ p: UnsafeRawPointer, length: Int, count: Int, into out: UnsafeMutablePointer<T>,
                                                   scratch: ReaderBuffer) throws {
    let wide = scratch.typed(Int64.self, count: count)
    _ = try decodeDeltaBinaryPacked(p, length: length, count: count, width32: T.bitWidth <= 32, into: wide)
    for i in 0..<count {
        let v = wide[i]
        guard let t = T(exactly: v) else {
            throw DecodeFailure("the value \(v) does not fit the column's \(T.bitWidth)-bit integer type")
        }
        out[i] = t
    }
}

/// Copies `count` little-endian fixed-width values whose layout equals the Swift type's.
@inline(__always)
private func copyFixed<T>(_ p: UnsafeRawPointer, length: Int, count: Int, into out: UnsafeMutablePointer<T>) throws -> Int {
    let bytes = count &* MemoryLayout<T>.size
    guard count >= 0, bytes <= length else {
        throw DecodeFailure("PLAIN values need \(bytes) bytes for \(count) values but the page holds \(length)")
    }
    if hostIsLittleEndian {
        UnsafeMutableRawPointer(out).copyMemory(from: p, byteCount: bytes)
    } else {
        for i in 0..<count {
            let raw = UnsafeMutableRawPointer(out + i)
            for b in 0..<MemoryLayout<T>.size {
                raw.storeBytes(of: p.load(fromByteOffset: i &* MemoryLayout<T>.size &+ MemoryLayout<T>.size &- 1 &- b, as: UInt8.self),
                               toByteOffset: b, as: UInt8.self)
            }
        }
    }
    return bytes
}

extension Int32: ReaderValue {
    static var placeholder: Int32 { 0 }
    static func decodeDeltaBinaryPacked(_ p: UnsafeRawPointer, length: Int, count: Int, into out: UnsafeMutablePointer<Int32>,
                                        scratch: ReaderBuffer) throws {
        try decodeDeltaInto(p, length: length, count: count, into: out, scratch: scratch)
    }
    static var plainIsMemoryLayout: Bool { hostIsLittleEndian }
    static func decodePlain(_ p: UnsafeRawPointer, length: Int, count: Int, into out: UnsafeMutablePointer<Int32>) throws -> Int {
        try copyFixed(p, length: length, count: count, into: out)
    }
}

extension Int64: ReaderValue {
    static var placeholder: Int64 { 0 }
    static func decodeDeltaBinaryPacked(_ p: UnsafeRawPointer, length: Int, count: Int, into out: UnsafeMutablePointer<Int64>,
                                        scratch: ReaderBuffer) throws {
        try decodeDeltaInto(p, length: length, count: count, into: out, scratch: scratch)
    }
    static var plainIsMemoryLayout: Bool { hostIsLittleEndian }
    static func decodePlain(_ p: UnsafeRawPointer, length: Int, count: Int, into out: UnsafeMutablePointer<Int64>) throws -> Int {
        try copyFixed(p, length: length, count: count, into: out)
    }
}

extension Float: ReaderValue {
    static var placeholder: Float { 0 }
    static func decodeByteStreamSplit(_ p: UnsafeRawPointer, length: Int, count: Int, into out: UnsafeMutablePointer<Float>) throws {
        try Parquet.decodeByteStreamSplit(p, length: length, count: count, width: MemoryLayout<Float>.size, into: UnsafeMutableRawPointer(out))
    }
    static var plainIsMemoryLayout: Bool { hostIsLittleEndian }
    static func decodePlain(_ p: UnsafeRawPointer, length: Int, count: Int, into out: UnsafeMutablePointer<Float>) throws -> Int {
        try copyFixed(p, length: length, count: count, into: out)
    }
}

extension Double: ReaderValue {
    static var placeholder: Double { 0 }
    static func decodeByteStreamSplit(_ p: UnsafeRawPointer, length: Int, count: Int, into out: UnsafeMutablePointer<Double>) throws {
        try Parquet.decodeByteStreamSplit(p, length: length, count: count, width: MemoryLayout<Double>.size, into: UnsafeMutableRawPointer(out))
    }
    static var plainIsMemoryLayout: Bool { hostIsLittleEndian }
    static func decodePlain(_ p: UnsafeRawPointer, length: Int, count: Int, into out: UnsafeMutablePointer<Double>) throws -> Int {
        try copyFixed(p, length: length, count: count, into: out)
    }
}

/// INT32 values narrowed to a smaller integer, checked.
@inline(__always)
private func decodeNarrow<T: FixedWidthInteger>(_ p: UnsafeRawPointer, length: Int, count: Int, into out: UnsafeMutablePointer<T>) throws -> Int {
    let bytes = count &* 4
    guard count >= 0, bytes <= length else {
        throw DecodeFailure("PLAIN values need \(bytes) bytes for \(count) values but the page holds \(length)")
    }
    var bad = false
    for i in 0..<count {
        let v = Int32(littleEndian: p.loadUnaligned(fromByteOffset: i &* 4, as: Int32.self))
        let t = T(truncatingIfNeeded: v)
        bad = bad || Int32(t) != v
        out[i] = t
    }
    if bad {
        let first = (0..<count).first { i in
            let v = Int32(littleEndian: p.loadUnaligned(fromByteOffset: i &* 4, as: Int32.self))
            return Int32(T(truncatingIfNeeded: v)) != v
        }!
        let v = Int32(littleEndian: p.loadUnaligned(fromByteOffset: first &* 4, as: Int32.self))
        throw DecodeFailure("the value \(v) does not fit the column's \(T.bitWidth)-bit integer type")
    }
    return bytes
}

extension Int8: ReaderValue {
    static var placeholder: Int8 { 0 }
    static func decodeDeltaBinaryPacked(_ p: UnsafeRawPointer, length: Int, count: Int, into out: UnsafeMutablePointer<Int8>,
                                        scratch: ReaderBuffer) throws {
        try decodeDeltaInto(p, length: length, count: count, into: out, scratch: scratch)
    }
    static func decodePlain(_ p: UnsafeRawPointer, length: Int, count: Int, into out: UnsafeMutablePointer<Int8>) throws -> Int {
        try decodeNarrow(p, length: length, count: count, into: out)
    }
}

extension Int16: ReaderValue {
    static var placeholder: Int16 { 0 }
    static func decodeDeltaBinaryPacked(_ p: UnsafeRawPointer, length: Int, count: Int, into out: UnsafeMutablePointer<Int16>,
                                        scratch: ReaderBuffer) throws {
        try decodeDeltaInto(p, length: length, count: count, into: out, scratch: scratch)
    }
    static func decodePlain(_ p: UnsafeRawPointer, length: Int, count: Int, into out: UnsafeMutablePointer<Int16>) throws -> Int {
        try decodeNarrow(p, length: length, count: count, into: out)
    }
}

extension Bool: ReaderValue {
    static var placeholder: Bool { false }
    static func decodePlain(_ p: UnsafeRawPointer, length: Int, count: Int, into out: UnsafeMutablePointer<Bool>) throws -> Int {
        try unpackBools(p, length: length, count: count, into: out)
    }

    /// RLE booleans (DataPage V2 writers use them): a 4-byte length, then the hybrid encoding
    /// with bit width 1.
    static func decodeRLE(_ p: UnsafeRawPointer, length: Int, count: Int, into out: UnsafeMutablePointer<Bool>,
                          scratch: ReaderBuffer) throws {
        guard length >= 4 else { throw DecodeFailure("RLE booleans lack their 4-byte length") }
        let n = Int(UInt32(littleEndian: p.loadUnaligned(as: UInt32.self)))
        guard n <= length - 4 else {
            throw DecodeFailure("RLE booleans claim \(n) bytes but the page holds \(length - 4)")
        }
        let bits = scratch.typed(UInt8.self, count: count)
        _ = try decodeHybrid(p + 4, length: n, bitWidth: 1, count: count, into: bits)
        for i in 0..<count { out[i] = bits[i] != 0 }
    }
}

extension String: ReaderValue {
    static var placeholder: String { "" }
    static func decodePlain(_ p: UnsafeRawPointer, length: Int, count: Int, into out: UnsafeMutablePointer<String>) throws -> Int {
        var pos = 0
        for i in 0..<count {
            guard length &- pos >= 4 else {
                out.deinitialize(count: i)
                throw DecodeFailure("PLAIN strings end after \(i) of \(count) values (no room for a length)")
            }
            let n = Int(UInt32(littleEndian: p.loadUnaligned(fromByteOffset: pos, as: UInt32.self)))
            pos &+= 4
            guard n <= length &- pos else {
                out.deinitialize(count: i)
                throw DecodeFailure("PLAIN string \(i) claims \(n) bytes but only \(length - pos) remain in the page")
            }
            let bytes = UnsafeBufferPointer(start: (p + pos).assumingMemoryBound(to: UInt8.self), count: n)
            guard let s = String(validating: bytes, as: UTF8.self) else {
                out.deinitialize(count: i)
                throw DecodeFailure("string value \(i) of a page is not valid UTF-8")
            }
            (out + i).initialize(to: s)
            pos &+= n
        }
        return pos
    }
}
