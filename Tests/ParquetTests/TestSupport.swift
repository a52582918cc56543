// Shared fixtures: a table with every column type, and the cells readers should report for it.

import Foundation
import XCTest
@testable import Parquet

/// A column of the fixture table: its field and its values.
struct FixtureColumn {
    var field: ParquetField
    var values: ParquetColumnValues
}

enum Fixture {
    static let rows = 8

    /// Every column type, required and nullable, with edge values (extremes, empty strings,
    /// non-ASCII UTF-8, empty lists, null lists, repeated values for dictionaries).
    static func allTypes() -> [FixtureColumn] {
        let valid: [Bool] = [true, false, true, true, false, true, true, false]
        let bools: [Bool] = [true, false, true, true, false, false, true, false]
        let i8: [Int8] = [-128, 127, 0, 1, -1, 5, 5, 5]
        let i16: [Int16] = [-32768, 32767, 0, 7, 7, 7, -3, 100]
        let i32: [Int32] = [Int32.min, Int32.max, 0, 42, 42, 42, -7, 1]
        let i64: [Int64] = [Int64.min, Int64.max, 0, 1 << 40, -5, -5, -5, 9]
        let f: [Float] = [0.5, -1.25, 3.0, 0.1, 1e10, -0.0, 7.75, 0.5]
        let d: [Double] = [0.5, -1.25, 3.0, 0.1, 1e100, -2.5e-300, 7.75, 0.5]
        let s: [String] = ["", "a", "héllo", "日本語", "emoji 😀", "", "a", "zz"]
        let ts: [Int64] = [0, 1_600_000_000_123_456, -1, 1_700_000_000_000_000, 86_400_000_000, 5, 5, 1]
        let dt: [Int32] = [0, 18_000, -1, 19_000, 365, 10_957, 10_957, 1]
        let sl: [[String]] = [[], ["Drama"], ["Comedy", "Drama"], [""], ["日本"], [], ["a", "b", "c"], ["x"]]
        let flValues: [Float] = [1.5, -2, 0.25, 4, 8, 16, 0.5]
        let flOffsets: [Int] = [0, 0, 2, 3, 3, 5, 5, 7, 7]

        return [
            FixtureColumn(field: ParquetField("b", .bool), values: .bool(bools)),
            FixtureColumn(field: ParquetField("i8", .int8), values: .int8(i8)),
            FixtureColumn(field: ParquetField("i16", .int16), values: .int16(i16)),
            FixtureColumn(field: ParquetField("i32", .int32), values: .int32(i32)),
            FixtureColumn(field: ParquetField("i64", .int64), values: .int64(i64)),
            FixtureColumn(field: ParquetField("f", .float), values: .float(f)),
            FixtureColumn(field: ParquetField("d", .double), values: .double(d)),
            FixtureColumn(field: ParquetField("s", .string), values: .string(s)),
            FixtureColumn(field: ParquetField("ts", .timestampMicrosUTC), values: .int64(ts)),
            FixtureColumn(field: ParquetField("dt", .date), values: .int32(dt)),
            FixtureColumn(field: ParquetField("sl", .stringList), values: .stringList(sl)),
            FixtureColumn(field: ParquetField("fl", .floatList), values: .floatList(values: flValues, offsets: flOffsets)),

            FixtureColumn(field: ParquetField("nb", .bool, nullable: true), values: .bool(bools, validity: valid)),
            FixtureColumn(field: ParquetField("ni8", .int8, nullable: true), values: .int8(i8, validity: valid)),
            FixtureColumn(field: ParquetField("ni16", .int16, nullable: true), values: .int16(i16, validity: valid)),
            FixtureColumn(field: ParquetField("ni32", .int32, nullable: true), values: .int32(i32, validity: valid)),
            FixtureColumn(field: ParquetField("ni64", .int64, nullable: true), values: .int64(i64, validity: valid)),
            FixtureColumn(field: ParquetField("nf", .float, nullable: true), values: .float(f, validity: valid)),
            FixtureColumn(field: ParquetField("nd", .double, nullable: true), values: .double(d, validity: valid)),
            FixtureColumn(field: ParquetField("ns", .string, nullable: true), values: .string(s, validity: valid)),
            FixtureColumn(field: ParquetField("nts", .timestampMicrosUTC, nullable: true), values: .int64(ts, validity: valid)),
            FixtureColumn(field: ParquetField("ndt", .date, nullable: true), values: .int32(dt, validity: valid)),
            FixtureColumn(field: ParquetField("nsl", .stringList, nullable: true), values: .stringList(sl, validity: valid)),
            FixtureColumn(
                field: ParquetField("nfl", .floatList, nullable: true),
                values: .floatList(values: flValues, offsets: flOffsets, validity: valid)),
            // Nullable but with no validity: every row present.
            FixtureColumn(field: ParquetField("ns_all", .string, nullable: true), values: .string(s)),
        ]
    }

    static func schema(_ columns: [FixtureColumn]) -> ParquetSchema {
        ParquetSchema(columns.map(\.field))
    }

    static let arrowType: [ParquetColumnType: String] = [
        .bool: "bool", .int8: "int8", .int16: "int16", .int32: "int32", .int64: "int64",
        .float: "float", .double: "double", .string: "string",
        .timestampMicrosUTC: "timestamp[us, tz=UTC]", .date: "date32[day]",
        .stringList: "list<element: string>", .floatList: "list<element: float>",
    ]

    static let duckdbType: [ParquetColumnType: String] = [
        .bool: "BOOLEAN", .int8: "TINYINT", .int16: "SMALLINT", .int32: "INTEGER", .int64: "BIGINT",
        .float: "FLOAT", .double: "DOUBLE", .string: "VARCHAR",
        .timestampMicrosUTC: "TIMESTAMP WITH TIME ZONE", .date: "DATE",
        .stringList: "VARCHAR[]", .floatList: "FLOAT[]",
    ]

    static func isoDate(days: Int32) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "yyyy-MM-dd"
        return f.string(from: Date(timeIntervalSince1970: Double(days) * 86_400))
    }

    /// The cells a reader should report for `values` of a field of type `type`.
    static func expectedCells(_ values: ParquetColumnValues, type: ParquetColumnType) -> [Cell] {
        let cells: [Cell]
        switch values {
        case .bool(let v, _): cells = v.map(Cell.bool)
        case .int8(let v, _): cells = v.map(Cell.int)
        case .int16(let v, _): cells = v.map(Cell.int)
        case .int32(let v, _): cells = type == .date ? v.map { .text(isoDate(days: $0)) } : v.map(Cell.int)
        case .int64(let v, _): cells = v.map(Cell.int)
        case .float(let v, _): cells = v.map(Cell.float)
        case .double(let v, _): cells = v.map(Cell.double)
        case .string(let v, _): cells = v.map(Cell.text)
        case .stringList(let v, _): cells = v.map { .list($0.map(Cell.text)) }
        case .floatList(let v, let offsets, _):
            cells = (0..<max(0, offsets.count - 1)).map { r in .list(v[offsets[r]..<offsets[r + 1]].map(Cell.float)) }
        }
        guard let validity = values.validity else { return cells }
        return zip(cells, validity).map { $1 ? $0 : .null }
    }
}

/// Writes `columns` to `path` with `options`, in one `write` call.
@discardableResult
func writeFile(_ path: String, _ columns: [FixtureColumn], options: ParquetWriterOptions = .init()) throws -> ParquetFileSummary {
    let w = try ParquetFileWriter(path: path, schema: Fixture.schema(columns), options: options)
    try w.write(columns: columns.map(\.values))
    return try w.close()
}

/// Asserts that both readers return exactly the written values and the expected types.
func assertReadsBack(_ r: ReadBack, _ columns: [FixtureColumn], file: StaticString = #filePath, line: UInt = #line) {
    for c in columns {
        let name = c.field.name
        let expected = Fixture.expectedCells(c.values, type: c.field.type)
        XCTAssertEqual(r.values[name], expected, "pyarrow values of \(name)", file: file, line: line)
        XCTAssertEqual(r.duckdbValues[name], expected, "DuckDB values of \(name)", file: file, line: line)
        XCTAssertEqual(r.arrowTypes[name], Fixture.arrowType[c.field.type], "Arrow type of \(name)", file: file, line: line)
        XCTAssertEqual(r.duckdbTypes[name], Fixture.duckdbType[c.field.type], "DuckDB type of \(name)", file: file, line: line)
        XCTAssertEqual(r.arrowNullable[name], c.field.nullable, "Arrow nullability of \(name)", file: file, line: line)
    }
}
