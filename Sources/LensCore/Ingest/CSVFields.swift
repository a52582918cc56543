import Foundation

// MARK: - CSVFieldError

/// Why one line could not be split or one field could not be read — a *row* problem.
///
/// The caller records the row as rejected with ``rawValue`` as its reason and goes on; it is
/// never a reason to stop reading the file (that is ``IngestError``).
public enum CSVFieldError: String, Error, Sendable, CaseIterable {
    /// A quoted field has no closing quote on its physical line.
    case unterminatedQuote = "unterminated_quote"
    /// A quote inside an unquoted field, or a character right after a closing quote.
    case badQuote = "bad_quote"
    /// The bytes of a text field are not valid UTF-8.
    case invalidUTF8 = "invalid_utf8"
}

// MARK: - CSVFields

/// Splits one line into fields (RFC 4180), reusing its storage from line to line.
///
/// Usage: `try fields.split(line)`, then `fields.count` and `fields[i]`, or the typed readers
/// ``int32(_:)``, ``int64(_:)``, ``double(_:)`` and ``string(_:)``. A field is a byte range
/// without its quotes and with `""` unescaped. Ranges point into the line (unquoted fields) or
/// into the splitter's own scratch space (quoted fields), so they are valid until the next
/// `split` or until the line's buffer changes (the next ``LineReader`` line).
///
/// Lines without a `"` take a fast path: the line is scanned eight bytes at a time and only the
/// separator positions are recorded, without a branch per byte or per field and without
/// allocating. A line is one physical line: a quoted field holding a line break (legal in
/// RFC 4180, absent from MovieLens) reports ``CSVFieldError/unterminatedQuote``.
public final class CSVFields {
    /// The byte between fields: `,` for CSV, `\t` for ml-100k `u.data`, `|` for `u.item`.
    public let separator: UInt8
    /// Whether `"` quotes fields; with `false` it is an ordinary byte (ml-100k files).
    public let quoting: Bool
    /// The number of fields of the last line split (at least 1: an empty line is one empty field).
    public private(set) var count = 0

    /// Fast path: the line split last (`nil` when it was empty or took the quoted path).
    private var line: UnsafeRawPointer?
    /// Fast path: the length of `line`.
    private var lineLength = 0
    /// Fast path: `bounds[i]` is the offset of the separator before field `i` (`-1` for field 0)
    /// and `bounds[count]` the line length, so field `i` is `bounds[i] + 1 ..< bounds[i + 1]`.
    private var bounds: UnsafeMutablePointer<Int>
    /// Allocated length of `bounds`.
    private var boundsCapacity: Int
    /// Quoted path (and empty lines): the fields as ranges, `count` of them.
    private var ranges: UnsafeMutablePointer<UnsafeRawBufferPointer>
    /// Allocated length of `ranges`.
    private var rangeCapacity: Int
    /// Holds unescaped quoted fields; at least as long as the line being split.
    private var scratch: UnsafeMutableRawPointer
    /// Allocated length of `scratch`.
    private var scratchCapacity: Int

    /// Creates a splitter.
    /// - Parameters:
    ///   - separator: the field separator byte (default `,`).
    ///   - quoting: whether `"` quotes fields (default `true`).
    ///   - expectedFieldCount: initial room for fields; it grows as needed.
    public init(separator: UInt8 = UInt8(ascii: ","), quoting: Bool = true, expectedFieldCount: Int = 16) {
        self.separator = separator
        self.quoting = quoting
        boundsCapacity = max(expectedFieldCount, 8) + 10
        bounds = .allocate(capacity: boundsCapacity)
        bounds.initialize(repeating: 0, count: boundsCapacity)
        rangeCapacity = max(expectedFieldCount, 4)
        ranges = .allocate(capacity: rangeCapacity)
        scratchCapacity = 4096
        scratch = .allocate(byteCount: scratchCapacity, alignment: 16)
    }

    /// Frees the field storage.
    deinit {
        bounds.deallocate()
        ranges.deallocate()
        scratch.deallocate()
    }

    // MARK: Fields

    /// The bytes of field `index` (0-based) of the last line split; `index` must be `< count`.
    @inline(__always)
    public subscript(index: Int) -> UnsafeRawBufferPointer {
        precondition(index >= 0 && index < count, "CSV field index out of range")
        guard let line else { return ranges[index] }
        let start = bounds[index] &+ 1
        return UnsafeRawBufferPointer(start: line + start, count: bounds[index &+ 1] &- start)
    }

    /// Field `index` as an `Int32` (see ``CSVField/parseInt32(_:)``: strict, `nil` when blank,
    /// malformed or out of range).
    @inline(__always)
    public func int32(_ index: Int) -> Int32? {
        if let value = fastDigits(index) {
            return value <= UInt64(Int32.max) ? Int32(truncatingIfNeeded: value) : nil
        }
        return CSVField.parseInt32(self[index])
    }

    /// Field `index` as an `Int64` (see ``CSVField/parseInt64(_:)``).
    @inline(__always)
    public func int64(_ index: Int) -> Int64? {
        if let value = fastDigits(index) {
            return value <= UInt64(Int64.max) ? Int64(truncatingIfNeeded: value) : nil
        }
        return CSVField.parseInt64(self[index])
    }

    /// Field `index` as a `Double` (see ``CSVField/parseDouble(_:)``: strtod's value, `nil` when
    /// blank, malformed or not finite).
    @inline(__always)
    public func double(_ index: Int) -> Double? {
        precondition(index >= 0 && index < count, "CSV field index out of range")
        if let line {
            let start = bounds[index] &+ 1
            let length = bounds[index &+ 1] &- start
            if length > 0 && length <= 8 {
                // A sign, an exponent or a malformed field take the general path.
                if let value = SWAR.shortDecimal(lowWord(line, start, length), count: length) {
                    return value
                }
            }
        }
        return CSVField.parseDouble(self[index])
    }

    /// Field `index` as a `String`.
    /// - Throws: ``CSVFieldError/invalidUTF8``.
    @inline(__always)
    public func string(_ index: Int) throws(CSVFieldError) -> String {
        try CSVField.string(self[index])
    }

    /// The value of an unsigned run of 1…16 digits at field `index`, read with whole-word loads
    /// inside the line; `nil` when the field is not such a run (the caller then takes the
    /// general parser, which also gives the verdict on malformed fields).
    @inline(__always)
    private func fastDigits(_ index: Int) -> UInt64? {
        precondition(index >= 0 && index < count, "CSV field index out of range")
        guard let line else { return nil }
        let start = bounds[index] &+ 1
        let end = bounds[index &+ 1]
        let length = end &- start
        if length > 0 && length <= 8 {
            return SWAR.digitsValue(lowWord: lowWord(line, start, length), count: length)
        }
        if length > 8 && length <= 16 {
            // Head: the first length-8 digits; tail: the last 8, one load each.
            let head = length &- 8
            let headWord = lowWord(line, start, head)
            let tailWord = UInt64(littleEndian: (line + (end &- 8)).loadUnaligned(as: UInt64.self))
            guard let high = SWAR.digitsValue(lowWord: headWord, count: head), SWAR.isEightDigits(tailWord)
            else { return nil }
            return high &* 100_000_000 &+ SWAR.eightDigitsValue(tailWord)
        }
        return nil
    }

    /// The `length` (1…8) bytes at `start` of the line in the low bytes of a word, zeros above;
    /// one 8-byte load from the field forward or backward from its end, whichever stays inside
    /// the line (the bytes loaded beyond the field belong to the line and are masked off).
    @inline(__always)
    private func lowWord(_ line: UnsafeRawPointer, _ start: Int, _ length: Int) -> UInt64 {
        if start &+ 8 <= lineLength {
            let word = UInt64(littleEndian: (line + start).loadUnaligned(as: UInt64.self))
            return length == 8 ? word : word & ((1 &<< UInt64(length &* 8)) &- 1)
        }
        let end = start &+ length
        if end >= 8 {
            let word = UInt64(littleEndian: (line + (end &- 8)).loadUnaligned(as: UInt64.self))
            return word &>> UInt64((8 &- length) &* 8)
        }
        return SWAR.load(line + start, count: length)
    }

    // MARK: Splitting

    /// Splits `line` (without its line break) into fields.
    ///
    /// On failure ``count`` is unspecified and the fields must not be used.
    /// - Throws: ``CSVFieldError/unterminatedQuote`` or ``CSVFieldError/badQuote``.
    @inline(__always)
    public func split(_ line: UnsafeRawBufferPointer) throws(CSVFieldError) {
        let n = line.count
        guard n > 0, let base = line.baseAddress else {
            self.line = nil
            count = 0
            appendRange(UnsafeRawBufferPointer(start: nil, count: 0))
            return
        }
        // Room for one more separator per byte of a word, written before counting them.
        if boundsCapacity < n &+ 10 { growBounds(n &+ 10) }
        let separatorPattern = UInt64(separator) &* 0x0101_0101_0101_0101
        let bounds = self.bounds
        bounds[0] = -1
        var found = 0
        var quotes: UInt64 = 0
        var i = 0
        /// Records the separators of one word starting at offset `i`; notes any quote.
        @inline(__always)
        func record(_ word: UInt64) {
            quotes |= SWAR.bytesEqual(word, 0x2222_2222_2222_2222)
            var hits = SWAR.bytesEqual(word, separatorPattern)
            // One bit per matching byte, at bit 7 of the byte: a multiply sums them (no popcnt
            // instruction is assumed of the target CPU).
            let hitCount = Int(truncatingIfNeeded: ((hits &>> 7) &* 0x0101_0101_0101_0101) &>> 56)
            // Write four positions unconditionally (a branch per separator mispredicts);
            // entries past `hitCount` are overwritten by the next word or ignored.
            let slot = bounds + (found &+ 1)
            slot[0] = i &+ hits.trailingZeroBitCount &>> 3
            hits &= hits &- 1
            slot[1] = i &+ hits.trailingZeroBitCount &>> 3
            hits &= hits &- 1
            slot[2] = i &+ hits.trailingZeroBitCount &>> 3
            hits &= hits &- 1
            slot[3] = i &+ hits.trailingZeroBitCount &>> 3
            if hitCount > 4 {
                var k = 4
                while k < hitCount {
                    hits &= hits &- 1
                    slot[k] = i &+ hits.trailingZeroBitCount &>> 3
                    k &+= 1
                }
            }
            found &+= hitCount
        }
        while i &+ 8 <= n {
            record(UInt64(littleEndian: (base + i).loadUnaligned(as: UInt64.self)))
            i &+= 8
        }
        if i < n {
            // The tail: the line's last eight bytes shifted so that the tail sits low with
            // zeros above (0 never matches), or a short load for lines under eight bytes.
            let word =
                n >= 8
                ? UInt64(littleEndian: (base + (n &- 8)).loadUnaligned(as: UInt64.self))
                    &>> UInt64((8 &- (n &- i)) &* 8)
                : SWAR.load(base + i, count: n &- i)
            record(word)
        }
        if quoting && quotes != 0 {
            self.line = nil
            try splitQuoted(base, n)
            return
        }
        bounds[found &+ 1] = n
        self.line = base
        lineLength = n
        count = found &+ 1
    }

    /// The full RFC 4180 splitter, used for lines that contain a `"`.
    private func splitQuoted(_ base: UnsafeRawPointer, _ n: Int) throws(CSVFieldError) {
        count = 0
        if scratchCapacity < n {
            scratch.deallocate()
            scratchCapacity = max(n, scratchCapacity * 2)
            scratch = .allocate(byteCount: scratchCapacity, alignment: 16)
        }
        let bytes = base.assumingMemoryBound(to: UInt8.self)
        let out = scratch.assumingMemoryBound(to: UInt8.self)
        let quote = UInt8(ascii: "\"")
        var written = 0
        var i = 0
        while true {
            if i < n && bytes[i] == quote {
                // Quoted field: copy runs between quotes, `""` becomes `"`.
                let fieldStart = written
                i += 1
                while true {
                    guard i < n, let q = memchr(base + i, Int32(quote), n - i) else {
                        throw .unterminatedQuote
                    }
                    let at = base.distance(to: UnsafeRawPointer(q))
                    (out + written).update(from: bytes + i, count: at - i)
                    written += at - i
                    i = at + 1
                    if i < n && bytes[i] == quote {
                        out[written] = quote
                        written += 1
                        i += 1
                    } else {
                        break
                    }
                }
                appendRange(UnsafeRawBufferPointer(start: scratch + fieldStart, count: written - fieldStart))
                if i == n { return }
                guard bytes[i] == separator else { throw .badQuote }
                i += 1
            } else {
                // Unquoted field: runs to the next separator; a quote inside it is an error.
                let start = i
                while i < n && bytes[i] != separator {
                    if bytes[i] == quote { throw .badQuote }
                    i += 1
                }
                appendRange(UnsafeRawBufferPointer(start: base + start, count: i - start))
                if i == n { return }
                i += 1
            }
            if i == n {
                // The line ends with a separator: one more, empty, field.
                appendRange(UnsafeRawBufferPointer(start: base + n, count: 0))
                return
            }
        }
    }

    /// Records one field of the quoted path, growing the range storage when full.
    @inline(__always)
    private func appendRange(_ field: UnsafeRawBufferPointer) {
        if count == rangeCapacity { growRanges() }
        ranges[count] = field
        count += 1
    }

    /// Doubles the range storage, keeping the recorded fields.
    @inline(never)
    private func growRanges() {
        let bigger = UnsafeMutablePointer<UnsafeRawBufferPointer>.allocate(capacity: rangeCapacity * 2)
        bigger.moveInitialize(from: ranges, count: count)
        ranges.deallocate()
        ranges = bigger
        rangeCapacity *= 2
    }

    /// Replaces the separator-position storage with room for `capacity` entries.
    @inline(never)
    private func growBounds(_ capacity: Int) {
        bounds.deallocate()
        boundsCapacity = max(capacity, boundsCapacity * 2)
        bounds = .allocate(capacity: boundsCapacity)
        bounds.initialize(repeating: 0, count: boundsCapacity)
    }
}
