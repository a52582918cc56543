// Decodes one column, one column chunk at a time: reads the chunk with pread into a reused
// buffer, walks its pages (dictionary page, DataPage V1 and V2), decompresses them, decodes the
// repetition/definition levels and the values, and appends rows to the output columns.
//
// Everything read from the file is checked before it is used: chunk bounds against the file,
// page sizes against the chunk, level and value counts against the page and the footer,
// dictionary indices against the dictionary. A lie gives a `DecodeFailure` (wrapped into
// `ParquetReadError.corrupt` with the file and column), never a read past a buffer.

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Storage for a page's decoded values (typed, possibly non-trivial like String).
final class ValueScratch<V> {
    private(set) var base: UnsafeMutablePointer<V>
    private(set) var capacity: Int

    init() {
        capacity = 1024
        base = .allocate(capacity: capacity)
    }

    deinit { base.deallocate() }

    /// Room for `n` values; the memory is uninitialized (callers deinitialize what they initialized).
    @inline(__always)
    func ensure(_ n: Int) -> UnsafeMutablePointer<V> {
        if n > capacity {
            base.deallocate()
            capacity = max(n, capacity &* 2)
            base = .allocate(capacity: capacity)
        }
        return base
    }
}

/// A column's rows as read so far: values, validity and (lists) offsets.
struct ColumnAccumulator<V> {
    var values: [V] = []
    var validity: [Bool] = []
    var hasNull = false
    /// Lists: start of each row's elements, plus the end of the last closed row.
    var offsets: [Int] = [0]
    var rowOpen = false
    var rows = 0
}

/// File-level state shared by every column read: the descriptor, the footer and scratch buffers.
final class ColumnChunkReader {
    let file: String
    let fd: Int32
    /// Offset where the footer starts: column chunks must end at or before it.
    let dataEnd: Int
    let rowGroups: [DecodedRowGroup]

    private let chunk = ReaderBuffer(capacity: 1 << 16)
    private let page = ReaderBuffer(capacity: 1 << 16)
    private let definition = ReaderBuffer(capacity: 1 << 12)
    private let repetition = ReaderBuffer(capacity: 1 << 12)
    private let indices = ReaderBuffer(capacity: 1 << 12)
    private let boolScratch = ReaderBuffer(capacity: 1 << 12)
    private var zstd: ZstdDecompressor?

    init(file: String, fd: Int32, dataEnd: Int, rowGroups: [DecodedRowGroup]) {
        self.file = file
        self.fd = fd
        self.dataEnd = dataEnd
        self.rowGroups = rowGroups
    }

    // MARK: column

    /// Reads every row group's chunk of `column`.
    func read<V: ReaderValue>(_ column: ReaderColumn, as _: V.Type) throws -> ColumnAccumulator<V> {
        var acc = ColumnAccumulator<V>()
        var totalValues: Int64 = 0
        for g in rowGroups {
            guard column.leafIndex < g.columns.count else {
                throw ParquetReadError.corrupt(file: file, column: column.field.name,
                                               reason: "a row group has \(g.columns.count) column chunks, fewer than the schema's leaves")
            }
            if let m = g.columns[column.leafIndex].meta { totalValues = min(totalValues + min(m.numValues, 1 << 40), 1 << 40) }
        }
        // Reserve what the footer announces, within reason (a damaged footer cannot make this
        // allocate more than 2^26 slots up front; the arrays still grow to whatever the pages hold).
        let reserve = Int(min(totalValues, 1 << 26))
        acc.values.reserveCapacity(reserve)
        adviseHugePages(&acc.values)
        if column.field.nullable { acc.validity.reserveCapacity(column.isList ? 0 : reserve) }
        let scratch = ValueScratch<V>()
        for (g, group) in rowGroups.enumerated() {
            do {
                try readChunk(column, group: group, groupIndex: g, into: &acc, scratch: scratch)
            } catch let e as DecodeFailure {
                throw ParquetReadError.corrupt(file: file, column: column.field.name, reason: "row group \(g): \(e.message)")
            } catch let u as UnsupportedFeature {
                throw ParquetReadError.unsupported(file: file, column: column.field.name, feature: u.feature)
            }
        }
        if column.isList && acc.rowOpen {
            acc.offsets.append(acc.values.count)
            acc.rowOpen = false
        }
        return acc
    }

    // MARK: chunk

    private func readChunk<V: ReaderValue>(
        _ column: ReaderColumn, group: DecodedRowGroup, groupIndex: Int, into acc: inout ColumnAccumulator<V>,
        scratch: ValueScratch<V>
    ) throws {
        let cc = group.columns[column.leafIndex]
        if cc.encrypted { throw UnsupportedFeature("encrypted column chunks") }
        if let p = cc.filePath, !p.isEmpty { throw UnsupportedFeature("column chunks in another file ('\(p)')") }
        guard let meta = cc.meta else { throw DecodeFailure("the column chunk has no metadata") }
        guard meta.type == column.physical else {
            throw DecodeFailure("the chunk's physical type is \(ParquetNames.physical(meta.type)) but the schema says \(ParquetNames.physical(column.physical))")
        }
        if !meta.path.isEmpty && meta.path != column.path {
            throw DecodeFailure("the chunk's path is \(meta.path.joined(separator: ".")) but the schema's leaf is \(column.path.joined(separator: "."))")
        }
        switch meta.codec {
        case 0, 6: break
        default: throw UnsupportedFeature("the compression codec \(ParquetNames.codec(meta.codec))")
        }
        let rowsBefore = column.isList ? acc.rows : acc.values.count
        let expectedRows = Int(group.numRows)
        if meta.numValues == 0 {
            guard expectedRows == 0 else {
                throw DecodeFailure("the column chunk holds 0 values but the row group has \(expectedRows) rows")
            }
            return
        }

        // Chunk bounds: the chunk starts at its dictionary page when it has one.
        var start = meta.dataPageOffset
        if let d = meta.dictionaryPageOffset, d > 0, d < start { start = d }
        let length = meta.totalCompressedSize
        guard start >= 4, length > 0, start <= Int64(dataEnd), length <= Int64(dataEnd) - start else {
            throw DecodeFailure("the column chunk claims \(length) bytes at offset \(start), outside the file's data (4..<\(dataEnd))")
        }
        let len = Int(length)
        chunk.ensure(len)
        try preadFully(into: chunk.base, count: len, at: Int(start))
        let base = UnsafeRawPointer(chunk.base)

        var dictionary: [V]? = nil
        var pos = 0
        var entries: Int64 = 0
        let numValues = meta.numValues
        while entries < numValues {
            guard pos < len else {
                throw DecodeFailure("the column chunk ends after \(entries) of the \(numValues) values its metadata announces")
            }
            var r = ThriftCompactReader(base, start: pos, end: len)
            let header: DecodedPageHeader
            do {
                header = try DecodedPageHeader.decode(&r)
            } catch let e as DecodeFailure {
                throw DecodeFailure("cannot read the page header at chunk offset \(pos) (file offset \(Int(start) + pos)): \(e.message)")
            }
            let bodyStart = r.position
            let compressed = Int(header.compressedSize)
            guard compressed <= len - bodyStart else {
                throw DecodeFailure("the page at file offset \(Int(start) + pos) claims \(compressed) bytes but only \(len - bodyStart) remain in its column chunk")
            }
            let body = base + bodyStart
            let pageOffset = Int(start) + pos
            pos = bodyStart + compressed
            switch header.type {
            case DecodedPageType.dictionaryPage.rawValue:
                guard let d = header.dictionaryPage else { throw DecodeFailure("a dictionary page has no dictionary header") }
                guard dictionary == nil else { throw DecodeFailure("the column chunk has a second dictionary page at file offset \(pageOffset)") }
                guard entries == 0 else { throw DecodeFailure("the dictionary page at file offset \(pageOffset) follows data pages") }
                guard d.encoding == 0 || d.encoding == 2 else {
                    throw UnsupportedFeature("the \(ParquetNames.encoding(d.encoding)) encoding for dictionary pages")
                }
                guard d.numValues >= 0 else { throw DecodeFailure("a dictionary page has \(d.numValues) values") }
                let (p, n) = try pageBytes(body, compressed: compressed, uncompressed: Int(header.uncompressedSize), codec: meta.codec)
                let count = Int(d.numValues)
                // Every dictionary value takes at least one bit, so a lying count is caught here.
                guard count <= n * 8 else {
                    throw DecodeFailure("a dictionary page claims \(count) values in \(n) bytes")
                }
                let out = scratch.ensure(count)
                _ = try V.decodePlain(p, length: n, count: count, into: out)
                dictionary = Array(UnsafeBufferPointer(start: out, count: count))
                out.deinitialize(count: count)
            case DecodedPageType.dataPage.rawValue:
                guard let d = header.dataPage else { throw DecodeFailure("a data page has no data page header") }
                guard d.numValues >= 0, Int64(d.numValues) <= numValues - entries else {
                    throw DecodeFailure("the data page at file offset \(pageOffset) holds \(d.numValues) values, more than the \(numValues - entries) left in the column chunk")
                }
                let (p, n) = try pageBytes(body, compressed: compressed, uncompressed: Int(header.uncompressedSize), codec: meta.codec)
                let count = Int(d.numValues)
                var at = 0
                if column.maxRepetitionLevel > 0 {
                    try checkLevelEncoding(d.repetitionLevelEncoding, "repetition")
                    at = try decodeV1Levels(p, length: n, at: at, count: count, maxLevel: column.maxRepetitionLevel,
                                            into: repetition, what: "repetition")
                }
                if column.maxDefinitionLevel > 0 {
                    try checkLevelEncoding(d.definitionLevelEncoding, "definition")
                    at = try decodeV1Levels(p, length: n, at: at, count: count, maxLevel: column.maxDefinitionLevel,
                                            into: definition, what: "definition")
                }
                try decodeValues(column, p + at, length: n - at, count: count, encoding: d.encoding,
                                 dictionary: dictionary, into: &acc, scratch: scratch)
                entries += Int64(count)
            case DecodedPageType.dataPageV2.rawValue:
                guard let d = header.dataPageV2 else { throw DecodeFailure("a V2 data page has no V2 header") }
                guard d.numValues >= 0, Int64(d.numValues) <= numValues - entries else {
                    throw DecodeFailure("the data page at file offset \(pageOffset) holds \(d.numValues) values, more than the \(numValues - entries) left in the column chunk")
                }
                let repLength = Int(d.repetitionLevelsByteLength)
                let defLength = Int(d.definitionLevelsByteLength)
                let levels = repLength + defLength
                guard repLength >= 0, defLength >= 0, levels <= compressed, levels <= Int(header.uncompressedSize) else {
                    throw DecodeFailure("the V2 data page at file offset \(pageOffset) claims \(repLength) + \(defLength) level bytes in a page of \(compressed)")
                }
                let count = Int(d.numValues)
                if column.maxRepetitionLevel > 0 {
                    _ = try decodeHybrid(body, length: repLength, bitWidth: bitWidth(forMaxValue: UInt64(column.maxRepetitionLevel)),
                                         count: count, into: repetition.typed(UInt8.self, count: count))
                    try checkLevels(repetition, count: count, maxLevel: column.maxRepetitionLevel, what: "repetition")
                }
                if column.maxDefinitionLevel > 0 {
                    _ = try decodeHybrid(body + repLength, length: defLength,
                                         bitWidth: bitWidth(forMaxValue: UInt64(column.maxDefinitionLevel)),
                                         count: count, into: definition.typed(UInt8.self, count: count))
                    try checkLevels(definition, count: count, maxLevel: column.maxDefinitionLevel, what: "definition")
                }
                let valuesCodec = d.isCompressed ? meta.codec : 0
                let (p, n) = try pageBytes(body + levels, compressed: compressed - levels,
                                           uncompressed: Int(header.uncompressedSize) - levels, codec: valuesCodec)
                try decodeValues(column, p, length: n, count: count, encoding: d.encoding,
                                 dictionary: dictionary, into: &acc, scratch: scratch)
                entries += Int64(count)
            case DecodedPageType.indexPage.rawValue:
                continue
            default:
                throw DecodeFailure("the page at file offset \(pageOffset) has the unknown type \(header.type)")
            }
        }
        let rows = (column.isList ? acc.rows : acc.values.count) - rowsBefore
        guard rows == expectedRows else {
            throw DecodeFailure("the column chunk holds \(rows) rows but the row group has \(expectedRows)")
        }
    }

    // MARK: pages

    /// The page's uncompressed bytes: in the chunk buffer when uncompressed, else in `page`.
    private func pageBytes(_ body: UnsafeRawPointer, compressed: Int, uncompressed: Int, codec: Int32) throws -> (UnsafeRawPointer, Int) {
        switch codec {
        case 0:
            guard compressed == uncompressed else {
                throw DecodeFailure("an uncompressed page says \(uncompressed) bytes uncompressed but \(compressed) stored")
            }
            return (body, compressed)
        case 6:
            guard uncompressed >= 0 else { throw DecodeFailure("a page claims \(uncompressed) uncompressed bytes") }
            if zstd == nil {
                guard let z = ZstdDecompressor() else { throw DecodeFailure("ZSTD_createDCtx returned NULL") }
                zstd = z
            }
            page.ensure(uncompressed)
            try zstd!.decompress(body, count: compressed, into: page.base, expected: uncompressed)
            return (UnsafeRawPointer(page.base), uncompressed)
        default:
            throw UnsupportedFeature("the compression codec \(ParquetNames.codec(codec))")
        }
    }

    private func checkLevelEncoding(_ encoding: Int32, _ what: String) throws {
        guard encoding == 3 else {
            throw UnsupportedFeature("the \(ParquetNames.encoding(encoding)) encoding for \(what) levels")
        }
    }

    /// DataPage V1 levels: a 4-byte length, then the hybrid encoding. Returns the offset after them.
    private func decodeV1Levels(_ p: UnsafeRawPointer, length: Int, at: Int, count: Int, maxLevel: Int,
                                into buffer: ReaderBuffer, what: String) throws -> Int {
        guard length - at >= 4 else { throw DecodeFailure("a data page ends before its \(what) levels") }
        let n = Int(UInt32(littleEndian: p.loadUnaligned(fromByteOffset: at, as: UInt32.self)))
        guard n <= length - at - 4 else {
            throw DecodeFailure("a data page's \(what) levels claim \(n) bytes but only \(length - at - 4) remain")
        }
        _ = try decodeHybrid(p + at + 4, length: n, bitWidth: bitWidth(forMaxValue: UInt64(maxLevel)),
                             count: count, into: buffer.typed(UInt8.self, count: count))
        try checkLevels(buffer, count: count, maxLevel: maxLevel, what: what)
        return at + 4 + n
    }

    private func checkLevels(_ buffer: ReaderBuffer, count: Int, maxLevel: Int, what: String) throws {
        let m = maxValue(UnsafePointer(buffer.typed(UInt8.self, count: count)), count: count)
        guard Int(m) <= maxLevel else {
            throw DecodeFailure("a \(what) level is \(m) but the column's maximum is \(maxLevel)")
        }
    }

    // MARK: values

    /// Decodes a data page's values and appends its rows.
    private func decodeValues<V: ReaderValue>(
        _ column: ReaderColumn, _ p: UnsafeRawPointer, length: Int, count: Int, encoding: Int32, dictionary: [V]?,
        into acc: inout ColumnAccumulator<V>, scratch: ValueScratch<V>
    ) throws {
        if count == 0 { return }
        let maxDef = column.maxDefinitionLevel
        var present = count
        if maxDef > 0 {
            let def = UnsafePointer(definition.typed(UInt8.self, count: count))
            var k = 0
            let top = UInt8(maxDef)
            for i in 0..<count { k &+= def[i] == top ? 1 : 0 }
            present = k
        }
        if encoding == 0 && maxDef == 0 && V.plainIsMemoryLayout && !column.isList
            && Int(bitPattern: p) % MemoryLayout<V>.alignment == 0 {
            // Required fixed-width PLAIN values: straight from the page into the column.
            let bytes = count &* MemoryLayout<V>.stride
            guard bytes <= length else {
                throw DecodeFailure("PLAIN values need \(bytes) bytes for \(count) values but the page holds \(length)")
            }
            acc.values.append(contentsOf: UnsafeBufferPointer(start: p.assumingMemoryBound(to: V.self), count: count))
            return
        }
        let out = scratch.ensure(present)
        if present > 0 {
            switch encoding {
            case 0:
                _ = try V.decodePlain(p, length: length, count: present, into: out)
            case 2, 8:
                guard let dictionary else {
                    throw DecodeFailure("a dictionary-encoded data page comes without a dictionary page")
                }
                guard length >= 1 else { throw DecodeFailure("a dictionary-encoded data page has no bit width byte") }
                let width = Int(p.load(as: UInt8.self))
                let idx = indices.typed(UInt32.self, count: present)
                _ = try decodeHybrid(p + 1, length: length - 1, bitWidth: width, count: present, into: idx)
                let m = maxValue(UnsafePointer(idx), count: present)
                guard Int(m) < dictionary.count else {
                    throw DecodeFailure("a dictionary index is \(m) but the dictionary has \(dictionary.count) values")
                }
                dictionary.withUnsafeBufferPointer { d in
                    let dp = d.baseAddress!
                    for i in 0..<present { (out + i).initialize(to: dp[Int(idx[i])]) }
                }
            case 3:
                try V.decodeRLE(p, length: length, count: present, into: out, scratch: boolScratch)
            case 5:
                guard column.physical == 1 || column.physical == 2 else {
                    throw DecodeFailure("a \(ParquetNames.physical(column.physical)) column has DELTA_BINARY_PACKED values (only INT32 and INT64 may)")
                }
                try V.decodeDeltaBinaryPacked(p, length: length, count: present, into: out, scratch: boolScratch)
            case 9:
                try V.decodeByteStreamSplit(p, length: length, count: present, into: out)
            default:
                throw UnsupportedFeature("the \(ParquetNames.encoding(encoding)) encoding for data pages")
            }
        }
        defer { out.deinitialize(count: present) }
        if column.isList {
            try appendListEntries(column, count: count, values: out, present: present, into: &acc)
        } else if maxDef == 0 {
            acc.values.append(contentsOf: UnsafeBufferPointer(start: out, count: present))
        } else {
            let def = UnsafePointer(definition.typed(UInt8.self, count: count))
            let base = acc.values.count
            acc.values.append(contentsOf: repeatElement(V.placeholder, count: count))
            acc.values.withUnsafeMutableBufferPointer { b in
                let dst = b.baseAddress! + base
                var k = 0
                for i in 0..<count where def[i] != 0 {
                    dst[i] = out[k]
                    k &+= 1
                }
            }
            // Levels are 0 or 1 here (checked), which is exactly Bool's representation.
            def.withMemoryRebound(to: Bool.self, capacity: count) {
                acc.validity.append(contentsOf: UnsafeBufferPointer(start: $0, count: count))
            }
            if present < count { acc.hasNull = true }
        }
    }

    /// Rebuilds list rows from repetition/definition levels. The page's present values are the
    /// list elements in order, so they are appended in one block; the levels give the offsets.
    private func appendListEntries<V>(_ column: ReaderColumn, count: Int, values: UnsafeMutablePointer<V>, present: Int,
                                      into acc: inout ColumnAccumulator<V>) throws {
        let rep = UnsafePointer(repetition.typed(UInt8.self, count: count))
        let def = UnsafePointer(definition.typed(UInt8.self, count: count))
        let maxDef = UInt8(column.maxDefinitionLevel)
        let defined = UInt8(column.listDefinedLevel)
        let nullable = column.field.nullable
        let base = acc.values.count
        var k = 0
        for i in 0..<count {
            let d = def[i]
            if rep[i] == 0 {
                if acc.rowOpen { acc.offsets.append(base &+ k) }
                acc.rowOpen = true
                acc.rows &+= 1
                if nullable {
                    acc.validity.append(d >= defined)
                    if d < defined { acc.hasNull = true }
                }
            } else {
                guard acc.rowOpen else {
                    throw DecodeFailure("the column chunk starts in the middle of a list (repetition level \(rep[i]))")
                }
                guard d > defined else {
                    throw DecodeFailure("a continued list entry has definition level \(d), which marks an empty or null list")
                }
            }
            if d == maxDef {
                k &+= 1
            } else if d > defined {
                throw UnsupportedFeature("null list elements")
            }
        }
        acc.values.append(contentsOf: UnsafeBufferPointer(start: values, count: present))
    }

    // MARK: I/O

    /// Asks the kernel to back a large column with huge pages (fewer page faults while it is
    /// filled; a hint only, ignored where transparent huge pages are off).
    private func adviseHugePages<V>(_ values: inout [V]) {
        #if os(Linux)
        let bytes = values.capacity &* MemoryLayout<V>.stride
        guard bytes >= 8 << 20 else { return }
        values.withUnsafeMutableBufferPointer { b in
            guard let p = b.baseAddress else { return }
            let page = 2 << 20
            let start = (Int(bitPattern: p) + page - 1) & ~(page - 1)
            let end = (Int(bitPattern: p) + bytes) & ~(page - 1)
            if end > start {
                _ = madvise(UnsafeMutableRawPointer(bitPattern: start), end - start, MADV_HUGEPAGE)
            }
        }
        #endif
    }

    private func preadFully(into p: UnsafeMutableRawPointer, count: Int, at offset: Int) throws {
        var done = 0
        while done < count {
            let r = pread(fd, p + done, count - done, off_t(offset + done))
            if r < 0 {
                if errno == EINTR { continue }
                throw ParquetReadError.io(file: file, operation: "pread of \(count) bytes at offset \(offset)", reason: errnoDescription())
            }
            if r == 0 {
                throw DecodeFailure("the file ended at offset \(offset + done) while reading a column chunk (it shrank while being read?)")
            }
            done += r
        }
    }
}
