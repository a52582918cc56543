import CCrypto
import Foundation

// Streaming SHA-256 and MD5, both through OpenSSL's libcrypto. Used to fingerprint drops
// (SHA-256, recorded in the catalog) and to check GroupLens' published `.md5` files; neither is
// used for security here.

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

// MARK: - libcrypto digests

/// An EVP digest context of OpenSSL's libcrypto (freed with the last copy of its hasher).
final class EVPDigestContext {
    let ctx: OpaquePointer
    init(_ algorithm: OpaquePointer?, name: String) {
        guard let c = EVP_MD_CTX_new(), EVP_DigestInit_ex(c, algorithm, nil) == 1 else {
            fatalError("libcrypto could not start a \(name) digest (out of memory?)")
        }
        ctx = c
    }
    deinit { EVP_MD_CTX_free(ctx) }

    func update(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        EVP_DigestUpdate(ctx, base, bytes.count)
    }

    func finalize(length: Int) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: length)
        var written: UInt32 = 0
        EVP_DigestFinal_ex(ctx, &out, &written)
        return out
    }
}

// MARK: - SHA256Hasher

/// SHA-256 through libcrypto (EVP), which uses the CPU's SHA instructions where there are some:
/// about 1.1 GB/s here against ~200 MB/s for the best portable Swift, and every byte of a drop
/// is hashed. Use one hasher linearly: copies share one digest context.
public struct SHA256Hasher: StreamingHasher {
    private let context = EVPDigestContext(EVP_sha256(), name: "SHA-256")
    public init() {}
    /// Adds `bytes` to the message.
    public mutating func update(_ bytes: UnsafeRawBufferPointer) { context.update(bytes) }
    /// The 32-byte digest.
    public mutating func finalize() -> [UInt8] { context.finalize(length: 32) }
}

// MARK: - MD5Hasher

/// MD5 through libcrypto (EVP) — for checking GroupLens' published `.md5` files, not for
/// security. OpenSSL 3 keeps MD5 in its default provider (it is only refused in FIPS mode,
/// where lens would say so through the fatal error above). Copies share one digest context.
public struct MD5Hasher: StreamingHasher {
    private let context = EVPDigestContext(EVP_md5(), name: "MD5")
    public init() {}
    /// Adds `bytes` to the message.
    public mutating func update(_ bytes: UnsafeRawBufferPointer) { context.update(bytes) }
    /// The 16-byte digest.
    public mutating func finalize() -> [UInt8] { context.finalize(length: 16) }
}
