#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
import Foundation

// MARK: - ByteSource

/// The bytes of one file of a drop, read front to back in chunks the caller supplies.
///
/// Implementations: ``FileByteSource`` (a plain file) and the source returned by
/// ``ZipArchive/open(_:)`` (a stored or deflated zip entry, inflated while read). Neither
/// holds the whole file in memory. A source is read by one thread at a time; separate
/// sources (even of one archive) can be read on separate threads.
public protocol ByteSource: AnyObject {
    /// Where the bytes come from, for messages: a path, or `archive.zip:folder/name.csv`.
    var displayPath: String { get }

    /// The number of bytes the source will deliver, when known up front (file size, or a zip
    /// entry's declared uncompressed size); for progress reporting and sizing only.
    var expectedSize: Int64? { get }

    /// Copies the next bytes into `buffer` and returns how many; `0` means the end was reached
    /// (and, for a zip entry, its size and CRC-32 were verified).
    ///
    /// May return fewer bytes than `buffer.count` before the end. `buffer` must not be empty.
    /// - Throws: ``IngestError`` on an I/O failure or damaged data; the source is unusable after.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int
}

extension ByteSource {
    /// Reads from the current position to the end, or until `limit` bytes, whichever is first.
    ///
    /// Meant for small files (a README); when the source is longer than `limit` the result is
    /// its first `limit` bytes and the rest is not read (so a zip entry's CRC is then not checked).
    /// - Throws: ``IngestError`` from ``read(into:)``.
    public func readAll(limit: Int) throws -> [UInt8] {
        precondition(limit >= 0, "limit must not be negative")
        var result: [UInt8] = []
        let chunk = 64 * 1024
        var scratch = [UInt8](repeating: 0, count: chunk)
        while result.count < limit {
            let want = min(chunk, limit - result.count)
            let n = try scratch.withUnsafeMutableBytes { raw in
                try read(into: UnsafeMutableRawBufferPointer(rebasing: raw[0..<want]))
            }
            if n == 0 { break }
            result.append(contentsOf: scratch[0..<n])
        }
        return result
    }
}

// MARK: - FileByteSource

/// A plain file read with `read(2)` into the caller's buffer, with the kernel told to read ahead
/// (`posix_fadvise(SEQUENTIAL)`). Closes its descriptor when released.
public final class FileByteSource: ByteSource {
    /// The path as given, used in messages.
    public let displayPath: String
    /// The file's size when it was opened.
    public let expectedSize: Int64?
    /// The open descriptor; `-1` once closed.
    private var fd: Int32

    /// Opens a regular file for sequential reading.
    /// - Parameters:
    ///   - path: the file to read.
    ///   - displayPath: how to name it in messages (defaults to `path`).
    /// - Throws: ``IngestError`` `.notFound` when it does not exist, `.io` when it cannot be
    ///   opened or is not a regular file.
    public init(path: String, displayPath: String? = nil) throws {
        let shown = displayPath ?? path
        let fd = openForReading(path)
        if fd < 0 { throw IngestError.system("open", file: shown, errno: errno) }
        var info = stat()
        if fstat(fd, &info) != 0 {
            let saved = errno
            close(fd)
            throw IngestError.system("stat", file: shown, errno: saved)
        }
        if (info.st_mode & S_IFMT) != S_IFREG {
            close(fd)
            throw IngestError(
                .io, file: shown, message: "is not a regular file",
                fix: "Point lens at a drop folder or .zip; its CSV files must be plain files.")
        }
        #if os(Linux)
            // Read-ahead hint only; failure is harmless, so the result is ignored.
            _ = posix_fadvise(fd, 0, 0, Int32(POSIX_FADV_SEQUENTIAL))
        #endif
        self.fd = fd
        self.displayPath = shown
        self.expectedSize = Int64(info.st_size)
    }

    /// Closes the descriptor.
    deinit {
        if fd >= 0 { close(fd) }
    }

    /// Reads the next bytes with `read(2)`, retrying on `EINTR`; `0` at end of file.
    /// - Throws: ``IngestError`` `.io` when `read(2)` fails.
    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        precondition(buffer.count > 0, "read(into:) needs a non-empty buffer")
        while true {
            let n = systemRead(fd, buffer.baseAddress, buffer.count)
            if n >= 0 { return n }
            if errno == EINTR { continue }
            throw IngestError.system("read", file: displayPath, errno: errno)
        }
    }
}

// MARK: - CountingByteSource

/// Another source's bytes, counted for progress: `report` hears (name, bytes so far, expected
/// size) every `reportEvery` bytes and once at the end. One addition and one comparison per
/// `read` call (a chunk, not a line), so the readers' speed does not change.
final class CountingByteSource: ByteSource {
    /// 4 MiB: ml-25m's ratings.csv reports about 160 times.
    static let reportEvery: Int64 = 4 << 20
    private let inner: ByteSource
    private let name: String
    private let report: (String, Int64, Int64?) -> Void
    private var done: Int64 = 0
    private var nextReport = CountingByteSource.reportEvery
    private var ended = false

    init(_ inner: ByteSource, name: String, report: @escaping (String, Int64, Int64?) -> Void) {
        self.inner = inner
        self.name = name
        self.report = report
    }

    var displayPath: String { inner.displayPath }
    var expectedSize: Int64? { inner.expectedSize }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let n = try inner.read(into: buffer)
        done += Int64(n)
        if n == 0 {
            if !ended { report(name, done, expectedSize) }
            ended = true
        } else if done >= nextReport {
            nextReport = done + Self.reportEvery
            report(name, done, expectedSize)
        }
        return n
    }
}

// MARK: - Low-level helpers shared by the file and zip readers

/// `open(2)` for reading (close-on-exec), named apart so that methods called `open` can reach it.
/// - Returns: the descriptor, or -1 with `errno` set.
func openForReading(_ path: String) -> Int32 {
    open(path, O_RDONLY | O_CLOEXEC)
}

/// `read(2)`, named apart so that methods called `read` can reach it.
@inline(__always)
private func systemRead(_ fd: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int {
    read(fd, buffer, count)
}

/// Reads exactly `count` bytes at `offset` with `pread(2)` (retrying short reads and `EINTR`).
/// - Returns: the number of bytes read, smaller than `count` only when the file ends first.
/// - Throws: ``IngestError`` `.io` when `pread(2)` fails.
func preadFully(
    _ fd: Int32, _ buffer: UnsafeMutableRawPointer, count: Int, offset: Int64, file: String
) throws -> Int {
    var done = 0
    while done < count {
        let n = pread(fd, buffer + done, count - done, off_t(offset + Int64(done)))
        if n > 0 {
            done += n
        } else if n == 0 {
            break
        } else if errno != EINTR {
            throw IngestError.system("read", file: file, errno: errno)
        }
    }
    return done
}
