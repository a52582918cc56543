// DELTA_BINARY_PACKED and BYTE_STREAM_SPLIT round trips, the per-column encoding choice
// (explicit and `.auto`), and the page index (ColumnIndex / OffsetIndex).

import Foundation
import XCTest
@testable import Parquet

/// A chunk's page index decoded from the file (PageIndex.md's ColumnIndex and OffsetIndex).
private struct DecodedPageIndex {
    var nullPages: [Bool] = []
    var mins: [[UInt8]] = []
    var maxs: [[UInt8]] = []
    var boundaryOrder: Int32 = -1
    var nullCounts: [Int64] = []
    var offsets: [Int64] = []
    var sizes: [Int32] = []
    var firstRows: [Int64] = []
}

/// Reads the page index of column `column` of row group `group` (nil parts when absent).
private func readPageIndex(_ path: String, group: Int, column: Int) throws -> (column: DecodedPageIndex?, offset: DecodedPageIndex?) {
    let chunk = try ParquetFileReader(path: path).decodedRowGroups[group].columns[column]
    let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
    var out = DecodedPageIndex()
    var haveColumn = false
    var haveOffset = false
    try bytes.withUnsafeBytes { raw in
        if let o = chunk.columnIndexOffset, let n = chunk.columnIndexLength {
            haveColumn = true
            var r = ThriftCompactReader(raw.baseAddress!, start: Int(o), end: Int(o) + Int(n))
            try r.readStruct { r, id, t in
                switch id {
                case 1: try r.readList { r, _ in out.nullPages.append(try r.byte() == 1) }
                case 2: try r.readList { r, _ in out.mins.append(try r.bytes()) }
                case 3: try r.readList { r, _ in out.maxs.append(try r.bytes()) }
                case 4: out.boundaryOrder = try r.i32()
                case 5: try r.readList { r, _ in out.nullCounts.append(try r.i64()) }
                default: try r.skip(t)
                }
            }
        }
        if let o = chunk.offsetIndexOffset, let n = chunk.offsetIndexLength {
            haveOffset = true
            var r = ThriftCompactReader(raw.baseAddress!, start: Int(o), end: Int(o) + Int(n))
            try r.readStruct { r, id, t in
                guard id == 1 else { return try r.skip(t) }
                try r.readList { r, _ in
                    try r.readStruct { r, id, t in
                        switch id {
                        case 1: out.offsets.append(try r.i64())
                        case 2: out.sizes.append(try r.i32())
                        case 3: out.firstRows.append(try r.i64())
                        default: try r.skip(t)
                        }
                    }
                }
            }
        }
    }
    return (haveColumn ? out : nil, haveOffset ? out : nil)
}

private func le32(_ v: Int32) -> [UInt8] { plainBytes(bits: UInt64(UInt32(bitPattern: v)), width: 4) }
private func le64(_ v: Int64) -> [UInt8] { plainBytes(bits: UInt64(bitPattern: v), width: 8) }

final class EncodingChoiceTests: XCTestCase {
    private func write(_ path: String, _ columns: [FixtureColumn], options: ParquetWriterOptions) throws {
        let w = try ParquetFileWriter(path: path, schema: Fixture.schema(columns), options: options)
        try w.write(columns: columns.map(\.values))
        try w.close()
    }

    /// Integer sequences that stress DELTA_BINARY_PACKED: wrap-around deltas, widths 0 and 64,
    /// block and miniblock boundaries (1, 31, 32, 33, 127, 128, 129, 1000 values).
    private func int64Patterns() -> [(String, [Int64])] {
        var out: [(String, [Int64])] = []
        for n in [1, 2, 31, 32, 33, 127, 128, 129, 1000] {
            out.append(("sorted\(n)", (0..<n).map { 1_600_000_000_000_000 + Int64($0) * 1_000_003 }))
            out.append(("equal\(n)", [Int64](repeating: -42, count: n)))
            out.append(("extremes\(n)", (0..<n).map { $0 % 2 == 0 ? Int64.min : Int64.max }))
            out.append(("mixed\(n)", (0..<n).map { Int64(($0 * 7919) % 100_003) - 50_000 + ($0 % 17 == 0 ? Int64(1) << 50 : 0) }))
        }
        return out
    }

    /// Protects: DELTA_BINARY_PACKED round-trips every integer type (int8, int16, int32, int64,
    /// date, timestamp), required and nullable (including all-null pages), through block,
    /// miniblock, page (64-byte pages) and row-group (300 rows) boundaries, with min/max values
    /// whose deltas overflow; the reader returns exactly the values written.
    func testDeltaBinaryPackedRoundTripsEveryIntegerType() throws {
        let dir = try TempDir()
        for (name, v64) in int64Patterns() {
            let n = v64.count
            let valid = (0..<n).map { $0 % 5 != 2 && !($0 >= 40 && $0 < 80) }
            let v32 = v64.map { Int32(truncatingIfNeeded: $0) }
            let columns = [
                FixtureColumn(field: ParquetField("i64", .int64), values: .int64(v64)),
                FixtureColumn(field: ParquetField("ni64", .int64, nullable: true), values: .int64(v64, validity: valid)),
                FixtureColumn(field: ParquetField("ts", .timestampMicrosUTC), values: .int64(v64)),
                FixtureColumn(field: ParquetField("i32", .int32), values: .int32(v32)),
                FixtureColumn(field: ParquetField("ni32", .int32, nullable: true), values: .int32(v32, validity: valid)),
                FixtureColumn(field: ParquetField("dt", .date), values: .int32(v32)),
                FixtureColumn(field: ParquetField("i16", .int16), values: .int16(v64.map { Int16(truncatingIfNeeded: $0) })),
                FixtureColumn(field: ParquetField("ni8", .int8, nullable: true),
                              values: .int8(v64.map { Int8(truncatingIfNeeded: $0) }, validity: valid)),
                FixtureColumn(field: ParquetField("nulls", .int32, nullable: true),
                              values: .int32([Int32](repeating: 0, count: n), validity: [Bool](repeating: false, count: n))),
            ]
            var encodings: [String: ParquetColumnEncoding] = [:]
            for c in columns { encodings[c.field.name] = .deltaBinaryPacked }
            for codec in [ParquetCodec.uncompressed, .zstd(level: 3)] {
                let path = dir.path("\(name).parquet")
                try write(path, columns, options: ParquetWriterOptions(
                    codec: codec, maxRowGroupRows: 300, dataPageSize: 64, columnEncodings: encodings))
                let r = try ParquetFileReader(path: path)
                XCTAssertEqual(r.rowGroupCount, (n + 299) / 300, name)
                for c in columns {
                    XCTAssertEqual(try r.readColumn(c.field.name), c.values, "\(name) \(c.field.name)")
                }
                let encoding = r.decodedRowGroups[0].columns[0].meta!.encodings
                XCTAssertEqual(encoding, [5], name)
            }
        }
    }

    /// Protects: BYTE_STREAM_SPLIT round-trips float, double and float-list columns, required
    /// and nullable, with NaN, ±0, ±infinity and extremes, across pages and row groups.
    func testByteStreamSplitRoundTripsFloats() throws {
        let dir = try TempDir()
        let specials: [Double] = [0, -0.0, .infinity, -.infinity, .nan, .greatestFiniteMagnitude, -.leastNonzeroMagnitude, 1.5]
        for n in [1, 7, 100, 1000] {
            let d = (0..<n).map { $0 < specials.count ? specials[$0] : Double($0) * 0.37 - 100 }
            let f = d.map { Float($0) }
            let valid = (0..<n).map { $0 % 3 != 1 }
            var fl: [Float] = []
            var flo = [0]
            for r in 0..<n {
                for k in 0..<(r % 4) { fl.append(Float(r * 4 + k) / 3) }
                flo.append(fl.count)
            }
            let columns = [
                FixtureColumn(field: ParquetField("f", .float), values: .float(f)),
                FixtureColumn(field: ParquetField("nf", .float, nullable: true), values: .float(f, validity: valid)),
                FixtureColumn(field: ParquetField("d", .double), values: .double(d)),
                FixtureColumn(field: ParquetField("nd", .double, nullable: true), values: .double(d, validity: valid)),
                FixtureColumn(field: ParquetField("fl", .floatList), values: .floatList(values: fl, offsets: flo)),
            ]
            let path = dir.path("bss\(n).parquet")
            try write(path, columns, options: ParquetWriterOptions(
                maxRowGroupRows: 300, dataPageSize: 128,
                columnEncodings: ["f": .byteStreamSplit, "nf": .byteStreamSplit, "d": .byteStreamSplit,
                                  "nd": .byteStreamSplit, "fl": .byteStreamSplit]))
            let r = try ParquetFileReader(path: path)
            for c in columns {
                let got = try r.readColumn(c.field.name)
                // NaN != NaN: compare bit patterns.
                switch (got, c.values) {
                case (.float(let a, let va), .float(let b, let vb)):
                    XCTAssertEqual(a.map(\.bitPattern).enumerated().filter { vb?[$0.offset] ?? true }.map(\.element),
                                   b.map(\.bitPattern).enumerated().filter { vb?[$0.offset] ?? true }.map(\.element), "\(n) \(c.field.name)")
                    XCTAssertEqual(va ?? Array(repeating: true, count: a.count), vb ?? Array(repeating: true, count: b.count))
                case (.double(let a, let va), .double(let b, let vb)):
                    XCTAssertEqual(a.map(\.bitPattern).enumerated().filter { vb?[$0.offset] ?? true }.map(\.element),
                                   b.map(\.bitPattern).enumerated().filter { vb?[$0.offset] ?? true }.map(\.element), "\(n) \(c.field.name)")
                    XCTAssertEqual(va ?? Array(repeating: true, count: a.count), vb ?? Array(repeating: true, count: b.count))
                default:
                    XCTAssertEqual(got, c.values, "\(n) \(c.field.name)")
                }
            }
            XCTAssertEqual(r.decodedRowGroups[0].columns[0].meta!.encodings, [9])
        }
    }

    /// Protects: `.auto` keeps the smallest encoding per column, measured on the first row group:
    /// sorted timestamps and line numbers -> DELTA_BINARY_PACKED only, a scattered 3-value column -> dictionary, and later
    /// row groups keep the first one's choice.
    func testAutoKeepsTheSmallestEncodingPerColumn() throws {
        let dir = try TempDir()
        let n = 20_000
        let columns = [
            FixtureColumn(field: ParquetField("ts", .timestampMicrosUTC), values: .int64((0..<n).map { 1_600_000_000_000_000 + Int64($0) * 1_000_000 })),
            FixtureColumn(field: ParquetField("line", .int32), values: .int32((0..<n).map { Int32($0 + 2) })),
            FixtureColumn(field: ParquetField("rating", .float), values: .float((0..<n).map { Float((($0 &* 2_654_435_761) >> 7) % 3) + 0.5 })),
        ]
        let path = dir.path("auto.parquet")
        try write(path, columns, options: ParquetWriterOptions(maxRowGroupRows: 10_000, defaultEncoding: .auto))
        let r = try ParquetFileReader(path: path)
        for g in 0..<2 {
            let chunks = r.decodedRowGroups[g].columns.map { $0.meta!.encodings }
            XCTAssertEqual(chunks, [[5], [5], [0, 8]], "row group \(g)")
        }
        for c in columns { XCTAssertEqual(try r.readColumn(c.field.name), c.values) }
    }

    /// Protects: every column chunk gets an OffsetIndex (one entry per data page: its offset,
    /// size including the header, first row) and a ColumnIndex (per page: null page flag, exact
    /// bounds, null count, boundary order), and the locations agree with the pages in the file.
    func testPageIndexDescribesEveryDataPage() throws {
        let dir = try TempDir()
        // 64-byte pages: 16 INT32 values (PLAIN) per page, so 100 rows make 7 pages.
        let ids = (0..<100).map { Int32($0 * 3) }
        let valid = (0..<100).map { $0 >= 16 }  // the first page holds only nulls
        let names = (0..<100).map { String(UnicodeScalar(UInt8(122 - $0 / 16)) ) + String(repeating: "x", count: $0 == 99 ? 100 : 1) }
        let columns = [
            FixtureColumn(field: ParquetField("id", .int32), values: .int32(ids)),
            FixtureColumn(field: ParquetField("opt", .int64, nullable: true), values: .int64(ids.map { Int64(-$0) }, validity: valid)),
            FixtureColumn(field: ParquetField("name", .string), values: .string(names)),
        ]
        let path = dir.path("index.parquet")
        try write(path, columns, options: ParquetWriterOptions(
            codec: .uncompressed, dataPageSize: 64, dictionary: false))
        let (ci, oi) = try readPageIndex(path, group: 0, column: 0)
        XCTAssertEqual(oi?.firstRows, [0, 16, 32, 48, 64, 80, 96])
        XCTAssertEqual(ci?.nullPages, [Bool](repeating: false, count: 7))
        XCTAssertEqual(ci?.mins, [0, 16, 32, 48, 64, 80, 96].map { le32(Int32($0 * 3)) })
        XCTAssertEqual(ci?.maxs, [15, 31, 47, 63, 79, 95, 99].map { le32(Int32($0 * 3)) })
        XCTAssertEqual(ci?.nullCounts, [0, 0, 0, 0, 0, 0, 0])
        XCTAssertEqual(ci?.boundaryOrder, 1)  // ASCENDING
        // Each location is a page header followed by its body: they tile the chunk exactly.
        let meta = try ParquetFileReader(path: path).decodedRowGroups[0].columns[0].meta!
        XCTAssertEqual(oi?.offsets.first, meta.dataPageOffset)
        XCTAssertEqual(Int64(oi!.sizes.reduce(0, +)), meta.totalCompressedSize)
        for k in 1..<7 { XCTAssertEqual(oi!.offsets[k], oi!.offsets[k - 1] + Int64(oi!.sizes[k - 1])) }

        // Nullable INT64 (8 rows a page): two pages of nulls only, then descending bounds.
        let (ci2, oi2) = try readPageIndex(path, group: 0, column: 1)
        XCTAssertEqual(oi2?.firstRows, (0..<13).map { Int64($0 * 8) })
        XCTAssertEqual(ci2?.nullPages, [true, true] + [Bool](repeating: false, count: 11))
        XCTAssertEqual(ci2?.mins.prefix(3), [[], [], le64(-69)])
        XCTAssertEqual(ci2?.maxs.prefix(3), [[], [], le64(-48)])
        XCTAssertEqual(ci2?.nullCounts, [8, 8] + [Int64](repeating: 0, count: 11))
        XCTAssertEqual(ci2?.boundaryOrder, 2)  // DESCENDING

        // Strings (11 rows a page): per-page bounds; the last page holds only row 99's 101 bytes,
        // whose bounds are shortened to 64 bytes: the prefix below, the prefix with its last
        // byte incremented above. Its shortened min is above the previous page's "tx", so the
        // order is UNORDERED although the maxes descend.
        let (ci3, oi3) = try readPageIndex(path, group: 0, column: 2)
        XCTAssertEqual(oi3?.firstRows, (0..<10).map { Int64($0 * 11) })
        XCTAssertEqual(ci3?.mins.first, Array("zx".utf8))
        XCTAssertEqual(ci3?.mins[8], Array("tx".utf8))
        XCTAssertEqual(ci3?.maxs[8], Array("ux".utf8))
        XCTAssertEqual(ci3?.mins.last, Array("t".utf8) + [UInt8](repeating: UInt8(ascii: "x"), count: 63))
        XCTAssertEqual(ci3?.maxs.last, Array("t".utf8) + [UInt8](repeating: UInt8(ascii: "x"), count: 62) + [UInt8(ascii: "y")])
        XCTAssertEqual(ci3?.boundaryOrder, 0)
    }

    /// Protects: pyarrow and DuckDB read DELTA_BINARY_PACKED, BYTE_STREAM_SPLIT and dictionary
    /// columns written by this module with the same values, pyarrow reports the encodings, and
    /// every column chunk has a column index and an offset index.
    func testPyarrowAndDuckDBReadNewEncodingsAndPageIndex() throws {
        let dir = try TempDir()
        let n = 3_000
        let valid = (0..<n).map { $0 % 9 != 4 }
        let columns = [
            FixtureColumn(field: ParquetField("ts", .timestampMicrosUTC), values: .int64((0..<n).map { 1_600_000_000_000_000 + Int64($0) * 1_000_003 })),
            FixtureColumn(field: ParquetField("ni64", .int64, nullable: true), values: .int64((0..<n).map { $0 % 2 == 0 ? Int64.min + Int64($0) : Int64.max - Int64($0) }, validity: valid)),
            FixtureColumn(field: ParquetField("i32", .int32), values: .int32((0..<n).map { Int32(($0 * 7919) % 100_003) - 50_000 })),
            FixtureColumn(field: ParquetField("i16", .int16), values: .int16((0..<n).map { Int16($0 % 700) - 350 })),
            FixtureColumn(field: ParquetField("dt", .date, nullable: true), values: .int32((0..<n).map { Int32(18_000 + $0 / 10) }, validity: valid)),
            FixtureColumn(field: ParquetField("f", .float), values: .float((0..<n).map { Float($0 % 97) * 0.25 })),
            FixtureColumn(field: ParquetField("nd", .double, nullable: true), values: .double((0..<n).map { Double($0) / 8 - 3 }, validity: valid)),
            FixtureColumn(field: ParquetField("s", .string), values: .string((0..<n).map { "s\($0 % 13)" })),
        ]
        let path = dir.path("interop.parquet")
        try write(path, columns, options: ParquetWriterOptions(
            maxRowGroupRows: 1_000, dataPageSize: 1_024, createdBy: "lens version 9.9.9",
            columnEncodings: ["ts": .deltaBinaryPacked, "ni64": .deltaBinaryPacked, "i32": .deltaBinaryPacked,
                              "i16": .deltaBinaryPacked, "dt": .deltaBinaryPacked, "f": .byteStreamSplit, "nd": .byteStreamSplit]))
        let back = try PythonReader.read(path)
        XCTAssertEqual(back.createdBy, "lens version 9.9.9")
        XCTAssertEqual(back.rowGroupRows, [1_000, 1_000, 1_000])
        for c in columns {
            let expected = Fixture.expectedCells(c.values, type: c.field.type)
            XCTAssertEqual(back.values[c.field.name], expected, "pyarrow \(c.field.name)")
            XCTAssertEqual(back.duckdbValues[c.field.name], expected, "duckdb \(c.field.name)")
        }
        XCTAssertEqual(back.chunks[0]["ts"]?.encodings, ["DELTA_BINARY_PACKED"])
        XCTAssertEqual(back.chunks[0]["ni64"]?.encodings, ["RLE", "DELTA_BINARY_PACKED"])
        XCTAssertEqual(back.chunks[0]["f"]?.encodings, ["BYTE_STREAM_SPLIT"])
        XCTAssertEqual(back.chunks[0]["s"]?.encodings, ["PLAIN", "RLE_DICTIONARY"])
        let flags = try PythonReader.runPython("""
        import sys, json
        import pyarrow.parquet as pq
        md = pq.ParquetFile(sys.argv[1]).metadata
        print(json.dumps([[md.row_group(g).column(i).has_column_index and md.row_group(g).column(i).has_offset_index
                           for i in range(md.num_columns)] for g in range(md.num_row_groups)]))
        """, args: [path])
        XCTAssertEqual(try JSONSerialization.jsonObject(with: flags) as? [[Bool]],
                       [[Bool]](repeating: [Bool](repeating: true, count: columns.count), count: 3))
    }

    /// Protects: encodings that do not suit a column's type, or name no column, are refused
    /// before anything is written, with a message that says what to change.
    func testUnsuitableEncodingsAreRefused() throws {
        let dir = try TempDir()
        let path = dir.path("bad.parquet")
        let schema = ParquetSchema([ParquetField("s", .string), ParquetField("i", .int32)])
        let cases: [(ParquetWriterOptions, String)] = [
            (ParquetWriterOptions(columnEncodings: ["s": .deltaBinaryPacked]),
             "column 's' is string: deltaBinaryPacked is for integer, date and timestamp columns"),
            (ParquetWriterOptions(columnEncodings: ["i": .byteStreamSplit]),
             "column 'i' is int32: byteStreamSplit is for float, double and float-list columns"),
            (ParquetWriterOptions(columnEncodings: ["nope": .plain]),
             "columnEncodings names 'nope', which is not a field of the schema"),
            (ParquetWriterOptions(defaultEncoding: .deltaBinaryPacked),
             "defaultEncoding deltaBinaryPacked does not suit every column type; name the columns in columnEncodings, or use .auto"),
        ]
        for (options, reason) in cases {
            XCTAssertThrowsError(try ParquetFileWriter(path: path, schema: schema, options: options)) { e in
                XCTAssertEqual(e as? ParquetError, .invalidSchema(file: path, reason: reason))
            }
            XCTAssertFalse(FileManager.default.fileExists(atPath: path))
        }
    }
}
