// Errors: each is typed, raised before anything is written, and its message is pinned.

import Foundation
import XCTest
@testable import Parquet

final class ErrorTests: XCTestCase {
    private func writer(_ dir: TempDir, _ fields: [ParquetField]) throws -> (ParquetFileWriter, String) {
        let path = dir.path("e.parquet")
        return (try ParquetFileWriter(path: path, schema: ParquetSchema(fields)), path)
    }

    private func assertError(
        _ body: @autoclosure () throws -> Void, _ expected: ParquetError, message: String,
        file: StaticString = #filePath, line: UInt = #line
    ) {
        XCTAssertThrowsError(try body(), file: file, line: line) { error in
            XCTAssertEqual(error as? ParquetError, expected, file: file, line: line)
            XCTAssertEqual("\(error)", message, file: file, line: line)
        }
    }

    /// Protects: a write with fewer/more columns than fields is refused with a clear message.
    func testColumnCountMismatch() throws {
        let dir = try TempDir()
        let (w, path) = try writer(dir, [ParquetField("id", .int32), ParquetField("rating", .float)])
        assertError(
            try w.write(columns: [.int32([1])]),
            .columnCountMismatch(file: path, expected: 2, got: 1),
            message: "Parquet file '\(path)': write got 1 columns but the schema has 2 fields. Pass exactly one ParquetColumnValues per schema field, in schema order.")
    }

    /// Protects: values of the wrong case for a field's type are refused, naming the column and
    /// the case to use.
    func testColumnTypeMismatch() throws {
        let dir = try TempDir()
        let (w, path) = try writer(dir, [ParquetField("id", .int32), ParquetField("ts", .timestampMicrosUTC)])
        assertError(
            try w.write(columns: [.int32([1]), .int32([5])]),
            .columnTypeMismatch(file: path, column: "ts", expected: .timestampMicrosUTC, got: "int32"),
            message: "Parquet file '\(path)', column 'ts': the field's type is timestampMicrosUTC but the values are .int32. Pass .int64 values for this column, or change the field's type.")
    }

    /// Protects: a validity array whose length differs from the row count is refused.
    func testValidityLengthMismatch() throws {
        let dir = try TempDir()
        let (w, path) = try writer(dir, [ParquetField("title", .string, nullable: true)])
        assertError(
            try w.write(columns: [.string(["a", "b", "c"], validity: [true, false])]),
            .validityLengthMismatch(file: path, column: "title", rows: 3, validity: 2),
            message: "Parquet file '\(path)', column 'title': validity has 2 entries but the column has 3 rows. Give one validity entry per row (true = present), or nil when all rows are present.")
    }

    /// Protects: columns of different lengths are refused.
    func testRowCountMismatch() throws {
        let dir = try TempDir()
        let (w, path) = try writer(dir, [ParquetField("a", .int64), ParquetField("b", .double)])
        assertError(
            try w.write(columns: [.int64([1, 2]), .double([1])]),
            .rowCountMismatch(file: path, column: "b", expected: 2, got: 1),
            message: "Parquet file '\(path)', column 'b': has 1 rows but the first column has 2. All columns of one write must have the same number of rows.")
    }

    /// Protects: a null in a non-nullable field is refused, naming the row.
    func testNullInRequiredColumn() throws {
        let dir = try TempDir()
        let (w, path) = try writer(dir, [ParquetField("a", .int16)])
        assertError(
            try w.write(columns: [.int16([1, 2, 3], validity: [true, true, false])]),
            .nullInRequiredColumn(file: path, column: "a", row: 2),
            message: "Parquet file '\(path)', column 'a': row 2 is null but the field is not nullable. Declare the field with nullable: true, or supply a value for that row.")
    }

    /// Protects: malformed list offsets are refused before anything is written.
    func testInvalidListOffsets() throws {
        let dir = try TempDir()
        let (w, path) = try writer(dir, [ParquetField("e", .floatList)])
        assertError(
            try w.write(columns: [.floatList(values: [1, 2], offsets: [0, 2, 1])]),
            .invalidListOffsets(file: path, column: "e", reason: "offsets[2] = 1 is less than offsets[1] = 2"),
            message: "Parquet file '\(path)', column 'e': invalid list offsets: offsets[2] = 1 is less than offsets[1] = 2. Offsets must have rows + 1 non-decreasing entries within 0...values.count.")
        assertError(
            try w.write(columns: [.floatList(values: [1, 2], offsets: [0, 3])]),
            .invalidListOffsets(file: path, column: "e", reason: "offsets[1] = 3 is past the end of values (2)"),
            message: "Parquet file '\(path)', column 'e': invalid list offsets: offsets[1] = 3 is past the end of values (2). Offsets must have rows + 1 non-decreasing entries within 0...values.count.")
    }

    /// Protects: an unwritable destination fails at init with the OS reason and the temp path.
    func testUnwritablePath() throws {
        let path = "/nonexistent-lens-dir/out.parquet"
        let tmp = path + ".tmp-\(getpid())"
        XCTAssertThrowsError(try ParquetFileWriter(path: path, schema: ParquetSchema([ParquetField("a", .int32)]))) { error in
            XCTAssertEqual(
                error as? ParquetError,
                .cannotCreateFile(path: path, reason: "open('\(tmp)') failed: No such file or directory (errno 2)"))
            XCTAssertEqual(
                "\(error)",
                "Parquet file '\(path)': cannot create the temporary output file: open('\(tmp)') failed: No such file or directory (errno 2). Check that the directory exists and is writable.")
        }
    }

    /// Protects: bad schemas are refused at init.
    func testInvalidSchema() throws {
        let dir = try TempDir()
        let path = dir.path("s.parquet")
        XCTAssertThrowsError(try ParquetFileWriter(path: path, schema: ParquetSchema([ParquetField("a", .int32), ParquetField("a", .bool)]))) { error in
            XCTAssertEqual(
                "\(error)",
                "Parquet file '\(path)': invalid schema or options: field name 'a' appears twice. Fix the ParquetSchema / ParquetWriterOptions passed to ParquetFileWriter.")
        }
        XCTAssertThrowsError(try ParquetFileWriter(path: path, schema: ParquetSchema([]))) { error in
            XCTAssertEqual(error as? ParquetError, .invalidSchema(file: path, reason: "the schema has no fields"))
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: path))
    }

    /// Protects: a refused write leaves the writer usable, and the file only appears on close.
    func testRefusedWriteKeepsWriterUsable() throws {
        let dir = try TempDir()
        let (w, path) = try writer(dir, [ParquetField("a", .int32)])
        XCTAssertThrowsError(try w.write(columns: [.float([1])]))
        try w.write(columns: [.int32([7, 8])])
        XCTAssertFalse(FileManager.default.fileExists(atPath: path), "nothing at the final path before close")
        try w.close()
        XCTAssertEqual(try PythonReader.read(path).values["a"], ["7", "8"])
        assertError(
            try w.write(columns: [.int32([1])]), .writerClosed(file: path),
            message: "Parquet file '\(path)': the writer is already closed or failed earlier. Create a new ParquetFileWriter to write the file again.")
    }

    /// Protects: a writer dropped without close() leaves neither the temp file nor the file.
    func testDroppedWriterRemovesTempFile() throws {
        let dir = try TempDir()
        let path = dir.path("dropped.parquet")
        do {
            let w = try ParquetFileWriter(path: path, schema: ParquetSchema([ParquetField("a", .int32)]))
            try w.write(columns: [.int32([1, 2, 3])])
            XCTAssertTrue(FileManager.default.fileExists(atPath: path + ".tmp-\(getpid())"))
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.url.path), [])
    }
}
