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
    private var values = NumericLine.Values()
    private static let kinds: [NumericLine.Kind] = [.id, .id, .num, .int]

    init(file: String, knownMovies: IdSet, ratedAtMin: Int64, ratedAtMax: Int64, ratingMin: Double, ratingMax: Double,
         expectedRows: Int = 0) {
        self.file = file
        self.knownMovies = knownMovies
        self.ratedAtMin = ratedAtMin
        self.ratedAtMax = ratedAtMax
        self.ratingMin = Float(ratingMin)
        self.ratingMax = Float(ratingMax)
        counts = FileReconciliation(file: file)
        table.userId.reserveCapacity(expectedRows)
        table.movieId.reserveCapacity(expectedRows)
        table.rating.reserveCapacity(expectedRows)
        table.ratedAt.reserveCapacity(expectedRows)
        table.sourceLine.reserveCapacity(expectedRows)
    }

    /// Takes one data line (header excluded). Keeps the raw rating and time until `finish()`,
    /// because dedup compares the values as given and picks the winner by capped time.
    @inline(__always)
    /// `raw` is the line as read when `line` was rewritten for parsing (the `::` files).
    mutating func consume(_ line: UnsafeRawBufferPointer, lineNumber: Int, raw: UnsafeRawBufferPointer? = nil) {
        counts.linesRead += 1
        if let reason = NumericLine.parse(line, kinds: Self.kinds, separator: separator, into: &values) {
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
        table.userId.append(Int32(truncatingIfNeeded: values.ints.0))
        table.movieId.append(movie)
        table.rating.append(Float(values.nums.2))
        table.ratedAt.append(values.ints.3)
        table.sourceLine.append(Int32(truncatingIfNeeded: lineNumber))
    }

    /// Records a line that could not be decoded at all (e.g. invalid UTF-8 in a numeric file).
    mutating func reject(raw: String, lineNumber: Int, reason: RejectReason) {
        counts.linesRead += 1
        counts.rejected += 1
        quarantine.append(QuarantineRow(file: file, line: Int64(lineNumber), raw: raw, reason: reason))
    }

    /// Dedups and caps; returns the clean table, its reconciliation and the cap counts.
    mutating func finish() -> (RatingsTable, FileReconciliation, CapCounts) {
        dedup()
        var caps = CapCounts()
        let n = table.count
        let lo = ratingMin, hi = ratingMax
        let tLo = ratedAtMin, tHi = ratedAtMax
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
        table.ratedAt.withUnsafeMutableBufferPointer { t in
            for i in 0..<n {
                let v = t[i]
                if v < tLo {
                    t[i] = tLo
                    caps.ratedAtBelow += 1
                } else if v > tHi {
                    t[i] = tHi
                    caps.ratedAtAbove += 1
                }
            }
        }
        counts.clean = n
        return (table, counts, caps)
    }

    /// Keeps one row per (user, movie). Drops run in O(n) when the file is ordered by user and
    /// movie (every GroupLens drop is); otherwise a radix sort groups the keys first.
    private mutating func dedup() {
        let n = table.count
        guard n > 1 else { return }
        var keys = [UInt64](unsafeUninitializedCapacity: n) { buf, count in
            for i in 0..<n { buf[i] = UInt64(UInt32(bitPattern: table.userId[i])) << 32 | UInt64(UInt32(bitPattern: table.movieId[i])) }
            count = n
        }
        var sorted = true
        for i in 1..<n where keys[i] < keys[i - 1] {
            sorted = false
            break
        }
        let order: [UInt32]? = sorted ? nil : RadixSort.permutation(primary: keys)
        if let order {
            keys = order.map { keys[Int($0)] }
        }
        var drop = [Bool]()
        var group: [Int] = []
        var i = 0
        while i < n {
            var j = i + 1
            while j < n && keys[j] == keys[i] { j += 1 }
            if j - i > 1 {
                if drop.isEmpty { drop = [Bool](repeating: false, count: n) }
                group.removeAll(keepingCapacity: true)
                for p in i..<j { group.append(order.map { Int($0[p]) } ?? p) }
                group.sort()  // file order; the radix sort is stable but make it explicit
                resolveGroup(group, drop: &drop)
            }
            i = j
        }
        guard !drop.isEmpty else { return }
        var w = 0
        for r in 0..<n where !drop[r] {
            table.userId[w] = table.userId[r]
            table.movieId[w] = table.movieId[r]
            table.rating[w] = table.rating[r]
            table.ratedAt[w] = table.ratedAt[r]
            table.sourceLine[w] = table.sourceLine[r]
            w += 1
        }
        table.userId.removeLast(n - w)
        table.movieId.removeLast(n - w)
        table.rating.removeLast(n - w)
        table.ratedAt.removeLast(n - w)
        table.sourceLine.removeLast(n - w)
    }

    /// One repeated key (rows in file order): the latest capped time wins, the later line on a
    /// tie; the others are exact copies (`duplicates`: same rating and time as given) or
    /// `superseded`. duplicates = rows - distinct rows, superseded = distinct rows - 1.
    private mutating func resolveGroup(_ rows: [Int], drop: inout [Bool]) {
        var winner = rows[0]
        var best = min(max(table.ratedAt[winner], ratedAtMin), ratedAtMax)
        for r in rows.dropFirst() {
            let t = min(max(table.ratedAt[r], ratedAtMin), ratedAtMax)
            if t >= best {
                best = t
                winner = r
            }
        }
        struct GivenValues: Hashable {
            let rating: UInt32
            let ratedAt: Int64
        }
        var distinct = Set<GivenValues>()
        for r in rows {
            distinct.insert(GivenValues(rating: table.rating[r].bitPattern, ratedAt: table.ratedAt[r]))
            if r != winner { drop[r] = true }
        }
        counts.duplicates += rows.count - distinct.count
        counts.superseded += distinct.count - 1
    }
}
