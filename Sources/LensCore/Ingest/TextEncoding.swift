/// Text encodings of the drops' files: UTF-8 validation, Latin-1 (ml-100k, ml-1m) to UTF-8, and
/// the NUL byte that both encodings allow but PostgreSQL text does not.

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

// MARK: - UTF8Validation

/// A UTF-8 validator (RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF),
/// with an 8-bytes-at-a-time path for ASCII.
public enum UTF8Validation {
    /// True when `bytes` are entirely valid UTF-8.
    public static func isValid(_ bytes: UnsafeRawBufferPointer) -> Bool {
        let n = bytes.count
        guard n > 0, let base = bytes.baseAddress else { return true }
        let p = base.assumingMemoryBound(to: UInt8.self)
        var i = 0
        while i < n {
            // Skip ASCII quickly.
            while i + 8 <= n && (base + i).loadUnaligned(as: UInt64.self) & 0x8080_8080_8080_8080 == 0 {
                i += 8
            }
            guard i < n else { break }
            let lead = p[i]
            if lead < 0x80 {
                i += 1
                continue
            }
            // Lead byte decides the length and the allowed range of the second byte.
            let length: Int
            var low: UInt8 = 0x80
            var high: UInt8 = 0xBF
            switch lead {
            case 0xC2...0xDF: length = 2
            case 0xE0: length = 3; low = 0xA0  // no overlong 3-byte forms
            case 0xE1...0xEC, 0xEE...0xEF: length = 3
            case 0xED: length = 3; high = 0x9F  // no UTF-16 surrogates
            case 0xF0: length = 4; low = 0x90  // no overlong 4-byte forms
            case 0xF1...0xF3: length = 4
            case 0xF4: length = 4; high = 0x8F  // nothing above U+10FFFF
            default: return false
            }
            guard i + length <= n else { return false }
            guard p[i + 1] >= low && p[i + 1] <= high else { return false }
            var k = 2
            while k < length {
                guard p[i + k] & 0xC0 == 0x80 else { return false }
                k += 1
            }
            i += length
        }
        return true
    }
}

// MARK: - Latin1

/// ISO-8859-1 text (ml-100k `u.item`, ml-1m `.dat` files) to UTF-8: every byte is the code point
/// of the same value, so the conversion cannot fail.
public enum Latin1 {
    /// Appends the UTF-8 encoding of Latin-1 `bytes` to `output` (1 or 2 bytes per input byte).
    public static func transcode(_ bytes: UnsafeRawBufferPointer, into output: inout [UInt8]) {
        output.reserveCapacity(output.count + bytes.count * 2)
        for byte in bytes {
            if byte < 0x80 {
                output.append(byte)
            } else {
                output.append(0xC0 | (byte >> 6))
                output.append(0x80 | (byte & 0x3F))
            }
        }
    }

    /// Latin-1 `bytes` as a `String`.
    public static func string(_ bytes: UnsafeRawBufferPointer) -> String {
        var utf8: [UInt8] = []
        transcode(bytes, into: &utf8)
        return String(decoding: utf8, as: UTF8.self)
    }

    /// Latin-1 `bytes` as a `String`.
    public static func string(_ bytes: [UInt8]) -> String {
        bytes.withUnsafeBytes { string($0) }
    }
}

// MARK: - NulByte

/// The 0x00 byte: valid UTF-8 (U+0000) and valid Latin-1, yet no PostgreSQL text value can hold
/// it (COPY fails with "invalid byte sequence for encoding UTF8: 0x00"), so stage 1 quarantines
/// the lines that hold one.
public enum NulByte {
    /// True when `bytes` hold a 0x00 (found with `memchr`, many bytes per cycle).
    @inline(__always)
    public static func isIn(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard let p = bytes.baseAddress, bytes.count > 0 else { return false }
        return memchr(p, 0, bytes.count) != nil
    }
}
