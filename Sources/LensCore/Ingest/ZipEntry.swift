#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
import CZlibInflate
import Foundation

// MARK: - ZipEntry

/// One entry of a zip archive's central directory.
public struct ZipEntry: Equatable, Sendable {
    /// The compression methods lens can read; other values are reported by number.
    public enum Method: Equatable, Sendable, CustomStringConvertible {
        /// Method 0: the bytes are stored as they are.
        case stored
        /// Method 8: raw deflate (RFC 1951).
        case deflated
        /// Any other method number (e.g. 9 deflate64, 12 bzip2, 14 LZMA, 93 zstd, 99 AES).
        case other(UInt16)

        /// Maps a method number from the archive to a case.
        init(number: UInt16) {
            switch number {
            case 0: self = .stored
            case 8: self = .deflated
            default: self = .other(number)
            }
        }

        /// The method's usual name, e.g. `deflate` or `method 14 (LZMA)`.
        public var description: String {
            switch self {
            case .stored: return "stored"
            case .deflated: return "deflate"
            case .other(let n):
                let names: [UInt16: String] = [
                    1: "shrink", 6: "implode", 9: "deflate64", 12: "bzip2", 14: "LZMA",
                    93: "zstd", 95: "xz", 98: "PPMd", 99: "AES encryption",
                ]
                return names[n].map { "method \(n) (\($0))" } ?? "method \(n)"
            }
        }
    }

    /// The entry's path inside the archive, `/`-separated (e.g. `ml-latest-small/ratings.csv`).
    public let name: String
    /// How the data is compressed.
    public let method: Method
    /// The general-purpose flag bits (bit 0: encrypted; bit 3: data descriptor; bit 11: UTF-8).
    public let flags: UInt16
    /// Size of the data as stored in the archive.
    public let compressedSize: Int64
    /// Size of the data once inflated, as declared by the archive (and enforced when read).
    public let uncompressedSize: Int64
    /// CRC-32 of the inflated data, as declared by the archive (and verified when read).
    public let crc32: UInt32
    /// Offset of the entry's local file header from the start of the archive.
    public let localHeaderOffset: Int64
    /// Last modification time: the Info-ZIP extended timestamp when present (UTC), else the
    /// MS-DOS date and time read in the local time zone (as zip tools write it); `nil` if invalid.
    public let modificationDate: Date?

    /// True for folder entries (names ending in `/`), which hold no data.
    public var isDirectory: Bool { name.hasSuffix("/") }
    /// True when the entry is encrypted (flag bit 0); lens refuses to read those.
    public var isEncrypted: Bool { flags & 1 != 0 }
}
