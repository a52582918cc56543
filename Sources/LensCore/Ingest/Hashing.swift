import CCrypto
import Foundation

// Streaming SHA-256 (through libcrypto) and MD5 (RFC 1321, written out in Swift). Both buffer at most one partial 64-byte block and compress whole
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

/// SHA-256 through OpenSSL's libcrypto (EVP), which uses the CPU's SHA instructions where there
/// are some: about 1.1 GB/s here against ~200 MB/s for the best portable Swift, and every byte of
/// a drop is hashed. Use one hasher linearly: copies share one digest context.
public struct SHA256Hasher: StreamingHasher {
    /// Owns the EVP context (freed with the last copy).
    final class Context {
        let ctx: OpaquePointer
        init() {
            guard let c = EVP_MD_CTX_new(), EVP_DigestInit_ex(c, EVP_sha256(), nil) == 1 else {
                fatalError("libcrypto could not start a SHA-256 digest (out of memory?)")
            }
            ctx = c
        }
        deinit { EVP_MD_CTX_free(ctx) }
    }
    private let context = Context()

    public init() {}

    /// Adds `bytes` to the message.
    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        EVP_DigestUpdate(context.ctx, base, bytes.count)
    }

    /// The 32-byte digest.
    public mutating func finalize() -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 0
        EVP_DigestFinal_ex(context.ctx, &out, &length)
        return out
    }
}

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
