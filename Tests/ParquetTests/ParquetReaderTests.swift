// The reader: round trips of the writer's files, files written by pyarrow, and damaged files.

import Foundation
import XCTest
@testable import Parquet

/// A small deterministic generator (the tests must not depend on the run).
private struct LCG {
    var state: UInt64
    mutating func next() -> UInt64 {
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return state >> 33
    }
    mutating func int(_ n: Int) -> Int { Int(next() % UInt64(n)) }
}

/// Many rows of every type with long runs, high and low cardinality, nulls, empty and null lists,
/// so that small pages and row groups exercise RLE and bit-packed runs, dictionary fallback and
/// lists that cross page boundaries.
private func bigColumns(rows n: Int) -> [FixtureColumn] {
    var g = LCG(state: 42)
    var valid = [Bool](), bools = [Bool](), i8 = [Int8](), i16 = [Int16](), i32 = [Int32](), i64 = [Int64]()
    var f = [Float](), d = [Double](), s = [String](), ts = [Int64](), sl = [[String]]()
    var fl = [Float](), flo = [0]
    for r in 0..<n {
        valid.append(r % 100 < 50 ? true : g.int(4) != 0)
        bools.append(r % 64 < 20 ? true : g.int(2) == 0)
        i8.append(Int8(truncatingIfNeeded: g.int(256)))
        i16.append(r % 1000 < 500 ? 7 : Int16(truncatingIfNeeded: g.int(65536)))
        i32.append(Int32(truncatingIfNeeded: g.next()))  // high cardinality: dictionary falls back
        i64.append(Int64(g.int(30)) - 15)
        f.append(Float(g.int(10)) * 0.5)
        d.append(Double(bitPattern: g.next() << 20 | g.next()))
        s.append(r % 3 == 0 ? "movie \(g.int(50)) ✓" : "")
        ts.append(1_600_000_000_000_000 + Int64(r) * 1_000_003)
        sl.append((0..<g.int(4)).map { "g\($0 + g.int(3))" })
        for _ in 0..<(r % 7 == 0 ? 0 : 64) { fl.append(Float(g.int(1000)) / 8) }
        flo.append(fl.count)
    }
    return [
        FixtureColumn(field: ParquetField("b", .bool), values: .bool(bools)),
        FixtureColumn(field: ParquetField("nb", .bool, nullable: true), values: .bool(bools, validity: valid)),
        FixtureColumn(field: ParquetField("i8", .int8, nullable: true), values: .int8(i8, validity: valid)),
        FixtureColumn(field: ParquetField("i16", .int16), values: .int16(i16)),
        FixtureColumn(field: ParquetField("i32", .int32), values: .int32(i32)),
        FixtureColumn(field: ParquetField("ni32", .int32, nullable: true), values: .int32(i32, validity: valid)),
        FixtureColumn(field: ParquetField("i64", .int64), values: .int64(i64)),
        FixtureColumn(field: ParquetField("f", .float), values: .float(f)),
        FixtureColumn(field: ParquetField("d", .double, nullable: true), values: .double(d, validity: valid)),
        FixtureColumn(field: ParquetField("s", .string), values: .string(s)),
        FixtureColumn(field: ParquetField("ns", .string, nullable: true), values: .string(s, validity: valid)),
        FixtureColumn(field: ParquetField("ts", .timestampMicrosUTC), values: .int64(ts)),
        FixtureColumn(field: ParquetField("dt", .date, nullable: true), values: .int32(i32.map { $0 % 30000 }, validity: valid)),
        FixtureColumn(field: ParquetField("sl", .stringList), values: .stringList(sl)),
        FixtureColumn(field: ParquetField("nsl", .stringList, nullable: true), values: .stringList(sl, validity: valid)),
        FixtureColumn(field: ParquetField("emb", .floatList), values: .floatList(values: fl, offsets: flo)),
        FixtureColumn(field: ParquetField("nemb", .floatList, nullable: true), values: .floatList(values: fl, offsets: flo, validity: valid)),
    ]
}

final class ParquetReaderTests: XCTestCase {
    /// Reads `path` back and asserts schema, counts, metadata and every column equal what was written.
    private func assertRoundTrip(_ path: String, _ columns: [FixtureColumn], rowGroups: Int? = nil,
                                 keyValue: [String: String] = [:], file: StaticString = #filePath, line: UInt = #line) throws {
        let r = try ParquetFileReader(path: path)
        XCTAssertEqual(r.schema, Fixture.schema(columns), file: file, line: line)
        XCTAssertEqual(r.rowCount, columns[0].values.rowCount, file: file, line: line)
        if let rowGroups { XCTAssertEqual(r.rowGroupCount, rowGroups, file: file, line: line) }
        XCTAssertEqual(r.keyValueMetadata, keyValue, file: file, line: line)
        XCTAssertEqual(r.createdBy, "lens parquet", file: file, line: line)
        for c in columns {
            let got = try r.readColumn(c.field.name)
            XCTAssertEqual(got, c.values, "column \(c.field.name)", file: file, line: line)
            XCTAssertEqual(got.kindName, c.values.kindName, file: file, line: line)
        }
        let all = try r.readColumns()
        XCTAssertEqual(all, columns.map(\.values), file: file, line: line)
    }

    /// Protects: every type (required and nullable, incl. int8/int16, timestamps, dates, string
    /// and float lists) reads back exactly under every writer option combination: zstd and
    /// uncompressed, dictionary on and off, one and several row groups, tiny and default pages.
    func testRoundTripEveryTypeAndOption() throws {
        let dir = try TempDir()
        let columns = Fixture.allTypes()
        var n = 0
        for codec in [ParquetCodec.zstd(level: 3), .uncompressed] {
            for dictionary in [true, false] {
                for rowGroupRows in [3, 1_000] {
                    for pageSize in [1, 1 << 20] {
                        let path = dir.path("rt\(n).parquet")
                        n += 1
                        let options = ParquetWriterOptions(codec: codec, maxRowGroupRows: rowGroupRows, dataPageSize: pageSize,
                                                           dictionary: dictionary, keyValueMetadata: ["k": "v", "lineage": "x"])
                        try writeFile(path, columns, options: options)
                        try assertRoundTrip(path, columns, rowGroups: rowGroupRows == 3 ? 3 : 1,
                                            keyValue: ["k": "v", "lineage": "x"])
                    }
                }
            }
        }
    }

    /// Protects: long columns with many pages and row groups: RLE and bit-packed runs of levels
    /// and indices, dictionary fallback to PLAIN on high-cardinality chunks, lists crossing pages,
    /// nulls everywhere.
    func testRoundTripManyPagesAndRowGroups() throws {
        let dir = try TempDir()
        let columns = bigColumns(rows: 6_000)
        for (i, options) in [
            ParquetWriterOptions(maxRowGroupRows: 2_500, dataPageSize: 2_048),
            ParquetWriterOptions(codec: .uncompressed, maxRowGroupRows: 6_000, dataPageSize: 1_000, dictionaryPageSizeLimit: 2_000),
            ParquetWriterOptions(codec: .zstd(level: 1), maxRowGroupRows: 999, dictionary: false),
        ].enumerated() {
            let path = dir.path("big\(i).parquet")
            let w = try ParquetFileWriter(path: path, schema: Fixture.schema(columns), options: options)
            // Two write calls: row groups from separate batches concatenate.
            try w.write(columns: columns.map(\.values), rows: 0..<3_705)
            try w.write(columns: columns.map(\.values), rows: 3_705..<6_000)
            try w.close()
            try assertRoundTrip(path, columns)
        }
    }

    /// Protects: a file with a schema but no rows (no row groups) reads as empty columns.
    func testEmptyFile() throws {
        let dir = try TempDir()
        let path = dir.path("empty.parquet")
        let columns = Fixture.allTypes().map { c -> FixtureColumn in
            var c = c
            switch c.field.type {
            case .bool: c.values = .bool([])
            case .int8: c.values = .int8([])
            case .int16: c.values = .int16([])
            case .int32, .date: c.values = .int32([])
            case .int64, .timestampMicrosUTC: c.values = .int64([])
            case .float: c.values = .float([])
            case .double: c.values = .double([])
            case .string: c.values = .string([])
            case .stringList: c.values = .stringList([])
            case .floatList: c.values = .floatList(values: [], offsets: [0])
            }
            return c
        }
        try writeFile(path, columns)
        try assertRoundTrip(path, columns, rowGroups: 0)
    }

    /// Protects: the equality the round trips rely on: null slots are ignored, nil validity equals
    /// all-true, floats compare by bits.
    func testValuesEquality() {
        XCTAssertEqual(ParquetColumnValues.int32([1, 99, 3], validity: [true, false, true]), .int32([1, 0, 3], validity: [true, false, true]))
        XCTAssertNotEqual(ParquetColumnValues.int32([1, 2], validity: [true, false]), .int32([1, 2]))
        XCTAssertEqual(ParquetColumnValues.string(["a"], validity: [true]), .string(["a"]))
        XCTAssertEqual(ParquetColumnValues.float([.nan]), .float([.nan]))
        XCTAssertNotEqual(ParquetColumnValues.float([-0.0]), .float([0.0]))
        XCTAssertNotEqual(ParquetColumnValues.int32([1]), .int64([1]))
        XCTAssertEqual(ParquetColumnValues.floatList(values: [9, 1, 2], offsets: [0, 1, 3], validity: [false, true]),
                       .floatList(values: [1, 2], offsets: [0, 0, 2], validity: [false, true]))
        XCTAssertNotEqual(ParquetColumnValues.string(["\u{e9}"]), .string(["e\u{301}"]))
    }

    /// Protects: an unknown column name is refused, listing the file's columns.
    func testNoSuchColumn() throws {
        let dir = try TempDir()
        let path = dir.path("c.parquet")
        try writeFile(path, [FixtureColumn(field: ParquetField("a", .int32), values: .int32([1])),
                             FixtureColumn(field: ParquetField("b", .string), values: .string(["x"]))])
        let r = try ParquetFileReader(path: path)
        XCTAssertThrowsError(try r.readColumn("zz")) { e in
            XCTAssertEqual(e as? ParquetReadError, .noSuchColumn(file: path, column: "zz", available: ["a", "b"]))
            XCTAssertEqual("\(e)", "Parquet file '\(path)': no column 'zz'. The file's columns are: a, b.")
        }
    }

    // MARK: pyarrow

    /// The pyarrow table of `pyarrowColumns` (row i's values are simple formulas that Swift
    /// recomputes exactly in `expectedPyarrowColumns`).
    private static let pyarrowTable = #"""
import sys, datetime
import pyarrow as pa, pyarrow.parquet as pq
n = int(sys.argv[2])
def nul(i): return i % 7 == 3
rows = range(n)
cols = {
  "b": pa.array([i % 3 == 0 for i in rows], pa.bool_()),
  "nb": pa.array([None if nul(i) else i % 2 == 0 for i in rows], pa.bool_()),
  "i8": pa.array([(i * 37) % 256 - 128 for i in rows], pa.int8()),
  "i16": pa.array([None if nul(i) else (i * 1237) % 65536 - 32768 for i in rows], pa.int16()),
  "i32": pa.array([(i * 7919) % 100003 - 50000 for i in rows], pa.int32()),
  "i64": pa.array([None if nul(i) else i * 1000000007 - 5 for i in rows], pa.int64()),
  "f": pa.array([(i % 40) * 0.25 for i in rows], pa.float32()),
  "d": pa.array([None if nul(i) else i / 8.0 for i in rows], pa.float64()),
  "s": pa.array([None if nul(i) else "s%d é" % (i % 13) for i in rows], pa.string()),
  "u": pa.array(["row %d" % i for i in rows], pa.string()),
  "ts": pa.array([1600000000000000 + i * 1000003 for i in rows], pa.timestamp("us", tz="UTC")),
  "dt": pa.array([None if nul(i) else datetime.date(1970, 1, 1) + datetime.timedelta(days=18000 + i) for i in rows], pa.date32()),
  "sl": pa.array([None if nul(i) else ["g%d" % ((i + j) % 5) for j in range(i % 4)] for i in rows], pa.list_(pa.string())),
  "fl": pa.array([[j * 0.5 for j in range(i % 5)] for i in rows], pa.list_(pa.float32())),
}
t = pa.table(cols)

"""#

    private func expectedPyarrowColumns(rows n: Int) -> [FixtureColumn] {
        let idx = Array(0..<n)
        let valid = idx.map { $0 % 7 != 3 }
        func date(_ i: Int) -> Int32 { Int32(18000 + i) }
        var fl: [Float] = [], flo = [0]
        for i in idx {
            for j in 0..<(i % 5) { fl.append(Float(j) * 0.5) }
            flo.append(fl.count)
        }
        return [
            FixtureColumn(field: ParquetField("b", .bool, nullable: true), values: .bool(idx.map { $0 % 3 == 0 })),
            FixtureColumn(field: ParquetField("nb", .bool, nullable: true), values: .bool(idx.map { $0 % 2 == 0 }, validity: valid)),
            FixtureColumn(field: ParquetField("i8", .int8, nullable: true), values: .int8(idx.map { Int8((($0 * 37) % 256) - 128) })),
            FixtureColumn(field: ParquetField("i16", .int16, nullable: true),
                          values: .int16(idx.map { Int16((($0 * 1237) % 65536) - 32768) }, validity: valid)),
            FixtureColumn(field: ParquetField("i32", .int32, nullable: true), values: .int32(idx.map { Int32(($0 * 7919) % 100003 - 50000) })),
            FixtureColumn(field: ParquetField("i64", .int64, nullable: true), values: .int64(idx.map { Int64($0) * 1000000007 - 5 }, validity: valid)),
            FixtureColumn(field: ParquetField("f", .float, nullable: true), values: .float(idx.map { Float($0 % 40) * 0.25 })),
            FixtureColumn(field: ParquetField("d", .double, nullable: true), values: .double(idx.map { Double($0) / 8.0 }, validity: valid)),
            FixtureColumn(field: ParquetField("s", .string, nullable: true), values: .string(idx.map { "s\($0 % 13) é" }, validity: valid)),
            FixtureColumn(field: ParquetField("u", .string, nullable: true), values: .string(idx.map { "row \($0)" })),
            FixtureColumn(field: ParquetField("ts", .timestampMicrosUTC, nullable: true),
                          values: .int64(idx.map { 1_600_000_000_000_000 + Int64($0) * 1_000_003 })),
            FixtureColumn(field: ParquetField("dt", .date, nullable: true), values: .int32(idx.map(date), validity: valid)),
            FixtureColumn(field: ParquetField("sl", .stringList, nullable: true),
                          values: .stringList(idx.map { i in (0..<(i % 4)).map { "g\((i + $0) % 5)" } }, validity: valid)),
            FixtureColumn(field: ParquetField("fl", .floatList, nullable: true), values: .floatList(values: fl, offsets: flo)),
        ]
    }

    /// Protects: files written by pyarrow (an independent writer) read with the right types and
    /// values: zstd and uncompressed, dictionary on and off, DataPage V1 and V2, several row
    /// groups and pages, nulls, and lists.
    func testReadsPyarrowFiles() throws {
        let dir = try TempDir()
        let rows = 5_000
        let expected = expectedPyarrowColumns(rows: rows)
        // One python3 run writes every variant (importing pyarrow is the slow part).
        let code = Self.pyarrowTable + """
        import os
        for compression in ['zstd', 'none']:
            for dictionary in [True, False]:
                for version in ['1.0', '2.0']:
                    pq.write_table(t, os.path.join(sys.argv[1], '%s-%s-%s.parquet' % (compression, dictionary, version)),
                                   compression=compression, use_dictionary=dictionary, data_page_version=version,
                                   row_group_size=1500, data_page_size=2000)
        """
        _ = try PythonReader.runPython(code, args: [dir.url.path, "\(rows)"])
        for compression in ["zstd", "none"] {
            for dictionary in ["True", "False"] {
                for pageVersion in ["1.0", "2.0"] {
                    let path = dir.path("\(compression)-\(dictionary)-\(pageVersion).parquet")
                    let r = try ParquetFileReader(path: path)
                    let context = "\(compression) dictionary=\(dictionary) pages=\(pageVersion)"
                    XCTAssertEqual(r.schema, Fixture.schema(expected), context)
                    XCTAssertEqual(r.rowCount, rows, context)
                    XCTAssertEqual(r.rowGroupCount, 4, context)
                    XCTAssertNotNil(r.keyValueMetadata["ARROW:schema"], context)
                    for c in expected {
                        XCTAssertEqual(try r.readColumn(c.field.name), c.values, "\(context): \(c.field.name)")
                    }
                    XCTAssertEqual(try r.readColumns(), expected.map(\.values), context)
                }
            }
        }
    }

    /// Protects: what the reader cannot read is refused with a typed error naming the file, the
    /// column and the unsupported feature (codec, encoding, nested type, annotation); the
    /// DELTA_BINARY_PACKED and BYTE_STREAM_SPLIT columns pyarrow writes are read with their values.
    func testUnsupportedPyarrowFeatures() throws {
        let dir = try TempDir()
        // One python3 run writes every file (importing pyarrow is the slow part).
        _ = try PythonReader.runPython(Self.pyarrowTable + """
        import os
        def out(name): return os.path.join(sys.argv[1], name)
        pq.write_table(t, out('snappy.parquet'), compression='snappy')
        pq.write_table(t, out('gzip.parquet'), compression='gzip')
        pq.write_table(t, out('delta.parquet'), compression='zstd', use_dictionary=False,
                       column_encoding={'i64': 'DELTA_BINARY_PACKED', 'i16': 'DELTA_BINARY_PACKED', 'ts': 'DELTA_BINARY_PACKED',
                                        'd': 'BYTE_STREAM_SPLIT', 'f': 'BYTE_STREAM_SPLIT', 'u': 'DELTA_LENGTH_BYTE_ARRAY'})
        pq.write_table(t.append_column("st", pa.array([{"x": i} for i in range(n)])), out('struct.parquet'), compression='zstd')
        pq.write_table(pa.table({"u8": pa.array([1, 2, 3], pa.uint8())}), out('uint.parquet'), compression='zstd')
        pq.write_table(pa.table({"il": pa.array([[1, 2], []], pa.list_(pa.int32()))}), out('intlist.parquet'), compression='zstd')
        pq.write_table(pa.table({"sl": pa.array([["a", None], ["b"]], pa.list_(pa.string()))}), out('nullelem.parquet'), compression='zstd')
        """, args: [dir.url.path, "100"])
        func assertUnsupported(_ path: String, column: String?, feature: String, atOpen: Bool,
                               line: UInt = #line) {
            let body = { () throws -> Void in
                let r = try ParquetFileReader(path: path)
                if !atOpen { _ = try r.readColumn(column!) }
            }
            XCTAssertThrowsError(try body(), line: line) { e in
                XCTAssertEqual(e as? ParquetReadError, .unsupported(file: path, column: column, feature: feature), line: line)
            }
        }
        let snappy = dir.path("snappy.parquet")
        assertUnsupported(snappy, column: "i32", feature: "the compression codec SNAPPY", atOpen: false)
        XCTAssertThrowsError(try ParquetFileReader(path: snappy).readColumn("i32")) { e in
            XCTAssertEqual("\(e)", "Parquet file '\(snappy)', column 'i32': not supported by this reader: the compression codec SNAPPY. Rewrite the file with zstd or no compression, PLAIN/dictionary encodings and flat columns or lists of strings/floats (pyarrow: compression='zstd', use_dictionary=True, column_encoding=None).")
        }
        let gzip = dir.path("gzip.parquet")
        assertUnsupported(gzip, column: "s", feature: "the compression codec GZIP", atOpen: false)
        let delta = dir.path("delta.parquet")
        assertUnsupported(delta, column: "u", feature: "the DELTA_LENGTH_BYTE_ARRAY encoding for data pages", atOpen: false)
        // The other columns of that file still read, pyarrow's DELTA_BINARY_PACKED (with nulls,
        // INT32 narrowed to int16, timestamps) and BYTE_STREAM_SPLIT included.
        let expected = expectedPyarrowColumns(rows: 100)
        for c in expected where ["i16", "i32", "i64", "f", "d", "ts"].contains(c.field.name) {
            XCTAssertEqual(try ParquetFileReader(path: delta).readColumn(c.field.name), c.values, c.field.name)
        }
        let nested = dir.path("struct.parquet")
        assertUnsupported(nested, column: "st", feature: "a struct (group) column; only flat columns and lists of strings or floats are read", atOpen: true)
        let unsigned = dir.path("uint.parquet")
        assertUnsupported(unsigned, column: "u8", feature: "INT32 annotated INT(8, unsigned)", atOpen: true)
        let intList = dir.path("intlist.parquet")
        assertUnsupported(intList, column: "il", feature: "a list of int32 (only lists of strings and of floats are read)", atOpen: true)
        let nullElements = dir.path("nullelem.parquet")
        assertUnsupported(nullElements, column: "sl", feature: "null list elements", atOpen: false)
    }

    // MARK: damaged files

    private func writeSample(_ dir: TempDir, codec: ParquetCodec = .uncompressed) throws -> (String, [UInt8]) {
        let path = dir.path("sample.parquet")
        let values = (0..<1_000).map { Int64($0 * 31 % 977) }
        try writeFile(path, [FixtureColumn(field: ParquetField("v", .int64), values: .int64(values))],
                      options: ParquetWriterOptions(codec: codec, dictionary: false))
        return (path, [UInt8](try Data(contentsOf: URL(fileURLWithPath: path))))
    }

    private func assertReadError(_ path: String, _ expected: ParquetReadError, message: String? = nil,
                                 line: UInt = #line) {
        XCTAssertThrowsError(try ParquetFileReader(path: path).readColumns(), line: line) { e in
            XCTAssertEqual(e as? ParquetReadError, expected, line: line)
            if let message { XCTAssertEqual("\(e)", message, line: line) }
        }
    }

    /// Protects: bad magic numbers, a truncated file and a missing file give pinned errors.
    func testBadMagicAndTruncation() throws {
        let dir = try TempDir()
        let (path, bytes) = try writeSample(dir)
        let bad = dir.path("bad.parquet")

        var b = bytes
        b[b.count - 1] = UInt8(ascii: "X")
        try Data(b).write(to: URL(fileURLWithPath: bad))
        assertReadError(bad, .notParquet(file: bad, reason: "it does not end with the magic bytes PAR1 (truncated?)"),
                        message: "Parquet file '\(bad)': not a Parquet file: it does not end with the magic bytes PAR1 (truncated?). Check that the path names a complete .parquet file (an interrupted copy leaves a truncated one).")

        b = bytes
        b[0] = 0
        try Data(b).write(to: URL(fileURLWithPath: bad))
        assertReadError(bad, .notParquet(file: bad, reason: "it does not start with the magic bytes PAR1"))

        try Data(bytes[0..<(bytes.count / 2)]).write(to: URL(fileURLWithPath: bad))
        assertReadError(bad, .notParquet(file: bad, reason: "it does not end with the magic bytes PAR1 (truncated?)"))

        try Data(bytes[0..<5]).write(to: URL(fileURLWithPath: bad))
        assertReadError(bad, .notParquet(file: bad, reason: "it has 5 bytes, fewer than the 12 of the smallest Parquet file"))

        let missing = dir.path("missing.parquet")
        assertReadError(missing, .cannotOpen(file: missing, reason: "No such file or directory (errno 2)"),
                        message: "Parquet file '\(missing)': cannot open it: No such file or directory (errno 2). Check the path and its permissions.")
        _ = path
    }

    /// Protects: a footer length larger than the file, and a footer cut short, are reported as a
    /// damaged footer.
    func testTruncatedFooter() throws {
        let dir = try TempDir()
        let (_, bytes) = try writeSample(dir)
        let bad = dir.path("bad.parquet")
        var b = bytes
        let n = b.count
        // Footer length field: 4 bytes before the final magic.
        b.replaceSubrange((n - 8)..<(n - 4), with: [0xFF, 0xFF, 0, 0])
        try Data(b).write(to: URL(fileURLWithPath: bad))
        assertReadError(bad, .corrupt(file: bad, column: nil,
                                      reason: "the footer length is 65535 bytes but the file has only \(n - 12) bytes between its magic numbers (truncated footer)"),
                        message: "Parquet file '\(bad)': the file is damaged: the footer length is 65535 bytes but the file has only \(n - 12) bytes between its magic numbers (truncated footer). Write or copy the file again.")

        // Keep the tail (length + magic) but drop the first half of the footer bytes.
        let footerLength = Int(bytes[n - 8]) | Int(bytes[n - 7]) << 8
        let footerStart = n - 8 - footerLength
        b = Array(bytes[0..<footerStart]) + Array(bytes[(footerStart + footerLength / 2)..<n])
        try Data(b).write(to: URL(fileURLWithPath: bad))
        XCTAssertThrowsError(try ParquetFileReader(path: bad)) { e in
            guard case .corrupt(let file, nil, let reason)? = e as? ParquetReadError else {
                return XCTFail("expected a corrupt footer, got \(e)")
            }
            XCTAssertEqual(file, bad)
            XCTAssertTrue(reason.hasPrefix("cannot parse the footer (FileMetaData): ") || reason.contains("column chunk"), reason)
        }
    }

    /// Offset and byte length of the varint of field `field` in the page header at `offset`.
    private func pageHeaderField(_ bytes: [UInt8], at offset: Int, field: Int16) -> (Int, Int)? {
        var found: (Int, Int)?
        bytes.withUnsafeBytes { raw in
            var r = ThriftCompactReader(raw.baseAddress!, start: offset, end: raw.count)
            try? r.readStruct { r, id, t in
                let start = r.position
                try r.skip(t)
                if id == field { found = (start, r.position - start) }
            }
        }
        return found
    }

    /// Protects: page headers whose sizes lie (more bytes than the chunk holds, an uncompressed
    /// size that differs from the stored bytes or from what zstd produces) give a pinned
    /// `corrupt` error naming the column, never a crash or a read past the buffer.
    func testPageSizesThatLie() throws {
        let dir = try TempDir()
        let bad = dir.path("bad.parquet")
        for codec in [ParquetCodec.uncompressed, .zstd(level: 3)] {
            let (_, bytes) = try writeSample(dir, codec: codec)
            // The first page header is at offset 4; field 2 = uncompressed size, 3 = compressed size.
            for (field, newValue) in [(Int16(3), Int32(1_000_000)), (3, 5), (2, 7_000), (2, 11)] {
                guard let (at, length) = pageHeaderField(bytes, at: 4, field: field) else { return XCTFail("no page header field") }
                var encoded = [UInt8]()
                var v = UInt64(UInt32(bitPattern: (newValue << 1) ^ (newValue >> 31)))
                while v >= 0x80 { encoded.append(UInt8(v & 0x7F) | 0x80); v >>= 7 }
                encoded.append(UInt8(v))
                var b = bytes
                b.replaceSubrange(at..<(at + length), with: encoded)
                // Keep the footer's offsets valid: pad or trim the page body after the header.
                let delta = encoded.count - length
                if delta > 0 { b.removeSubrange((at + encoded.count)..<(at + encoded.count + delta)) }
                if delta < 0 { b.insert(contentsOf: [UInt8](repeating: 0, count: -delta), at: at + encoded.count) }
                try Data(b).write(to: URL(fileURLWithPath: bad))
                XCTAssertThrowsError(try ParquetFileReader(path: bad).readColumn("v"), "\(codec) field \(field) = \(newValue)") { e in
                    guard case .corrupt(let file, let column, let reason)? = e as? ParquetReadError else {
                        return XCTFail("expected corrupt, got \(e)")
                    }
                    XCTAssertEqual(file, bad)
                    XCTAssertEqual(column, "v")
                    XCTAssertTrue(reason.hasPrefix("row group 0: "), reason)
                }
            }
        }
        // One pinned message: a compressed size larger than the chunk.
        let (_, bytes) = try writeSample(dir, codec: .uncompressed)
        let (at, length) = pageHeaderField(bytes, at: 4, field: 3)!
        var b = bytes
        b.replaceSubrange(at..<(at + length), with: [0x80, 0x89, 0x7A])  // zigzag varint of 1,000,000
        b.removeSubrange((at + 3)..<(at + 3 + 3 - length))
        try Data(b).write(to: URL(fileURLWithPath: bad))
        XCTAssertThrowsError(try ParquetFileReader(path: bad).readColumn("v")) { e in
            let s = "\(e)"
            XCTAssertTrue(s.hasPrefix("Parquet file '\(bad)', column 'v': the file is damaged: row group 0: the page at file offset 4 claims 1000000 bytes but only "), s)
            XCTAssertTrue(s.hasSuffix(" remain in its column chunk. Write or copy the file again."), s)
        }
    }

    /// Protects: a dictionary index past the dictionary's end is caught.
    func testDictionaryIndexOutOfRange() throws {
        let dir = try TempDir()
        let path = dir.path("dict.parquet")
        // 300 distinct values -> 9-bit indices; values 0..<300 repeated.
        let values = (0..<3_000).map { Int32($0 % 300) }
        try writeFile(path, [FixtureColumn(field: ParquetField("v", .int32), values: .int32(values))],
                      options: ParquetWriterOptions(codec: .uncompressed))
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        // Find the data page: after the dictionary page (header at 4, body of 1200 bytes).
        var dataHeader = 0
        bytes.withUnsafeBytes { raw in
            var r = ThriftCompactReader(raw.baseAddress!, start: 4, end: raw.count)
            let h = try! DecodedPageHeader.decode(&r)
            XCTAssertEqual(h.type, 2)
            dataHeader = r.position + Int(h.compressedSize)
        }
        var bodyStart = 0
        bytes.withUnsafeBytes { raw in
            var r = ThriftCompactReader(raw.baseAddress!, start: dataHeader, end: raw.count)
            let h = try! DecodedPageHeader.decode(&r)
            XCTAssertEqual(h.type, 0)
            bodyStart = r.position
        }
        // Body: bit width byte, then a bit-packed run header, then packed indices: set them all to 1s.
        XCTAssertEqual(bytes[bodyStart], 9)
        for i in (bodyStart + 3)..<(bodyStart + 40) { bytes[i] = 0xFF }
        let bad = dir.path("bad.parquet")
        try Data(bytes).write(to: URL(fileURLWithPath: bad))
        assertReadError(bad, .corrupt(file: bad, column: "v", reason: "row group 0: a dictionary index is 511 but the dictionary has 300 values"))
    }

    /// Protects: "never a crash": single-byte changes (every third byte) and truncations of small
    /// files (plain, dictionary, lists, nullable; zstd and uncompressed) either read or throw a
    /// `ParquetReadError`.
    func testDamageNeverCrashes() throws {
        let dir = try TempDir()
        let columns = Array(Fixture.allTypes()[7...12]) + [Fixture.allTypes()[22]]
        var g = LCG(state: 7)
        for (i, codec) in [ParquetCodec.uncompressed, .zstd(level: 1)].enumerated() {
            let path = dir.path("f\(i).parquet")
            try writeFile(path, columns, options: ParquetWriterOptions(codec: codec, maxRowGroupRows: 5))
            let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
            let bad = dir.path("bad\(i).parquet")
            var outcomes = [0, 0]
            func attempt(_ b: [UInt8]) throws {
                try Data(b).write(to: URL(fileURLWithPath: bad))
                do {
                    let r = try ParquetFileReader(path: bad)
                    _ = try r.readColumns()
                    outcomes[0] += 1
                } catch is ParquetReadError {
                    outcomes[1] += 1
                }
            }
            for pos in stride(from: g.int(3), to: bytes.count, by: 3) {
                var b = bytes
                b[pos] ^= UInt8(1 + g.int(255))
                try attempt(b)
            }
            for cut in stride(from: 0, to: bytes.count, by: 11) {
                try attempt(Array(bytes[0..<cut]))
            }
            XCTAssertGreaterThan(outcomes[1], bytes.count / 6, "most damage is detected")
        }
    }
}
