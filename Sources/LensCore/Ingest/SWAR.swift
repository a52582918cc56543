/// Eight-bytes-at-a-time helpers ("SIMD within a register") for the CSV hot paths.
///
/// Words are little-endian: the first byte in memory is the lowest byte of the word.
enum SWAR {
    /// Loads `count` (0…8) bytes at `p` into the low bytes of a word, the rest zero, without
    /// touching memory outside `p..<p+count` (two overlapping loads instead of a byte loop).
    @inline(__always)
    static func load(_ p: UnsafeRawPointer, count: Int) -> UInt64 {
        switch count {
        case 8:
            return UInt64(littleEndian: p.loadUnaligned(as: UInt64.self))
        case 4...7:
            let low = UInt64(UInt32(littleEndian: p.loadUnaligned(as: UInt32.self)))
            let high = UInt64(UInt32(littleEndian: p.loadUnaligned(fromByteOffset: count - 4, as: UInt32.self)))
            return low | high &<< UInt64((count - 4) * 8)
        case 2...3:
            let low = UInt64(UInt16(littleEndian: p.loadUnaligned(as: UInt16.self)))
            let high = UInt64(UInt16(littleEndian: p.loadUnaligned(fromByteOffset: count - 2, as: UInt16.self)))
            return low | high &<< UInt64((count - 2) * 8)
        case 1:
            return UInt64(p.load(as: UInt8.self))
        default:
            return 0
        }
    }

    /// A word with `0x80` in every byte where `word` equals `pattern` (one byte repeated in all
    /// lanes) and `0` elsewhere; exact in every lane, unlike the shorter has-zero-byte trick.
    @inline(__always)
    static func bytesEqual(_ word: UInt64, _ pattern: UInt64) -> UInt64 {
        let x = word ^ pattern
        let low7: UInt64 = 0x7F7F_7F7F_7F7F_7F7F
        return ~(((x & low7) &+ low7) | x | low7)
    }

    /// True when all eight bytes are ASCII digits `0`…`9`.
    @inline(__always)
    static func isEightDigits(_ word: UInt64) -> Bool {
        (word & 0xF0F0_F0F0_F0F0_F0F0) | (((word &+ 0x0606_0606_0606_0606) & 0xF0F0_F0F0_F0F0_F0F0) &>> 4)
            == 0x3333_3333_3333_3333
    }

    /// The value of eight ASCII digits, the first (lowest) byte most significant.
    @inline(__always)
    static func eightDigitsValue(_ word: UInt64) -> UInt64 {
        var value = word &- 0x3030_3030_3030_3030
        value = (value &* 10) &+ (value &>> 8)
        let pairs = (value & 0x0000_00FF_0000_00FF) &* (100 &+ (1_000_000 &<< 32))
        let quads = ((value &>> 16) & 0x0000_00FF_0000_00FF) &* (1 &+ (10_000 &<< 32))
        return (pairs &+ quads) &>> 32
    }

    /// The value of `count` (1…19) ASCII digits at `p`, or `nil` if any byte is not a digit.
    /// Nineteen digits always fit a `UInt64`, so no overflow check is needed here.
    @inline(__always)
    static func digitsValue(_ p: UnsafeRawPointer, count: Int) -> UInt64? {
        // The first chunk is 1…8 digits, left-padded with '0' to eight; then full chunks.
        var head = count & 7
        if head == 0 { head = 8 }
        var word = load(p, count: head) &<< UInt64((8 - head) * 8)
        word |= 0x3030_3030_3030_3030 >> UInt64(head * 8)
        guard isEightDigits(word) else { return nil }
        var value = eightDigitsValue(word)
        var i = head
        while i < count {
            let chunk = UInt64(littleEndian: (p + i).loadUnaligned(as: UInt64.self))
            guard isEightDigits(chunk) else { return nil }
            value = value &* 100_000_000 &+ eightDigitsValue(chunk)
            i += 8
        }
        return value
    }

    /// The value of `count` (1…8) ASCII digits held in the low bytes of `word` (first digit
    /// lowest, zeros above), or `nil` if any of them is not a digit.
    @inline(__always)
    static func digitsValue(lowWord word: UInt64, count: Int) -> UInt64? {
        // Shift the digits to the top and fill the bottom with '0's: eight digits, same value.
        let padded = (word &<< UInt64((8 &- count) &* 8)) | (0x3030_3030_3030_3030 >> UInt64(count &* 8))
        guard isEightDigits(padded) else { return nil }
        return eightDigitsValue(padded)
    }

    /// A plain decimal of `count` (1…8) bytes held in the low bytes of `word`: digits with at
    /// most one `.` (`4.5`, `50.0`, `3`, `.5`, `5.`), no sign, no exponent. `nil` for anything
    /// else, which the caller hands to the general parser (which also rejects what is malformed).
    ///
    /// At most seven digits and a power of ten up to 10^7 are exact doubles, so the one
    /// division rounds correctly, giving exactly what `strtod` gives.
    @inline(__always)
    static func shortDecimal(_ word: UInt64, count: Int) -> Double? {
        let dots = bytesEqual(word, 0x2E2E_2E2E_2E2E_2E2E)
        var digits = word
        var digitCount = count
        var fractionDigits = 0
        if dots != 0 {
            guard dots & (dots &- 1) == 0 else { return nil }
            let dotIndex = dots.trailingZeroBitCount &>> 3
            let below: UInt64 = (1 &<< UInt64(dotIndex &* 8)) &- 1
            digits = (word & below) | ((word &>> 8) & ~below)
            digitCount = count &- 1
            fractionDigits = digitCount &- dotIndex
            guard digitCount > 0 else { return nil }
        }
        guard let value = digitsValue(lowWord: digits, count: digitCount) else { return nil }
        switch fractionDigits {
        case 0: return Double(value)
        case 1: return Double(value) / 1e1
        case 2: return Double(value) / 1e2
        case 3: return Double(value) / 1e3
        case 4: return Double(value) / 1e4
        case 5: return Double(value) / 1e5
        case 6: return Double(value) / 1e6
        default: return Double(value) / 1e7
        }
    }
}
