// Encodes one column chunk: statistics, the dictionary decision, the optional dictionary page
// and the DataPage V1 pages, compressed and handed to the file sink.

/// One leaf column of the schema, with its levels.
struct LeafColumn {
    let name: String
    let type: ParquetColumnType
    let physical: PhysicalType
    let path: [String]
    let maxDefinitionLevel: UInt8
    let maxRepetitionLevel: UInt8
    /// Definition level of an empty (non-null) list.
    let emptyListDefinitionLevel: UInt8
    let isList: Bool
    /// The deprecated Statistics.min/max may be written (the order is signed-compatible).
    let legacyStatistics: Bool

    init(field: ParquetField) {
        name = field.name
        type = field.type
        let optional: UInt8 = field.nullable ? 1 : 0
        switch field.type {
        case .stringList, .floatList:
            isList = true
            path = [field.name, "list", "element"]
            // optional|required group (LIST) -> repeated group list -> optional element
            maxDefinitionLevel = optional + 2
            maxRepetitionLevel = 1
            emptyListDefinitionLevel = optional
        default:
            isList = false
            path = [field.name]
            maxDefinitionLevel = optional
            maxRepetitionLevel = 0
            emptyListDefinitionLevel = 0
        }
        switch field.type {
        case .bool: physical = .boolean
        case .int8, .int16, .int32, .date: physical = .int32
        case .int64, .timestampMicrosUTC: physical = .int64
        case .float, .floatList: physical = .float
        case .double: physical = .double
        case .string, .stringList: physical = .byteArray
        }
        legacyStatistics = physical != .byteArray
    }
}

private struct ChunkAccounting {
    var numValues: Int64 = 0
    var uncompressed: Int64 = 0
    var compressed: Int64 = 0
    var dataPageOffset: Int64? = nil
    var dictionaryPageOffset: Int64? = nil
    /// Data pages per value encoding.
    var dataPages: [Encoding: Int32] = [:]
}

/// The value encodings a chunk can be written with.
enum ValueEncoding: Equatable {
    case plain, dictionary, delta, byteStreamSplit
}

/// What a column's chunks are written with: `primary`, and `fallback` when `primary` is the
/// dictionary and the chunk's dictionary is rejected.
struct EncodingPlan: Equatable {
    var primary: ValueEncoding
    var fallback: ValueEncoding
}

extension LeafColumn {
    /// DELTA_BINARY_PACKED applies (INT32 / INT64 leaves).
    var isInteger: Bool { physical == .int32 || physical == .int64 }
    /// BYTE_STREAM_SPLIT applies (FLOAT / DOUBLE leaves).
    var isFloating: Bool { physical == .float || physical == .double }
}

final class ChunkEncoder {
    private let file: String
    private let options: ParquetWriterOptions
    private let sink: FileSink
    private let zstd: ZstdCompressor?
    private let zstdLevel: Int32
    private let codecID: CompressionCodecID

    private let page = ByteBuffer(capacity: (1 << 20) + 4096)
    private let compressed = ByteBuffer(capacity: 1 << 20)
    private let header = ByteBuffer(capacity: 256)
    private let valuesBuffer = ByteBuffer(capacity: (1 << 20) + 4096)
    private let fixedDictionary = FixedDictionary()
    private let bytesDictionary = BytesDictionary()
    private var indices: UnsafeMutablePointer<UInt32>
    private var indicesCapacity = 0
    private var definitionLevels: UnsafeMutablePointer<UInt8>
    private var repetitionLevels: UnsafeMutablePointer<UInt8>
    private var levelsCapacity = 0
    private var leafStrings: [String] = []
    private var leafOffsets: [Int] = []
    private var gather: UnsafeMutablePointer<Int64>
    private var gatherCapacity = 0

    /// Encoding plans measured by `.auto`, per column.
    private var measuredPlans: [String: EncodingPlan] = [:]
    private var plan = EncodingPlan(primary: .dictionary, fallback: .plain)
    /// While measuring, pages are compressed and counted, not written.
    private var measuring = false
    private var measuredBytes = 0
    /// The page index of the chunk being written (nil when off or measuring), and what the next
    /// data page adds to it.
    private var pageIndex: ChunkPageIndex?
    private var pendingFirstRow = 0
    private var pendingBounds = PageBounds(nullCount: 0, min: nil, max: nil)
    private var chunkFirstRow = 0

    private var column: LeafColumn!
    private var acct = ChunkAccounting()
    /// Chunks written so far per column, and the chunk index before which a column whose
    /// dictionary was just rejected on a large chunk does not try again (so a high-cardinality
    /// column does not pay for a doomed dictionary in every row group; it retries every 8th
    /// chunk). Rejections on small chunks (cheap to retry) do not pause anything.
    private var chunksWritten: [String: Int] = [:]
    private var dictionaryPausedUntil: [String: Int] = [:]
    private var chunkIndex = 0
    /// Integer columns whose value range is at most this use a direct-mapped dictionary table.
    private let denseRangeLimit: Int64 = 1 << 20

    private var dictionaryAllowed: Bool {
        options.dictionary && chunkIndex >= dictionaryPausedUntil[column.name, default: 0]
    }

    private func dictionaryRejected(presentValues: Int) {
        if presentValues >= 65_536 && !measuring {
            dictionaryPausedUntil[column.name] = chunkIndex + 8
        }
    }

    init(file: String, options: ParquetWriterOptions, sink: FileSink) throws {
        self.file = file
        self.options = options
        self.sink = sink
        switch options.codec {
        case .uncompressed:
            zstd = nil
            zstdLevel = 0
            codecID = .uncompressed
        case .zstd(let level):
            guard let z = ZstdCompressor() else {
                throw ParquetError.compressionFailed(file: file, column: "(all)", reason: "ZSTD_createCCtx returned NULL")
            }
            zstd = z
            zstdLevel = level
            codecID = .zstd
        }
        indices = .allocate(capacity: 1)
        definitionLevels = .allocate(capacity: 1)
        repetitionLevels = .allocate(capacity: 1)
        gather = .allocate(capacity: 1)
    }

    deinit {
        gather.deallocate()
        indices.deallocate()
        definitionLevels.deallocate()
        repetitionLevels.deallocate()
    }

    // MARK: column chunk

    func writeChunk(column: LeafColumn, values: ParquetColumnValues, rows: Range<Int>) throws -> ColumnChunkMeta {
        self.column = column
        chunkIndex = chunksWritten[column.name, default: 0]
        chunksWritten[column.name] = chunkIndex + 1
        chunkFirstRow = rows.lowerBound
        let requested = options.columnEncodings[column.name] ?? options.defaultEncoding
        if let p = fixedPlan(requested) {
            plan = p
        } else if let p = measuredPlans[column.name] {
            plan = p
        } else {
            plan = try measurePlan(values: values, rows: rows)
            measuredPlans[column.name] = plan
        }
        acct = ChunkAccounting()
        pageIndex = options.pageIndex ? ChunkPageIndex(physical: column.physical) : nil
        var stats = try encodeChunk(values: values, rows: rows)
        stats.writeLegacy = column.legacyStatistics

        let dataEncodings = acct.dataPages.keys.sorted { $0.rawValue < $1.rawValue }
        var encodings = Set(dataEncodings)
        if acct.dictionaryPageOffset != nil { encodings.insert(.plain) }
        if column.maxDefinitionLevel > 0 || column.maxRepetitionLevel > 0 { encodings.insert(.rle) }
        var encodingStats: [PageEncodingStat] = []
        if acct.dictionaryPageOffset != nil {
            encodingStats.append(PageEncodingStat(pageType: .dictionaryPage, encoding: .plain, count: 1))
        }
        for e in dataEncodings {
            encodingStats.append(PageEncodingStat(pageType: .dataPage, encoding: e, count: acct.dataPages[e]!))
        }
        return ColumnChunkMeta(
            type: column.physical,
            encodings: encodings.sorted { $0.rawValue < $1.rawValue },
            path: column.path,
            codec: codecID,
            numValues: acct.numValues,
            totalUncompressedSize: acct.uncompressed,
            totalCompressedSize: acct.compressed,
            dataPageOffset: acct.dataPageOffset ?? sink.offset,
            dictionaryPageOffset: acct.dictionaryPageOffset,
            statistics: stats,
            encodingStats: encodingStats,
            pageIndex: pageIndex
        )
    }

    /// The plan of an explicit encoding; nil for `.auto` on a column it can measure.
    private func fixedPlan(_ e: ParquetColumnEncoding) -> EncodingPlan? {
        switch e {
        case .dictionaryOrPlain: return EncodingPlan(primary: .dictionary, fallback: .plain)
        case .plain: return EncodingPlan(primary: .plain, fallback: .plain)
        case .deltaBinaryPacked: return EncodingPlan(primary: .delta, fallback: .delta)
        case .byteStreamSplit: return EncodingPlan(primary: .byteStreamSplit, fallback: .byteStreamSplit)
        case .auto:
            if column.isInteger || column.isFloating { return nil }
            return EncodingPlan(primary: .dictionary, fallback: .plain)
        }
    }

    /// `.auto`: encodes and compresses this chunk with every candidate (nothing is written) and
    /// returns the smallest; ties keep the earlier candidate (PLAIN first: the simplest to read).
    private func measurePlan(values: ParquetColumnValues, rows: Range<Int>) throws -> EncodingPlan {
        var candidates: [ValueEncoding] = [.plain, column.isInteger ? .delta : .byteStreamSplit]
        if options.dictionary { candidates.append(.dictionary) }
        measuring = true
        defer { measuring = false }
        pageIndex = nil
        var best: (ValueEncoding, Int)? = nil
        var bestUndictionary: (ValueEncoding, Int)? = nil
        for c in candidates {
            plan = EncodingPlan(primary: c, fallback: .plain)
            acct = ChunkAccounting()
            measuredBytes = 0
            _ = try encodeChunk(values: values, rows: rows)
            if best == nil || measuredBytes < best!.1 { best = (c, measuredBytes) }
            if c != .dictionary && (bestUndictionary == nil || measuredBytes < bestUndictionary!.1) {
                bestUndictionary = (c, measuredBytes)
            }
        }
        return EncodingPlan(primary: best!.0, fallback: bestUndictionary!.0)
    }

    private func encodeChunk(values: ParquetColumnValues, rows: Range<Int>) throws -> StatisticsMeta {
        let stats: StatisticsMeta
        switch values {
        case .bool(let v, let validity):
            stats = try withPointers(v, validity) { vp, valp in
                try writeBools(vp, layout: LeafLayout(validity: valp), rows: rows)
            }
        case .int8(let v, let validity):
            stats = try withPointers(v, validity) { try writeFixed($0, layout: LeafLayout(validity: $1), rows: rows) }
        case .int16(let v, let validity):
            stats = try withPointers(v, validity) { try writeFixed($0, layout: LeafLayout(validity: $1), rows: rows) }
        case .int32(let v, let validity):
            stats = try withPointers(v, validity) { try writeFixed($0, layout: LeafLayout(validity: $1), rows: rows) }
        case .int64(let v, let validity):
            stats = try withPointers(v, validity) { try writeFixed($0, layout: LeafLayout(validity: $1), rows: rows) }
        case .float(let v, let validity):
            stats = try withPointers(v, validity) { try writeFixed($0, layout: LeafLayout(validity: $1), rows: rows) }
        case .double(let v, let validity):
            stats = try withPointers(v, validity) { try writeFixed($0, layout: LeafLayout(validity: $1), rows: rows) }
        case .string(let v, let validity):
            stats = try withPointers(v, validity) { try writeStrings($0, layout: LeafLayout(validity: $1), rows: rows) }
        case .stringList(let lists, let validity):
            // Flatten this chunk's lists (String references only) so leaves are addressable by
            // index. The scratch arrays are moved out and back so they stay uniquely referenced.
            var strings: [String] = []
            var offsets: [Int] = []
            swap(&strings, &leafStrings)
            swap(&offsets, &leafOffsets)
            offsets.append(0)
            for r in rows {
                if validity?[r] ?? true { strings.append(contentsOf: lists[r]) }
                offsets.append(strings.count)
            }
            defer {
                strings.removeAll(keepingCapacity: true)
                offsets.removeAll(keepingCapacity: true)
                swap(&strings, &leafStrings)
                swap(&offsets, &leafOffsets)
            }
            stats = try withPointers(strings, validity) { sp, valp in
                try offsets.withUnsafeBufferPointer { op in
                    let layout = LeafLayout(validity: valp, offsets: op.baseAddress!, offsetsRowBase: rows.lowerBound)
                    return try writeStrings(sp, layout: layout, rows: rows)
                }
            }
        case .floatList(let v, let offsets, let validity):
            stats = try withPointers(v, validity) { vp, valp in
                try offsets.withUnsafeBufferPointer { op in
                    let layout = LeafLayout(validity: valp, offsets: op.baseAddress!, offsetsRowBase: 0)
                    return try writeFixed(vp, layout: layout, rows: rows)
                }
            }
        }
        return stats
    }

    // MARK: fixed-width values

    /// Min and max (NaN aside), present values and NaNs of `rows`: the chunk's statistics and
    /// each page's bounds for the ColumnIndex both come from this one scan.
    @inline(__always)
    private func scanFixed<T: ParquetFixedValue>(
        _ v: UnsafePointer<T>, layout: LeafLayout, rows: Range<Int>
    ) -> (min: T, max: T, present: Int, nans: Int) {
        var mn = T.scanMinStart
        var mx = T.scanMaxStart
        var present = 0
        var nans = 0
        layout.forEachLeafRange(rows) { lo, hi in
            present &+= hi &- lo
            for i in lo..<hi {
                let x = v[i]
                if T.isFloatingPoint && x.isNaNValue { nans &+= 1 }
                if x < mn { mn = x }
                if x > mx { mx = x }
            }
            return true
        }
        return (mn, mx, present, nans)
    }

    private func writeFixed<T: ParquetFixedValue>(
        _ v: UnsafePointer<T>, layout: LeafLayout, rows: Range<Int>
    ) throws -> StatisticsMeta {
        let (mn, mx, present, nans) = scanFixed(v, layout: layout, rows: rows)
        let width = T.physicalWidth
        var stats = StatisticsMeta(nullCount: Int64(layout.nullRowCount(rows)))
        if T.isFloatingPoint { stats.nanCount = Int64(nans) }
        if present - nans > 0 {
            stats.minValue = plainBytes(bits: mn.asStatisticMin.physicalBits, width: width)
            stats.maxValue = plainBytes(bits: mx.asStatisticMax.physicalBits, width: width)
        }

        let bounds: (Range<Int>) -> PageBounds = { [unowned self] r in self.fixedBounds(v, layout: layout, rows: r) }
        if plan.primary == .dictionary && dictionaryAllowed && present > 0,
           let bw = tryFixedDictionary(v, layout: layout, rows: rows, present: present, min: mn, max: mx) {
            page.removeAll()
            let n = fixedDictionary.count
            page.reserve(n * width)
            let p = page.tail
            let keys = fixedDictionary.keys
            if width == 4 {
                for i in 0..<n {
                    p.storeBytes(of: UInt32(truncatingIfNeeded: keys[i]).littleEndian, toByteOffset: i &* 4, as: UInt32.self)
                }
            } else {
                for i in 0..<n {
                    p.storeBytes(of: keys[i].littleEndian, toByteOffset: i &* 8, as: UInt64.self)
                }
            }
            page.count += n * width
            try emitPage(.dictionaryPage, numValues: n, encoding: .plain)
            try writeDataPages(
                layout: layout, rows: rows, dictionaryBitWidth: bw,
                pageEnd: { pageEndConstant(from: $0, rows: rows, layout: layout, leafBits: bw) },
                bounds: bounds, valueEncoding: .rleDictionary, values: { _ in }
            )
            return stats
        }
        let page = self.page
        let pageEnd: (Int) -> Int = { [unowned self] in
            self.pageEndConstant(from: $0, rows: rows, layout: layout, leafBits: width * 8)
        }
        switch plan.primary == .dictionary ? plan.fallback : plan.primary {
        case .delta:
            try writeDataPages(
                layout: layout, rows: rows, dictionaryBitWidth: nil, pageEnd: pageEnd,
                bounds: bounds, valueEncoding: .deltaBinaryPacked,
                values: { [unowned self] r in
                    let n = self.gatherPresent(r, layout: layout) { v[$0].integerValue }
                    encodeDeltaBinaryPacked(self.gather, count: n, width32: width == 4, into: page)
                }
            )
        case .byteStreamSplit:
            try writeDataPages(
                layout: layout, rows: rows, dictionaryBitWidth: nil, pageEnd: pageEnd,
                bounds: bounds, valueEncoding: .byteStreamSplit,
                values: { [unowned self] r in
                    let n = self.gatherPresent(r, layout: layout) { Int64(bitPattern: v[$0].physicalBits) }
                    self.gather.withMemoryRebound(to: UInt64.self, capacity: max(n, 1)) {
                        encodeByteStreamSplit($0, count: n, width: width, into: page)
                    }
                }
            )
        case .plain, .dictionary:
            try writeDataPages(
                layout: layout, rows: rows, dictionaryBitWidth: nil, pageEnd: pageEnd,
                bounds: bounds, valueEncoding: .plain,
                values: { r in
                    layout.forEachLeafRange(r) { lo, hi in
                        appendPlain(v, lo, hi, into: page)
                        return true
                    }
                }
            )
        }
        return stats
    }

    /// Copies the present leaves of `rows` (as `value(leaf)`) into `gather`; returns their count.
    @inline(__always)
    private func gatherPresent(_ rows: Range<Int>, layout: LeafLayout, _ value: (Int) -> Int64) -> Int {
        ensureGather(layout.presentLeafCount(rows))
        let g = gather
        var k = 0
        layout.forEachLeafRange(rows) { lo, hi in
            for i in lo..<hi {
                g[k] = value(i)
                k &+= 1
            }
            return true
        }
        return k
    }

    /// One page's bounds for the ColumnIndex (NaN ignored; a NaN-only page voids the index).
    private func fixedBounds<T: ParquetFixedValue>(_ v: UnsafePointer<T>, layout: LeafLayout, rows: Range<Int>) -> PageBounds {
        let (mn, mx, present, nans) = scanFixed(v, layout: layout, rows: rows)
        var b = PageBounds(nullCount: Int64(layout.nullRowCount(rows)), min: nil, max: nil)
        if present == 0 { return b }
        if present == nans {
            pageIndex?.columnIndexValid = false
            b.min = []
            b.max = []
            return b
        }
        b.min = plainBytes(bits: mn.asStatisticMin.physicalBits, width: T.physicalWidth)
        b.max = plainBytes(bits: mx.asStatisticMax.physicalBits, width: T.physicalWidth)
        return b
    }

    /// Builds the dictionary and the index of every present leaf; returns the index bit width,
    /// or nil when the dictionary is too big or would not make the chunk smaller.
    private func tryFixedDictionary<T: ParquetFixedValue>(
        _ v: UnsafePointer<T>, layout: LeafLayout, rows: Range<Int>, present: Int, min mn: T, max mx: T
    ) -> Int? {
        let width = T.physicalWidth
        let dict = fixedDictionary
        dict.reset(maxEntries: max(1, options.dictionaryPageSizeLimit / width))
        ensureIndices(present)
        let idx = indices
        var k = 0
        let ok: Bool
        let (span, overflow) = mx.integerValue.subtractingReportingOverflow(mn.integerValue)
        if !T.isFloatingPoint && !overflow && span < denseRangeLimit {
            // Direct-mapped table indexed by value - min.
            let base = mn.integerValue
            let table = dict.beginDense(range: Int(span) + 1)
            ok = layout.forEachLeafRange(rows) { lo, hi in
                for i in lo..<hi {
                    let x = v[i]
                    let slot = table + Int(truncatingIfNeeded: x.integerValue &- base)
                    var j = slot.pointee
                    if j < 0 {
                        j = dict.denseInsert(x.physicalBits, slot: slot)
                        if j < 0 { return false }
                    }
                    idx[k] = UInt32(truncatingIfNeeded: j)
                    k &+= 1
                }
                return true
            }
            dict.endDense { key in
                let value = width == 4 ? Int64(Int32(bitPattern: UInt32(truncatingIfNeeded: key))) : Int64(bitPattern: key)
                return Int(truncatingIfNeeded: value &- base)
            }
        } else {
            var lastKey: UInt64 = 0
            var lastIndex = 0
            var first = true
            var table = dict.snapshot
            ok = layout.forEachLeafRange(rows) { lo, hi in
                for i in lo..<hi {
                    let key = v[i].physicalBits
                    if key != lastKey || first {
                        var j = table.find(key)
                        if j < 0 {
                            j = dict.index(of: key)  // inserts (and may grow the table)
                            if j < 0 { return false }
                            table = dict.snapshot
                        }
                        lastKey = key
                        lastIndex = j
                        first = false
                    }
                    idx[k] = UInt32(truncatingIfNeeded: lastIndex)
                    k &+= 1
                }
                return true
            }
        }
        if !ok {
            dictionaryRejected(presentValues: present)
            return nil
        }
        let n = dict.count
        let bw = max(1, bitWidth(forMaxValue: UInt64(n - 1)))
        let dictionaryBytes = n * width
        let indexBytes = (present * bw + 7) / 8
        if dictionaryBytes + indexBytes >= present * width {
            dictionaryRejected(presentValues: present)
            return nil
        }
        return bw
    }

    // MARK: strings

    private func writeStrings(
        _ s: UnsafePointer<String>, layout: LeafLayout, rows: Range<Int>
    ) throws -> StatisticsMeta {
        let present = layout.presentLeafCount(rows)
        var stats = StatisticsMeta(nullCount: Int64(layout.nullRowCount(rows)))
        if plan.primary == .dictionary && dictionaryAllowed && present > 0,
           let bw = tryStringDictionary(s, layout: layout, rows: rows, present: present) {
            let dict = bytesDictionary
            page.removeAll()
            page.append(dict.data)
            try emitPage(.dictionaryPage, numValues: dict.count, encoding: .plain)
            var minIndex = 0
            var maxIndex = 0
            for i in 1..<max(1, dict.count) {
                let e = dict.entry(i)
                if compareBytes(e, dict.entry(minIndex)) < 0 { minIndex = i }
                if compareBytes(e, dict.entry(maxIndex)) > 0 { maxIndex = i }
            }
            stats.minValue = [UInt8](dict.entry(minIndex))
            stats.maxValue = [UInt8](dict.entry(maxIndex))
            // Page bounds by rank: each entry's place in byte order, so a page's bounds are the
            // entries of its least and greatest rank (one integer pass over its indices).
            var byRank: [Int] = []
            var rank: [UInt32] = []
            if pageIndex != nil {
                byRank = Array(0..<dict.count)
                byRank.sort { compareBytes(dict.entry($0), dict.entry($1)) < 0 }
                rank = [UInt32](repeating: 0, count: dict.count)
                for (k, e) in byRank.enumerated() { rank[e] = UInt32(k) }
            }
            let idx = indices
            try writeDataPages(
                layout: layout, rows: rows, dictionaryBitWidth: bw,
                pageEnd: { pageEndConstant(from: $0, rows: rows, layout: layout, leafBits: bw) },
                bounds: { _ in PageBounds(nullCount: 0, min: nil, max: nil) },
                dictionaryBounds: { start, n in
                    if n == 0 { return PageBounds(nullCount: 0, min: nil, max: nil) }
                    var lo = UInt32.max
                    var hi: UInt32 = 0
                    for i in start..<(start + n) {
                        let k = rank[Int(idx[i])]
                        if k < lo { lo = k }
                        if k > hi { hi = k }
                    }
                    return PageBounds(nullCount: 0, min: truncatedMinBound([UInt8](dict.entry(byRank[Int(lo)]))),
                                      max: truncatedMaxBound([UInt8](dict.entry(byRank[Int(hi)]))))
                },
                valueEncoding: .rleDictionary, values: { _ in }
            )
        } else {
            try writePlainStringPages(s, layout: layout, rows: rows, stats: &stats)
        }
        return stats
    }

    /// PLAIN string pages. Values are encoded into a side buffer until the page is full, so each
    /// string is read once (page end, bytes and bounds in one pass); then levels + values are
    /// assembled into the page.
    private func writePlainStringPages(
        _ s: UnsafePointer<String>, layout: LeafLayout, rows: Range<Int>, stats: inout StatisticsMeta
    ) throws {
        let target = options.dataPageSize
        let values = valuesBuffer
        var minBytes: [UInt8] = []
        var maxBytes: [UInt8] = []
        var haveBounds = false
        var r = rows.lowerBound
        while r < rows.upperBound {
            values.removeAll()
            var pageMin: [UInt8] = []
            var pageMax: [UInt8] = []
            var pageHasBounds = false
            var e = r
            repeat {
                if layout.isPresent(e) {
                    for i in layout.leafStart(e)..<layout.leafStart(e + 1) {
                        withUTF8Bytes(at: s + i) { b in
                            values.appendLE32(UInt32(truncatingIfNeeded: b.count))
                            if let p = b.baseAddress { values.append(p, count: b.count) }
                            if !pageHasBounds {
                                pageMin = [UInt8](b)
                                pageMax = pageMin
                                pageHasBounds = true
                            } else {
                                if pageMin.withUnsafeBytes({ compareBytes(b, $0) }) < 0 { pageMin = [UInt8](b) }
                                if pageMax.withUnsafeBytes({ compareBytes(b, $0) }) > 0 { pageMax = [UInt8](b) }
                            }
                        }
                    }
                }
                e &+= 1
            } while e < rows.upperBound && values.count &+ (e &- r) / 8 < target
            if values.count > Int(Int32.max) {
                throw ParquetError.valueTooLarge(
                    file: file, column: column.name, reason: "a string page would hold \(values.count) bytes, more than 2147483647")
            }
            if pageHasBounds {
                if !haveBounds {
                    minBytes = pageMin
                    maxBytes = pageMax
                    haveBounds = true
                } else {
                    if compareBound(pageMin, minBytes, .byteArray) < 0 { minBytes = pageMin }
                    if compareBound(pageMax, maxBytes, .byteArray) > 0 { maxBytes = pageMax }
                }
            }
            page.removeAll()
            let entries = writeLevels(layout: layout, rows: r..<e)
            page.append(values)
            pendingFirstRow = r
            pendingBounds = PageBounds(nullCount: Int64(layout.nullRowCount(r..<e)),
                                       min: pageHasBounds ? truncatedMinBound(pageMin) : nil,
                                       max: pageHasBounds ? truncatedMaxBound(pageMax) : nil)
            try emitPage(.dataPage, numValues: entries, encoding: .plain)
            r = e
        }
        if haveBounds {
            stats.minValue = minBytes
            stats.maxValue = maxBytes
        }
    }

    private func tryStringDictionary(
        _ s: UnsafePointer<String>, layout: LeafLayout, rows: Range<Int>, present: Int
    ) -> Int? {
        let dict = bytesDictionary
        dict.reset(maxBytes: options.dictionaryPageSizeLimit)
        ensureIndices(present)
        let idx = indices
        var k = 0
        var plainSize = 0
        let ok = layout.forEachLeafRange(rows) { lo, hi in
            for i in lo..<hi {
                let j = withUTF8Bytes(at: s + i) { b -> Int in
                    plainSize &+= 4 &+ b.count
                    return dict.index(of: b)
                }
                if j < 0 { return false }
                idx[k] = UInt32(truncatingIfNeeded: j)
                k &+= 1
            }
            return true
        }
        if !ok {
            dictionaryRejected(presentValues: present)
            return nil
        }
        let n = dict.count
        let bw = max(1, bitWidth(forMaxValue: UInt64(n - 1)))
        if dict.data.count + (present * bw + 7) / 8 >= plainSize {
            dictionaryRejected(presentValues: present)
            return nil
        }
        return bw
    }

    // MARK: booleans

    private func writeBools(_ v: UnsafePointer<Bool>, layout: LeafLayout, rows: Range<Int>) throws -> StatisticsMeta {
        var present = 0
        var trues = 0
        layout.forEachLeafRange(rows) { lo, hi in
            present &+= hi &- lo
            for i in lo..<hi where v[i] { trues &+= 1 }
            return true
        }
        var stats = StatisticsMeta(nullCount: Int64(layout.nullRowCount(rows)))
        if present > 0 {
            stats.minValue = [trues == present ? 1 : 0]
            stats.maxValue = [trues > 0 ? 1 : 0]
        }
        let page = self.page
        try writeDataPages(
            layout: layout, rows: rows, dictionaryBitWidth: nil,
            pageEnd: { pageEndConstant(from: $0, rows: rows, layout: layout, leafBits: 1) },
            bounds: { r in
                var n = 0
                var t = 0
                layout.forEachLeafRange(r) { lo, hi in
                    n &+= hi &- lo
                    for i in lo..<hi where v[i] { t &+= 1 }
                    return true
                }
                let nulls = Int64(layout.nullRowCount(r))
                if n == 0 { return PageBounds(nullCount: nulls, min: nil, max: nil) }
                return PageBounds(nullCount: nulls, min: [t == n ? 1 : 0], max: [t > 0 ? 1 : 0])
            },
            valueEncoding: .plain,
            values: { r in
                var pending: UInt8 = 0
                var pendingBits = 0
                layout.forEachLeafRange(r) { lo, hi in
                    packBools(v + lo, count: hi - lo, into: page, pending: &pending, pendingBits: &pendingBits)
                    return true
                }
                flushBoolBits(into: page, pending: &pending, pendingBits: &pendingBits)
            }
        )
        return stats
    }

    // MARK: pages

    /// Rows of a page starting at `r` when every leaf costs `leafBits` bits.
    private func pageEndConstant(from r: Int, rows: Range<Int>, layout: LeafLayout, leafBits: Int) -> Int {
        let targetBits = max(1, options.dataPageSize) &* 8
        if !layout.isList {
            let perPage = max(1, targetBits / max(1, leafBits))
            return min(rows.upperBound, r &+ perPage)
        }
        var e = r
        var bits = 0
        repeat {
            let n = layout.isPresent(e) ? layout.leafStart(e + 1) &- layout.leafStart(e) : 0
            bits &+= max(n, 1) &* leafBits
            e &+= 1
        } while e < rows.upperBound && bits < targetBits
        return e
    }

    private func writeDataPages(
        layout: LeafLayout,
        rows: Range<Int>,
        dictionaryBitWidth: Int?,
        pageEnd: (Int) -> Int,
        bounds: (Range<Int>) -> PageBounds,
        dictionaryBounds: ((Int, Int) -> PageBounds)? = nil,
        valueEncoding: Encoding,
        values: (Range<Int>) -> Void
    ) throws {
        var r = rows.lowerBound
        var cursor = 0
        while r < rows.upperBound {
            let e = pageEnd(r)
            page.removeAll()
            let entries = writeLevels(layout: layout, rows: r..<e)
            if let bw = dictionaryBitWidth {
                let n = layout.presentLeafCount(r..<e)
                if pageIndex != nil {
                    pendingBounds = dictionaryBounds.map { $0(cursor, n) } ?? bounds(r..<e)
                    if dictionaryBounds != nil { pendingBounds.nullCount = Int64(layout.nullRowCount(r..<e)) }
                }
                page.append(UInt8(bw))
                encodeHybrid(UnsafePointer(indices + cursor), count: n, bitWidth: bw, into: page)
                cursor += n
            } else {
                if pageIndex != nil { pendingBounds = bounds(r..<e) }
                values(r..<e)
            }
            pendingFirstRow = r
            try emitPage(.dataPage, numValues: entries, encoding: valueEncoding)
            r = e
        }
    }

    /// Writes the page's repetition and definition levels (each with its 4-byte length prefix,
    /// as DataPage V1 requires) and returns the number of level entries (page num_values).
    private func writeLevels(layout: LeafLayout, rows: Range<Int>) -> Int {
        let col = column!
        if col.isList {
            let bound = rows.count + max(0, layout.leafStart(rows.upperBound) - layout.leafStart(rows.lowerBound))
            ensureLevels(bound)
            let rep = repetitionLevels
            let def = definitionLevels
            let maxDef = col.maxDefinitionLevel
            let emptyDef = col.emptyListDefinitionLevel
            var n = 0
            for r in rows {
                if !layout.isPresent(r) {
                    rep[n] = 0
                    def[n] = 0
                    n &+= 1
                    continue
                }
                let len = layout.leafStart(r + 1) - layout.leafStart(r)
                if len == 0 {
                    rep[n] = 0
                    def[n] = emptyDef
                    n &+= 1
                } else {
                    rep[n] = 0
                    def[n] = maxDef
                    n &+= 1
                    for _ in 1..<len {
                        rep[n] = 1
                        def[n] = maxDef
                        n &+= 1
                    }
                }
            }
            appendLevels(UnsafePointer(rep), count: n, maxLevel: col.maxRepetitionLevel)
            appendLevels(UnsafePointer(def), count: n, maxLevel: maxDef)
            return n
        }
        let n = rows.count
        if col.maxDefinitionLevel > 0 {
            let at = page.count
            page.appendLE32(0)
            if let validity = layout.validity {
                (validity + rows.lowerBound).withMemoryRebound(to: UInt8.self, capacity: n) {
                    encodeHybrid($0, count: n, bitWidth: 1, into: page)
                }
            } else {
                encodeHybridConstant(1, count: n, bitWidth: 1, into: page)
            }
            page.setLE32(UInt32(page.count - at - 4), at: at)
        }
        return n
    }

    private func appendLevels(_ levels: UnsafePointer<UInt8>, count n: Int, maxLevel: UInt8) {
        let at = page.count
        page.appendLE32(0)
        encodeHybrid(levels, count: n, bitWidth: bitWidth(forMaxValue: UInt64(maxLevel)), into: page)
        page.setLE32(UInt32(page.count - at - 4), at: at)
    }

    /// Compresses the page buffer and writes header + body.
    private func emitPage(_ type: PageType, numValues: Int, encoding: Encoding) throws {
        let rawSize = page.count
        guard rawSize <= Int(Int32.max), numValues <= Int(Int32.max) else {
            throw ParquetError.valueTooLarge(
                file: file, column: column.name,
                reason: "a page would hold \(rawSize) bytes in \(numValues) values, more than 2147483647")
        }
        var body = UnsafeRawPointer(page.base)
        var bodySize = rawSize
        if let zstd {
            if let message = zstd.compress(page.base, count: rawSize, level: zstdLevel, into: compressed) {
                throw ParquetError.compressionFailed(file: file, column: column.name, reason: message)
            }
            body = UnsafeRawPointer(compressed.base)
            bodySize = compressed.count
        }
        header.removeAll()
        writePageHeader(
            into: header, type: type,
            uncompressedSize: Int32(rawSize), compressedSize: Int32(bodySize),
            numValues: Int32(numValues), encoding: encoding)
        if measuring {
            measuredBytes += header.count + bodySize
            return
        }
        let offset = sink.offset
        try sink.write(UnsafeRawPointer(header.base), count: header.count)
        try sink.write(body, count: bodySize)
        if type == .dataPage && pageIndex != nil {
            pageIndex!.locations.append(PageLocationMeta(
                offset: offset, compressedPageSize: Int32(clamping: header.count + bodySize),
                firstRowIndex: Int64(pendingFirstRow - chunkFirstRow)))
            pageIndex!.bounds.append(pendingBounds)
        }
        acct.uncompressed += Int64(header.count + rawSize)
        acct.compressed += Int64(header.count + bodySize)
        switch type {
        case .dictionaryPage:
            acct.dictionaryPageOffset = offset
        case .dataPage:
            if acct.dataPageOffset == nil { acct.dataPageOffset = offset }
            acct.numValues += Int64(numValues)
            acct.dataPages[encoding, default: 0] += 1
        }
    }

    // MARK: scratch

    private func ensureIndices(_ n: Int) {
        if n > indicesCapacity {
            indices.deallocate()
            indicesCapacity = max(n, indicesCapacity * 2)
            indices = .allocate(capacity: indicesCapacity)
        }
    }

    private func ensureGather(_ n: Int) {
        if n > gatherCapacity {
            gather.deallocate()
            gatherCapacity = max(n, gatherCapacity * 2)
            gather = .allocate(capacity: gatherCapacity)
        }
    }

    private func ensureLevels(_ n: Int) {
        if n > levelsCapacity {
            definitionLevels.deallocate()
            repetitionLevels.deallocate()
            levelsCapacity = max(n, levelsCapacity * 2)
            definitionLevels = .allocate(capacity: levelsCapacity)
            repetitionLevels = .allocate(capacity: levelsCapacity)
        }
    }
}

/// Appends values[lo..<hi] PLAIN-encoded.
@inline(__always)
func appendPlain<T: ParquetFixedValue>(_ v: UnsafePointer<T>, _ lo: Int, _ hi: Int, into page: ByteBuffer) {
    let n = hi &- lo
    let width = T.physicalWidth
    if T.layoutMatchesPhysical {
        page.append(UnsafeRawPointer(v + lo), count: n &* width)
        return
    }
    page.reserve(n &* width)
    let p = page.tail
    if width == 4 {
        for k in 0..<n {
            p.storeBytes(of: UInt32(truncatingIfNeeded: v[lo &+ k].physicalBits).littleEndian, toByteOffset: k &* 4, as: UInt32.self)
        }
    } else {
        for k in 0..<n {
            p.storeBytes(of: v[lo &+ k].physicalBits.littleEndian, toByteOffset: k &* 8, as: UInt64.self)
        }
    }
    page.count &+= n &* width
}

/// Runs `body` with base pointers of `values` and of the optional `validity` (never nil for
/// `values`, even when it is empty; such a pointer is never dereferenced).
@inline(__always)
func withPointers<T, R>(
    _ values: [T], _ validity: [Bool]?, _ body: (UnsafePointer<T>, UnsafePointer<Bool>?) throws -> R
) rethrows -> R {
    try values.withUnsafeBufferPointer { vb in
        let vp = vb.baseAddress ?? UnsafePointer<T>(bitPattern: MemoryLayout<T>.alignment)!
        guard let validity else { return try body(vp, nil) }
        return try validity.withUnsafeBufferPointer { try body(vp, $0.baseAddress) }
    }
}
