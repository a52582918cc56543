// Files written by the module, read back by pyarrow and DuckDB.

import Foundation
import XCTest
@testable import Parquet

final class RoundTripTests: XCTestCase {
    /// Protects: every column type, required and nullable, is read back with exact values and the
    /// right Arrow/DuckDB types by two independent readers, across several row groups, with
    /// zstd and dictionary encoding (the default options).
    func testAllTypesZstdDictionaryMultipleRowGroups() throws {
        let dir = try TempDir()
        let path = dir.path("all.parquet")
        let columns = Fixture.allTypes()
        var options = ParquetWriterOptions()
        options.maxRowGroupRows = 3
        let summary = try writeFile(path, columns, options: options)
        XCTAssertEqual(summary.rows, 8)
        XCTAssertEqual(summary.rowGroups, 3)
        XCTAssertEqual(summary.bytes, try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)

        let r = try PythonReader.read(path)
        XCTAssertEqual(r.numRows, 8)
        XCTAssertEqual(r.numRowGroups, 3)
        XCTAssertEqual(r.rowGroupRows, [3, 3, 2])
        assertReadsBack(r, columns)
        for g in r.chunks {
            for (path, chunk) in g {
                XCTAssertEqual(chunk.compression, "ZSTD", path)
            }
        }
        // Low-cardinality columns got a dictionary.
        XCTAssertTrue(r.chunks[1]["i32"]!.hasDictionaryPage)
        XCTAssertTrue(r.chunks[1]["i32"]!.encodings.contains("RLE_DICTIONARY"))
        XCTAssertTrue(r.chunks[0]["sl.list.element"]!.hasDictionaryPage)
    }

    /// Protects: the PLAIN path (dictionary off) and the uncompressed codec give the same values.
    func testAllTypesPlainUncompressed() throws {
        let dir = try TempDir()
        let path = dir.path("plain.parquet")
        let columns = Fixture.allTypes()
        let options = ParquetWriterOptions(codec: .uncompressed, maxRowGroupRows: 5, dictionary: false)
        try writeFile(path, columns, options: options)
        let r = try PythonReader.read(path)
        XCTAssertEqual(r.rowGroupRows, [5, 3])
        assertReadsBack(r, columns)
        for g in r.chunks {
            for (path, chunk) in g {
                XCTAssertEqual(chunk.compression, "UNCOMPRESSED", path)
                XCTAssertFalse(chunk.hasDictionaryPage, path)
                XCTAssertFalse(chunk.encodings.contains("RLE_DICTIONARY"), path)
            }
        }
    }

    /// Protects: schema annotations (legacy ConvertedType next to LogicalType, repetition, list
    /// levels) as a Parquet reader sees them, so old readers also get the types.
    func testSchemaAnnotations() throws {
        let dir = try TempDir()
        let path = dir.path("schema.parquet")
        try writeFile(path, Fixture.allTypes())
        let r = try PythonReader.read(path)
        let byPath = Dictionary(uniqueKeysWithValues: r.columns.map { ($0.path, $0) })
        XCTAssertEqual(byPath["i8"]?.converted, "INT_8")
        XCTAssertEqual(byPath["i8"]?.physical, "INT32")
        XCTAssertEqual(byPath["i16"]?.converted, "INT_16")
        XCTAssertEqual(byPath["s"]?.converted, "UTF8")
        XCTAssertEqual(byPath["s"]?.logical, "String")
        XCTAssertEqual(byPath["dt"]?.converted, "DATE")
        XCTAssertEqual(byPath["ts"]?.converted, "TIMESTAMP_MICROS")
        XCTAssertEqual(byPath["ts"]?.physical, "INT64")
        XCTAssertEqual(byPath["s"]?.maxDefinitionLevel, 0)
        XCTAssertEqual(byPath["ns"]?.maxDefinitionLevel, 1)
        XCTAssertEqual(byPath["sl.list.element"]?.maxDefinitionLevel, 2)
        XCTAssertEqual(byPath["sl.list.element"]?.maxRepetitionLevel, 1)
        XCTAssertEqual(byPath["nsl.list.element"]?.maxDefinitionLevel, 3)
        XCTAssertEqual(byPath["nfl.list.element"]?.physical, "FLOAT")
        XCTAssertEqual(r.createdBy, "lens parquet")
    }

    /// Protects: column-chunk statistics (min/max/null_count) as pyarrow reports them, including
    /// string bounds ordered by UTF-8 bytes and both dictionary and PLAIN paths.
    func testStatistics() throws {
        let dir = try TempDir()
        for dictionary in [true, false] {
            let path = dir.path("stats-\(dictionary).parquet")
            let columns = Fixture.allTypes()
            var options = ParquetWriterOptions()
            options.dictionary = dictionary
            try writeFile(path, columns, options: options)
            let r = try PythonReader.read(path)
            let c = r.chunks[0]
            XCTAssertEqual(c["i16"]?.min, "-32768")
            XCTAssertEqual(c["i16"]?.max, "32767")
            XCTAssertEqual(c["i16"]?.nullCount, 0)
            XCTAssertEqual(c["ni32"]?.min, "-2147483648")  // rows 1, 4 and 7 are null
            XCTAssertEqual(c["ni32"]?.max, "42")
            XCTAssertEqual(c["ni32"]?.nullCount, 3)
            XCTAssertEqual(c["i8"]?.min, "-128")
            XCTAssertEqual(c["b"]?.min, "false")
            XCTAssertEqual(c["b"]?.max, "true")
            // Strings: "" < "a" < "emoji" < "héllo" < "zz" < "日本語" by UTF-8 bytes.
            XCTAssertEqual(c["s"]?.min, "")
            XCTAssertEqual(c["s"]?.max, "日本語")
            XCTAssertEqual(c["ns"]?.min, "")
            XCTAssertEqual(c["ns"]?.max, "日本語")
            XCTAssertEqual(c["ns"]?.nullCount, 3)
            // Float zero bounds are written as -0.0 / +0.0 by the spec's rules; f has -0.0.
            XCTAssertEqual(c["f"]?.min, "-1.25")
            XCTAssertEqual(c["f"]?.max, "10000000000.0")
            XCTAssertEqual(c["ts"]?.min, "-1")
            XCTAssertEqual(c["dt"]?.max, .text(Fixture.isoDate(days: 19_000)))
            XCTAssertEqual(c["sl.list.element"]?.min, "")
            XCTAssertEqual(c["sl.list.element"]?.max, "日本")
            XCTAssertEqual(c["nsl.list.element"]?.nullCount, 3)  // three null lists
            XCTAssertEqual(c["fl.list.element"]?.min, "-2.0")
            XCTAssertEqual(c["fl.list.element"]?.max, "16.0")
        }
    }

    /// Protects: string min/max use unsigned UTF-8 byte order, not Swift's String ordering
    /// (which treats "é" and "e\u{301}" as equal), and both spellings survive as distinct values
    /// (the string dictionary compares bytes, not Strings).
    func testStringOrderIsUTF8BytesNotSwiftCollation() throws {
        let dir = try TempDir()
        let values = ["f", "é", "e\u{301}", "f", "é"]
        for dictionary in [true, false] {
            let path = dir.path("utf8-\(dictionary).parquet")
            let col = FixtureColumn(field: ParquetField("s", .string), values: .string(values))
            try writeFile(path, [col], options: ParquetWriterOptions(dictionary: dictionary))
            let r = try PythonReader.read(path)
            XCTAssertEqual(r.values["s"], values.map(Cell.text))
            XCTAssertEqual(r.chunks[0]["s"]?.min, "e\u{301}")
            XCTAssertEqual(r.chunks[0]["s"]?.max, "é")
            XCTAssertEqual(r.chunks[0]["s"]?.hasDictionaryPage, dictionary)
        }
    }

    /// Protects: NaN is left out of float/double bounds; an all-NaN column has no bounds;
    /// NaN and infinities round-trip.
    func testFloatStatisticsIgnoreNaN() throws {
        let dir = try TempDir()
        let path = dir.path("nan.parquet")
        let columns = [
            FixtureColumn(field: ParquetField("f", .float), values: .float([.nan, 1.5, -2, .nan, .infinity])),
            FixtureColumn(field: ParquetField("d", .double), values: .double([.nan, 0, 3, .nan, 0])),
            FixtureColumn(field: ParquetField("allnan", .double), values: .double([.nan, .nan, .nan, .nan, .nan])),
        ]
        try writeFile(path, columns)
        let r = try PythonReader.read(path)
        XCTAssertEqual(r.values["f"], ["nan", "1.5", "-2.0", "nan", "inf"])
        XCTAssertEqual(r.values["d"], ["nan", "0.0", "3.0", "nan", "0.0"])
        let c = r.chunks[0]
        XCTAssertEqual(c["f"]?.min, "-2.0")
        XCTAssertEqual(c["f"]?.max, "inf")
        XCTAssertEqual(c["d"]?.min, "-0.0")
        XCTAssertEqual(c["d"]?.max, "3.0")
        XCTAssertNil(c["allnan"]?.min)
        XCTAssertNil(c["allnan"]?.max)
    }

    /// Protects: dictionary fallback to PLAIN when the dictionary outgrows its limit, and the
    /// dictionary choice for low-cardinality columns, with many pages and row groups.
    func testDictionaryFallbackAndManyPages() throws {
        let dir = try TempDir()
        let path = dir.path("fallback.parquet")
        let n = 5_000
        let distinctStrings = (0..<n).map { "movie title number \($0) — ünïcode" }
        let fewStrings = (0..<n).map { ["Drama", "Comedy", "Action", "Thriller"][$0 % 4] }
        let lowInts = (0..<n).map { Int32($0 % 7) }
        let highInts = (0..<n).map { Int32($0 &* 7919) }
        let ratings = (0..<n).map { Float($0 % 10) * 0.5 + 0.5 }
        let validity = (0..<n).map { $0 % 3 != 0 }
        let columns = [
            FixtureColumn(field: ParquetField("title", .string), values: .string(distinctStrings)),
            FixtureColumn(field: ParquetField("genre", .string, nullable: true), values: .string(fewStrings, validity: validity)),
            FixtureColumn(field: ParquetField("low", .int32), values: .int32(lowInts)),
            FixtureColumn(field: ParquetField("high", .int32), values: .int32(highInts)),
            FixtureColumn(field: ParquetField("rating", .float, nullable: true), values: .float(ratings, validity: validity)),
        ]
        var options = ParquetWriterOptions()
        options.maxRowGroupRows = 2_000
        options.dataPageSize = 512
        options.dictionaryPageSizeLimit = 4_096
        try writeFile(path, columns, options: options)
        let r = try PythonReader.read(path)
        XCTAssertEqual(r.rowGroupRows, [2_000, 2_000, 1_000])
        assertReadsBack(r, columns)
        for g in r.chunks {
            XCTAssertFalse(g["title"]!.hasDictionaryPage, "distinct titles exceed the 4 KiB dictionary limit")
            XCTAssertEqual(g["title"]!.encodings.sorted(), ["PLAIN"])
            XCTAssertTrue(g["genre"]!.hasDictionaryPage)
            XCTAssertTrue(g["low"]!.hasDictionaryPage)
            XCTAssertFalse(g["high"]!.hasDictionaryPage, "all-distinct ints do not pay for a dictionary")
            XCTAssertTrue(g["rating"]!.hasDictionaryPage)
        }
        XCTAssertEqual(r.chunks[2]["genre"]?.nullCount, 333)
        XCTAssertEqual(r.chunks[0]["title"]?.min, "movie title number 0 — ünïcode")
        XCTAssertEqual(r.chunks[0]["title"]?.max, "movie title number 999 — ünïcode")
    }

    /// Protects: lists with empty lists, null lists and many elements spread over many pages and
    /// row groups (repetition levels across page boundaries at row starts).
    func testListsAcrossPagesAndRowGroups() throws {
        let dir = try TempDir()
        let path = dir.path("lists.parquet")
        let n = 3_000
        var tags: [[String]] = []
        var embedding: [Float] = []
        var offsets = [0]
        for i in 0..<n {
            tags.append((0..<(i % 5)).map { "tag\(($0 * 31 + i) % 50)" })
            for k in 0..<(i % 4 == 0 ? 0 : 16) { embedding.append(Float(i) + Float(k) / 16) }
            offsets.append(embedding.count)
        }
        let validity = (0..<n).map { $0 % 11 != 5 }
        let columns = [
            FixtureColumn(field: ParquetField("tags", .stringList, nullable: true), values: .stringList(tags, validity: validity)),
            FixtureColumn(field: ParquetField("emb", .floatList), values: .floatList(values: embedding, offsets: offsets)),
            FixtureColumn(field: ParquetField("id", .int32), values: .int32((0..<n).map(Int32.init))),
        ]
        for dictionary in [true, false] {
            var options = ParquetWriterOptions(maxRowGroupRows: 1_024, dataPageSize: 700, dictionary: dictionary)
            options.codec = dictionary ? .zstd(level: 3) : .uncompressed
            try writeFile(path, columns, options: options)
            let r = try PythonReader.read(path)
            XCTAssertEqual(r.rowGroupRows, [1_024, 1_024, 952])
            assertReadsBack(r, columns)
        }
    }

    /// Protects: write(columns:rows:) writes sub-ranges of big columns without copying them,
    /// and consecutive ranges read back as the whole column.
    func testWriteRowRanges() throws {
        let dir = try TempDir()
        let path = dir.path("ranges.parquet")
        let n = 1_000
        let ids = (0..<n).map { Int32($0) }
        let names = (0..<n).map { "n\($0 % 13)" }
        let validity = (0..<n).map { $0 % 4 != 1 }
        var offsets = [0]
        var values: [Float] = []
        for i in 0..<n {
            for k in 0..<(i % 3) { values.append(Float(k)) }
            offsets.append(values.count)
        }
        let schema = ParquetSchema([
            ParquetField("id", .int32), ParquetField("name", .string, nullable: true), ParquetField("v", .floatList),
        ])
        let cols: [ParquetColumnValues] = [
            .int32(ids), .string(names, validity: validity), .floatList(values: values, offsets: offsets),
        ]
        let w = try ParquetFileWriter(path: path, schema: schema, options: ParquetWriterOptions(maxRowGroupRows: 300))
        try w.write(columns: cols, rows: 0..<250)
        try w.write(columns: cols, rows: 250..<250)
        try w.write(columns: cols, rows: 250..<1_000)
        let s = try w.close()
        XCTAssertEqual(s.rows, 1_000)
        XCTAssertEqual(s.rowGroups, 4)
        let r = try PythonReader.read(path)
        XCTAssertEqual(r.rowGroupRows, [250, 300, 300, 150])
        XCTAssertEqual(r.values["id"], ids.map(Cell.int))
        XCTAssertEqual(r.values["name"], Fixture.expectedCells(cols[1], type: .string))
        XCTAssertEqual(r.duckdbValues["v"], Fixture.expectedCells(cols[2], type: .floatList))
    }

    /// Protects: a file with zero rows (no row groups) is valid for both readers, with its types.
    func testZeroRowFile() throws {
        let dir = try TempDir()
        let path = dir.path("empty.parquet")
        let schema = ParquetSchema([
            ParquetField("id", .int32), ParquetField("title", .string, nullable: true),
            ParquetField("genres", .stringList), ParquetField("ts", .timestampMicrosUTC),
        ])
        let w = try ParquetFileWriter(path: path, schema: schema)
        try w.write(columns: [.int32([]), .string([]), .stringList([]), .int64([])])
        let s = try w.close()
        XCTAssertEqual(s.rows, 0)
        XCTAssertEqual(s.rowGroups, 0)
        let r = try PythonReader.read(path)
        XCTAssertEqual(r.numRows, 0)
        XCTAssertEqual(r.numRowGroups, 0)
        XCTAssertEqual(r.arrowTypes["genres"], "list<element: string>")
        XCTAssertEqual(r.arrowTypes["ts"], "timestamp[us, tz=UTC]")
        XCTAssertEqual(r.duckdbTypes["title"], "VARCHAR")
        XCTAssertEqual(r.values["id"], [])
    }

    /// Protects: footer key/value metadata (lineage) reaches readers, sorted, and createdBy is
    /// the configured one.
    func testKeyValueMetadata() throws {
        let dir = try TempDir()
        let path = dir.path("kv.parquet")
        var options = ParquetWriterOptions(createdBy: "lens test", keyValueMetadata: ["source": "ml-25m", "a": "1"])
        options.codec = .zstd(level: 1)
        let w = try ParquetFileWriter(path: path, schema: ParquetSchema([ParquetField("x", .int64)]), options: options)
        w.keyValueMetadata["sha256"] = "abc"
        try w.write(columns: [.int64([1, 2, 3])])
        try w.close()
        let r = try PythonReader.read(path)
        XCTAssertEqual(r.keyValue, ["source": "ml-25m", "a": "1", "sha256": "abc"])
        XCTAssertEqual(r.createdBy, "lens test")
    }

    /// Protects: all-null columns (flat and list) and all-empty lists: pages with levels only,
    /// null_count = rows and no min/max.
    func testAllNullAndAllEmptyColumns() throws {
        let dir = try TempDir()
        let path = dir.path("nulls.parquet")
        let none = [Bool](repeating: false, count: 5)
        let columns = [
            FixtureColumn(field: ParquetField("batch", .int8, nullable: true), values: .int8([0, 0, 0, 0, 0], validity: none)),
            FixtureColumn(field: ParquetField("s", .string, nullable: true), values: .string(["", "", "", "", ""], validity: none)),
            FixtureColumn(field: ParquetField("flag", .bool, nullable: true), values: .bool([true, true, true, true, true], validity: none)),
            FixtureColumn(field: ParquetField("tags", .stringList, nullable: true), values: .stringList([["x"], [], [], [], []], validity: none)),
            FixtureColumn(field: ParquetField("emb", .floatList), values: .floatList(values: [], offsets: [0, 0, 0, 0, 0, 0])),
            FixtureColumn(field: ParquetField("d", .double, nullable: true), values: .double([1, 2, 3, 4, 5], validity: [false, false, true, false, false])),
        ]
        for dictionary in [true, false] {
            try writeFile(path, columns, options: ParquetWriterOptions(dictionary: dictionary))
            let r = try PythonReader.read(path)
            assertReadsBack(r, columns)
            let c = r.chunks[0]
            for name in ["batch", "s", "flag", "tags.list.element"] {
                XCTAssertEqual(c[name]?.nullCount, 5, name)
                XCTAssertNil(c[name]?.min, name)
            }
            XCTAssertEqual(c["emb.list.element"]?.nullCount, 0)
            XCTAssertNil(c["emb.list.element"]?.min)
            XCTAssertEqual(c["d"]?.min, "3.0")
            XCTAssertEqual(c["d"]?.nullCount, 4)
        }
    }

    /// Protects: after a column's dictionary is rejected on a large chunk, the next row groups
    /// write PLAIN without retrying (a performance rule), and values stay exact across the
    /// direct-mapped, hashed and paused paths.
    func testDictionaryPauseAfterLargeRejection() throws {
        let dir = try TempDir()
        let path = dir.path("pause.parquet")
        let n = 140_000
        // Group 0: all distinct (rejected); group 1: 3 distinct values (would pay, but paused).
        let ids = (0..<n).map { $0 < 70_000 ? Int32($0) &* 104_729 : Int32($0 % 3) }
        let small = (0..<n).map { Int32($0 % 5) }
        let columns = [
            FixtureColumn(field: ParquetField("ids", .int32), values: .int32(ids)),
            FixtureColumn(field: ParquetField("small", .int32), values: .int32(small)),
        ]
        try writeFile(path, columns, options: ParquetWriterOptions(maxRowGroupRows: 70_000))
        let r = try PythonReader.read(path)
        XCTAssertEqual(r.rowGroupRows, [70_000, 70_000])
        XCTAssertEqual(r.values["ids"], ids.map(Cell.int))
        XCTAssertEqual(r.duckdbValues["small"], small.map(Cell.int))
        XCTAssertFalse(r.chunks[0]["ids"]!.hasDictionaryPage)
        XCTAssertFalse(r.chunks[1]["ids"]!.hasDictionaryPage)
        XCTAssertTrue(r.chunks[0]["small"]!.hasDictionaryPage)
        XCTAssertTrue(r.chunks[1]["small"]!.hasDictionaryPage)
    }

    /// Protects: statistics are safe for readers that skip row groups by min/max (DuckDB WHERE,
    /// pyarrow filters): byte-ordered strings with look-alike spellings, and negative/zero floats
    /// give the same counts as a full scan would.
    func testStatisticsDrivenFiltersFindEveryRow() throws {
        let dir = try TempDir()
        let path = dir.path("filters.parquet")
        // One row group per 4 rows, each with its own bounds.
        let s = ["f", "é", "e\u{301}", "a", "zz", "日本", "é", "b", "Z", "x", "e\u{301}", "é"]
        let f: [Float] = [-0.0, 1, 2, 3, 0.0, -1, 4, 5, -2, -0.0, 0.5, 9]
        let columns = [
            FixtureColumn(field: ParquetField("s", .string), values: .string(s)),
            FixtureColumn(field: ParquetField("f", .float), values: .float(f)),
        ]
        for dictionary in [true, false] {
            try writeFile(path, columns, options: ParquetWriterOptions(maxRowGroupRows: 4, dictionary: dictionary))
            let checks: [(PythonReader.Filter, Int)] = [
                (.init(column: "s", op: "=", value: "é", isString: true), 3),
                (.init(column: "s", op: "=", value: "e\u{301}", isString: true), 2),
                (.init(column: "s", op: "=", value: "日本", isString: true), 1),
                (.init(column: "s", op: "=", value: "Z", isString: true), 1),
                (.init(column: "s", op: "=", value: "f", isString: true), 1),
                // Above "z" in UTF-8 bytes: "zz", "日本" and the three precomposed "é".
                (.init(column: "s", op: ">", value: "z", isString: true), 5),
                (.init(column: "f", op: "=", value: "0", isString: false), 3),
                (.init(column: "f", op: "<", value: "0", isString: false), 2),
            ]
            let counts = try PythonReader.filteredCounts(path, checks.map(\.0))
            for ((filter, expected), got) in zip(checks, counts) {
                XCTAssertEqual(got, [expected, expected], "\(filter.column) \(filter.op) \(filter.value), dictionary \(dictionary)")
            }
        }
    }
}
