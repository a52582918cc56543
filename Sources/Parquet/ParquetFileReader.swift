// The file reader: parses the footer (Thrift compact FileMetaData), maps the schema back to
// `ParquetSchema`, and decodes whole columns (all row groups concatenated) into the same
// `ParquetColumnValues` the writer takes, so `write -> read` gives equal values.
//
// Supported: the writer's every type, option and layout; files from other writers (e.g. pyarrow)
// that use PLAIN, PLAIN_DICTIONARY/RLE_DICTIONARY (and RLE booleans), DataPage V1 or V2,
// UNCOMPRESSED or ZSTD, flat columns and 2- or 3-level lists of strings or floats without null
// elements. Anything else gives `ParquetReadError.unsupported` naming the file, column and feature.

import Dispatch

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads one Parquet file.
///
/// ```swift
/// let r = try ParquetFileReader(path: "ratings.parquet")
/// print(r.schema, r.rowCount)
/// guard case .int32(let users, _) = try r.readColumn("userId") else { ... }
/// ```
///
/// The footer is read by `init`; columns are read on demand, one column chunk (row group) at a
/// time with `pread`, so memory holds the decoded column plus one chunk. Nullable columns come
/// back with `validity == nil` when they hold no null; a null slot holds 0, `false` or "" (and a
/// null list is empty). A reader keeps its file open until it is released; it is not
/// thread-safe (use one reader per thread).
public final class ParquetFileReader {
    public let path: String
    /// The columns, mapped back from physical types and LogicalType/ConvertedType annotations.
    public let schema: ParquetSchema
    /// FileMetaData.num_rows.
    public let rowCount: Int
    /// Rows of each row group.
    public let rowGroupRowCounts: [Int]
    public var rowGroupCount: Int { rowGroupRowCounts.count }
    /// Footer key/value metadata (a key without a value maps to "").
    public let keyValueMetadata: [String: String]
    /// FileMetaData.created_by, when set.
    public let createdBy: String?
    /// Size of the file in bytes.
    public let fileSize: Int

    private let fd: Int32
    private let columns: [ReaderColumn]
    private let chunks: ColumnChunkReader
    /// The footer's row groups as decoded (tests read the page index locations from them).
    var decodedRowGroups: [DecodedRowGroup] { chunks.rowGroups }

    /// Opens `path` and parses its footer. Throws `ParquetReadError` when the file cannot be read,
    /// is not Parquet, has a damaged footer, or has a column this reader cannot represent.
    public init(path: String) throws {
        self.path = path
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 { throw ParquetReadError.cannotOpen(file: path, reason: errnoDescription()) }
        do {
            var st = stat()
            if fstat(fd, &st) != 0 {
                throw ParquetReadError.io(file: path, operation: "fstat", reason: errnoDescription())
            }
            if (st.st_mode & S_IFMT) == S_IFDIR {
                throw ParquetReadError.cannotOpen(file: path, reason: "it is a directory")
            }
            let size = Int(st.st_size)
            fileSize = size
            guard size >= 12 else {
                throw ParquetReadError.notParquet(file: path, reason: "it has \(size) bytes, fewer than the 12 of the smallest Parquet file")
            }
            let head = try Self.readBytes(fd, path: path, count: 4, at: 0)
            let tail = try Self.readBytes(fd, path: path, count: 8, at: size - 8)
            let tailMagic = Array(tail[4..<8])
            if tailMagic == Array("PARE".utf8) {
                throw ParquetReadError.unsupported(file: path, column: nil, feature: "encrypted footers (PARE)")
            }
            guard head == Array("PAR1".utf8) else {
                throw ParquetReadError.notParquet(file: path, reason: "it does not start with the magic bytes PAR1")
            }
            guard tailMagic == Array("PAR1".utf8) else {
                throw ParquetReadError.notParquet(file: path, reason: "it does not end with the magic bytes PAR1 (truncated?)")
            }
            let footerLength = Int(UInt32(tail[0]) | UInt32(tail[1]) << 8 | UInt32(tail[2]) << 16 | UInt32(tail[3]) << 24)
            guard footerLength > 0, footerLength <= size - 12 else {
                throw ParquetReadError.corrupt(
                    file: path, column: nil,
                    reason: "the footer length is \(footerLength) bytes but the file has only \(size - 12) bytes between its magic numbers (truncated footer)")
            }
            let footerStart = size - 8 - footerLength
            let footer = try Self.readBytes(fd, path: path, count: footerLength, at: footerStart)
            let meta: DecodedFileMetaData
            do {
                meta = try footer.withUnsafeBytes { raw in
                    var r = ThriftCompactReader(raw.baseAddress!, end: raw.count)
                    return try DecodedFileMetaData.decode(&r)
                }
            } catch let e as DecodeFailure {
                throw ParquetReadError.corrupt(file: path, column: nil, reason: "cannot parse the footer (FileMetaData): \(e.message)")
            }

            let mapped: (columns: [ReaderColumn], leaves: Int)
            do {
                mapped = try ReaderSchema.columns(meta.schema)
            } catch let e as DecodeFailure {
                throw ParquetReadError.corrupt(file: path, column: nil, reason: "invalid schema: \(e.message)")
            } catch let u as ReaderSchema.ColumnUnsupported {
                throw ParquetReadError.unsupported(file: path, column: u.column, feature: u.feature)
            }
            var seen = Set<String>()
            for c in mapped.columns where !seen.insert(c.field.name).inserted {
                throw ParquetReadError.corrupt(file: path, column: c.field.name, reason: "two top-level fields have this name")
            }
            var total: Int64 = 0
            for (i, g) in meta.rowGroups.enumerated() {
                guard g.columns.count == mapped.leaves else {
                    throw ParquetReadError.corrupt(
                        file: path, column: nil,
                        reason: "row group \(i) has \(g.columns.count) column chunks but the schema has \(mapped.leaves) leaf columns")
                }
                let (sum, overflow) = total.addingReportingOverflow(g.numRows)
                guard !overflow else {
                    throw ParquetReadError.corrupt(file: path, column: nil, reason: "the row groups' row counts overflow 64 bits")
                }
                total = sum
            }
            guard total == meta.numRows else {
                throw ParquetReadError.corrupt(
                    file: path, column: nil,
                    reason: "the footer says \(meta.numRows) rows but its row groups hold \(total)")
            }
            columns = mapped.columns
            schema = ParquetSchema(mapped.columns.map(\.field))
            rowCount = Int(meta.numRows)
            rowGroupRowCounts = meta.rowGroups.map { Int($0.numRows) }
            var kv: [String: String] = [:]
            for (k, v) in meta.keyValueMetadata { kv[k] = v ?? "" }
            keyValueMetadata = kv
            createdBy = meta.createdBy
            self.fd = fd
            chunks = ColumnChunkReader(file: path, fd: fd, dataEnd: footerStart, rowGroups: meta.rowGroups)
        } catch {
            close(fd)
            throw error
        }
    }

    deinit { close(fd) }

    /// Reads one column (every row group, concatenated). Throws `.noSuchColumn` for an unknown
    /// name, `.unsupported` for a codec or encoding this reader lacks, `.corrupt` for damaged data.
    public func readColumn(_ name: String) throws -> ParquetColumnValues {
        guard let column = columns.first(where: { $0.field.name == name }) else {
            throw ParquetReadError.noSuchColumn(file: path, column: name, available: columns.map(\.field.name))
        }
        return try read(column)
    }

    /// Reads every column, in schema order. Columns are decoded in parallel on the available
    /// cores (each worker with its own buffers, largest columns first); the first error in schema
    /// order is thrown.
    public func readColumns() throws -> [ParquetColumnValues] {
        let n = columns.count
        let workers = min(n, max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))))
        if workers <= 1 { return try columns.map { try Self.read($0, with: chunks) } }
        // Largest first (by uncompressed bytes), so the last column to start is a small one.
        let cost = columns.map { c in chunks.rowGroups.reduce(Int64(0)) { $0 + ($1.columns[c.leafIndex].meta?.totalUncompressedSize ?? 0) } }
        let order = (0..<n).sorted { cost[$0] > cost[$1] }
        // The workers share only values and `work`; each decodes with a reader of its own (its
        // own buffers and zstd context) over the same file descriptor (pread has no file offset).
        let columns = self.columns, file = path, fd = self.fd, dataEnd = chunks.dataEnd, rowGroups = chunks.rowGroups
        let work = ColumnWork(count: n)
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            let reader = ColumnChunkReader(file: file, fd: fd, dataEnd: dataEnd, rowGroups: rowGroups)
            while true {
                let k = work.take()
                if k >= n { return }
                let i = order[k]
                work.put(i, Result { try Self.read(columns[i], with: reader) })
            }
        }
        return try work.results().map { try $0!.get() }
    }

    /// Hands the column numbers to the workers one at a time and collects their results.
    /// @unchecked Sendable: `next` and `slots` are read and written only inside `queue.sync`.
    private final class ColumnWork: @unchecked Sendable {
        private let queue = DispatchQueue(label: "parquet.reader.next-column")
        private var next = 0
        private var slots: [Result<ParquetColumnValues, Error>?]

        init(count: Int) { slots = Array(repeating: nil, count: count) }

        /// The next position in the work order (past the end once every column is taken).
        func take() -> Int {
            queue.sync {
                defer { next += 1 }
                return next
            }
        }

        func put(_ i: Int, _ result: Result<ParquetColumnValues, Error>) {
            queue.sync { slots[i] = result }
        }

        func results() -> [Result<ParquetColumnValues, Error>?] { queue.sync { slots } }
    }

    private func read(_ c: ReaderColumn) throws -> ParquetColumnValues {
        try Self.read(c, with: chunks)
    }

    private static func read(_ c: ReaderColumn, with chunks: ColumnChunkReader) throws -> ParquetColumnValues {
        func validity<V>(_ acc: ColumnAccumulator<V>) -> [Bool]? {
            acc.hasNull ? acc.validity : nil
        }
        switch c.field.type {
        case .bool:
            let a = try chunks.read(c, as: Bool.self)
            return .bool(a.values, validity: validity(a))
        case .int8:
            let a = try chunks.read(c, as: Int8.self)
            return .int8(a.values, validity: validity(a))
        case .int16:
            let a = try chunks.read(c, as: Int16.self)
            return .int16(a.values, validity: validity(a))
        case .int32, .date:
            let a = try chunks.read(c, as: Int32.self)
            return .int32(a.values, validity: validity(a))
        case .int64, .timestampMicrosUTC:
            let a = try chunks.read(c, as: Int64.self)
            return .int64(a.values, validity: validity(a))
        case .float:
            let a = try chunks.read(c, as: Float.self)
            return .float(a.values, validity: validity(a))
        case .double:
            let a = try chunks.read(c, as: Double.self)
            return .double(a.values, validity: validity(a))
        case .string:
            let a = try chunks.read(c, as: String.self)
            return .string(a.values, validity: validity(a))
        case .floatList:
            let a = try chunks.read(c, as: Float.self)
            return .floatList(values: a.values, offsets: a.offsets, validity: validity(a))
        case .stringList:
            let a = try chunks.read(c, as: String.self)
            var lists: [[String]] = []
            lists.reserveCapacity(a.offsets.count - 1)
            for r in 0..<(a.offsets.count - 1) {
                lists.append(Array(a.values[a.offsets[r]..<a.offsets[r + 1]]))
            }
            return .stringList(lists, validity: validity(a))
        }
    }

    private static func readBytes(_ fd: Int32, path: String, count: Int, at offset: Int) throws -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count)
        var done = 0
        try out.withUnsafeMutableBytes { raw in
            while done < count {
                let r = pread(fd, raw.baseAddress! + done, count - done, off_t(offset + done))
                if r < 0 {
                    if errno == EINTR { continue }
                    throw ParquetReadError.io(file: path, operation: "pread of \(count) bytes at offset \(offset)", reason: errnoDescription())
                }
                if r == 0 {
                    throw ParquetReadError.corrupt(file: path, column: nil, reason: "the file ended at offset \(offset + done) while reading \(count) bytes at \(offset)")
                }
                done += r
            }
        }
        return out
    }
}
