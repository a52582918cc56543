// The parts of parquet.thrift the reader needs, decoded from the Thrift compact protocol:
// FileMetaData (schema, row groups, column chunk metadata, key/value metadata) and PageHeader
// (data page V1 and V2, dictionary page). Unknown fields are skipped, as Thrift requires, so
// files from newer writers (statistics, page indexes, geospatial types...) still parse.
// Field ids follow apache/parquet-format src/main/thrift/parquet.thrift.

/// LogicalType union members, as read (only what the reader maps is detailed).
enum DecodedLogicalType: Equatable {
    case string
    case map
    case list
    case enumType
    case decimal
    case date
    case time
    case timestamp(utc: Bool, unit: DecodedTimeUnit)
    case integer(bitWidth: Int8, signed: Bool)
    case null
    case json
    case bson
    case uuid
    case float16
    case variant
    case geometry
    case geography
    /// A union member this reader does not know (its field id).
    case other(Int16)

    var name: String {
        switch self {
        case .string: return "STRING"
        case .map: return "MAP"
        case .list: return "LIST"
        case .enumType: return "ENUM"
        case .decimal: return "DECIMAL"
        case .date: return "DATE"
        case .time: return "TIME"
        case .timestamp(let utc, let unit): return "TIMESTAMP(isAdjustedToUTC=\(utc), \(unit))"
        case .integer(let bitWidth, let signed): return "INT(\(bitWidth), \(signed ? "signed" : "unsigned"))"
        case .null: return "UNKNOWN (null)"
        case .json: return "JSON"
        case .bson: return "BSON"
        case .uuid: return "UUID"
        case .float16: return "FLOAT16"
        case .variant: return "VARIANT"
        case .geometry: return "GEOMETRY"
        case .geography: return "GEOGRAPHY"
        case .other(let id): return "logical type #\(id)"
        }
    }
}

enum DecodedTimeUnit: Equatable, CustomStringConvertible {
    case millis, micros, nanos, unknown
    var description: String {
        switch self {
        case .millis: return "MILLIS"
        case .micros: return "MICROS"
        case .nanos: return "NANOS"
        case .unknown: return "unknown unit"
        }
    }
}

struct DecodedSchemaElement {
    var name = ""
    var type: Int32?
    var typeLength: Int32?
    var repetition: Int32?
    var numChildren: Int32?
    var convertedType: Int32?
    var logicalType: DecodedLogicalType?

    static func decode(_ r: inout ThriftCompactReader) throws -> DecodedSchemaElement {
        var e = DecodedSchemaElement()
        var haveName = false
        try r.readStruct { r, id, t in
            switch (id, t) {
            case (1, ThriftType.i32.rawValue): e.type = try r.i32()
            case (2, ThriftType.i32.rawValue): e.typeLength = try r.i32()
            case (3, ThriftType.i32.rawValue): e.repetition = try r.i32()
            case (4, ThriftType.binary.rawValue): e.name = try r.string(); haveName = true
            case (5, ThriftType.i32.rawValue): e.numChildren = try r.i32()
            case (6, ThriftType.i32.rawValue): e.convertedType = try r.i32()
            case (10, ThriftType.structure.rawValue): e.logicalType = try decodeLogicalType(&r)
            default: try r.skip(t)
            }
        }
        guard haveName else { throw DecodeFailure("a schema element has no name") }
        return e
    }

    static func decodeLogicalType(_ r: inout ThriftCompactReader) throws -> DecodedLogicalType? {
        var result: DecodedLogicalType?
        try r.readStruct { r, id, t in
            guard t == ThriftType.structure.rawValue else { try r.skip(t); return }
            switch id {
            case 1: result = .string; try r.skip(t)
            case 2: result = .map; try r.skip(t)
            case 3: result = .list; try r.skip(t)
            case 4: result = .enumType; try r.skip(t)
            case 5: result = .decimal; try r.skip(t)
            case 6: result = .date; try r.skip(t)
            case 7: result = .time; try r.skip(t)
            case 8:
                var utc = false
                var unit = DecodedTimeUnit.unknown
                try r.readStruct { r, id, t in
                    switch id {
                    case 1 where t == ThriftType.boolTrue.rawValue || t == ThriftType.boolFalse.rawValue:
                        utc = try r.boolValue(t)
                    case 2 where t == ThriftType.structure.rawValue:
                        try r.readStruct { r, id, t in
                            switch id {
                            case 1: unit = .millis
                            case 2: unit = .micros
                            case 3: unit = .nanos
                            default: break
                            }
                            try r.skip(t)
                        }
                    default: try r.skip(t)
                    }
                }
                result = .timestamp(utc: utc, unit: unit)
            case 10:
                var bitWidth: Int8 = 0
                var signed = false
                try r.readStruct { r, id, t in
                    switch id {
                    case 1 where t == ThriftType.i8.rawValue: bitWidth = try r.i8()
                    case 2 where t == ThriftType.boolTrue.rawValue || t == ThriftType.boolFalse.rawValue:
                        signed = try r.boolValue(t)
                    default: try r.skip(t)
                    }
                }
                result = .integer(bitWidth: bitWidth, signed: signed)
            case 11: result = .null; try r.skip(t)
            case 12: result = .json; try r.skip(t)
            case 13: result = .bson; try r.skip(t)
            case 14: result = .uuid; try r.skip(t)
            case 15: result = .float16; try r.skip(t)
            case 16: result = .variant; try r.skip(t)
            case 17: result = .geometry; try r.skip(t)
            case 18: result = .geography; try r.skip(t)
            default: result = .other(id); try r.skip(t)
            }
        }
        return result
    }
}

struct DecodedColumnMetaData {
    var type: Int32 = -1
    var encodings: [Int32] = []
    var path: [String] = []
    var codec: Int32 = -1
    var numValues: Int64 = -1
    var totalUncompressedSize: Int64 = -1
    var totalCompressedSize: Int64 = -1
    var dataPageOffset: Int64 = -1
    var dictionaryPageOffset: Int64?

    static func decode(_ r: inout ThriftCompactReader) throws -> DecodedColumnMetaData {
        var m = DecodedColumnMetaData()
        try r.readStruct { r, id, t in
            switch (id, t) {
            case (1, ThriftType.i32.rawValue): m.type = try r.i32()
            case (2, ThriftType.list.rawValue): try r.readList { r, et in
                    if et == ThriftType.i32.rawValue { m.encodings.append(try r.i32()) } else { try r.skip(et, inList: true) }
                }
            case (3, ThriftType.list.rawValue): try r.readList { r, et in
                    if et == ThriftType.binary.rawValue { m.path.append(try r.string()) } else { try r.skip(et, inList: true) }
                }
            case (4, ThriftType.i32.rawValue): m.codec = try r.i32()
            case (5, ThriftType.i64.rawValue): m.numValues = try r.i64()
            case (6, ThriftType.i64.rawValue): m.totalUncompressedSize = try r.i64()
            case (7, ThriftType.i64.rawValue): m.totalCompressedSize = try r.i64()
            case (9, ThriftType.i64.rawValue): m.dataPageOffset = try r.i64()
            case (11, ThriftType.i64.rawValue): m.dictionaryPageOffset = try r.i64()
            default: try r.skip(t)
            }
        }
        if m.type < 0 || m.codec < 0 || m.numValues < 0 || m.totalCompressedSize < 0 || m.dataPageOffset < 0 {
            throw DecodeFailure("a column chunk's metadata lacks a required field or holds a negative size")
        }
        return m
    }
}

struct DecodedColumnChunk {
    var filePath: String?
    var meta: DecodedColumnMetaData?
    var encrypted = false
    /// Where the chunk's page index lies (file offset, length), when the writer wrote one.
    var offsetIndexOffset: Int64?
    var offsetIndexLength: Int32?
    var columnIndexOffset: Int64?
    var columnIndexLength: Int32?

    static func decode(_ r: inout ThriftCompactReader) throws -> DecodedColumnChunk {
        var c = DecodedColumnChunk()
        try r.readStruct { r, id, t in
            switch (id, t) {
            case (1, ThriftType.binary.rawValue): c.filePath = try r.string()
            case (3, ThriftType.structure.rawValue): c.meta = try DecodedColumnMetaData.decode(&r)
            case (4, ThriftType.i64.rawValue): c.offsetIndexOffset = try r.i64()
            case (5, ThriftType.i32.rawValue): c.offsetIndexLength = try r.i32()
            case (6, ThriftType.i64.rawValue): c.columnIndexOffset = try r.i64()
            case (7, ThriftType.i32.rawValue): c.columnIndexLength = try r.i32()
            case (8, ThriftType.structure.rawValue): c.encrypted = true; try r.skip(t)
            default: try r.skip(t)
            }
        }
        return c
    }
}

struct DecodedRowGroup {
    var columns: [DecodedColumnChunk] = []
    var numRows: Int64 = -1

    static func decode(_ r: inout ThriftCompactReader) throws -> DecodedRowGroup {
        var g = DecodedRowGroup()
        try r.readStruct { r, id, t in
            switch (id, t) {
            case (1, ThriftType.list.rawValue): try r.readList { r, et in
                    guard et == ThriftType.structure.rawValue else { throw DecodeFailure("row group columns are not structs") }
                    g.columns.append(try DecodedColumnChunk.decode(&r))
                }
            case (3, ThriftType.i64.rawValue): g.numRows = try r.i64()
            default: try r.skip(t)
            }
        }
        if g.numRows < 0 { throw DecodeFailure("a row group has no (or a negative) num_rows") }
        return g
    }
}

struct DecodedFileMetaData {
    var version: Int32 = 0
    var schema: [DecodedSchemaElement] = []
    var numRows: Int64 = -1
    var rowGroups: [DecodedRowGroup] = []
    var keyValueMetadata: [(key: String, value: String?)] = []
    var createdBy: String?

    static func decode(_ r: inout ThriftCompactReader) throws -> DecodedFileMetaData {
        var m = DecodedFileMetaData()
        var haveSchema = false
        try r.readStruct { r, id, t in
            switch (id, t) {
            case (1, ThriftType.i32.rawValue): m.version = try r.i32()
            case (2, ThriftType.list.rawValue):
                haveSchema = true
                try r.readList { r, et in
                    guard et == ThriftType.structure.rawValue else { throw DecodeFailure("schema elements are not structs") }
                    m.schema.append(try DecodedSchemaElement.decode(&r))
                }
            case (3, ThriftType.i64.rawValue): m.numRows = try r.i64()
            case (4, ThriftType.list.rawValue): try r.readList { r, et in
                    guard et == ThriftType.structure.rawValue else { throw DecodeFailure("row groups are not structs") }
                    m.rowGroups.append(try DecodedRowGroup.decode(&r))
                }
            case (5, ThriftType.list.rawValue): try r.readList { r, et in
                    guard et == ThriftType.structure.rawValue else { throw DecodeFailure("key/value metadata are not structs") }
                    var key: String?
                    var value: String?
                    try r.readStruct { r, id, t in
                        switch (id, t) {
                        case (1, ThriftType.binary.rawValue): key = try r.string()
                        case (2, ThriftType.binary.rawValue): value = try r.string()
                        default: try r.skip(t)
                        }
                    }
                    guard let key else { throw DecodeFailure("a key/value metadata entry has no key") }
                    m.keyValueMetadata.append((key, value))
                }
            case (6, ThriftType.binary.rawValue): m.createdBy = try r.string()
            default: try r.skip(t)
            }
        }
        if !haveSchema || m.schema.isEmpty { throw DecodeFailure("the footer has no schema") }
        if m.numRows < 0 { throw DecodeFailure("the footer has no (or a negative) num_rows") }
        return m
    }
}

/// PageType values.
enum DecodedPageType: Int32 {
    case dataPage = 0
    case indexPage = 1
    case dictionaryPage = 2
    case dataPageV2 = 3
}

struct DecodedDataPageHeader {
    var numValues: Int32 = -1
    var encoding: Int32 = -1
    var definitionLevelEncoding: Int32 = -1
    var repetitionLevelEncoding: Int32 = -1
}

struct DecodedDataPageHeaderV2 {
    var numValues: Int32 = -1
    var numNulls: Int32 = -1
    var numRows: Int32 = -1
    var encoding: Int32 = -1
    var definitionLevelsByteLength: Int32 = -1
    var repetitionLevelsByteLength: Int32 = -1
    var isCompressed = true
}

struct DecodedDictionaryPageHeader {
    var numValues: Int32 = -1
    var encoding: Int32 = -1
}

struct DecodedPageHeader {
    var type: Int32 = -1
    var uncompressedSize: Int32 = -1
    var compressedSize: Int32 = -1
    var dataPage: DecodedDataPageHeader?
    var dictionaryPage: DecodedDictionaryPageHeader?
    var dataPageV2: DecodedDataPageHeaderV2?

    static func decode(_ r: inout ThriftCompactReader) throws -> DecodedPageHeader {
        var h = DecodedPageHeader()
        try r.readStruct { r, id, t in
            switch (id, t) {
            case (1, ThriftType.i32.rawValue): h.type = try r.i32()
            case (2, ThriftType.i32.rawValue): h.uncompressedSize = try r.i32()
            case (3, ThriftType.i32.rawValue): h.compressedSize = try r.i32()
            case (5, ThriftType.structure.rawValue):
                var d = DecodedDataPageHeader()
                try r.readStruct { r, id, t in
                    switch (id, t) {
                    case (1, ThriftType.i32.rawValue): d.numValues = try r.i32()
                    case (2, ThriftType.i32.rawValue): d.encoding = try r.i32()
                    case (3, ThriftType.i32.rawValue): d.definitionLevelEncoding = try r.i32()
                    case (4, ThriftType.i32.rawValue): d.repetitionLevelEncoding = try r.i32()
                    default: try r.skip(t)
                    }
                }
                h.dataPage = d
            case (7, ThriftType.structure.rawValue):
                var d = DecodedDictionaryPageHeader()
                try r.readStruct { r, id, t in
                    switch (id, t) {
                    case (1, ThriftType.i32.rawValue): d.numValues = try r.i32()
                    case (2, ThriftType.i32.rawValue): d.encoding = try r.i32()
                    default: try r.skip(t)
                    }
                }
                h.dictionaryPage = d
            case (8, ThriftType.structure.rawValue):
                var d = DecodedDataPageHeaderV2()
                try r.readStruct { r, id, t in
                    switch (id, t) {
                    case (1, ThriftType.i32.rawValue): d.numValues = try r.i32()
                    case (2, ThriftType.i32.rawValue): d.numNulls = try r.i32()
                    case (3, ThriftType.i32.rawValue): d.numRows = try r.i32()
                    case (4, ThriftType.i32.rawValue): d.encoding = try r.i32()
                    case (5, ThriftType.i32.rawValue): d.definitionLevelsByteLength = try r.i32()
                    case (6, ThriftType.i32.rawValue): d.repetitionLevelsByteLength = try r.i32()
                    case (7, ThriftType.boolTrue.rawValue), (7, ThriftType.boolFalse.rawValue): d.isCompressed = try r.boolValue(t)
                    default: try r.skip(t)
                    }
                }
                h.dataPageV2 = d
            default: try r.skip(t)
            }
        }
        if h.type < 0 { throw DecodeFailure("a page header has no type") }
        if h.uncompressedSize < 0 || h.compressedSize < 0 {
            throw DecodeFailure("a page header has no (or a negative) page size (uncompressed \(h.uncompressedSize), compressed \(h.compressedSize))")
        }
        return h
    }
}

/// Names of parquet.thrift enum values, for error messages.
enum ParquetNames {
    static func codec(_ c: Int32) -> String {
        switch c {
        case 0: return "UNCOMPRESSED"
        case 1: return "SNAPPY"
        case 2: return "GZIP"
        case 3: return "LZO"
        case 4: return "BROTLI"
        case 5: return "LZ4"
        case 6: return "ZSTD"
        case 7: return "LZ4_RAW"
        default: return "codec #\(c)"
        }
    }

    static func encoding(_ e: Int32) -> String {
        switch e {
        case 0: return "PLAIN"
        case 2: return "PLAIN_DICTIONARY"
        case 3: return "RLE"
        case 4: return "BIT_PACKED"
        case 5: return "DELTA_BINARY_PACKED"
        case 6: return "DELTA_LENGTH_BYTE_ARRAY"
        case 7: return "DELTA_BYTE_ARRAY"
        case 8: return "RLE_DICTIONARY"
        case 9: return "BYTE_STREAM_SPLIT"
        default: return "encoding #\(e)"
        }
    }

    static func physical(_ t: Int32) -> String {
        switch t {
        case 0: return "BOOLEAN"
        case 1: return "INT32"
        case 2: return "INT64"
        case 3: return "INT96"
        case 4: return "FLOAT"
        case 5: return "DOUBLE"
        case 6: return "BYTE_ARRAY"
        case 7: return "FIXED_LEN_BYTE_ARRAY"
        default: return "physical type #\(t)"
        }
    }

    static func converted(_ c: Int32) -> String {
        let names = ["UTF8", "MAP", "MAP_KEY_VALUE", "LIST", "ENUM", "DECIMAL", "DATE", "TIME_MILLIS", "TIME_MICROS",
                     "TIMESTAMP_MILLIS", "TIMESTAMP_MICROS", "UINT_8", "UINT_16", "UINT_32", "UINT_64", "INT_8", "INT_16",
                     "INT_32", "INT_64", "JSON", "BSON", "INTERVAL"]
        return c >= 0 && Int(c) < names.count ? names[Int(c)] : "converted type #\(c)"
    }

    static func pageType(_ t: Int32) -> String {
        switch t {
        case 0: return "DATA_PAGE"
        case 1: return "INDEX_PAGE"
        case 2: return "DICTIONARY_PAGE"
        case 3: return "DATA_PAGE_V2"
        default: return "page type #\(t)"
        }
    }
}
