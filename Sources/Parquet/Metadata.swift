// The subset of parquet.thrift this writer produces, and its compact-protocol serialization.
// Field ids follow apache/parquet-format src/main/thrift/parquet.thrift.

enum PhysicalType: Int32 {
    case boolean = 0
    case int32 = 1
    case int64 = 2
    case float = 4
    case double = 5
    case byteArray = 6
}

enum Encoding: Int32 {
    case plain = 0
    case rle = 3
    case deltaBinaryPacked = 5
    case rleDictionary = 8
    case byteStreamSplit = 9
}

enum PageType: Int32 {
    case dataPage = 0
    case dictionaryPage = 2
}

enum CompressionCodecID: Int32 {
    case uncompressed = 0
    case zstd = 6
}

enum Repetition: Int32 {
    case required = 0
    case optional = 1
    case repeated = 2
}

/// ConvertedType values (legacy annotations).
enum ConvertedType: Int32 {
    case utf8 = 0
    case list = 3
    case date = 6
    case timestampMicros = 10
    case int8 = 15
    case int16 = 16
}

/// LogicalType union members we write.
enum LogicalTypeAnnotation {
    case string
    case list
    case date
    case timestampMicros(utc: Bool)
    case integer(bitWidth: Int8, signed: Bool)

    func write(_ w: inout ThriftCompactWriter, fieldID: Int16) {
        w.beginStruct(fieldID)  // union LogicalType
        switch self {
        case .string:
            w.emptyStruct(1)
        case .list:
            w.emptyStruct(3)
        case .date:
            w.emptyStruct(6)
        case .timestampMicros(let utc):
            w.beginStruct(8)  // TimestampType
            w.bool(1, utc)
            w.beginStruct(2)  // TimeUnit union
            w.emptyStruct(2)  // MICROS
            w.endStruct()
            w.endStruct()
        case .integer(let bitWidth, let signed):
            w.beginStruct(10)  // IntType
            w.i8(1, bitWidth)
            w.bool(2, signed)
            w.endStruct()
        }
        w.endStruct()
    }
}

struct SchemaElement {
    var name: String
    var type: PhysicalType? = nil
    var repetition: Repetition? = nil
    var numChildren: Int32? = nil
    var convertedType: ConvertedType? = nil
    var logicalType: LogicalTypeAnnotation? = nil

    func write(_ w: inout ThriftCompactWriter) {
        w.beginStructElement()
        if let type { w.i32(1, type.rawValue) }
        if let repetition { w.i32(3, repetition.rawValue) }
        w.string(4, name)
        if let numChildren { w.i32(5, numChildren) }
        if let convertedType { w.i32(6, convertedType.rawValue) }
        if let logicalType { logicalType.write(&w, fieldID: 10) }
        w.endStruct()
    }
}

struct StatisticsMeta {
    var nullCount: Int64 = 0
    /// PLAIN-encoded bounds (no length prefix for byte arrays); nil when there are none.
    var minValue: [UInt8]? = nil
    var maxValue: [UInt8]? = nil
    /// Also write the deprecated min/max fields (only for orders that are signed-compatible).
    var writeLegacy: Bool = false
    /// Set for FLOAT/DOUBLE columns.
    var nanCount: Int64? = nil

    func write(_ w: inout ThriftCompactWriter, fieldID: Int16) {
        w.beginStruct(fieldID)
        let haveBounds = minValue != nil && maxValue != nil
        if haveBounds && writeLegacy {
            w.binary(1, maxValue!)
            w.binary(2, minValue!)
        }
        w.i64(3, nullCount)
        if haveBounds {
            w.binary(5, maxValue!)
            w.binary(6, minValue!)
            w.bool(7, true)  // is_max_value_exact
            w.bool(8, true)  // is_min_value_exact
        }
        if let nanCount { w.i64(9, nanCount) }
        w.endStruct()
    }
}

struct PageEncodingStat: Equatable {
    var pageType: PageType
    var encoding: Encoding
    var count: Int32
}

struct ColumnChunkMeta {
    var type: PhysicalType
    var encodings: [Encoding]
    var path: [String]
    var codec: CompressionCodecID
    var numValues: Int64
    var totalUncompressedSize: Int64
    var totalCompressedSize: Int64
    var dataPageOffset: Int64
    var dictionaryPageOffset: Int64?
    var statistics: StatisticsMeta
    var encodingStats: [PageEncodingStat]
    /// The chunk's page index, and where close() wrote it (set after the row groups).
    var pageIndex: ChunkPageIndex? = nil
    var offsetIndexLocation: (offset: Int64, length: Int32)? = nil
    var columnIndexLocation: (offset: Int64, length: Int32)? = nil

    /// Offset of the chunk's first page.
    var startOffset: Int64 { dictionaryPageOffset ?? dataPageOffset }

    func write(_ w: inout ThriftCompactWriter) {
        w.beginStructElement()  // ColumnChunk
        w.i64(2, 0)  // file_offset: deprecated, 0 when no ColumnMetaData is written outside the footer
        w.beginStruct(3)  // ColumnMetaData
        w.i32(1, type.rawValue)
        w.beginList(2, .i32, count: encodings.count)
        for e in encodings { w.elementI32(e.rawValue) }
        w.beginList(3, .binary, count: path.count)
        for p in path { w.elementString(p) }
        w.i32(4, codec.rawValue)
        w.i64(5, numValues)
        w.i64(6, totalUncompressedSize)
        w.i64(7, totalCompressedSize)
        w.i64(9, dataPageOffset)
        if let dictionaryPageOffset { w.i64(11, dictionaryPageOffset) }
        statistics.write(&w, fieldID: 12)
        w.beginList(13, .structure, count: encodingStats.count)
        for s in encodingStats {
            w.beginStructElement()
            w.i32(1, s.pageType.rawValue)
            w.i32(2, s.encoding.rawValue)
            w.i32(3, s.count)
            w.endStruct()
        }
        w.endStruct()  // ColumnMetaData
        if let o = offsetIndexLocation {
            w.i64(4, o.offset)
            w.i32(5, o.length)
        }
        if let c = columnIndexLocation {
            w.i64(6, c.offset)
            w.i32(7, c.length)
        }
        w.endStruct()  // ColumnChunk
    }
}

struct RowGroupMeta {
    var columns: [ColumnChunkMeta]
    var numRows: Int64
    var ordinal: Int16

    func write(_ w: inout ThriftCompactWriter) {
        w.beginStructElement()
        w.beginList(1, .structure, count: columns.count)
        for c in columns { c.write(&w) }
        w.i64(2, columns.reduce(0) { $0 + $1.totalUncompressedSize })
        w.i64(3, numRows)
        if let first = columns.first { w.i64(5, first.startOffset) }
        w.i64(6, columns.reduce(0) { $0 + $1.totalCompressedSize })
        w.i16(7, ordinal)
        w.endStruct()
    }
}

struct FileMetaDataModel {
    var schema: [SchemaElement]
    var numRows: Int64
    var rowGroups: [RowGroupMeta]
    var keyValueMetadata: [(String, String)]
    var createdBy: String
    var leafCount: Int

    func serialize(into out: ByteBuffer) {
        var w = ThriftCompactWriter(out)
        w.beginTopLevel()
        w.i32(1, 1)  // version
        w.beginList(2, .structure, count: schema.count)
        for s in schema { s.write(&w) }
        w.i64(3, numRows)
        w.beginList(4, .structure, count: rowGroups.count)
        for rg in rowGroups { rg.write(&w) }
        if !keyValueMetadata.isEmpty {
            w.beginList(5, .structure, count: keyValueMetadata.count)
            for (k, v) in keyValueMetadata {
                w.beginStructElement()
                w.string(1, k)
                w.string(2, v)
                w.endStruct()
            }
        }
        w.string(6, createdBy)
        // column_orders: TypeDefinedOrder for every leaf, so min_value/max_value are defined.
        w.beginList(7, .structure, count: leafCount)
        for _ in 0..<leafCount {
            w.beginStructElement()  // ColumnOrder union
            w.emptyStruct(1)        // TYPE_ORDER
            w.endStruct()
        }
        w.endStruct()
    }
}

/// Serializes a PageHeader.
func writePageHeader(
    into out: ByteBuffer,
    type: PageType,
    uncompressedSize: Int32,
    compressedSize: Int32,
    numValues: Int32,
    encoding: Encoding
) {
    var w = ThriftCompactWriter(out)
    w.beginTopLevel()
    w.i32(1, type.rawValue)
    w.i32(2, uncompressedSize)
    w.i32(3, compressedSize)
    switch type {
    case .dataPage:
        w.beginStruct(5)
        w.i32(1, numValues)
        w.i32(2, encoding.rawValue)
        w.i32(3, Encoding.rle.rawValue)  // definition levels
        w.i32(4, Encoding.rle.rawValue)  // repetition levels
        w.endStruct()
    case .dictionaryPage:
        w.beginStruct(7)
        w.i32(1, numValues)
        w.i32(2, encoding.rawValue)
        w.endStruct()
    }
    w.endStruct()
}
