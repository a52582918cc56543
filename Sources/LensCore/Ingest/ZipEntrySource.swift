#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
import CZlibInflate
import Foundation

// MARK: - ZipEntrySource

/// Streams one entry: `pread` of the compressed bytes into a private buffer, raw inflate
/// (`inflateInit2(-MAX_WBITS)`) straight into the caller's buffer, CRC-32 as it goes.
///
/// Never produces more than one byte beyond the declared uncompressed size: the output window
/// is capped at `declared - produced + 1`, so a lying header is caught after one extra byte.
final class ZipEntrySource: ByteSource {
    /// Compressed bytes read per `pread`.
    private static let inputCapacity = 256 * 1024

    /// Keeps the descriptor open while the entry is read.
    private let archive: ZipArchive
    /// The entry being read.
    private let entry: ZipEntry
    /// `archive.zip:entry/name`.
    let displayPath: String
    /// The declared uncompressed size.
    var expectedSize: Int64? { entry.uncompressedSize }
    /// Where the next compressed byte is read from.
    private var inputOffset: Int64
    /// Compressed bytes not yet read from the file.
    private var inputRemaining: Int64
    /// Inflated bytes delivered so far.
    private var produced: Int64 = 0
    /// Running CRC-32 of the delivered bytes.
    private var crc: UInt = 0
    /// Set once the end was reached and verified; reads then return 0.
    private var finished = false
    /// The zlib stream (heap-allocated: zlib keeps a pointer back to it); nil for stored entries.
    private var stream: UnsafeMutablePointer<z_stream>?
    /// Compressed input buffer for deflated entries.
    private var input: UnsafeMutableRawPointer?

    /// Prepares to read `entry`, whose data starts at `dataOffset`.
    /// - Throws: ``IngestError`` `.io` when zlib cannot be initialised (out of memory).
    init(archive: ZipArchive, entry: ZipEntry, dataOffset: Int64, displayPath: String) throws {
        self.archive = archive
        self.entry = entry
        self.displayPath = displayPath
        self.inputOffset = dataOffset
        self.inputRemaining = entry.compressedSize
        if entry.method == .deflated {
            let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
            stream.initialize(to: z_stream())
            let status = inflateInit2_(stream, -MAX_WBITS, zlibVersion(), Int32(MemoryLayout<z_stream>.size))
            guard status == Z_OK else {
                stream.deallocate()
                throw IngestError(.io, file: displayPath, message: "zlib could not start inflating (status \(status))")
            }
            self.stream = stream
            self.input = UnsafeMutableRawPointer.allocate(byteCount: Self.inputCapacity, alignment: 16)
        }
    }

    /// Frees zlib's state and the input buffer if the entry was not read to its end.
    deinit {
        if let stream {
            inflateEnd(stream)
            stream.deallocate()
        }
        input?.deallocate()
    }

    /// Delivers the next inflated bytes; at the end verifies the size and CRC-32 and returns 0.
    /// - Throws: ``IngestError`` — `.zipBomb` past the declared size, `.truncatedZip` when the
    ///   data stops early, `.corruptZip` on bad deflate data or a short entry,
    ///   `.checksumMismatch` on a CRC-32 difference, `.io` on a read failure.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        precondition(buffer.count > 0, "read(into:) needs a non-empty buffer")
        if finished { return 0 }
        // Cap the output so that at most one byte beyond the declared size is ever produced.
        // (Written to stay clear of overflow for a declared size near Int64.max.)
        let declaredLeft = entry.uncompressedSize - produced
        let room =
            declaredLeft < Int64(min(buffer.count, Int(UInt32.max)))
            ? Int(declaredLeft) + 1 : min(buffer.count, Int(UInt32.max))
        let out = buffer.baseAddress!
        var count = 0
        var ended = false
        if let stream {
            stream.pointee.next_out = out.assumingMemoryBound(to: Bytef.self)
            stream.pointee.avail_out = uInt(room)
            while stream.pointee.avail_out > 0 {
                if stream.pointee.avail_in == 0 && inputRemaining > 0 {
                    try refill(stream)
                }
                let status = inflate(stream, Z_NO_FLUSH)
                if status == Z_STREAM_END {
                    ended = true
                    break
                } else if status == Z_OK {
                    continue
                } else if status == Z_BUF_ERROR {
                    // No progress possible: out of input with the stream unfinished.
                    if stream.pointee.avail_in == 0 && inputRemaining == 0 {
                        throw IngestError(
                            .truncatedZip, file: displayPath,
                            message:
                                "the compressed data ends before the deflate stream does (after \(produced + Int64(room - Int(stream.pointee.avail_out))) of \(entry.uncompressedSize) bytes)",
                            fix: "The archive is damaged or incomplete; download it again.")
                    }
                    throw IngestError(
                        .corruptZip, file: displayPath, message: "the deflate stream stopped making progress",
                        fix: "The archive is damaged; download it again.")
                } else {
                    let detail = stream.pointee.msg.map { String(cString: $0) } ?? "status \(status)"
                    throw IngestError(
                        .corruptZip, file: displayPath, message: "invalid deflate data (\(detail))",
                        fix: "The archive is damaged; download it again.")
                }
            }
            count = room - Int(stream.pointee.avail_out)
        } else {
            let want = Int(min(Int64(room), inputRemaining))
            if want > 0 {
                count = try preadFully(archive.fd, out, count: want, offset: inputOffset, file: displayPath)
                inputOffset += Int64(count)
                inputRemaining -= Int64(count)
                if count < want {
                    throw IngestError(
                        .truncatedZip, file: displayPath,
                        message: "the file ends inside the entry's data",
                        fix: "The archive is incomplete; download it again.")
                }
            }
            ended = inputRemaining == 0
        }
        if count > 0 {
            crc = crc32(crc, out.assumingMemoryBound(to: Bytef.self), uInt(count))
            produced += Int64(count)
        }
        if produced > entry.uncompressedSize {
            throw IngestError(
                .zipBomb, file: displayPath,
                message:
                    "the entry inflates to more than the \(entry.uncompressedSize) bytes its header declares; stopped reading it",
                fix: "Do not trust this archive; download the drop again from GroupLens.")
        }
        if ended {
            if produced != entry.uncompressedSize {
                throw IngestError(
                    .corruptZip, file: displayPath,
                    message:
                        "the entry inflates to \(produced) bytes but its header declares \(entry.uncompressedSize)",
                    fix: "The archive is damaged; download it again.")
            }
            if UInt32(truncatingIfNeeded: crc) != entry.crc32 {
                throw IngestError(
                    .checksumMismatch, file: displayPath,
                    message:
                        "CRC-32 mismatch: the data has \(hex32(UInt32(truncatingIfNeeded: crc))), the archive records \(hex32(entry.crc32))",
                    fix: "The archive is damaged; download it again.")
            }
            finished = true
            releaseInflater()
        }
        return count
    }

    /// Reads the next compressed chunk into the input buffer and hands it to zlib.
    private func refill(_ stream: UnsafeMutablePointer<z_stream>) throws {
        let want = Int(min(Int64(Self.inputCapacity), inputRemaining))
        let got = try preadFully(archive.fd, input!, count: want, offset: inputOffset, file: displayPath)
        if got < want {
            throw IngestError(
                .truncatedZip, file: displayPath, message: "the file ends inside the entry's compressed data",
                fix: "The archive is incomplete; download it again.")
        }
        inputOffset += Int64(got)
        inputRemaining -= Int64(got)
        stream.pointee.next_in = input!.assumingMemoryBound(to: Bytef.self)
        stream.pointee.avail_in = uInt(got)
    }

    /// Frees zlib's state and the input buffer as soon as the entry is done.
    private func releaseInflater() {
        if let stream {
            inflateEnd(stream)
            stream.deallocate()
            self.stream = nil
        }
        input?.deallocate()
        input = nil
    }
}

/// `0x1a2b3c4d`-style rendering of a CRC-32.
private func hex32(_ value: UInt32) -> String {
    let digits = String(value, radix: 16)
    return "0x" + String(repeating: "0", count: 8 - digits.count) + digits
}
