// Public types of the Parquet writer: schema, column values, options, summary and errors.
//
// The module writes Apache Parquet files (format spec: apache/parquet-format, parquet.thrift,
// Encodings.md, LogicalTypes.md, PageIndex.md) with DataPage V1 pages, PLAIN, RLE_DICTIONARY,
// DELTA_BINARY_PACKED and BYTE_STREAM_SPLIT encodings, a page index on every column chunk, and
// UNCOMPRESSED or ZSTD compression. It knows nothing about the data it writes.

/// How a column's values are encoded (levels are always RLE).
public enum ParquetColumnEncoding: Sendable, Equatable, CustomStringConvertible {
    /// RLE_DICTIONARY when the chunk's dictionary fits `dictionaryPageSizeLimit` and makes the
    /// chunk smaller than PLAIN, else PLAIN (booleans: PLAIN). The default.
    case dictionaryOrPlain
    /// PLAIN.
    case plain
    /// DELTA_BINARY_PACKED: integer columns only (int8/16/32/64, date, timestamp).
    case deltaBinaryPacked
    /// BYTE_STREAM_SPLIT: float, double and float-list columns only.
    case byteStreamSplit
    /// Measured: the column's first column chunk is encoded with every candidate (dictionary
    /// when `dictionary` is on, PLAIN, and DELTA_BINARY_PACKED for integers or
    /// BYTE_STREAM_SPLIT for floats), compressed with the file's codec, and the smallest is kept
    /// for that chunk and every later chunk of the column in this file (a later chunk whose
    /// dictionary does not fit uses the smallest non-dictionary candidate). Costs one extra
    /// encode + compress per candidate of the first row group only. Strings and booleans: as
    /// `.dictionaryOrPlain`.
    case auto

    public var description: String {
        switch self {
        case .dictionaryOrPlain: return "dictionaryOrPlain"
        case .plain: return "plain"
        case .deltaBinaryPacked: return "deltaBinaryPacked"
        case .byteStreamSplit: return "byteStreamSplit"
        case .auto: return "auto"
        }
    }
}

/// Compression applied to every page of every column chunk.
public enum ParquetCodec: Sendable, Equatable {
    case uncompressed
    /// zstd at the given level (1...19 are the usual levels; 3 is zstd's default).
    case zstd(level: Int32)
}

/// The column types this writer supports, with the Parquet encoding each one maps to.
public enum ParquetColumnType: Sendable, Equatable, CustomStringConvertible {
    /// BOOLEAN.
    case bool
    /// INT32 annotated INT(8, signed) / INT_8. Values: `.int8`.
    case int8
    /// INT32 annotated INT(16, signed) / INT_16. Values: `.int16`.
    case int16
    /// INT32. Values: `.int32`.
    case int32
    /// INT64. Values: `.int64`.
    case int64
    /// FLOAT. Values: `.float`.
    case float
    /// DOUBLE. Values: `.double`.
    case double
    /// BYTE_ARRAY annotated STRING / UTF8. Values: `.string`.
    case string
    /// INT64 annotated TIMESTAMP(isAdjustedToUTC=true, MICROS) / TIMESTAMP_MICROS.
    /// Values: `.int64`, microseconds since 1970-01-01T00:00:00Z.
    case timestampMicrosUTC
    /// INT32 annotated DATE. Values: `.int32`, days since 1970-01-01.
    case date
    /// LIST<STRING> in the standard 3-level list layout. Values: `.stringList`.
    case stringList
    /// LIST<FLOAT> in the standard 3-level list layout. Values: `.floatList`.
    case floatList

    public var description: String {
        switch self {
        case .bool: return "bool"
        case .int8: return "int8"
        case .int16: return "int16"
        case .int32: return "int32"
        case .int64: return "int64"
        case .float: return "float"
        case .double: return "double"
        case .string: return "string"
        case .timestampMicrosUTC: return "timestampMicrosUTC"
        case .date: return "date"
        case .stringList: return "stringList"
        case .floatList: return "floatList"
        }
    }
}

/// One top-level column of the file.
public struct ParquetField: Sendable, Equatable {
    public var name: String
    public var type: ParquetColumnType
    /// `true` writes an OPTIONAL column (nulls allowed, given by the values' validity);
    /// `false` writes a REQUIRED column.
    public var nullable: Bool

    public init(_ name: String, _ type: ParquetColumnType, nullable: Bool = false) {
        self.name = name
        self.type = type
        self.nullable = nullable
    }
}

/// The ordered list of top-level columns.
public struct ParquetSchema: Sendable, Equatable {
    public var fields: [ParquetField]

    public init(_ fields: [ParquetField]) {
        self.fields = fields
    }
}

/// One column's values, in schema order, for the rows being written.
///
/// Flat columns hold one slot per row. `validity` is `nil` when every row is present; otherwise it
/// has one entry per row, `true` meaning present. The value slot of a null row is ignored (put any
/// placeholder there, e.g. 0 or ""). Only nullable fields may have `false` entries.
///
/// List columns hold one list per row; a row's list may be empty. For a nullable list field,
/// `validity` marks null lists (their elements, if any, are ignored). List elements are never null.
public enum ParquetColumnValues: Sendable {
    case bool([Bool], validity: [Bool]? = nil)
    /// Stored as INT32 with the INT(8, signed) logical type.
    case int8([Int8], validity: [Bool]? = nil)
    /// Stored as INT32 with the INT(16, signed) logical type.
    case int16([Int16], validity: [Bool]? = nil)
    /// For `.int32` and `.date` columns.
    case int32([Int32], validity: [Bool]? = nil)
    /// For `.int64` and `.timestampMicrosUTC` columns.
    case int64([Int64], validity: [Bool]? = nil)
    case float([Float], validity: [Bool]? = nil)
    case double([Double], validity: [Bool]? = nil)
    case string([String], validity: [Bool]? = nil)
    /// One (possibly empty) list of strings per row.
    case stringList([[String]], validity: [Bool]? = nil)
    /// Lists stored flat: row `r` is `values[offsets[r] ..< offsets[r + 1]]`, so `offsets` has
    /// rows + 1 non-decreasing entries within `0 ... values.count`.
    case floatList(values: [Float], offsets: [Int], validity: [Bool]? = nil)

    /// The number of rows these values describe.
    public var rowCount: Int {
        switch self {
        case .bool(let v, _): return v.count
        case .int8(let v, _): return v.count
        case .int16(let v, _): return v.count
        case .int32(let v, _): return v.count
        case .int64(let v, _): return v.count
        case .float(let v, _): return v.count
        case .double(let v, _): return v.count
        case .string(let v, _): return v.count
        case .stringList(let v, _): return v.count
        case .floatList(_, let offsets, _): return max(0, offsets.count - 1)
        }
    }

    /// A short name of the case, used in error messages.
    public var kindName: String {
        switch self {
        case .bool: return "bool"
        case .int8: return "int8"
        case .int16: return "int16"
        case .int32: return "int32"
        case .int64: return "int64"
        case .float: return "float"
        case .double: return "double"
        case .string: return "string"
        case .stringList: return "stringList"
        case .floatList: return "floatList"
        }
    }

    var validity: [Bool]? {
        switch self {
        case .bool(_, let v), .int8(_, let v), .int16(_, let v), .int32(_, let v), .int64(_, let v),
             .float(_, let v), .double(_, let v), .string(_, let v), .stringList(_, let v),
             .floatList(_, _, let v):
            return v
        }
    }
}

/// Writer settings. Identical input with identical options gives byte-identical files: nothing
/// time- or randomness-dependent is ever written.
public struct ParquetWriterOptions: Sendable, Equatable {
    /// Page compression. Default: zstd level 3.
    public var codec: ParquetCodec
    /// A `write` call is split into row groups of at most this many rows.
    public var maxRowGroupRows: Int
    /// Target size in bytes of one data page's encoded values (before compression).
    public var dataPageSize: Int
    /// Try dictionary encoding (RLE_DICTIONARY) for every column except booleans; a column chunk
    /// falls back to PLAIN when its dictionary would exceed `dictionaryPageSizeLimit` or would
    /// not make the chunk smaller.
    public var dictionary: Bool
    /// Largest PLAIN-encoded dictionary page, in bytes, before falling back to PLAIN.
    public var dictionaryPageSizeLimit: Int
    /// FileMetaData.created_by. Readers parse it as "<application> version <x.y.z> (build <id>)"
    /// to decide which writer bugs to work around, so give the application and its version.
    public var createdBy: String
    /// Key/value metadata for the footer (e.g. lineage); written sorted by key.
    public var keyValueMetadata: [String: String]
    /// Encoding of every column not named in `columnEncodings`.
    public var defaultEncoding: ParquetColumnEncoding
    /// Encoding per top-level column name (each name must be a field of the schema, and the
    /// encoding must suit its type).
    public var columnEncodings: [String: ParquetColumnEncoding]
    /// Write a ColumnIndex and an OffsetIndex for every column chunk (PageIndex.md).
    public var pageIndex: Bool

    public init(
        codec: ParquetCodec = .zstd(level: 3),
        maxRowGroupRows: Int = 1_048_576,
        dataPageSize: Int = 1 << 20,
        dictionary: Bool = true,
        dictionaryPageSizeLimit: Int = 1 << 20,
        createdBy: String = "lens parquet",
        keyValueMetadata: [String: String] = [:],
        defaultEncoding: ParquetColumnEncoding = .dictionaryOrPlain,
        columnEncodings: [String: ParquetColumnEncoding] = [:],
        pageIndex: Bool = true
    ) {
        self.defaultEncoding = defaultEncoding
        self.columnEncodings = columnEncodings
        self.pageIndex = pageIndex
        self.codec = codec
        self.maxRowGroupRows = maxRowGroupRows
        self.dataPageSize = dataPageSize
        self.dictionary = dictionary
        self.dictionaryPageSizeLimit = dictionaryPageSizeLimit
        self.createdBy = createdBy
        self.keyValueMetadata = keyValueMetadata
    }
}

/// What `close()` wrote.
public struct ParquetFileSummary: Sendable, Equatable {
    public var path: String
    public var rows: Int
    public var rowGroups: Int
    /// Size of the finished file in bytes.
    public var bytes: Int
}

/// Errors of the Parquet writer. Each message says what happened, in which file and column,
/// and what to do about it.
public enum ParquetError: Error, Equatable, CustomStringConvertible {
    /// The schema cannot be written (no fields, empty or duplicate names, bad options).
    case invalidSchema(file: String, reason: String)
    /// `write` got a different number of columns than the schema has fields.
    case columnCountMismatch(file: String, expected: Int, got: Int)
    /// A column's values case does not fit its field's type.
    case columnTypeMismatch(file: String, column: String, expected: ParquetColumnType, got: String)
    /// Columns of one `write` call have different row counts.
    case rowCountMismatch(file: String, column: String, expected: Int, got: Int)
    /// A validity array's length differs from the column's row count.
    case validityLengthMismatch(file: String, column: String, rows: Int, validity: Int)
    /// A non-nullable field got a null (validity `false`).
    case nullInRequiredColumn(file: String, column: String, row: Int)
    /// A `.floatList` offsets array is malformed.
    case invalidListOffsets(file: String, column: String, reason: String)
    /// `write(columns:rows:)` got a row range outside the columns.
    case rowRangeOutOfBounds(file: String, range: Range<Int>, rows: Int)
    /// A single value or page does not fit Parquet's 32-bit sizes.
    case valueTooLarge(file: String, column: String, reason: String)
    /// The temporary output file could not be created.
    case cannotCreateFile(path: String, reason: String)
    /// A system call on the output failed.
    case io(file: String, operation: String, reason: String)
    /// zstd failed to compress a page.
    case compressionFailed(file: String, column: String, reason: String)
    /// The writer was already closed, or failed earlier and was abandoned.
    case writerClosed(file: String)

    public var description: String {
        switch self {
        case .invalidSchema(let file, let reason):
            return "Parquet file '\(file)': invalid schema or options: \(reason). Fix the ParquetSchema / ParquetWriterOptions passed to ParquetFileWriter."
        case .columnCountMismatch(let file, let expected, let got):
            return "Parquet file '\(file)': write got \(got) columns but the schema has \(expected) fields. Pass exactly one ParquetColumnValues per schema field, in schema order."
        case .columnTypeMismatch(let file, let column, let expected, let got):
            return "Parquet file '\(file)', column '\(column)': the field's type is \(expected) but the values are .\(got). Pass .\(ParquetError.valuesCaseName(for: expected)) values for this column, or change the field's type."
        case .rowCountMismatch(let file, let column, let expected, let got):
            return "Parquet file '\(file)', column '\(column)': has \(got) rows but the first column has \(expected). All columns of one write must have the same number of rows."
        case .validityLengthMismatch(let file, let column, let rows, let validity):
            return "Parquet file '\(file)', column '\(column)': validity has \(validity) entries but the column has \(rows) rows. Give one validity entry per row (true = present), or nil when all rows are present."
        case .nullInRequiredColumn(let file, let column, let row):
            return "Parquet file '\(file)', column '\(column)': row \(row) is null but the field is not nullable. Declare the field with nullable: true, or supply a value for that row."
        case .invalidListOffsets(let file, let column, let reason):
            return "Parquet file '\(file)', column '\(column)': invalid list offsets: \(reason). Offsets must have rows + 1 non-decreasing entries within 0...values.count."
        case .rowRangeOutOfBounds(let file, let range, let rows):
            return "Parquet file '\(file)': row range \(range.lowerBound)..<\(range.upperBound) is outside the columns' \(rows) rows. Pass a range within 0..<\(rows)."
        case .valueTooLarge(let file, let column, let reason):
            return "Parquet file '\(file)', column '\(column)': \(reason). Parquet stores sizes as 32-bit integers; split or shorten the value."
        case .cannotCreateFile(let path, let reason):
            return "Parquet file '\(path)': cannot create the temporary output file: \(reason). Check that the directory exists and is writable."
        case .io(let file, let operation, let reason):
            return "Parquet file '\(file)': \(operation) failed: \(reason). Check free disk space and permissions, then write the file again."
        case .compressionFailed(let file, let column, let reason):
            return "Parquet file '\(file)', column '\(column)': zstd compression failed: \(reason). Try another zstd level or ParquetCodec.uncompressed."
        case .writerClosed(let file):
            return "Parquet file '\(file)': the writer is already closed or failed earlier. Create a new ParquetFileWriter to write the file again."
        }
    }

    static func valuesCaseName(for type: ParquetColumnType) -> String {
        switch type {
        case .bool: return "bool"
        case .int8: return "int8"
        case .int16: return "int16"
        case .int32, .date: return "int32"
        case .int64, .timestampMicrosUTC: return "int64"
        case .float: return "float"
        case .double: return "double"
        case .string: return "string"
        case .stringList: return "stringList"
        case .floatList: return "floatList"
        }
    }
}
