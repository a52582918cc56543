#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
import CZlibInflate
import Foundation

// MARK: - LittleEndianReader

/// Sequential little-endian reads over a byte array. Callers check ``remaining`` first where
/// the data is untrusted; reading past the end yields zeros rather than trapping.
struct LittleEndianReader {
    /// The bytes being read.
    private let bytes: [UInt8]
    /// The next index to read.
    private var position = 0

    /// Reads `bytes` from the start.
    init(_ bytes: [UInt8]) { self.bytes = bytes }

    /// Bytes left to read.
    var remaining: Int { bytes.count - position }

    /// The next byte (0 past the end).
    mutating func u8() -> UInt8 {
        defer { position += 1 }
        return position < bytes.count ? bytes[position] : 0
    }

    /// The next 2 bytes, little-endian.
    mutating func u16() -> UInt16 { UInt16(u8()) | UInt16(u8()) << 8 }

    /// The next 4 bytes, little-endian.
    mutating func u32() -> UInt32 { UInt32(u16()) | UInt32(u16()) << 16 }

    /// The next 8 bytes, little-endian.
    mutating func u64() -> UInt64 { UInt64(u32()) | UInt64(u32()) << 32 }

    /// Moves past `count` bytes.
    mutating func skip(_ count: Int) { position += count }

    /// The next `count` bytes (fewer at the end).
    mutating func bytes(_ count: Int) -> [UInt8] {
        let start = min(position, bytes.count)
        let end = min(position + count, bytes.count)
        position += count
        return Array(bytes[start..<end])
    }
}
