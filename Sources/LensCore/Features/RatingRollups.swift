/// The ratings' rollups (`Rollups` but the tags) from the split, in two passes over the rows:
///
/// 1. count the rows per (part, UTC month), which also says which months two parts share;
/// 2. walk each part's rows month by month (the split's time order; a counting sort by month
///    first when the rows are not in it) with flat per-slot arrays: the distinct users and
///    movies of each (part, month) by a stamp per id, the per-(part, movie) and per-(part,
///    user) counts, and the per-(part, year) counts of each movie, spread over its genres at
///    the end of each year.
///
/// Sums are in Double, exact on the half-star grid (every partial sum is a multiple of 0.5 far
/// below 2^52), so a view's sum of them equals PostgreSQL's sum over the ratings bit for bit.
enum RatingRollups {
    static func compute(_ split: SplitRatings, movies: MoviesTable) -> Rollups {
        let n = split.rows.count
        guard n > 0, split.rows.movieId.count == n, split.rows.rating.count == n, split.rows.ratedAt.count == n else {
            return Rollups()
        }
        let (userPlan, moviePlan) = split.rows.userId.withUnsafeBufferPointer { u in
            split.rows.movieId.withUnsafeBufferPointer { m in
                (slotPlan(u, n), slotPlan(m, n))
            }
        }
        switch (userPlan, moviePlan) {
        case (.direct(let us), .direct(let ms)): return Pass(split, movies, us, ms).run()
        case (.direct(let us), .sorted(let ms)): return Pass(split, movies, us, ms).run()
        case (.sorted(let us), .direct(let ms)): return Pass(split, movies, us, ms).run()
        case (.sorted(let us), .sorted(let ms)): return Pass(split, movies, us, ms).run()
        }
    }

    /// Slots for a column of ids (direct up to a quarter of the rows, as the stats do).
    static func slotPlan(_ ids: UnsafeBufferPointer<Int32>, _ n: Int) -> FeatureIdPlan {
        let r = FeatureIdPlan.range(ids)!
        return FeatureIdPlan.plan(ids, min: r.min, max: r.max, directBudget: n / 4)
    }

    /// The position ranges of the parts in the split order: train, test, each buffer batch
    /// (`SplitRatings.batch(ofBufferPosition:)`).
    static func partRanges(_ s: SplitRatings) -> [Range<Int>] {
        let n = s.rows.count
        let testStart = min(max(s.trainCount, 0), n), bufferStart = min(max(testStart + s.testCount, testStart), n)
        var out = [0..<testStart, testStart..<bufferStart]
        let size = max(s.batchSize, 1)
        for b in stride(from: 1, through: s.batchCount, by: 1) {
            let lo = min(bufferStart + (b - 1) * size, n)
            let hi = b == s.batchCount ? n : min(bufferStart + b * size, n)
            out.append(lo..<max(lo, hi))
        }
        return out
    }

    /// The pass, specialised per slot map.
    struct Pass<U: FeatureSlotMap, M: FeatureSlotMap> {
        let split: SplitRatings
        let movies: MoviesTable
        let userSlots: U
        let movieSlots: M

        init(_ split: SplitRatings, _ movies: MoviesTable, _ userSlots: U, _ movieSlots: M) {
            self.split = split
            self.movies = movies
            self.userSlots = userSlots
            self.movieSlots = movieSlots
        }

        func run() -> Rollups {
            let rows = split.rows
            let ranges = partRanges(split)
            let partCount = ranges.count
            let cal = rows.ratedAt.offsets.withUnsafeBufferPointer { MonthCalendar(base: rows.ratedAt.base, offsets: $0) }
            let nM = cal.count
            let (genreStart, genreList, genreNames) = genresBySlot()
            let uCount = userSlots.slotCount, mCount = movieSlots.slotCount

            // 1. rows per (part, month), the parts' time bounds, and whether the rows are in time order
            var cnt = [Int64](repeating: 0, count: partCount * nM)
            var firstOffset = [UInt32](repeating: .max, count: partCount)
            var lastOffset = [UInt32](repeating: 0, count: partCount)
            var timeOrdered = true
            rows.ratedAt.offsets.withUnsafeBufferPointer { o in
            cal.monthOfDay.withUnsafeBufferPointer { monthOfDay in
            cnt.withUnsafeMutableBufferPointer { cnt in
                var previous: UInt32 = 0
                let shift = cal.shift
                for (p, range) in ranges.enumerated() {
                    for i in range {
                        let t = o[i]
                        cnt[p * nM + Int(monthOfDay[Int((UInt64(t) &+ shift) / 86_400)])] &+= 1
                        if t < firstOffset[p] { firstOffset[p] = t }
                        if t > lastOffset[p] { lastOffset[p] = t }
                        if t < previous { timeOrdered = false }
                        previous = t
                    }
                }
            }}}
            var shared = [Bool](repeating: false, count: nM)
            for mo in 0..<nM {
                var parts = 0
                for p in 0..<partCount where cnt[p * nM + mo] > 0 { parts += 1 }
                shared[mo] = parts >= 2
            }
            // Rows in time order (the split's) come grouped by (part, month) as they are; else a
            // stable counting sort by (part, month) groups them (each part stays in its range).
            var order: [UInt32] = []
            if !timeOrdered {
                var next = [Int](repeating: 0, count: cnt.count)
                var at = 0
                for k in 0..<cnt.count {
                    next[k] = at
                    at += Int(cnt[k])
                }
                order = [UInt32](repeating: 0, count: rows.count)
                rows.ratedAt.offsets.withUnsafeBufferPointer { o in
                    for (p, range) in ranges.enumerated() {
                        for i in range {
                            let k = p * nM + cal.month(o[i])
                            order[next[k]] = UInt32(i)
                            next[k] += 1
                        }
                    }
                }
            }

            // 2. the grouped pass, one part at a time. Per row it touches one 8-byte user slot and
            //    one 16-byte movie slot (a cache line each; the rest is sequential), so the pass
            //    stays near memory speed at 25M rows. The part's per-movie totals, and the year's
            //    per-genre totals, are filled when a year ends, from the movies the year touched.
            var sum = [Double](repeating: 0, count: partCount * nM)
            var segUsers = [Int64](repeating: 0, count: partCount * nM)
            var segMovies = [Int64](repeating: 0, count: partCount * nM)
            var hist = [Int64](repeating: 0, count: 11)
            var offGrid: [Float: Int64] = [:]
            var userSlot = [UserSlot](repeating: UserSlot(), count: uCount)
            var movieSlot = [MovieSlot](repeating: MovieSlot(), count: mCount)
            var movieN = [Int32](repeating: 0, count: mCount)
            var movieSum = [Double](repeating: 0, count: mCount)
            var genreN = [Int64](repeating: 0, count: genreNames.count)
            var genreSum = [Double](repeating: 0, count: genreNames.count)
            var touched: [Int32] = []
            var out = Rollups()
            let base = rows.ratedAt.base

            rows.userId.withUnsafeBufferPointer { u in
            rows.movieId.withUnsafeBufferPointer { mv in
            rows.rating.withUnsafeBufferPointer { r in
            rows.ratedAt.offsets.withUnsafeBufferPointer { o in
            order.withUnsafeBufferPointer { ord in
            cal.monthOfDay.withUnsafeBufferPointer { monthOfDay in
            shared.withUnsafeBufferPointer { shared in
            sum.withUnsafeMutableBufferPointer { sum in
            segUsers.withUnsafeMutableBufferPointer { segUsers in
            segMovies.withUnsafeMutableBufferPointer { segMovies in
            hist.withUnsafeMutableBufferPointer { hist in
            userSlot.withUnsafeMutableBufferPointer { userSlot in
            movieSlot.withUnsafeMutableBufferPointer { movieSlot in
            movieN.withUnsafeMutableBufferPointer { movieN in
            movieSum.withUnsafeMutableBufferPointer { movieSum in
            genreN.withUnsafeMutableBufferPointer { genreN in
            genreSum.withUnsafeMutableBufferPointer { genreSum in
                let shift = cal.shift
                /// Adds the year's per-movie counts to the part's and to each genre of the movie,
                /// and writes the year's genre rows.
                func flushYear(part p: Int, year: Int) {
                    for s in touched {
                        let s = Int(s), c = movieSlot[s].yearN, v = movieSlot[s].yearSum
                        movieN[s] += c
                        movieSum[s] += v
                        for g in genreStart[s]..<genreStart[s + 1] {
                            genreN[Int(genreList[g])] += Int64(c)
                            genreSum[Int(genreList[g])] += v
                        }
                        movieSlot[s].yearN = 0
                        movieSlot[s].yearSum = 0
                    }
                    touched.removeAll(keepingCapacity: true)
                    for g in 0..<genreN.count where genreN[g] > 0 {
                        out.genreYears.part.append(Int16(p))
                        out.genreYears.year.append(Int16(truncatingIfNeeded: year))
                        out.genreYears.genre.append(genreNames[g])
                        out.genreYears.nRatings.append(genreN[g])
                        out.genreYears.sumRating.append(genreSum[g])
                        genreN[g] = 0
                        genreSum[g] = 0
                    }
                }
                for (p, range) in ranges.enumerated() {
                    var month = -1, year = -1
                    var seg: Int32 = -1
                    var isShared = false
                    for k in range {
                        let i = timeOrdered ? k : Int(ord[k])
                        let mo = Int(monthOfDay[Int((UInt64(o[i]) &+ shift) / 86_400)])
                        if mo != month {
                            let y = Int(cal.year[mo])
                            if y != year {
                                if year >= 0 { flushYear(part: p, year: year) }
                                year = y
                            }
                            month = mo
                            seg = Int32(p * nM + mo)
                            isShared = shared[mo]
                        }
                        let us = userSlots.slot(u[i]), ms = movieSlots.slot(mv[i])
                        let v = r[i]
                        sum[Int(seg)] += Double(v)
                        let twice = v * 2
                        let h = Int(twice.rounded(.towardZero))
                        if Float(h) == twice && h >= 1 && h <= 10 {
                            hist[h] &+= 1
                        } else {
                            offGrid[v, default: 0] += 1
                        }
                        userSlot[us].n &+= 1
                        if userSlot[us].stamp != seg {
                            userSlot[us].stamp = seg
                            segUsers[Int(seg)] &+= 1
                            if isShared { out.monthUsers.append(Int16(p), cal.start[mo], u[i]) }
                        }
                        if movieSlot[ms].stamp != seg {
                            movieSlot[ms].stamp = seg
                            segMovies[Int(seg)] &+= 1
                            if isShared { out.monthMovies.append(Int16(p), cal.start[mo], mv[i]) }
                        }
                        if movieSlot[ms].yearN == 0 { touched.append(Int32(ms)) }
                        movieSlot[ms].yearN &+= 1
                        movieSlot[ms].yearSum += Double(v)
                    }
                    if year >= 0 { flushYear(part: p, year: year) }

                    // the part's rows of every table, and its slots cleared for the next part
                    let part = Int16(p)
                    var n: Int64 = 0
                    for mo in 0..<nM where cnt[p * nM + mo] > 0 {
                        let k = p * nM + mo
                        n += cnt[k]
                        out.months.part.append(part)
                        out.months.monthStart.append(cal.start[mo])
                        out.months.nRatings.append(cnt[k])
                        out.months.sumRating.append(sum[k])
                        out.months.nUsers.append(segUsers[k])
                        out.months.nMovies.append(segMovies[k])
                    }
                    var nUsers: Int64 = 0, nMovies: Int64 = 0
                    for s in 0..<uCount where userSlot[s].n > 0 {
                        nUsers += 1
                        out.users.part.append(part)
                        out.users.userId.append(userSlots.id(ofSlot: s))
                        out.users.nRatings.append(userSlot[s].n)
                        userSlot[s].n = 0
                    }
                    for s in 0..<mCount where movieN[s] > 0 {
                        nMovies += 1
                        out.movies.part.append(part)
                        out.movies.movieId.append(movieSlots.id(ofSlot: s))
                        out.movies.nRatings.append(movieN[s])
                        out.movies.sumRating.append(movieSum[s])
                        movieN[s] = 0
                        movieSum[s] = 0
                    }
                    guard n > 0 else { continue }
                    out.parts.part.append(part)
                    out.parts.nRatings.append(n)
                    out.parts.nUsers.append(nUsers)
                    out.parts.nMovies.append(nMovies)
                    out.parts.firstRatedAt.append(base + Int64(firstOffset[p]))
                    out.parts.lastRatedAt.append(base + Int64(lastOffset[p]))
                    var values: [(Float, Int64)] = (1...10).compactMap { h in hist[h] > 0 ? (Float(h) / 2, hist[h]) : nil }
                    values += offGrid.map { ($0.key, $0.value) }
                    for (v, c) in values.sorted(by: { $0.0 < $1.0 }) {
                        out.ratings.part.append(part)
                        out.ratings.rating.append(v)
                        out.ratings.nRatings.append(c)
                    }
                    for h in 0..<hist.count { hist[h] = 0 }
                    offGrid = [:]
                }
            }}}}}}}}}}}}}}}}}
            out.genres = GenreRollups.genres(out.movies, of: movies)
            return out
        }

        /// A user's slot in the part being walked: the (part, month) it was last counted in, and its ratings in the part.
        struct UserSlot {
            var stamp: Int32 = -1
            var n: Int32 = 0
        }

        /// A movie's slot: the (part, month) it was last counted in, and its ratings in the year being walked.
        struct MovieSlot {
            var stamp: Int32 = -1
            var yearN: Int32 = 0
            var yearSum: Double = 0
        }

        /// Each movie slot's distinct genres (by their bytes, as PostgreSQL compares text) as
        /// indexes into the genre names, in CSR form: slot s has genreList[genreStart[s] ..<
        /// genreStart[s + 1]]. A rated movie missing from movies has none.
        func genresBySlot() -> (start: [Int], list: [Int32], names: [String]) {
            var byBytes: [[UInt8]: Int32] = [:]
            var names: [String] = []
            var perSlot = [[Int32]](repeating: [], count: movieSlots.slotCount)
            for j in 0..<movies.count {
                let id = movies.movieId[j]
                let s = movieSlots.slot(id)
                guard s >= 0, s < movieSlots.slotCount, movieSlots.id(ofSlot: s) == id else { continue }
                var list: [Int32] = []
                for genre in movies.genres[j] {
                    let bytes = Array(genre.utf8)
                    let g: Int32
                    if let known = byBytes[bytes] {
                        g = known
                    } else {
                        g = Int32(names.count)
                        byBytes[bytes] = g
                        names.append(genre)
                    }
                    if !list.contains(g) { list.append(g) }
                }
                perSlot[s] = list
            }
            var start = [0]
            start.reserveCapacity(perSlot.count + 1)
            var list: [Int32] = []
            for l in perSlot {
                list += l
                start.append(list.count)
            }
            return (start, list, names.isEmpty ? [""] : names)
        }
    }
}

extension Rollups.MonthMembers {
    mutating func append(_ part: Int16, _ monthStart: Int64, _ id: Int32) {
        self.part.append(part)
        self.monthStart.append(monthStart)
        self.id.append(id)
    }
}

/// The UTC calendar months a column of times spans: each time's month as an index from the
/// earliest month, by one table lookup per day (no division per row but a division by a
/// constant), and each month's first second and year.
struct MonthCalendar {
    /// The earliest time's midnight minus the column's base, so that day = (offset + shift) / 86400.
    let shift: UInt64
    /// Month index (from the earliest month) of each day from the earliest time's.
    let monthOfDay: [Int32]
    /// Epoch seconds of each month's first instant.
    let start: [Int64]
    /// Each month's year.
    let year: [Int16]
    var count: Int { start.count }

    init(base: Int64, offsets: UnsafeBufferPointer<UInt32>) {
        var lo = UInt32.max, hi = UInt32.min
        for t in offsets {
            lo = Swift.min(lo, t)
            hi = Swift.max(hi, t)
        }
        if offsets.isEmpty { (lo, hi) = (0, 0) }
        // day 0 is the day of the base, floored
        let baseDay = Self.floorDiv(base, 86_400)
        shift = UInt64(base - baseDay * 86_400)
        let firstDay = Int((UInt64(lo) + shift) / 86_400), lastDay = Int((UInt64(hi) + shift) / 86_400)
        let (y0, m0) = Self.civil(days: Int(baseDay) + firstDay)
        var starts: [Int64] = [], years: [Int16] = []
        var table = [Int32](repeating: 0, count: lastDay + 1)
        var (y, m) = (y0, m0)
        var monthIndex: Int32 = -1
        var nextStartDay = Int.min
        for d in firstDay...lastDay {
            let absolute = Int(baseDay) + d
            if absolute >= nextStartDay {
                // the month holding day d (the first iteration, or d is the next month's first day)
                if monthIndex >= 0 {
                    (y, m) = m == 12 ? (y + 1, 1) : (y, m + 1)
                }
                monthIndex += 1
                starts.append(Int64(Self.days(year: y, month: m)) * 86_400)
                years.append(Int16(truncatingIfNeeded: y))
                nextStartDay = m == 12 ? Self.days(year: y + 1, month: 1) : Self.days(year: y, month: m + 1)
            }
            table[d] = monthIndex
        }
        monthOfDay = table
        start = starts
        year = years
    }

    /// The month index of time offset `t`.
    @inline(__always) func month(_ t: UInt32) -> Int {
        Int(monthOfDay[Int((UInt64(t) &+ shift) / 86_400)])
    }

    static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 { a >= 0 ? a / b : -((-a + b - 1) / b) }

    /// (year, month) of a day count from 1970-01-01 (H. Hinnant's civil_from_days).
    static func civil(days: Int) -> (year: Int, month: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m)
    }

    /// Days from 1970-01-01 to the first of `month` of `year` (days_from_civil).
    static func days(year: Int, month: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = month > 2 ? month - 3 : month + 9
        let doy = (153 * mp + 2) / 5
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }
}
