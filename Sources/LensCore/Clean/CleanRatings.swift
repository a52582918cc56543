/// PIPELINE.md stage 1 for `ratings.csv`, fed one raw line at a time:
/// rejects (with reason) -> orphans (movie not in the cleaned movies) -> per (user, movie)
/// the row with the latest capped time wins (tie: the later line), the others are exact
/// `duplicates` or `superseded` -> capping of rating and time, counted over the rows kept.
struct RatingsCleaner {
    let file: String
    let knownMovies: IdSet
    let ratedAtMin: Int64
    let ratedAtMax: Int64
    let ratingMin: Float
    let ratingMax: Float
    /// The field separator of the lines given to `consume` (`,` for CSV; `\t` for ml-100k;
    /// `:` for the `::` files, whose lines the caller turns into single separators).
    var separator = UInt8(ascii: ",")
    var table = RatingsTable()
    var counts: FileReconciliation
    var quarantine: [QuarantineRow] = []
    /// The times as given of the rows whose time the window caps, by row (before dedup): the
    /// table holds capped times only (32-bit offsets into the window), while dedup compares
    /// times as given and the cap counts cover the rows kept. Empty in a clean drop.
    private var uncappedTimes: [Int: Int64] = [:]
    private var values = NumericLine.Values()
    /// Rows parsed but not yet in `table` (`pendingCount` of them): `consume` stores each value
    /// with no per-row capacity or uniqueness check of five growing arrays, and every
    /// `PendingRows.capacity` rows they move to the columns in one copy each.
    private let pending = PendingRows()
    private var pendingCount = 0

    /// The window ratings' times are capped to: `config.ratedAtMin` to the drop date plus
    /// `ratedAtMaxDaysAfterDrop` days. Throws `LensError.config` when it is empty or longer than
    /// the 136 years a time column holds.
    static func timeWindow(config: PipelineConfig, dropDate: String) throws -> (low: Int64, high: Int64) {
        let low = config.ratedAtMin
        let high = (epochSeconds(isoDate: dropDate) ?? 0) + Int64(config.ratedAtMaxDaysAfterDrop) * 86_400
        guard high >= low, high - low <= EpochSecondsColumn.maxSpan else {
            throw LensError.config(
                file: "ingest.drop_date", line: nil,
                message: "ratings are capped to the window from clean.rated_at_min (\(low)) to the drop date \(dropDate) + "
                    + "\(config.ratedAtMaxDaysAfterDrop) days (\(high)), which must run forward and span under 136 years; "
                    + "fix --drop-date / ingest.drop_date, clean.rated_at_min or clean.rated_at_max_days_after_drop")
        }
        return (low, high)
    }

    /// `ratedAtMin ... ratedAtMax` must be a `timeWindow`.
    init(file: String, knownMovies: IdSet, ratedAtMin: Int64, ratedAtMax: Int64, ratingMin: Double, ratingMax: Double,
         expectedRows: Int = 0) {
        precondition(ratedAtMax >= ratedAtMin && ratedAtMax - ratedAtMin <= EpochSecondsColumn.maxSpan,
                     "the time window is checked by timeWindow(config:dropDate:)")
        self.file = file
        self.knownMovies = knownMovies
        self.ratedAtMin = ratedAtMin
        self.ratedAtMax = ratedAtMax
        self.ratingMin = Float(ratingMin)
        self.ratingMax = Float(ratingMax)
        counts = FileReconciliation(file: file)
        table.ratedAt = EpochSecondsColumn(base: ratedAtMin)
        table.userId.reserveCapacity(expectedRows)
        table.movieId.reserveCapacity(expectedRows)
        table.rating.reserveCapacity(expectedRows)
        table.ratedAt.reserveCapacity(expectedRows)
        table.sourceLine.reserveCapacity(expectedRows)
    }

    /// Takes one data line (header excluded). Keeps the raw rating (and the raw time, in
    /// `uncappedTimes`, when the window caps it) until `finish()`, because dedup compares the
    /// values as given and picks the winner by capped time.
    /// `raw` is the line as read when `line` was rewritten for parsing (the `::` files, or a
    /// spreadsheet-saved file's empty trailing columns dropped).
    @inline(__always)
    mutating func consume(_ line: UnsafeRawBufferPointer, lineNumber: Int, raw: UnsafeRawBufferPointer? = nil) {
        counts.linesRead += 1
        if let reason = NumericLine.parseRating(line, separator: separator, into: &values) {
            counts.rejected += 1
            quarantine.append(QuarantineRow(file: file, line: Int64(lineNumber), raw: String(decoding: raw ?? line, as: UTF8.self),
                                            reason: reason))
            return
        }
        let movie = Int32(truncatingIfNeeded: values.ints.1)
        guard knownMovies.contains(movie) else {
            counts.orphans += 1
            quarantine.append(QuarantineRow(file: file, line: Int64(lineNumber), raw: String(decoding: raw ?? line, as: UTF8.self),
                                            reason: .orphan))
            return
        }
        let k = pendingCount
        let time = values.ints.3
        if time < ratedAtMin || time > ratedAtMax {
            uncappedTimes[table.count + k] = time
        }
        pending.userId[k] = Int32(truncatingIfNeeded: values.ints.0)
        pending.movieId[k] = movie
        pending.rating[k] = Float(values.nums.2)
        // the offset of the capped time into the window (which `init` checked fits 32 bits)
        pending.ratedAt[k] = UInt32(truncatingIfNeeded: min(max(time, ratedAtMin), ratedAtMax) - ratedAtMin)
        pending.sourceLine[k] = Int32(truncatingIfNeeded: lineNumber)
        pendingCount = k + 1
        if pendingCount == PendingRows.capacity { flushPending() }
    }

    /// Appends the pending rows to the table's columns, one copy per column.
    private mutating func flushPending() {
        let n = pendingCount
        table.userId.append(contentsOf: UnsafeBufferPointer(start: pending.userId, count: n))
        table.movieId.append(contentsOf: UnsafeBufferPointer(start: pending.movieId, count: n))
        table.rating.append(contentsOf: UnsafeBufferPointer(start: pending.rating, count: n))
        table.ratedAt.offsets.append(contentsOf: UnsafeBufferPointer(start: pending.ratedAt, count: n))
        table.sourceLine.append(contentsOf: UnsafeBufferPointer(start: pending.sourceLine, count: n))
        pendingCount = 0
    }

    /// Records a line that could not be decoded at all (e.g. invalid UTF-8 in a numeric file).
    mutating func reject(raw: String, lineNumber: Int, reason: RejectReason) {
        counts.linesRead += 1
        counts.rejected += 1
        quarantine.append(QuarantineRow(file: file, line: Int64(lineNumber), raw: raw, reason: reason))
    }

    /// Dedups and caps; returns the clean table, its reconciliation and the cap counts.
    mutating func finish() -> (RatingsTable, FileReconciliation, CapCounts) {
        flushPending()
        let drop = duplicateRows()
        var caps = CapCounts()
        // Times were capped as they came; count the caps over the rows kept.
        for (row, time) in uncappedTimes where drop.isEmpty || !drop[row] {
            if time < ratedAtMin { caps.ratedAtBelow += 1 } else { caps.ratedAtAbove += 1 }
        }
        uncappedTimes = [:]
        if !drop.isEmpty { removeRows(drop) }
        let n = table.count
        let lo = ratingMin, hi = ratingMax
        table.rating.withUnsafeMutableBufferPointer { r in
            for i in 0..<n {
                let v = r[i]
                if v < lo {
                    r[i] = lo
                    caps.ratingOutOfRange += 1
                } else if v > hi {
                    r[i] = hi
                    caps.ratingOutOfRange += 1
                } else {
                    // Half up to the half-star grid: floor(2r + 0.5) / 2.
                    let g = ((v * 2 + 0.5).rounded(.down)) / 2
                    if g != v {
                        r[i] = g
                        caps.ratingOffGrid += 1
                    }
                }
            }
        }
        counts.clean = n
        return (table, counts, caps)
    }

    /// The rows dedup drops (all but one per (user, movie)), as a mask; empty when none is.
    /// O(n) with no scratch when the file is ordered by user and movie (every GroupLens drop
    /// is); otherwise a radix sort of 64-bit keys groups them first.
    private mutating func duplicateRows() -> [Bool] {
        let n = table.count
        guard n > 1 else { return [] }
        var drop = [Bool]()
        var group: [Int] = []
        if table.isOrderedByUserThenMovie {
            let (u, m) = (table.userId, table.movieId)
            var i = 0
            while i < n {
                var j = i + 1
                while j < n && u[j] == u[i] && m[j] == m[i] { j += 1 }
                if j - i > 1 {
                    if drop.isEmpty { drop = [Bool](repeating: false, count: n) }
                    group.removeAll(keepingCapacity: true)
                    group.append(contentsOf: i..<j)
                    resolveGroup(group, drop: &drop)
                }
                i = j
            }
            return drop
        }
        var keys = [UInt64](unsafeUninitializedCapacity: n) { buf, count in
            for i in 0..<n { buf[i] = UInt64(UInt32(bitPattern: table.userId[i])) << 32 | UInt64(UInt32(bitPattern: table.movieId[i])) }
            count = n
        }
        let order = RadixSort.permutation(primary: keys)
        keys = order.map { keys[Int($0)] }
        var i = 0
        while i < n {
            var j = i + 1
            while j < n && keys[j] == keys[i] { j += 1 }
            if j - i > 1 {
                if drop.isEmpty { drop = [Bool](repeating: false, count: n) }
                group.removeAll(keepingCapacity: true)
                for p in i..<j { group.append(Int(order[p])) }
                group.sort()  // file order; the radix sort is stable but make it explicit
                resolveGroup(group, drop: &drop)
            }
            i = j
        }
        return drop
    }

    /// Removes the rows `drop` marks, keeping the others in order.
    private mutating func removeRows(_ drop: [Bool]) {
        let n = table.count
        var w = 0
        for r in 0..<n where !drop[r] {
            table.userId[w] = table.userId[r]
            table.movieId[w] = table.movieId[r]
            table.rating[w] = table.rating[r]
            table.ratedAt.offsets[w] = table.ratedAt.offsets[r]
            table.sourceLine[w] = table.sourceLine[r]
            w += 1
        }
        table.userId.removeLast(n - w)
        table.movieId.removeLast(n - w)
        table.rating.removeLast(n - w)
        table.ratedAt.offsets.removeLast(n - w)
        table.sourceLine.removeLast(n - w)
    }

    /// One repeated key (rows in file order): the latest capped time wins, the later line on a
    /// tie; the others are exact copies (`duplicates`: same rating and time as given) or
    /// `superseded`. duplicates = rows - distinct rows, superseded = distinct rows - 1.
    private mutating func resolveGroup(_ rows: [Int], drop: inout [Bool]) {
        var winner = rows[0]
        var best = table.ratedAt.offsets[winner]  // capped, as every stored time
        for r in rows.dropFirst() where table.ratedAt.offsets[r] >= best {
            best = table.ratedAt.offsets[r]
            winner = r
        }
        struct GivenValues: Hashable {
            let rating: UInt32
            let ratedAt: Int64
        }
        var distinct = Set<GivenValues>()
        for r in rows {
            distinct.insert(GivenValues(rating: table.rating[r].bitPattern, ratedAt: uncappedTimes[r] ?? table.ratedAt[r]))
            if r != winner { drop[r] = true }
        }
        counts.duplicates += rows.count - distinct.count
        counts.superseded += distinct.count - 1
    }
}

/// Fixed buffers for a block of ratings rows on their way into the table's columns (the
/// pointers are `let`, so storing through them costs no exclusivity check).
final class PendingRows {
    static let capacity = 4096
    let userId = UnsafeMutablePointer<Int32>.allocate(capacity: capacity)
    let movieId = UnsafeMutablePointer<Int32>.allocate(capacity: capacity)
    let rating = UnsafeMutablePointer<Float>.allocate(capacity: capacity)
    let ratedAt = UnsafeMutablePointer<UInt32>.allocate(capacity: capacity)
    let sourceLine = UnsafeMutablePointer<Int32>.allocate(capacity: capacity)
    deinit {
        userId.deallocate()
        movieId.deallocate()
        rating.deallocate()
        ratedAt.deallocate()
        sourceLine.deallocate()
    }
}
