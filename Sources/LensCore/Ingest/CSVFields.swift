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
/// Usage: `try fields.split(line)`, then `fields.count` and `fields[i]`. A field is a byte
/// range without its quotes and with `""` unescaped. Ranges point into the line (unquoted
/// fields) or into the splitter's own scratch space (quoted fields), so they are valid until
/// the next `split` or until the line's buffer changes (the next ``LineReader`` line).
///
/// Lines without a `"` take a fast path that only records comma positions and allocates
/// nothing. A line is one physical line: a quoted field holding a line break (legal in
/// RFC 4180, absent from MovieLens) reports ``CSVFieldError/unterminatedQuote``.
public final class CSVFields {
    /// The byte between fields: `,` for CSV, `\t` for ml-100k `u.data`, `|` for `u.item`.
    public let separator: UInt8
    /// Whether `"` quotes fields; with `false` it is an ordinary byte (ml-100k files).
    public let quoting: Bool
    /// The number of fields of the last line split (at least 1: an empty line is one empty field).
    public private(set) var count = 0

    /// Field ranges of the last line, `count` of them.
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
        rangeCapacity = max(expectedFieldCount, 4)
        ranges = .allocate(capacity: rangeCapacity)
        scratchCapacity = 4096
        scratch = .allocate(byteCount: scratchCapacity, alignment: 16)
    }

    deinit {
        ranges.deallocate()
        scratch.deallocate()
    }

    /// The bytes of field `index` (0-based) of the last line split; `index` must be `< count`.
    @inline(__always)
    public subscript(index: Int) -> UnsafeRawBufferPointer {
        precondition(index >= 0 && index < count, "CSV field index out of range")
        return ranges[index]
    }

    /// Splits `line` (without its line break) into fields.
    ///
    /// On failure ``count`` is unspecified and the fields must not be used.
    /// - Throws: ``CSVFieldError/unterminatedQuote`` or ``CSVFieldError/badQuote``.
    @inline(__always)
    public func split(_ line: UnsafeRawBufferPointer) throws(CSVFieldError) {
        count = 0
        let n = line.count
        guard n > 0, let base = line.baseAddress else {
            append(UnsafeRawBufferPointer(start: nil, count: 0))
            return
        }
        // Eight bytes at a time: a mask with 0x80 in each byte equal to the separator (or a
        // quote) tells where fields end without a branch per byte.
        let separatorPattern = UInt64(separator) &* 0x0101_0101_0101_0101
        let quotePattern: UInt64 = quoting ? 0x2222_2222_2222_2222 : separatorPattern
        var start = 0
        var i = 0
        while i < n {
            let word: UInt64
            if n - i >= 8 {
                word = UInt64(littleEndian: (base + i).loadUnaligned(as: UInt64.self))
            } else {
                // The tail: zero-padded (0 never equals the separator or a quote).
                var tail: UInt64 = 0
                withUnsafeMutableBytes(of: &tail) { $0.baseAddress!.copyMemory(from: base + i, byteCount: n - i) }
                word = UInt64(littleEndian: tail)
            }
            if CSVFields.bytesEqual(word, quotePattern) != 0 && quoting {
                try splitQuoted(base, n)
                return
            }
            var hits = CSVFields.bytesEqual(word, separatorPattern)
            while hits != 0 {
                let at = i + hits.trailingZeroBitCount / 8
                append(UnsafeRawBufferPointer(start: base + start, count: at - start))
                start = at + 1
                hits &= hits &- 1
            }
            i += 8
        }
        append(UnsafeRawBufferPointer(start: base + start, count: n - start))
    }

    /// A word with `0x80` in every byte where `word` equals `pattern` (a byte repeated 8 times),
    /// `0` elsewhere — exact for every byte, unlike the shorter has-zero trick.
    @inline(__always)
    static func bytesEqual(_ word: UInt64, _ pattern: UInt64) -> UInt64 {
        let x = word ^ pattern
        let low7: UInt64 = 0x7F7F_7F7F_7F7F_7F7F
        return ~(((x & low7) &+ low7) | x | low7)
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
                append(UnsafeRawBufferPointer(start: scratch + fieldStart, count: written - fieldStart))
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
                append(UnsafeRawBufferPointer(start: base + start, count: i - start))
                if i == n { return }
                i += 1
            }
            if i == n {
                // The line ends with a separator: one more, empty, field.
                append(UnsafeRawBufferPointer(start: base + n, count: 0))
                return
            }
        }
    }

    /// Records one field, growing the range storage when full.
    @inline(__always)
    private func append(_ field: UnsafeRawBufferPointer) {
        if count == rangeCapacity { grow() }
        ranges[count] = field
        count += 1
    }

    /// Doubles the range storage, keeping the recorded fields.
    @inline(never)
    private func grow() {
        let bigger = UnsafeMutablePointer<UnsafeRawBufferPointer>.allocate(capacity: rangeCapacity * 2)
        bigger.moveInitialize(from: ranges, count: count)
        ranges.deallocate()
        ranges = bigger
        rangeCapacity *= 2
    }
}
