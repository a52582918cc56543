#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Reading one field's bytes as a value, without allocating (except ``string(_:)``).
///
/// The number parsers are strict: the whole field must be the number, with no surrounding
/// blanks (call ``trimmed(_:)`` first to allow them). They return `nil` for a blank, malformed
/// or out-of-range field; the caller tells a blank field apart with ``isBlank(_:)``.
public enum CSVField {
    // MARK: Blanks

    /// The field without leading and trailing spaces and tabs.
    @inline(__always)
    public static func trimmed(_ field: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        guard let base = field.baseAddress else { return field }
        let bytes = base.assumingMemoryBound(to: UInt8.self)
        var start = 0
        var end = field.count
        while start < end && (bytes[start] == 0x20 || bytes[start] == 0x09) { start += 1 }
        while end > start && (bytes[end - 1] == 0x20 || bytes[end - 1] == 0x09) { end -= 1 }
        return UnsafeRawBufferPointer(start: base + start, count: end - start)
    }

    /// True when the field is empty or only spaces and tabs.
    @inline(__always)
    public static func isBlank(_ field: UnsafeRawBufferPointer) -> Bool {
        trimmed(field).isEmpty
    }

    // MARK: Integers

    /// Parses `[+-]?[0-9]+` as an `Int64`; `nil` when malformed or outside `Int64`'s range.
    @inline(__always)
    public static func parseInt64(_ field: UnsafeRawBufferPointer) -> Int64? {
        let n = field.count
        guard n > 0, let base = field.baseAddress else { return nil }
        let bytes = base.assumingMemoryBound(to: UInt8.self)
        var i = 0
        var negative = false
        if bytes[0] == UInt8(ascii: "-") {
            negative = true
            i = 1
        } else if bytes[0] == UInt8(ascii: "+") {
            i = 1
        }
        let digits = n - i
        guard digits > 0 else { return nil }
        var value: UInt64 = 0
        if digits <= 19 {
            // Eight digits per step; nineteen digits cannot overflow a UInt64.
            guard let parsed = SWAR.digitsValue(base + i, count: digits) else { return nil }
            value = parsed
            i = n
        }
        while i < n {
            // More than 19 characters: only leading zeros can make this fit; check every step.
            let digit = UInt64(bytes[i] &- UInt8(ascii: "0"))
            guard digit <= 9 else { return nil }
            let (times10, o1) = value.multipliedReportingOverflow(by: 10)
            let (sum, o2) = times10.addingReportingOverflow(digit)
            guard !o1 && !o2 else { return nil }
            value = sum
            i += 1
        }
        if negative {
            guard value <= UInt64(Int64.max) + 1 else { return nil }
            return Int64(bitPattern: 0 &- value)
        }
        guard value <= UInt64(Int64.max) else { return nil }
        return Int64(value)
    }

    /// Parses `[+-]?[0-9]+` as an `Int32`; `nil` when malformed or outside `Int32`'s range.
    @inline(__always)
    public static func parseInt32(_ field: UnsafeRawBufferPointer) -> Int32? {
        let n = field.count
        guard n > 0, let base = field.baseAddress else { return nil }
        let bytes = base.assumingMemoryBound(to: UInt8.self)
        var i = 0
        var negative = false
        if bytes[0] == UInt8(ascii: "-") {
            negative = true
            i = 1
        } else if bytes[0] == UInt8(ascii: "+") {
            i = 1
        }
        let digits = n - i
        guard digits > 0 else { return nil }
        var value: UInt64 = 0
        if digits <= 19 {
            guard let parsed = SWAR.digitsValue(base + i, count: digits) else { return nil }
            value = parsed
            i = n
        }
        // More than 19 characters (leading zeros): stops as soon as the magnitude passes 2^31,
        // so the UInt64 never overflows.
        while i < n {
            let digit = UInt64(bytes[i] &- UInt8(ascii: "0"))
            guard digit <= 9 else { return nil }
            value = value &* 10 &+ digit
            guard value <= 0x8000_0000 else { return nil }
            i += 1
        }
        if negative {
            guard value <= 0x8000_0000 else { return nil }
            return Int32(truncatingIfNeeded: 0 &- Int64(value))
        }
        guard value <= UInt64(Int32.max) else { return nil }
        return Int32(value)
    }

    // MARK: Decimals

    /// 10^exponent for 0 ≤ exponent ≤ 22, the powers of ten a `Double` holds exactly.
    @inline(__always)
    private static func exactPowerOfTen(_ exponent: Int) -> Double {
        switch exponent {
        case 0: return 1e0
        case 1: return 1e1
        case 2: return 1e2
        case 3: return 1e3
        case 4: return 1e4
        case 5: return 1e5
        case 6: return 1e6
        case 7: return 1e7
        case 8: return 1e8
        case 9: return 1e9
        case 10: return 1e10
        case 11: return 1e11
        case 12: return 1e12
        case 13: return 1e13
        case 14: return 1e14
        case 15: return 1e15
        case 16: return 1e16
        case 17: return 1e17
        case 18: return 1e18
        case 19: return 1e19
        case 20: return 1e20
        case 21: return 1e21
        default: return 1e22
        }
    }

    /// Parses a decimal number — `[+-]? (digits [. digits?] | . digits) ([eE] [+-]? digits)?` —
    /// to the same `Double` as `strtod` (correctly rounded); `nil` when malformed or not finite.
    ///
    /// Rejects what `strtod` would also accept but a CSV number should not be: blanks, `inf`,
    /// `nan`, hexadecimal floats, and values that overflow to infinity (`1e999`). Short inputs
    /// (≤ 19 significant digits, |exponent| ≤ 22, the usual case) take an exact fast path;
    /// others go through `strtod`.
    @inline(__always)
    public static func parseDouble(_ field: UnsafeRawBufferPointer) -> Double? {
        let n = field.count
        guard n > 0, let base = field.baseAddress else { return nil }
        let bytes = base.assumingMemoryBound(to: UInt8.self)
        var i = 0
        var negative = false
        if bytes[0] == UInt8(ascii: "-") {
            negative = true
            i = 1
        } else if bytes[0] == UInt8(ascii: "+") {
            i = 1
        }
        let rest = n - i
        if rest <= 8 && rest > 0, let value = SWAR.shortDecimal(SWAR.load(base + i, count: rest), count: rest) {
            return negative ? -value : value
        }
        return parseDecimal(bytes, n, from: i, negative: negative)
    }

    /// The general decimal parser behind ``parseDouble(_:)``: validates the grammar from `i`
    /// (after the sign), then takes the exact fast path or `strtod`.
    @inline(never)
    private static func parseDecimal(_ bytes: UnsafePointer<UInt8>, _ n: Int, from start: Int, negative: Bool)
        -> Double?
    {
        var i = start
        var mantissa: UInt64 = 0
        var significantDigits = 0
        var exponent = 0
        var sawDigit = false
        var tooManyDigits = false
        while i < n {
            let digit = bytes[i] &- UInt8(ascii: "0")
            guard digit <= 9 else { break }
            sawDigit = true
            if mantissa == 0 && digit == 0 {
                // A leading zero adds nothing.
            } else if significantDigits < 19 {
                mantissa = mantissa &* 10 &+ UInt64(digit)
                significantDigits += 1
            } else {
                tooManyDigits = true
                exponent += 1
            }
            i += 1
        }
        if i < n && bytes[i] == UInt8(ascii: ".") {
            i += 1
            while i < n {
                let digit = bytes[i] &- UInt8(ascii: "0")
                guard digit <= 9 else { break }
                sawDigit = true
                if mantissa == 0 && digit == 0 {
                    exponent -= 1
                } else if significantDigits < 19 {
                    mantissa = mantissa &* 10 &+ UInt64(digit)
                    significantDigits += 1
                    exponent -= 1
                } else {
                    tooManyDigits = true
                }
                i += 1
            }
        }
        guard sawDigit else { return nil }
        if i < n && (bytes[i] | 0x20) == UInt8(ascii: "e") {
            i += 1
            var exponentNegative = false
            if i < n && (bytes[i] == UInt8(ascii: "-") || bytes[i] == UInt8(ascii: "+")) {
                exponentNegative = bytes[i] == UInt8(ascii: "-")
                i += 1
            }
            var written = 0
            var sawExponentDigit = false
            while i < n {
                let digit = bytes[i] &- UInt8(ascii: "0")
                guard digit <= 9 else { break }
                sawExponentDigit = true
                // Past 10^6 the value is 0 or infinite anyway; stop growing.
                if written < 1_000_000 { written = written * 10 + Int(digit) }
                i += 1
            }
            guard sawExponentDigit else { return nil }
            exponent += exponentNegative ? -written : written
        }
        guard i == n else { return nil }
        if mantissa == 0 { return negative ? -0.0 : 0.0 }
        if !tooManyDigits && mantissa <= (1 << 53) && exponent >= -22 && exponent <= 22 {
            // Clinger's fast path: both operands exact, so one IEEE operation rounds correctly.
            var value = Double(mantissa)
            if exponent < 0 {
                value /= exactPowerOfTen(-exponent)
            } else {
                value *= exactPowerOfTen(exponent)
            }
            return negative ? -value : value
        }
        return slowParseDouble(UnsafeRawPointer(bytes), n)
    }

    /// `strtod` on a NUL-terminated copy of an already validated field; `nil` if not finite.
    @inline(never)
    private static func slowParseDouble(_ base: UnsafeRawPointer, _ n: Int) -> Double? {
        let value = withUnsafeTemporaryAllocation(of: CChar.self, capacity: n + 1) { text -> Double in
            let start = text.baseAddress!
            UnsafeMutableRawPointer(start).copyMemory(from: base, byteCount: n)
            start[n] = 0
            return strtod(start, nil)
        }
        return value.isFinite ? value : nil
    }

    // MARK: Text

    /// The field as a `String`, after checking that it is valid UTF-8.
    /// - Throws: ``CSVFieldError/invalidUTF8`` — bytes are never replaced silently.
    @inline(__always)
    public static func string(_ field: UnsafeRawBufferPointer) throws(CSVFieldError) -> String {
        guard UTF8Validation.isValid(field) else { throw .invalidUTF8 }
        return String(decoding: field, as: UTF8.self)
    }
}

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
