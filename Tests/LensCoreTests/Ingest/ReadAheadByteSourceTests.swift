import Foundation
import XCTest

@testable import LensCore

final class ReadAheadByteSourceTests: XCTestCase {
    /// A source that fails after delivering `failAfter` bytes.
    private final class FailingSource: ByteSource {
        let displayPath = "failing.csv"
        let expectedSize: Int64? = nil
        let failAfter: Int
        var delivered = 0
        init(failAfter: Int) { self.failAfter = failAfter }
        func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
            if delivered >= failAfter {
                throw IngestError(.io, file: displayPath, message: "cannot read: Input/output error (errno 5)")
            }
            let n = min(buffer.count, failAfter - delivered, 1000)
            for i in 0..<n { buffer[i] = UInt8(truncatingIfNeeded: delivered + i) }
            delivered += n
            return n
        }
    }

    /// Protects the bytes: read ahead in small chunks through few buffers, then read out with
    /// odd buffer sizes, the stream is unchanged.
    func testBytesComeOutInOrderAndUnchanged() throws {
        let all = (0..<200_003).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 9) }
        for (chunkSize, depth, readSize) in [(1, 1, 1), (7, 2, 13), (4096, 4, 1000), (1 << 20, 4, 4096)] {
            // Byte-sized chunks hand over one byte per thread switch: keep that case short.
            let bytes = chunkSize < 64 ? Array(all.prefix(3001)) : all
            let source = ReadAheadByteSource(IngestMemorySource(bytes, chunk: 333), chunkSize: chunkSize, depth: depth)
            XCTAssertEqual(
                try IngestFixtures.readAll(source, chunk: readSize), bytes, "\(chunkSize)/\(depth)/\(readSize)")
            XCTAssertEqual(source.expectedSize, Int64(bytes.count))
        }
    }

    /// Protects error reporting: the bytes before the failure are delivered, then the wrapped
    /// source's error is thrown, unchanged.
    func testAnErrorIsThrownAfterTheBytesBeforeIt() throws {
        let source = ReadAheadByteSource(FailingSource(failAfter: 5000), chunkSize: 1024, depth: 2)
        var received = 0
        var buffer = [UInt8](repeating: 0, count: 700)
        XCTAssertThrowsError(
            try {
                while true {
                    let n = try buffer.withUnsafeMutableBytes { try source.read(into: $0) }
                    if n == 0 { break }
                    received += n
                }
            }()
        ) { error in
            XCTAssertEqual(String(describing: error), "failing.csv: error: cannot read: Input/output error (errno 5)")
        }
        XCTAssertEqual(received, 5000)
    }

    /// Protects early exits: releasing the reader while the producer waits for a free buffer
    /// must neither hang nor crash, and a drop's line stream reads the same through it.
    func testReleasingEarlyStopsTheThreadAndLinesAreUnchanged() throws {
        for _ in 0..<20 {
            var source: ReadAheadByteSource? = ReadAheadByteSource(
                IngestMemorySource([UInt8](repeating: 0x41, count: 1 << 20)), chunkSize: 1024, depth: 2)
            var one = [UInt8](repeating: 0, count: 10)
            _ = try one.withUnsafeMutableBytes { try source!.read(into: $0) }
            source = nil
        }
        let text = Array(String(repeating: "1,2,3.5,964982703\r\n", count: 5000).utf8)
        let direct = try IngestFixtures.lines(of: IngestMemorySource(text))
        let ahead = try IngestFixtures.lines(
            of: ReadAheadByteSource(IngestMemorySource(text), chunkSize: 4096, depth: 3))
        XCTAssertEqual(direct.map(\.1), ahead.map(\.1))
        XCTAssertEqual(direct.count, 5000)
    }
}
