// The file writer: validates input, splits it into row groups, and writes the file
// ("PAR1", column chunks, FileMetaData footer, footer length, "PAR1") through a temporary file
// that is fsynced and renamed onto the final path by close().

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

private let magic: [UInt8] = Array("PAR1".utf8)

/// Buffered, offset-tracking output to a file descriptor.
final class FileSink {
    private let fd: Int32
    private let reportPath: String
    private let tmpPath: String
    private let buffer = ByteBuffer(capacity: 1 << 23)
    private let flushThreshold = 1 << 23
    private var flushed: Int64 = 0

    init(fd: Int32, reportPath: String, tmpPath: String) {
        self.fd = fd
        self.reportPath = reportPath
        self.tmpPath = tmpPath
    }

    /// Bytes written so far (flushed or buffered): the file offset of the next byte.
    var offset: Int64 { flushed + Int64(buffer.count) }

    func write(_ p: UnsafeRawPointer, count n: Int) throws {
        if buffer.count + n > flushThreshold {
            try flush()
            if n >= flushThreshold {
                try writeAll(p, count: n)
                flushed += Int64(n)
                return
            }
        }
        buffer.append(p, count: n)
    }

    func write(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { raw in
            if let p = raw.baseAddress { try write(p, count: raw.count) }
        }
    }

    func flush() throws {
        if buffer.count == 0 { return }
        try writeAll(UnsafeRawPointer(buffer.base), count: buffer.count)
        flushed += Int64(buffer.count)
        buffer.removeAll()
    }

    private func writeAll(_ p: UnsafeRawPointer, count n: Int) throws {
        var done = 0
        while done < n {
            let r = posixWrite(fd, p + done, n - done)
            if r < 0 {
                if errno == EINTR { continue }
                throw ParquetError.io(file: reportPath, operation: "write to '\(tmpPath)'", reason: errnoDescription())
            }
            done += r
        }
    }
}

@inline(__always)
private func posixWrite(_ fd: Int32, _ p: UnsafeRawPointer, _ n: Int) -> Int { write(fd, p, n) }

@inline(__always)
@discardableResult
private func posixClose(_ fd: Int32) -> Int32 { close(fd) }

func errnoDescription(_ code: Int32 = errno) -> String {
    "\(String(cString: strerror(code))) (errno \(code))"
}

/// Writes one Parquet file.
///
/// ```swift
/// let w = try ParquetFileWriter(path: "ratings.parquet", schema: ParquetSchema([
///     ParquetField("userId", .int32), ParquetField("rating", .float),
/// ]))
/// try w.write(columns: [.int32(users), .float(ratings)])
/// let summary = try w.close()
/// ```
///
/// The file appears at `path` only when `close()` succeeds; until then it is written to
/// `path + ".tmp-<pid>"`, which is removed if the writer is dropped without closing.
/// Each `write` call produces one or more row groups. A writer is not thread-safe.
public final class ParquetFileWriter {
    public let path: String
    public let schema: ParquetSchema
    public let options: ParquetWriterOptions
    /// Footer key/value metadata (sorted by key when written). Starts as
    /// `options.keyValueMetadata`; may be changed any time before `close()`.
    public var keyValueMetadata: [String: String]

    private let tmpPath: String
    private var fd: Int32
    private let sink: FileSink
    private let encoder: ChunkEncoder
    private let leaves: [LeafColumn]
    private var rowGroups: [RowGroupMeta] = []
    private var totalRows = 0
    private enum State { case open, closed, failed }
    private var state = State.open

    public init(path: String, schema: ParquetSchema, options: ParquetWriterOptions = .init()) throws {
        self.path = path
        self.schema = schema
        self.options = options
        self.keyValueMetadata = options.keyValueMetadata
        try ParquetFileWriter.validate(schema: schema, options: options, path: path)
        leaves = schema.fields.map(LeafColumn.init(field:))
        tmpPath = path + ".tmp-\(getpid())"
        let fd = open(tmpPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        if fd < 0 {
            throw ParquetError.cannotCreateFile(path: path, reason: "open('\(tmpPath)') failed: \(errnoDescription())")
        }
        self.fd = fd
        sink = FileSink(fd: fd, reportPath: path, tmpPath: tmpPath)
        do {
            encoder = try ChunkEncoder(file: path, options: options, sink: sink)
        } catch {
            // Not fully initialized, so deinit will not run: clean up here.
            posixClose(fd)
            unlink(tmpPath)
            throw error
        }
        // From here on deinit cleans up if anything throws.
        try sink.write(magic)
    }

    deinit {
        if state != .closed { abandon() }
    }

    /// Writes whole columns (one per schema field, in schema order) as one or more row groups of
    /// at most `options.maxRowGroupRows` rows. Nothing is written if any column is invalid.
    public func write(columns: [ParquetColumnValues]) throws {
        let rows = columns.first?.rowCount ?? 0
        try write(columns: columns, rows: 0..<rows)
    }

    /// Writes rows `rows` of the given columns (no copy of the columns is made), split into row
    /// groups of at most `options.maxRowGroupRows` rows. All columns must have the same row count
    /// and `rows` must lie within it.
    public func write(columns: [ParquetColumnValues], rows: Range<Int>) throws {
        guard state == .open else { throw ParquetError.writerClosed(file: path) }
        try validate(columns: columns, rows: rows)
        if rows.isEmpty { return }
        do {
            var start = rows.lowerBound
            while start < rows.upperBound {
                let end = min(rows.upperBound, start + options.maxRowGroupRows)
                try writeRowGroup(columns: columns, rows: start..<end)
                start = end
            }
        } catch {
            state = .failed
            abandon()
            throw error
        }
    }

    private func writeRowGroup(columns: [ParquetColumnValues], rows: Range<Int>) throws {
        guard rowGroups.count < Int(Int16.max) else {
            throw ParquetError.invalidSchema(
                file: path, reason: "more than \(Int16.max) row groups; raise maxRowGroupRows or write fewer, larger batches")
        }
        var chunks: [ColumnChunkMeta] = []
        chunks.reserveCapacity(columns.count)
        for (i, values) in columns.enumerated() {
            chunks.append(try encoder.writeChunk(column: leaves[i], values: values, rows: rows))
        }
        rowGroups.append(RowGroupMeta(columns: chunks, numRows: Int64(rows.count), ordinal: Int16(rowGroups.count)))
        totalRows += rows.count
    }

    /// Writes the footer, fsyncs, and atomically renames the temporary file onto `path`.
    @discardableResult
    public func close() throws -> ParquetFileSummary {
        guard state == .open else { throw ParquetError.writerClosed(file: path) }
        do {
            try writePageIndexes()
            let footer = ByteBuffer(capacity: 4096)
            FileMetaDataModel(
                schema: ParquetFileWriter.schemaElements(schema),
                numRows: Int64(totalRows),
                rowGroups: rowGroups,
                keyValueMetadata: keyValueMetadata.sorted { $0.key < $1.key }.map { ($0.key, $0.value) },
                createdBy: options.createdBy,
                leafCount: leaves.count
            ).serialize(into: footer)
            try sink.write(UnsafeRawPointer(footer.base), count: footer.count)
            var length = UInt32(footer.count).littleEndian
            try withUnsafeBytes(of: &length) { try sink.write($0.baseAddress!, count: 4) }
            try sink.write(magic)
            try sink.flush()
            let size = Int(sink.offset)
            if fsync(fd) != 0 {
                throw ParquetError.io(file: path, operation: "fsync of '\(tmpPath)'", reason: errnoDescription())
            }
            let rc = posixClose(fd)
            fd = -1
            if rc != 0 {
                throw ParquetError.io(file: path, operation: "close of '\(tmpPath)'", reason: errnoDescription())
            }
            if rename(tmpPath, path) != 0 {
                throw ParquetError.io(file: path, operation: "rename of '\(tmpPath)' to '\(path)'", reason: errnoDescription())
            }
            syncDirectory(of: path)
            state = .closed
            return ParquetFileSummary(path: path, rows: totalRows, rowGroups: rowGroups.count, bytes: size)
        } catch {
            state = .failed
            abandon()
            throw error
        }
    }

    /// Writes every chunk's ColumnIndex, then every chunk's OffsetIndex (the layout PageIndex.md
    /// describes: all column indexes, then all offset indexes, after the last row group), and
    /// records where each went for the footer.
    private func writePageIndexes() throws {
        let buffer = ByteBuffer(capacity: 4096)
        for pass in 0..<2 {
            for g in rowGroups.indices {
                for c in rowGroups[g].columns.indices {
                    guard let index = rowGroups[g].columns[c].pageIndex else { continue }
                    buffer.removeAll()
                    if pass == 0 {
                        guard index.columnIndexValid, !index.bounds.isEmpty else { continue }
                        index.writeColumnIndex(into: buffer)
                    } else {
                        guard !index.locations.isEmpty else { continue }
                        index.writeOffsetIndex(into: buffer)
                    }
                    let location = (offset: sink.offset, length: Int32(clamping: buffer.count))
                    try sink.write(UnsafeRawPointer(buffer.base), count: buffer.count)
                    if pass == 0 {
                        rowGroups[g].columns[c].columnIndexLocation = location
                    } else {
                        rowGroups[g].columns[c].offsetIndexLocation = location
                    }
                }
            }
        }
    }

    /// Closes the descriptor and removes the temporary file.
    private func abandon() {
        if fd >= 0 {
            posixClose(fd)
            fd = -1
        }
        unlink(tmpPath)
    }

    private func syncDirectory(of file: String) {
        var dir = "."
        if let slash = file.lastIndex(of: "/") {
            dir = slash == file.startIndex ? "/" : String(file[..<slash])
        }
        let dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dfd >= 0 {
            _ = fsync(dfd)
            posixClose(dfd)
        }
    }

    // MARK: validation

    private static func validate(schema: ParquetSchema, options: ParquetWriterOptions, path: String) throws {
        if schema.fields.isEmpty {
            throw ParquetError.invalidSchema(file: path, reason: "the schema has no fields")
        }
        var seen = Set<String>()
        for f in schema.fields {
            if f.name.isEmpty {
                throw ParquetError.invalidSchema(file: path, reason: "a field has an empty name")
            }
            if !seen.insert(f.name).inserted {
                throw ParquetError.invalidSchema(file: path, reason: "field name '\(f.name)' appears twice")
            }
        }
        if options.maxRowGroupRows < 1 {
            throw ParquetError.invalidSchema(file: path, reason: "maxRowGroupRows is \(options.maxRowGroupRows), it must be at least 1")
        }
        if options.dataPageSize < 1 {
            throw ParquetError.invalidSchema(file: path, reason: "dataPageSize is \(options.dataPageSize), it must be at least 1")
        }
        for (name, encoding) in options.columnEncodings.sorted(by: { $0.key < $1.key }) {
            guard let field = schema.fields.first(where: { $0.name == name }) else {
                throw ParquetError.invalidSchema(file: path, reason: "columnEncodings names '\(name)', which is not a field of the schema")
            }
            let leaf = LeafColumn(field: field)
            if encoding == .deltaBinaryPacked && !leaf.isInteger {
                throw ParquetError.invalidSchema(
                    file: path, reason: "column '\(name)' is \(field.type): deltaBinaryPacked is for integer, date and timestamp columns")
            }
            if encoding == .byteStreamSplit && !leaf.isFloating {
                throw ParquetError.invalidSchema(
                    file: path, reason: "column '\(name)' is \(field.type): byteStreamSplit is for float, double and float-list columns")
            }
        }
        if options.defaultEncoding == .deltaBinaryPacked || options.defaultEncoding == .byteStreamSplit {
            throw ParquetError.invalidSchema(
                file: path, reason: "defaultEncoding \(options.defaultEncoding) does not suit every column type; name the columns in columnEncodings, or use .auto")
        }
        if case .zstd(let level) = options.codec, level < ZstdLevels.min || level > ZstdLevels.max {
            throw ParquetError.invalidSchema(
                file: path, reason: "zstd level \(level) is outside \(ZstdLevels.min)...\(ZstdLevels.max)")
        }
    }

    private func validate(columns: [ParquetColumnValues], rows: Range<Int>) throws {
        let fields = schema.fields
        if columns.count != fields.count {
            throw ParquetError.columnCountMismatch(file: path, expected: fields.count, got: columns.count)
        }
        for (field, values) in zip(fields, columns) where !ParquetFileWriter.accepts(field.type, values) {
            throw ParquetError.columnTypeMismatch(file: path, column: field.name, expected: field.type, got: values.kindName)
        }
        let rowCount = columns[0].rowCount
        for (field, values) in zip(fields, columns) {
            let n = values.rowCount
            if n != rowCount {
                throw ParquetError.rowCountMismatch(file: path, column: field.name, expected: rowCount, got: n)
            }
        }
        if rows.lowerBound < 0 || rows.upperBound > rowCount {
            throw ParquetError.rowRangeOutOfBounds(file: path, range: rows, rows: rowCount)
        }
        for (field, values) in zip(fields, columns) {
            if let validity = values.validity {
                if validity.count != rowCount {
                    throw ParquetError.validityLengthMismatch(file: path, column: field.name, rows: rowCount, validity: validity.count)
                }
                if !field.nullable {
                    let firstNull = validity.withUnsafeBufferPointer { v -> Int? in
                        for r in rows where !v[r] { return r }
                        return nil
                    }
                    if let row = firstNull {
                        throw ParquetError.nullInRequiredColumn(file: path, column: field.name, row: row)
                    }
                }
            }
            if case .floatList(let v, let offsets, _) = values, !rows.isEmpty {
                try offsets.withUnsafeBufferPointer { o in
                    if o[rows.lowerBound] < 0 {
                        throw ParquetError.invalidListOffsets(
                            file: path, column: field.name, reason: "offsets[\(rows.lowerBound)] is \(o[rows.lowerBound])")
                    }
                    for r in rows where o[r + 1] < o[r] {
                        throw ParquetError.invalidListOffsets(
                            file: path, column: field.name,
                            reason: "offsets[\(r + 1)] = \(o[r + 1]) is less than offsets[\(r)] = \(o[r])")
                    }
                    if o[rows.upperBound] > v.count {
                        throw ParquetError.invalidListOffsets(
                            file: path, column: field.name,
                            reason: "offsets[\(rows.upperBound)] = \(o[rows.upperBound]) is past the end of values (\(v.count))")
                    }
                }
            }
        }
    }

    private static func accepts(_ type: ParquetColumnType, _ values: ParquetColumnValues) -> Bool {
        switch (type, values) {
        case (.bool, .bool), (.int8, .int8), (.int16, .int16), (.int32, .int32), (.date, .int32),
             (.int64, .int64), (.timestampMicrosUTC, .int64), (.float, .float), (.double, .double),
             (.string, .string), (.stringList, .stringList), (.floatList, .floatList):
            return true
        default:
            return false
        }
    }

    // MARK: schema

    static func schemaElements(_ schema: ParquetSchema) -> [SchemaElement] {
        var out = [SchemaElement(name: "schema", numChildren: Int32(schema.fields.count))]
        for f in schema.fields {
            let repetition: Repetition = f.nullable ? .optional : .required
            switch f.type {
            case .stringList, .floatList:
                out.append(SchemaElement(
                    name: f.name, repetition: repetition, numChildren: 1,
                    convertedType: .list, logicalType: .list))
                out.append(SchemaElement(name: "list", repetition: .repeated, numChildren: 1))
                if f.type == .stringList {
                    out.append(SchemaElement(
                        name: "element", type: .byteArray, repetition: .optional,
                        convertedType: .utf8, logicalType: .string))
                } else {
                    out.append(SchemaElement(name: "element", type: .float, repetition: .optional))
                }
            case .bool:
                out.append(SchemaElement(name: f.name, type: .boolean, repetition: repetition))
            case .int8:
                out.append(SchemaElement(
                    name: f.name, type: .int32, repetition: repetition,
                    convertedType: .int8, logicalType: .integer(bitWidth: 8, signed: true)))
            case .int16:
                out.append(SchemaElement(
                    name: f.name, type: .int32, repetition: repetition,
                    convertedType: .int16, logicalType: .integer(bitWidth: 16, signed: true)))
            case .int32:
                out.append(SchemaElement(name: f.name, type: .int32, repetition: repetition))
            case .int64:
                out.append(SchemaElement(name: f.name, type: .int64, repetition: repetition))
            case .float:
                out.append(SchemaElement(name: f.name, type: .float, repetition: repetition))
            case .double:
                out.append(SchemaElement(name: f.name, type: .double, repetition: repetition))
            case .string:
                out.append(SchemaElement(
                    name: f.name, type: .byteArray, repetition: repetition,
                    convertedType: .utf8, logicalType: .string))
            case .timestampMicrosUTC:
                out.append(SchemaElement(
                    name: f.name, type: .int64, repetition: repetition,
                    convertedType: .timestampMicros, logicalType: .timestampMicros(utc: true)))
            case .date:
                out.append(SchemaElement(
                    name: f.name, type: .int32, repetition: repetition,
                    convertedType: .date, logicalType: .date))
            }
        }
        return out
    }
}
