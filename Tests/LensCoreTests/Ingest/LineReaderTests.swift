import XCTest

@testable import LensCore

final class LineReaderTests: XCTestCase {
    /// Protects the basic contract: lines without their `\n`, numbered from 1, and no phantom
    /// empty line after a final newline.
    func testSplitsLinesAndNumbersThemFromOne() throws {
        let (lines, bom) = try IngestFixtures.lines(ofText: Array("a,b\nc,d\n".utf8))
        XCTAssertEqual(lines, ["a,b", "c,d"])
        XCTAssertFalse(bom)
    }

    /// Protects files that end without a newline: the last line must still be read.
    func testLastLineWithoutNewlineIsALine() throws {
        XCTAssertEqual(try IngestFixtures.lines(ofText: Array("x\ny".utf8)).lines, ["x", "y"])
        XCTAssertEqual(try IngestFixtures.lines(ofText: Array("only".utf8)).lines, ["only"])
        XCTAssertEqual(try IngestFixtures.lines(ofText: []).lines, [])
    }

    /// Protects `lastLineUnterminated`, which the cleaners turn into a `no_final_newline`
    /// warning: set only when the last line had no `\n` after it (whatever the buffer size, so
    /// also when the end of the source is found after a refill), and only when that line is handed out.
    func testLastLineUnterminatedIsReportedOnlyForAMissingFinalNewline() throws {
        for (text, expected) in [("x\ny", true), ("x\ny\n", false), ("x\r\ny\r", true), ("", false), ("\n", false),
                                 (String(repeating: "0123456789,", count: 40), true)] {
            for bufferSize in [16, 1 << 20] {
                let reader = LineReader(source: IngestMemorySource(Array(text.utf8)), bufferSize: bufferSize)
                var seen: [Bool] = []
                try reader.forEachLine { _, _ in seen.append(reader.lastLineUnterminated) }
                XCTAssertEqual(seen.dropLast(), Array(repeating: false, count: max(seen.count - 1, 0)),
                               "not before the last line: \(text.debugDescription)")
                XCTAssertEqual(reader.lastLineUnterminated, expected, "\(text.debugDescription), buffer \(bufferSize)")
                XCTAssertEqual(seen.last ?? false, expected, "set when the last line is handed out")
            }
        }
    }

    /// Protects CRLF files (Windows exports): the `\r` is not part of the last field.
    func testCRLFIsStripped() throws {
        XCTAssertEqual(try IngestFixtures.lines(ofText: Array("a\r\nb\r\nc\r".utf8)).lines, ["a", "b", "c"])
        // Only one trailing CR goes; a CR inside a line stays.
        XCTAssertEqual(try IngestFixtures.lines(ofText: Array("a\rb\r\r\n".utf8)).lines, ["a\rb\r"])
    }

    /// Protects the UTF-8 byte order mark: stripped from line 1 only, and reported.
    func testBOMIsStrippedFromTheFirstLineAndReported() throws {
        let text: [UInt8] = [0xEF, 0xBB, 0xBF] + Array("userId\n\u{FEFF}x\n".utf8)
        let (lines, bom) = try IngestFixtures.lines(ofText: text)
        XCTAssertEqual(lines, ["userId", "\u{FEFF}x"])
        XCTAssertTrue(bom)
        // A BOM-only file is one empty line.
        let (only, sawBOM) = try IngestFixtures.lines(ofText: [0xEF, 0xBB, 0xBF])
        XCTAssertEqual(only, [""])
        XCTAssertTrue(sawBOM)
    }

    /// Protects empty lines: they are yielded (with their numbers) for the caller to count.
    func testEmptyLinesAreYielded() throws {
        XCTAssertEqual(try IngestFixtures.lines(ofText: Array("\n\na\n\r\n\n".utf8)).lines, ["", "", "a", "", ""])
    }

    /// Protects lines longer than the buffer (a 3 MB line through a 16-byte buffer): the buffer grows.
    func testHugeLineGrowsTheBuffer() throws {
        let huge = [UInt8](repeating: UInt8(ascii: "x"), count: 3_000_000)
        let text = Array("a\n".utf8) + huge + Array("\nb".utf8)
        let lines = try IngestFixtures.lines(of: IngestMemorySource(text, chunk: 100_000), bufferSize: 16)
        XCTAssertEqual(lines.map(\.0), [1, 2, 3])
        XCTAssertEqual(lines[1].1.count, huge.count)
        XCTAssertEqual(lines[2].1, Array("b".utf8))
    }

    /// Protects memory: a file without line breaks stops at the limit with a located error.
    func testLineLongerThanTheLimitIsAnError() throws {
        let text = Array("ok\n".utf8) + [UInt8](repeating: 0x41, count: 5000)
        let reader = LineReader(source: IngestMemorySource(text, name: "blob.csv"), bufferSize: 64, maxLineLength: 1000)
        let message = IngestFixtures.message { try reader.forEachLine { _, _ in } }
        XCTAssertEqual(
            message,
            "blob.csv:2: error: line is longer than 1000 bytes without a line break. "
                + "Check that this is a text file of the drop; lines are separated by \\n or \\r\\n.")
    }

    /// Protects the limit's edge: a line of exactly `maxLineLength` bytes is still accepted.
    func testLineOfExactlyTheLimitIsAccepted() throws {
        let line = [UInt8](repeating: 0x42, count: 1000)
        let reader = LineReader(source: IngestMemorySource(line + [0x0A] + line), bufferSize: 16, maxLineLength: 1000)
        var lengths: [Int] = []
        try reader.forEachLine { bytes, _ in lengths.append(bytes.count) }
        XCTAssertEqual(lengths, [1000, 1000])
    }

    /// Protects the refill logic at every buffer boundary: random text, random line lengths,
    /// short reads and tiny buffers must give exactly the lines a plain split gives.
    func testRandomTextMatchesAPlainSplitWhateverTheBufferAndChunkSizes() throws {
        var generator = SystemRandomNumberGenerator()
        for round in 0..<200 {
            var text: [UInt8] = []
            for _ in 0..<Int.random(in: 0...40, using: &generator) {
                let length = Int.random(in: 0...(round % 2 == 0 ? 5 : 70), using: &generator)
                text += (0..<length).map { _ in UInt8.random(in: 0x41...0x5A, using: &generator) }
                if Bool.random(using: &generator) { text.append(0x0D) }
                text.append(0x0A)
            }
            if Bool.random(using: &generator) { text += Array("tail".utf8) }
            var expected = text.split(separator: 0x0A, omittingEmptySubsequences: false).map { line -> [UInt8] in
                line.last == 0x0D ? Array(line.dropLast()) : Array(line)
            }
            if text.last == 0x0A || text.isEmpty { expected.removeLast() }
            let bufferSize = Int.random(in: 16...80, using: &generator)
            let chunk = Int.random(in: 1...100, using: &generator)
            let got = try IngestFixtures.lines(of: IngestMemorySource(text, chunk: chunk), bufferSize: bufferSize)
            XCTAssertEqual(got.map(\.1), expected, "buffer \(bufferSize), chunk \(chunk)")
            XCTAssertEqual(got.map(\.0), Array(0..<expected.count).map { $0 + 1 })
        }
    }

    /// Protects the pull interface and the byte count used for progress and reconciliation.
    func testNextLineAndBytesRead() throws {
        let reader = LineReader(source: IngestMemorySource(Array("ab\r\ncd".utf8)))
        XCTAssertEqual(try reader.nextLine().map { Array($0) }, Array("ab".utf8))
        XCTAssertEqual(reader.lineNumber, 1)
        XCTAssertEqual(try reader.nextLine().map { Array($0) }, Array("cd".utf8))
        XCTAssertEqual(reader.lineNumber, 2)
        XCTAssertNil(try reader.nextLine())
        XCTAssertEqual(reader.bytesRead, 6)
    }
}
