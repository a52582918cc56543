// Maps a file's flat schema (parquet.thrift SchemaElement list) back to `ParquetField`s: the
// physical type with its LogicalType (or legacy ConvertedType) annotation gives the
// `ParquetColumnType`; repetition gives nullability and the column's levels.

/// How one top-level field is stored: its leaf column and levels.
struct ReaderColumn {
    let field: ParquetField
    /// Index of the leaf among the row groups' column chunks.
    let leafIndex: Int
    /// Physical type of the leaf (parquet.thrift Type).
    let physical: Int32
    let path: [String]
    let maxDefinitionLevel: Int
    let maxRepetitionLevel: Int
    let isList: Bool
    /// Lists: the definition level of a present but empty list (entries below it are null lists).
    let listDefinedLevel: Int
}

enum ReaderSchema {
    // parquet.thrift FieldRepetitionType
    static let required: Int32 = 0
    static let optional: Int32 = 1
    static let repeated: Int32 = 2

    /// A node of the schema tree.
    final class Node {
        let element: DecodedSchemaElement
        var children: [Node] = []
        /// Leaf ordinal (primitive nodes only).
        var leafIndex = -1
        init(_ e: DecodedSchemaElement) { element = e }
        var isPrimitive: Bool { element.numChildren == nil && element.type != nil }
    }

    /// Builds the tree from the depth-first element list; returns the root's children and the
    /// number of leaves.
    static func tree(_ elements: [DecodedSchemaElement]) throws -> (fields: [Node], leaves: Int) {
        var index = 0
        var leaves = 0
        func build(depth: Int) throws -> Node {
            guard index < elements.count else { throw DecodeFailure("the schema ends inside a group") }
            guard depth <= 64 else { throw DecodeFailure("the schema is nested deeper than 64 levels") }
            let node = Node(elements[index])
            index += 1
            if let n = node.element.numChildren {
                guard n >= 0, Int(n) <= elements.count - index else {
                    throw DecodeFailure("schema element '\(node.element.name)' claims \(n) children but only \(elements.count - index) elements follow")
                }
                for _ in 0..<Int(n) { node.children.append(try build(depth: depth + 1)) }
            } else {
                guard node.element.type != nil else {
                    throw DecodeFailure("schema element '\(node.element.name)' has neither a type nor children")
                }
                node.leafIndex = leaves
                leaves += 1
            }
            return node
        }
        let root = try build(depth: 0)
        guard index == elements.count else {
            throw DecodeFailure("the schema has \(elements.count - index) elements after its root's children")
        }
        guard root.element.numChildren != nil else { throw DecodeFailure("the schema root is not a group") }
        return (root.children, leaves)
    }

    /// Maps every top-level field; throws `UnsupportedFeature` (wrapped with the column's name by
    /// the caller through the returned name) for fields this reader cannot represent.
    static func columns(_ elements: [DecodedSchemaElement]) throws -> (columns: [ReaderColumn], leaves: Int) {
        let (fields, leaves) = try tree(elements)
        var out: [ReaderColumn] = []
        for f in fields {
            do {
                out.append(try column(f))
            } catch let u as UnsupportedFeature {
                throw ColumnUnsupported(column: f.element.name, feature: u.feature)
            }
        }
        return (out, leaves)
    }

    struct ColumnUnsupported: Error {
        var column: String
        var feature: String
    }

    private static func column(_ node: Node) throws -> ReaderColumn {
        let e = node.element
        let rep = e.repetition ?? required
        let nullable = rep == optional
        if node.isPrimitive {
            if rep == repeated {
                throw UnsupportedFeature("a repeated primitive field (legacy 1-level list)")
            }
            let type = try flatType(e)
            return ReaderColumn(
                field: ParquetField(e.name, type, nullable: nullable), leafIndex: node.leafIndex,
                physical: e.type!, path: [e.name], maxDefinitionLevel: nullable ? 1 : 0, maxRepetitionLevel: 0,
                isList: false, listDefinedLevel: 0)
        }
        let isListAnnotated = e.logicalType == .list || (e.logicalType == nil && e.convertedType == 3)
        guard isListAnnotated else {
            let kind = e.logicalType == .map || e.convertedType == 1 || e.convertedType == 2 ? "a map" : "a struct (group)"
            throw UnsupportedFeature("\(kind) column; only flat columns and lists of strings or floats are read")
        }
        if rep == repeated { throw UnsupportedFeature("a repeated LIST group") }
        guard node.children.count == 1, node.children[0].element.repetition == repeated else {
            throw UnsupportedFeature("a LIST group without exactly one repeated child")
        }
        let middle = node.children[0]
        let leaf: Node
        var path = [e.name, middle.element.name]
        let elementOptional: Bool
        if middle.isPrimitive {
            // Legacy 2-level list: repeated primitive elements.
            leaf = middle
            elementOptional = false
        } else {
            guard middle.children.count == 1, middle.children[0].isPrimitive else {
                throw UnsupportedFeature("a list whose elements are not primitive (nested lists or structs)")
            }
            leaf = middle.children[0]
            path.append(leaf.element.name)
            let leafRep = leaf.element.repetition ?? required
            if leafRep == repeated { throw UnsupportedFeature("a list of repeated elements") }
            elementOptional = leafRep == optional
        }
        let elementType = try flatType(leaf.element)
        let type: ParquetColumnType
        switch elementType {
        case .string: type = .stringList
        case .float: type = .floatList
        default: throw UnsupportedFeature("a list of \(elementType) (only lists of strings and of floats are read)")
        }
        let outer = nullable ? 1 : 0
        return ReaderColumn(
            field: ParquetField(e.name, type, nullable: nullable), leafIndex: leaf.leafIndex,
            physical: leaf.element.type!, path: path,
            maxDefinitionLevel: outer + 1 + (elementOptional ? 1 : 0), maxRepetitionLevel: 1,
            isList: true, listDefinedLevel: outer)
    }

    /// The column type of a primitive element from its physical type and annotations.
    static func flatType(_ e: DecodedSchemaElement) throws -> ParquetColumnType {
        let physical = e.type!
        let logical = e.logicalType
        let converted = e.convertedType
        func unsupportedAnnotation() -> UnsupportedFeature {
            let annotation = logical?.name ?? converted.map(ParquetNames.converted) ?? "no annotation"
            return UnsupportedFeature("\(ParquetNames.physical(physical)) annotated \(annotation)")
        }
        switch physical {
        case 0:  // BOOLEAN
            guard logical == nil && converted == nil else { throw unsupportedAnnotation() }
            return .bool
        case 1:  // INT32
            switch (logical, converted) {
            case (nil, nil), (.integer(32, true)?, _), (nil, 17?): return .int32
            case (.integer(8, true)?, _), (nil, 15?): return .int8
            case (.integer(16, true)?, _), (nil, 16?): return .int16
            case (.date?, _), (nil, 6?): return .date
            default: throw unsupportedAnnotation()
            }
        case 2:  // INT64
            switch (logical, converted) {
            case (nil, nil), (.integer(64, true)?, _), (nil, 18?): return .int64
            // A legacy TIMESTAMP_MICROS annotation means UTC-adjusted microseconds.
            case (.timestamp(true, .micros)?, _), (nil, 10?): return .timestampMicrosUTC
            default: throw unsupportedAnnotation()
            }
        case 4:  // FLOAT
            guard logical == nil && converted == nil else { throw unsupportedAnnotation() }
            return .float
        case 5:  // DOUBLE
            guard logical == nil && converted == nil else { throw unsupportedAnnotation() }
            return .double
        case 6:  // BYTE_ARRAY
            switch (logical, converted) {
            case (.string?, _), (.enumType?, _), (.json?, _), (nil, 0?), (nil, 4?), (nil, 19?): return .string
            case (nil, nil): throw UnsupportedFeature("BYTE_ARRAY without a STRING annotation (binary data)")
            default: throw unsupportedAnnotation()
            }
        default:
            throw UnsupportedFeature("the physical type \(ParquetNames.physical(physical))")
        }
    }
}
