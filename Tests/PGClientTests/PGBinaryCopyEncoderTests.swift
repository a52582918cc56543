import PGClient
import XCTest

/// Byte-exact checks of the binary COPY encoder against the format in PostgreSQL's COPY docs
/// (no server needed; the round trip through a server is in PGConnectionTests).
final class PGBinaryCopyEncoderTests: XCTestCase {
    /// Protects the file header (11-byte signature, flags, extension length) and the trailer.
    func testHeaderAndTrailer() {
        var e = PGBinaryCopyEncoder()
        e.header()
        XCTAssertEqual(e.buffer, [0x50, 0x47, 0x43, 0x4F, 0x50, 0x59, 0x0A, 0xFF, 0x0D, 0x0A, 0x00,
                                  0, 0, 0, 0, 0, 0, 0, 0])
        e.reset()
        XCTAssertEqual(e.count, 0)
        e.trailer()
        XCTAssertEqual(e.buffer, [0xFF, 0xFF])
    }

    /// Protects every scalar's length prefix and big-endian value, and NULL as length -1.
    func testScalarsAreBigEndianWithLengths() {
        var e = PGBinaryCopyEncoder()
        e.beginRow(fieldCount: 9)
        e.null()
        e.bool(true)
        e.int16(-2)
        e.int32(0x0102_0304)
        e.int64(-1)
        e.float4(1.0)
        e.float8(-2.0)
        e.text("é")
        e.timestamptz(epochMicros: 946_684_800_000_000)  // 2000-01-01 00:00 UTC = PostgreSQL's zero
        XCTAssertEqual(e.buffer, [
            0, 9,
            0xFF, 0xFF, 0xFF, 0xFF,
            0, 0, 0, 1, 1,
            0, 0, 0, 2, 0xFF, 0xFE,
            0, 0, 0, 4, 1, 2, 3, 4,
            0, 0, 0, 8, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
            0, 0, 0, 4, 0x3F, 0x80, 0, 0,
            0, 0, 0, 8, 0xC0, 0, 0, 0, 0, 0, 0, 0,
            0, 0, 0, 2, 0xC3, 0xA9,
            0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0, 0,
        ])
        XCTAssertEqual(e.count, e.buffer.count)
    }

    /// Protects the array layout: ndim, has-null flag, element oid, dimension + lower bound, then
    /// length-prefixed elements; an empty array has zero dimensions.
    func testArrays() {
        var e = PGBinaryCopyEncoder()
        e.textArray(["a", "bc"])
        XCTAssertEqual(e.buffer, [
            0, 0, 0, 31,       // field length: 20 header + (4+1) + (4+2)
            0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 25, 0, 0, 0, 2, 0, 0, 0, 1,
            0, 0, 0, 1, 0x61,
            0, 0, 0, 2, 0x62, 0x63,
        ])
        e.reset()
        e.textArray([])
        XCTAssertEqual(e.buffer, [0, 0, 0, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 25])
        e.reset()
        e.float4Array([0.5])
        XCTAssertEqual(e.buffer, [0, 0, 0, 28, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 2, 0xBC, 0, 0, 0, 1, 0, 0, 0, 1,
                                  0, 0, 0, 4, 0x3F, 0, 0, 0])
        e.reset()
        e.float4Array([Float]())
        XCTAssertEqual(e.buffer, [0, 0, 0, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0xBC])
    }

    /// Protects pgvector's binary format (vector_recv): int16 dimensions, int16 unused, then the
    /// elements as big-endian float4 without per-element lengths.
    func testPgvector() {
        var e = PGBinaryCopyEncoder()
        e.pgvector([1, -2.5])
        XCTAssertEqual(e.buffer, [0, 0, 0, 12, 0, 2, 0, 0, 0x3F, 0x80, 0, 0, 0xC0, 0x20, 0, 0])
    }

    /// Protects values bigger than the internal staging area (256 KiB) and the array length
    /// patch when the stage was moved to the buffer in between.
    func testValuesLargerThanTheStage() {
        var e = PGBinaryCopyEncoder()
        let big = String(repeating: "x", count: 700_000)
        e.int32(7)
        e.text(big)
        e.textArray([big, "y"])
        let b = e.buffer
        XCTAssertEqual(b.count, 8 + 4 + 700_000 + 4 + 20 + 4 + 700_000 + 4 + 1)
        XCTAssertEqual(Array(b[8..<12]), [0, 0x0A, 0xAE, 0x60])   // 700000
        let arrayLength = Int(b[700_012]) << 24 | Int(b[700_013]) << 16 | Int(b[700_014]) << 8 | Int(b[700_015])
        XCTAssertEqual(arrayLength, 20 + 4 + 700_000 + 4 + 1)
        XCTAssertEqual(b.last, UInt8(ascii: "y"))
    }

    /// Protects value semantics: a copy of an encoder does not see (or corrupt) rows written to the
    /// original afterwards, and vice versa.
    func testCopiesAreIndependent() {
        var a = PGBinaryCopyEncoder()
        a.beginRow(fieldCount: 1)
        a.int32(1)
        var b = a
        a.beginRow(fieldCount: 1)
        a.int32(2)
        b.beginRow(fieldCount: 1)
        b.int32(3)
        XCTAssertEqual(a.buffer, [0, 1, 0, 0, 0, 4, 0, 0, 0, 1, 0, 1, 0, 0, 0, 4, 0, 0, 0, 2])
        XCTAssertEqual(b.buffer, [0, 1, 0, 0, 0, 4, 0, 0, 0, 1, 0, 1, 0, 0, 0, 4, 0, 0, 0, 3])
    }

    /// Protects `withPendingBytes`: it hands out exactly the buffer's bytes, in order, without
    /// needing `buffer` to be read first.
    func testPendingBytesMatchBuffer() {
        var e = PGBinaryCopyEncoder()
        for i in 0..<100_000 {
            e.beginRow(fieldCount: 2)
            e.int32(Int32(i))
            e.text("row \(i)")
        }
        var pending: [UInt8] = []
        e.withPendingBytes { pending.append(contentsOf: $0) }
        XCTAssertEqual(pending.count, e.count)
        XCTAssertEqual(pending, e.buffer)
    }
}
