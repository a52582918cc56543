import Foundation
import XCTest

@testable import LensCore

/// Shared helpers for the Ingest tests: temporary folders, zips written by Python's `zipfile`,
/// the real MovieLens samples in `../shared`, and reading sources back into arrays.
enum IngestFixtures {
    /// `../shared/movielens` next to the repository (or `$LENS_SHARED_DIR/movielens`), found from
    /// this file's real path so that it also works when the tests are built through a symlink.
    static var movieLensDirectory: String? {
        var candidates: [String] = []
        if let shared = ProcessInfo.processInfo.environment["LENS_SHARED_DIR"] {
            candidates.append(shared + "/movielens")
        }
        let here = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
        let repository = here.deletingLastPathComponent()  // Ingest
            .deletingLastPathComponent()  // LensCoreTests
            .deletingLastPathComponent()  // Tests
            .deletingLastPathComponent()  // the repository
        candidates.append(repository.appendingPathComponent("../shared/movielens").standardized.path)
        return candidates.first { FileManager.default.fileExists(atPath: $0 + "/ml-latest-small") }
    }

    /// The shared MovieLens folder, or an `XCTSkip` when this checkout has none beside it.
    static func requireMovieLens() throws -> String {
        guard let directory = movieLensDirectory else {
            throw XCTSkip("../shared/movielens is absent (set LENS_SHARED_DIR to run the real-data tests)")
        }
        return directory
    }

    /// A fresh empty folder under the temporary directory; removed by `addTeardownBlock`.
    static func temporaryDirectory(_ test: XCTestCase) throws -> String {
        let path = NSTemporaryDirectory() + "lens-ingest-tests-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        test.addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
        return path
    }

    /// Writes `bytes` to `path`, creating parent folders.
    static func write(_ bytes: [UInt8], to path: String) throws {
        let url = URL(fileURLWithPath: path)
        try FileManager.default.createDirectory(
            at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(bytes).write(to: url)
    }

    /// Writes UTF-8 `text` to `path`.
    static func write(_ text: String, to path: String) throws {
        try write(Array(text.utf8), to: path)
    }

    /// Runs a Python 3 script with arguments; skips the test when `python3` is not installed.
    static func python(_ script: String, _ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script] + arguments
        let errors = Pipe()
        process.standardError = errors
        do {
            try process.run()
        } catch {
            throw XCTSkip("python3 is not available: \(error)")
        }
        let message = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        if process.terminationStatus == 127 { throw XCTSkip("python3 is not available") }
        guard process.terminationStatus == 0 else {
            throw NSError(
                domain: "python3", code: Int(process.terminationStatus),
                userInfo: [NSLocalizedDescriptionKey: String(decoding: message, as: UTF8.self)])
        }
    }

    /// Writes a zip with Python's `zipfile`: `entries` are (name, content); `method` is
    /// "stored" or "deflated"; `zip64` forces ZIP64 extra fields on every entry.
    static func makeZip(
        at path: String, entries: [(String, [UInt8])], method: String = "deflated", zip64: Bool = false
    ) throws {
        let folder = path + ".parts"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        var arguments = [path, method, zip64 ? "1" : "0"]
        for (index, entry) in entries.enumerated() {
            let part = folder + "/\(index)"
            try write(entry.1, to: part)
            arguments += [entry.0, part]
        }
        try python(
            """
            import sys, zipfile
            out, method, z64 = sys.argv[1], sys.argv[2], sys.argv[3] == "1"
            kind = zipfile.ZIP_STORED if method == "stored" else zipfile.ZIP_DEFLATED
            with zipfile.ZipFile(out, "w", kind) as z:
                for name, part in zip(sys.argv[4::2], sys.argv[5::2]):
                    info = zipfile.ZipInfo(name, date_time=(2019, 11, 21, 12, 0, 0))
                    info.compress_type = kind
                    with z.open(info, "w", force_zip64=z64) as f:
                        f.write(open(part, "rb").read())
            """, arguments)
        try FileManager.default.removeItem(atPath: folder)
    }

    /// Everything a source delivers, read with a small buffer to cross many chunk boundaries.
    static func readAll(_ source: ByteSource, chunk: Int = 4096) throws -> [UInt8] {
        var result: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: chunk)
        while true {
            let n = try buffer.withUnsafeMutableBytes { try source.read(into: $0) }
            if n == 0 { return result }
            result += buffer[0..<n]
        }
    }

    /// Every line of a source as (number, bytes).
    static func lines(of source: ByteSource, bufferSize: Int = 1 << 20) throws -> [(Int, [UInt8])] {
        let reader = LineReader(source: source, bufferSize: bufferSize)
        var result: [(Int, [UInt8])] = []
        try reader.forEachLine { line, number in result.append((number, Array(line))) }
        return result
    }

    /// The lines of `text` read through a ``LineReader`` (as strings) with the given buffer size.
    static func lines(ofText text: [UInt8], bufferSize: Int = 16) throws -> (lines: [String], sawBOM: Bool) {
        let reader = LineReader(source: IngestMemorySource(text), bufferSize: bufferSize)
        var result: [String] = []
        try reader.forEachLine { line, number in
            XCTAssertEqual(number, result.count + 1)
            result.append(String(decoding: line, as: UTF8.self))
        }
        return (result, reader.sawBOM)
    }

    /// Bitwise CRC-32 (IEEE 802.3, reflected), independent of zlib, for checking listings.
    static func crc32(_ bytes: UnsafeRawBufferPointer) -> UInt {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return UInt(crc ^ 0xFFFF_FFFF)
    }

    /// The text of an error, as users see it.
    static func message(_ body: () throws -> Void) -> String? {
        do {
            try body()
            return nil
        } catch {
            return String(describing: error)
        }
    }
}

/// A ``ByteSource`` over bytes in memory that hands out at most `chunk` bytes per read, to
/// exercise callers' handling of short reads.
final class IngestMemorySource: ByteSource {
    /// The bytes to deliver.
    let bytes: [UInt8]
    /// The most bytes handed out per read.
    let chunk: Int
    /// The next byte to deliver.
    var position = 0
    /// Shown in messages.
    let displayPath: String
    /// The total size.
    var expectedSize: Int64? { Int64(bytes.count) }

    /// A source over `bytes`, named `name`, read at most `chunk` bytes at a time.
    init(_ bytes: [UInt8], chunk: Int = .max, name: String = "memory.csv") {
        self.bytes = bytes
        self.chunk = chunk
        self.displayPath = name
    }

    /// Copies the next bytes.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let n = min(buffer.count, chunk, bytes.count - position)
        if n > 0 {
            bytes.withUnsafeBytes { buffer.baseAddress!.copyMemory(from: $0.baseAddress! + position, byteCount: n) }
        }
        position += n
        return n
    }
}
