#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Splits a ``ByteSource`` into physical lines without copying them.
///
/// Each line is handed out as an `UnsafeRawBufferPointer` into the reader's buffer, without its
/// `\n` and without one trailing `\r` (so LF and CRLF files read the same), together with its
/// 1-based physical line number. The pointer is valid only until the next line is requested.
///
/// - A UTF-8 byte order mark at the start of line 1 is removed and reported by ``sawBOM``.
/// - A last line without a final newline is still a line (``lastLineUnterminated`` tells); a file
///   ending in `\n` has no extra empty line after it. Empty lines are yielded: the caller decides
///   what they mean.
/// - The buffer starts at ``init(source:bufferSize:maxLineLength:)``'s `bufferSize` and doubles
///   for a longer line, up to `maxLineLength`, past which ``IngestError/Code/lineTooLong`` is
///   thrown (a binary file with no newlines must not be read into memory whole).
///
/// Newlines are found with `memchr`, which scans many bytes per cycle.
public final class LineReader {
    /// Where the bytes come from.
    public let source: ByteSource
    /// The longest accepted line, in bytes.
    public let maxLineLength: Int
    /// True once a UTF-8 byte order mark was found (and stripped) at the start of line 1.
    public private(set) var sawBOM = false
    /// The number of the last line handed out (0 before the first).
    public private(set) var lineNumber = 0
    /// Bytes consumed from the source so far, line breaks and BOM included.
    public private(set) var bytesRead: Int64 = 0
    /// True once the last line was handed out without a `\n` after it (the file does not end
    /// with a newline: a file cut short looks like this, a complete one does not).
    public private(set) var lastLineUnterminated = false

    /// The buffer holding the current line and read-ahead bytes.
    private var buffer: UnsafeMutableRawPointer
    /// Allocated size of `buffer`.
    private var capacity: Int
    /// Start of the bytes not yet handed out.
    private var start = 0
    /// End of the valid bytes in `buffer`.
    private var end = 0
    /// Offset from `start` up to which no `\n` exists (saves rescanning after a refill).
    private var scanned = 0
    /// Set when the source returned 0.
    private var atEnd = false

    /// Creates a reader.
    /// - Parameters:
    ///   - source: the bytes to split.
    ///   - bufferSize: the initial buffer size (default 1 MiB); reads are up to this size.
    ///   - maxLineLength: the longest line accepted (default 64 MiB; a MovieLens line is under 1 KiB).
    public init(source: ByteSource, bufferSize: Int = 1 << 20, maxLineLength: Int = 64 << 20) {
        precondition(bufferSize >= 16, "bufferSize too small")
        self.source = source
        self.maxLineLength = maxLineLength
        capacity = bufferSize
        buffer = .allocate(byteCount: capacity, alignment: 64)
    }

    /// Frees the buffer.
    deinit { buffer.deallocate() }

    /// Calls `body` with each remaining line and its 1-based physical line number.
    ///
    /// The line's bytes are valid only during the call. To stop early, throw from `body`.
    /// - Throws: what `body` throws; ``IngestError`` from the source or for an over-long line.
    @inline(__always)
    public func forEachLine(_ body: (UnsafeRawBufferPointer, Int) throws -> Void) throws {
        while let line = try nextLine() {
            try body(line, lineNumber)
        }
    }

    /// The next line, or `nil` at the end of the source; ``lineNumber`` is its number.
    ///
    /// The returned bytes are valid until the next call.
    /// - Throws: ``IngestError`` from the source, or `.lineTooLong`.
    @inline(__always)
    public func nextLine() throws -> UnsafeRawBufferPointer? {
        while true {
            let from = start + scanned
            if from < end, let hit = memchr(buffer + from, 0x0A, end - from) {
                let newline = UnsafeRawPointer(buffer).distance(to: UnsafeRawPointer(hit))
                let lineStart = start
                start = newline + 1
                scanned = 0
                return finish(lineStart, newline, consumed: newline + 1 - lineStart)
            }
            scanned = end - start
            if atEnd {
                guard start < end else { return nil }
                let lineStart = start
                lastLineUnterminated = true
                start = end
                scanned = 0
                return finish(lineStart, end, consumed: end - lineStart)
            }
            try refill()
        }
    }

    /// Builds the line `[lineStart, lineEnd)`: drops one trailing `\r` and, on line 1, a BOM.
    @inline(__always)
    private func finish(_ lineStart: Int, _ lineEnd: Int, consumed: Int) -> UnsafeRawBufferPointer {
        var first = lineStart
        var last = lineEnd
        lineNumber += 1
        bytesRead += Int64(consumed)
        if last > first && buffer.load(fromByteOffset: last - 1, as: UInt8.self) == 0x0D { last -= 1 }
        if lineNumber == 1 && last - first >= 3
            && buffer.load(fromByteOffset: first, as: UInt8.self) == 0xEF
            && buffer.load(fromByteOffset: first + 1, as: UInt8.self) == 0xBB
            && buffer.load(fromByteOffset: first + 2, as: UInt8.self) == 0xBF
        {
            sawBOM = true
            first += 3
        }
        return UnsafeRawBufferPointer(start: buffer + first, count: last - first)
    }

    /// Moves the unfinished line to the front (growing the buffer if it fills it) and reads more.
    @inline(never)
    private func refill() throws {
        let pending = end - start
        if pending == capacity {
            guard capacity <= maxLineLength else {
                throw IngestError(
                    .lineTooLong, file: source.displayPath, line: lineNumber + 1,
                    message: "line is longer than \(maxLineLength) bytes without a line break",
                    fix: "Check that this is a text file of the drop; lines are separated by \\n or \\r\\n.")
            }
            let bigger = min(capacity * 2, maxLineLength + 1)
            let grown = UnsafeMutableRawPointer.allocate(byteCount: bigger, alignment: 64)
            grown.copyMemory(from: buffer + start, byteCount: pending)
            buffer.deallocate()
            buffer = grown
            capacity = bigger
        } else if start > 0 {
            memmove(buffer, buffer + start, pending)
        }
        start = 0
        end = pending
        let n = try source.read(into: UnsafeMutableRawBufferPointer(start: buffer + end, count: capacity - end))
        if n == 0 {
            atEnd = true
        } else {
            end += n
        }
    }
}
