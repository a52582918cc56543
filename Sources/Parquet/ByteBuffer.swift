// A growable, reusable byte buffer written through raw pointers (no per-byte bounds checks).

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

final class ByteBuffer {
    private(set) var base: UnsafeMutableRawPointer
    private(set) var capacity: Int
    /// Bytes written so far. Callers that write through `tail` after `reserve` advance it.
    var count: Int = 0

    init(capacity: Int = 4096) {
        let cap = max(capacity, 64)
        base = UnsafeMutableRawPointer.allocate(byteCount: cap, alignment: 16)
        self.capacity = cap
    }

    deinit { base.deallocate() }

    /// Makes room for `extra` more bytes.
    @inline(__always)
    func reserve(_ extra: Int) {
        if count &+ extra > capacity { grow(count + extra) }
    }

    @inline(never)
    private func grow(_ needed: Int) {
        var newCap = capacity
        while newCap < needed { newCap = newCap &* 2 }
        let newBase = UnsafeMutableRawPointer.allocate(byteCount: newCap, alignment: 16)
        newBase.copyMemory(from: base, byteCount: count)
        base.deallocate()
        base = newBase
        capacity = newCap
    }

    /// Where the next byte goes. Valid until the next `reserve`.
    @inline(__always)
    var tail: UnsafeMutableRawPointer { base + count }

    @inline(__always)
    func removeAll() { count = 0 }

    @inline(__always)
    func append(_ byte: UInt8) {
        reserve(1)
        base.storeBytes(of: byte, toByteOffset: count, as: UInt8.self)
        count &+= 1
    }

    @inline(__always)
    func append(_ p: UnsafeRawPointer, count n: Int) {
        if n == 0 { return }
        reserve(n)
        (base + count).copyMemory(from: p, byteCount: n)
        count &+= n
    }

    func append(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { raw in
            if let p = raw.baseAddress { append(p, count: raw.count) }
        }
    }

    func append(_ other: ByteBuffer) {
        append(UnsafeRawPointer(other.base), count: other.count)
    }

    @inline(__always)
    func appendLE32(_ v: UInt32) {
        reserve(4)
        base.storeBytes(of: v.littleEndian, toByteOffset: count, as: UInt32.self)
        count &+= 4
    }

    @inline(__always)
    func appendLE64(_ v: UInt64) {
        reserve(8)
        base.storeBytes(of: v.littleEndian, toByteOffset: count, as: UInt64.self)
        count &+= 8
    }

    /// Overwrites 4 bytes at `offset` (used to patch length prefixes).
    @inline(__always)
    func setLE32(_ v: UInt32, at offset: Int) {
        base.storeBytes(of: v.littleEndian, toByteOffset: offset, as: UInt32.self)
    }

    /// Unsigned LEB128.
    @inline(__always)
    func appendVarint(_ value: UInt64) {
        reserve(10)
        var v = value
        var p = base + count
        while v >= 0x80 {
            p.storeBytes(of: UInt8(truncatingIfNeeded: v) | 0x80, as: UInt8.self)
            p += 1
            v >>= 7
        }
        p.storeBytes(of: UInt8(truncatingIfNeeded: v), as: UInt8.self)
        count = (p - base) + 1
    }

    /// The bytes written so far, copied into an array (for metadata and tests).
    var bytes: [UInt8] {
        [UInt8](UnsafeRawBufferPointer(start: base, count: count))
    }
}

/// Writes `v` as unsigned LEB128 at `p`, returning the position after it.
@inline(__always)
func storeVarint(_ value: UInt64, at p: UnsafeMutableRawPointer) -> UnsafeMutableRawPointer {
    var v = value
    var q = p
    while v >= 0x80 {
        q.storeBytes(of: UInt8(truncatingIfNeeded: v) | 0x80, as: UInt8.self)
        q += 1
        v >>= 7
    }
    q.storeBytes(of: UInt8(truncatingIfNeeded: v), as: UInt8.self)
    return q + 1
}
