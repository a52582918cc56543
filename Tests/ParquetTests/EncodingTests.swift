// Byte-level checks of the encoders against the specs' own examples, and determinism.

import Foundation
import XCTest
@testable import Parquet

final class EncodingTests: XCTestCase {
    /// Protects: zigzag and varint encodings of the Thrift compact protocol (spec examples).
    func testZigzagAndVarint() {
        XCTAssertEqual([0, -1, 1, -2, 2].map { zigzag32($0) }, [0, 1, 2, 3, 4])
        XCTAssertEqual(zigzag64(Int64.min), UInt64.max)
        let b = ByteBuffer()
        b.appendVarint(50_399)
        XCTAssertEqual(b.bytes, [0xDF, 0x89, 0x03])
    }

    /// Protects: compact-protocol field headers (short delta form, long form), bools in the
    /// header, nested structs, and list headers (short and long).
    func testThriftCompactStruct() {
        let b = ByteBuffer()
        var w = ThriftCompactWriter(b)
        w.beginTopLevel()
        w.i32(1, 3)          // 0x15 0x06
        w.bool(2, true)      // 0x11
        w.i64(20, -1)        // long form: 0x06, zigzag(20)=40=0x28, value 0x01
        w.beginStruct(21)    // delta 1: 0x1C
        w.binary(1, [0xAA])  // 0x18 0x01 0xAA
        w.endStruct()        // 0x00
        w.beginList(22, .i32, count: 2)  // 0x19 0x25
        w.elementI32(1)      // 0x02
        w.elementI32(-1)     // 0x01
        w.beginList(23, .i32, count: 15) // 0x19 0xF5 0x0F
        for _ in 0..<15 { w.elementI32(0) }
        w.endStruct()
        XCTAssertEqual(b.bytes, [0x15, 0x06, 0x11, 0x06, 0x28, 0x01, 0x1C, 0x18, 0x01, 0xAA, 0x00, 0x19, 0x25, 0x02, 0x01, 0x19, 0xF5, 0x0F]
            + [UInt8](repeating: 0, count: 15) + [0x00])
    }

    /// Protects: bit-packing order of the RLE/bit-packed hybrid (Encodings.md example: 0..7 at
    /// width 3 packs to 0x88 0xC6 0xFA) and RLE runs.
    func testHybridSpecExamples() {
        let b = ByteBuffer()
        let values: [UInt32] = [0, 1, 2, 3, 4, 5, 6, 7]
        values.withUnsafeBufferPointer { encodeHybrid($0.baseAddress!, count: 8, bitWidth: 3, into: b) }
        XCTAssertEqual(b.bytes, [0x03, 0x88, 0xC6, 0xFA])
        b.removeAll()
        let run = [UInt32](repeating: 5, count: 10)
        run.withUnsafeBufferPointer { encodeHybrid($0.baseAddress!, count: 10, bitWidth: 3, into: b) }
        XCTAssertEqual(b.bytes, [0x14, 0x05])
        b.removeAll()
        let wide = [UInt32](repeating: 300, count: 9)
        wide.withUnsafeBufferPointer { encodeHybrid($0.baseAddress!, count: 9, bitWidth: 9, into: b) }
        XCTAssertEqual(b.bytes, [0x12, 0x2C, 0x01])
    }

    /// Protects: the hybrid encoder against a reference decoder on mixed runs, every bit width,
    /// and lengths that end mid-group.
    func testHybridRoundTrip() {
        var rng = SplitMix(seed: 42)
        for width in 1...20 {
            for n in [1, 7, 8, 9, 63, 64, 65, 1000] {
                var values: [UInt32] = []
                while values.count < n {
                    let v = UInt32(truncatingIfNeeded: rng.next()) & ((1 << width) - 1)
                    let repeatCount = rng.next() % 4 == 0 ? Int(rng.next() % 30) : 1
                    values += [UInt32](repeating: v, count: min(n - values.count, max(1, repeatCount)))
                }
                let b = ByteBuffer()
                values.withUnsafeBufferPointer { encodeHybrid($0.baseAddress!, count: n, bitWidth: width, into: b) }
                XCTAssertEqual(decodeHybrid(b.bytes, count: n, bitWidth: width), values, "width \(width) n \(n)")
            }
        }
    }

    /// Protects: byte-identical output for identical input (no timestamps, ids or hash-order
    /// dependence anywhere), at every codec.
    func testDeterministicOutput() throws {
        let dir = try TempDir()
        for codec in [ParquetCodec.uncompressed, .zstd(level: 3)] {
            let columns = Fixture.allTypes()
            let options = ParquetWriterOptions(codec: codec, maxRowGroupRows: 3, keyValueMetadata: ["b": "2", "a": "1", "c": "3"])
            try writeFile(dir.path("one.parquet"), columns, options: options)
            try writeFile(dir.path("two.parquet"), Fixture.allTypes(), options: options)
            let one = try Data(contentsOf: dir.url.appendingPathComponent("one.parquet"))
            let two = try Data(contentsOf: dir.url.appendingPathComponent("two.parquet"))
            XCTAssertEqual(one, two)
            XCTAssertEqual(Array(one.prefix(4)), Array("PAR1".utf8))
            XCTAssertEqual(Array(one.suffix(4)), Array("PAR1".utf8))
        }
    }
}

/// A deterministic random generator for tests.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Reference decoder for the RLE/bit-packed hybrid (test only).
func decodeHybrid(_ bytes: [UInt8], count n: Int, bitWidth: Int) -> [UInt32] {
    var out: [UInt32] = []
    var i = 0
    func varint() -> UInt64 {
        var v: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let b = bytes[i]
            i += 1
            v |= UInt64(b & 0x7F) << shift
            if b < 0x80 { return v }
            shift += 7
        }
    }
    while out.count < n && i < bytes.count {
        let header = varint()
        if header & 1 == 0 {
            let runLength = Int(header >> 1)
            var v: UInt32 = 0
            for k in 0..<((bitWidth + 7) / 8) {
                v |= UInt32(bytes[i]) << (8 * UInt32(k))
                i += 1
            }
            out += [UInt32](repeating: v, count: runLength)
        } else {
            let count = Int(header >> 1) * 8
            var acc: UInt64 = 0
            var bits = 0
            for _ in 0..<count {
                while bits < bitWidth {
                    acc |= UInt64(bytes[i]) << UInt64(bits)
                    i += 1
                    bits += 8
                }
                out.append(UInt32(acc & ((1 << UInt64(bitWidth)) - 1)))
                acc >>= UInt64(bitWidth)
                bits -= bitWidth
            }
        }
    }
    return Array(out.prefix(n))
}
