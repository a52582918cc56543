import Foundation

/// The parameters behind ratings.csv (and tags.csv): movie popularity and bias, and per user
/// the number of ratings, the active window and the bias. Built serially from the `popularity`
/// and `users` streams; the rows are then made in parallel chunks of users.
struct RatingsModel {
    struct User {
        var count: Int32
        var start: Int64
        var span: Int64
        var bias: Double
    }

    let seed: UInt64
    let dirtyRate: Double
    /// movies.csv's ids, ascending; movies are referred to by their index here.
    let movieIds: [Int32]
    /// Zipf-like: the movie of popularity rank r has weight r^-0.9 (ranks shuffled over movies).
    let popularity: AliasTable
    let movieBias: [Double]
    /// "movieId," per movie index.
    let movieLabels: LabelTable
    let users: [User]
    /// Ids of the unknown movies of injected dirt start here (beyond every real id).
    let unknownMovieBase: Int

    init(size: SynthSize, movieIds: [Int32], seed: UInt64, dirtyRate: Double) {
        self.seed = seed
        self.dirtyRate = dirtyRate
        self.movieIds = movieIds
        let n = movieIds.count
        unknownMovieBase = Int(movieIds.last ?? 0) + 7

        var rng = SynthRNG(seed: seed, stream: .popularity)
        var rankOf = Array(0..<n)
        if n > 1 {
            for i in stride(from: n - 1, to: 0, by: -1) { rankOf.swapAt(i, rng.below(i + 1)) }  // Fisher-Yates
        }
        popularity = AliasTable(weights: rankOf.map { DetMath.exp(-0.9 * DetMath.log(Double($0 + 1))) })
        movieBias = (0..<n).map { _ in rng.normal(0, 0.45) }
        movieLabels = LabelTable(count: n) { UInt64(movieIds[$0]) }

        // Activity: 20 each plus a lognormal share of the rest, capped, then the remainder
        // handed out one by one so that the total is exactly size.ratings.
        var urng = SynthRNG(seed: seed, stream: .users)
        let u = size.users
        var weight = [Double](repeating: 0, count: u)
        var users: [User] = []
        users.reserveCapacity(u)
        for i in 0..<u {
            weight[i] = urng.lognormal(0, 1.3)
            let start = Int64(urng.int(Int(Synth.firstTime), Int(Synth.lastTime) - 30 * 86_400))
            let span = min(Int64(urng.exponential(mean: 400 * 86_400)) + 3_600, Synth.lastTime - start)
            users.append(User(count: 20, start: start, span: span, bias: urng.normal(3.55, 0.45)))
        }
        var total = 0.0
        for w in weight { total += w }
        let extra = size.ratings - 20 * u
        let cap = size.maxRatingsPerUser
        var assigned = 0
        for i in 0..<u {
            let c = min(cap, 20 + Int((weight[i] / total * Double(extra)).rounded(.down)))
            users[i].count = Int32(c)
            assigned += c
        }
        var deficit = size.ratings - assigned
        var i = 0
        while deficit > 0 {
            if Int(users[i].count) < cap {
                users[i].count += 1
                deficit -= 1
            }
            i = (i + 1) % u
        }
        self.users = users
    }
}

/// One chunk of users' rating rows, formatted.
struct RatingsChunk {
    var buffer: SynthBuffer
    /// Lines written, dirt included.
    var lines = 0
    /// Rating rows before dirt (a row made dirty in place still counts once).
    var clean = 0
    var dirty = SynthDirtyCounts()
    /// Clean ratings per movie index (for choosing the genome's most-rated movies).
    var movieCounts: [Int32]
}

/// What writing ratings.csv produced.
struct RatingsOutcome {
    var lines = 0
    var clean = 0
    var dirty = SynthDirtyCounts()
    var movieCounts: [Int32]
    var bytes: Int64 = 0
}

extension Synth {
    /// Writes ratings.csv: chunks of `usersPerChunk` users, each from its own random stream,
    /// made on `workers` threads and written in order.
    static func writeRatings(_ model: RatingsModel, workers: Int, to path: String) throws -> RatingsOutcome {
        let file = try SynthFile(path: path)
        let header = SynthBuffer()
        header.bytes("userId,movieId,rating,timestamp\n")
        try file.write(header)
        var outcome = RatingsOutcome(movieCounts: [Int32](repeating: 0, count: model.movieIds.count))
        let chunks = (model.users.count + usersPerChunk - 1) / usersPerChunk
        try orderedParallel(count: chunks, workers: workers, produce: { c in
            ratingsChunk(model, chunk: c)
        }, consume: { _, chunk in
            try file.write(chunk.buffer)
            outcome.lines += chunk.lines
            outcome.clean += chunk.clean
            outcome.dirty = outcome.dirty + chunk.dirty
            outcome.movieCounts.withUnsafeMutableBufferPointer { total in
                for i in 0..<total.count { total[i] &+= chunk.movieCounts[i] }
            }
        })
        try file.close()
        outcome.bytes = file.bytesWritten
        return outcome
    }

    static let outOfRangeRatings = ["7.0", "-1.0", "50.0", "0.0"]

    /// The rows of users [c * usersPerChunk, ...), with dirt injected as gen_movielens.py does:
    /// each row is dirty with probability `dirtyRate`, then one of six kinds, equally likely.
    static func ratingsChunk(_ model: RatingsModel, chunk c: Int) -> RatingsChunk {
        var rng = SynthRNG(seed: model.seed, stream: .ratings, index: c)
        let n = model.movieIds.count
        let firstUser = c * usersPerChunk
        let lastUser = min(model.users.count, firstUser + usersPerChunk)
        var expected = 0
        for u in firstUser..<lastUser { expected += Int(model.users[u].count) }
        let b = SynthBuffer(capacity: expected * 32 + 4_096)
        var counts = [Int32](repeating: 0, count: n)
        var stamp = [Int32](repeating: 0, count: n)
        var picked: [Int32] = []
        var lines = 0, clean = 0
        var dirty = SynthDirtyCounts()
        let dirtyRate = model.dirtyRate
        let userLabels = LabelTable(count: lastUser - firstUser) { UInt64(firstUser + $0 + 1) }
        userLabels.bytes.withUnsafeBufferPointer { userLabels in
        model.movieLabels.bytes.withUnsafeBufferPointer { movieLabels in
        model.movieBias.withUnsafeBufferPointer { mbias in
        stamp.withUnsafeMutableBufferPointer { stamp in
        counts.withUnsafeMutableBufferPointer { counts in
            let users = userLabels.baseAddress!, movies = movieLabels.baseAddress!
            for u in firstUser..<lastUser {
                let user = model.users[u]
                let k = Int(user.count)
                let mark = Int32(u - firstUser + 1)
                // k distinct movies by popularity; if the popular ones run out (heavy users),
                // the rest uniformly among the movies not rated yet.
                picked.removeAll(keepingCapacity: true)
                var attempts = 4 * k + 64
                while picked.count < k && attempts > 0 {
                    attempts -= 1
                    let m = model.popularity.draw(&rng)
                    if stamp[m] != mark {
                        stamp[m] = mark
                        picked.append(Int32(m))
                    }
                }
                while picked.count < k {
                    let m = rng.below(n)
                    if stamp[m] != mark {
                        stamp[m] = mark
                        picked.append(Int32(m))
                    }
                }
                // By movieId (= by index): sort a few, scan the marks for many.
                if k * 16 >= n {
                    picked.removeAll(keepingCapacity: true)
                    for m in 0..<n where stamp[m] == mark { picked.append(Int32(m)) }
                } else {
                    picked.sort()
                }
                let ul = u - firstUser
                for (j, m32) in picked.enumerated() {
                    let m = Int(m32)
                    let r2 = 2 * (user.bias + mbias[m] + 0.8 * rng.normal()) + 0.5
                    let h = r2 < 1 ? 1 : min(10, Int(r2))  // half stars, clipped to 0.5...5
                    let f = rng.uniform()
                    let ts = UInt64(user.start + Int64(f * f * Double(user.span)))
                    counts[m] &+= 1
                    clean += 1
                    lines += 1
                    b.reserve(128)  // the longest case: two rows with 16-byte label copies
                    var kind = -1
                    if dirtyRate > 0 && rng.uniform() < dirtyRate { kind = rng.below(6) }
                    b.label(users, ul)
                    if kind == 5 {  // first the real row, then a movie movies.csv lacks
                        b.label(movies, m)
                        ratingAndTime(b, h, ts)
                        b.label(users, ul)
                        b.uint(UInt64(model.unknownMovieBase + j))
                        b.byte(0x2C)
                        ratingAndTime(b, h, ts)
                        dirty.unknownMovie += 1
                        lines += 1
                        continue
                    }
                    b.label(movies, m)
                    switch kind {
                    case 2:  // rating out of range
                        b.bytes(outOfRangeRatings[rng.below(4)])
                        b.byte(0x2C)
                        b.uint(ts)
                        b.byte(0x0A)
                        dirty.ratingOutOfRange += 1
                    case 3:  // blank rating
                        b.byte(0x2C)
                        b.uint(ts)
                        b.byte(0x0A)
                        dirty.blankField += 1
                    case 4:  // truncated after the movieId (the label's comma dropped)
                        b.count -= 1
                        b.byte(0x0A)
                        dirty.truncatedLine += 1
                    default:
                        ratingAndTime(b, h, ts)
                        if kind == 0 {  // the same row again
                            b.label(users, ul)
                            b.label(movies, m)
                            ratingAndTime(b, h, ts)
                            dirty.exactDuplicate += 1
                            lines += 1
                        } else if kind == 1 {  // the same key an hour later, half a star more
                            b.label(users, ul)
                            b.label(movies, m)
                            ratingAndTime(b, min(10, h + 1), ts + 3_600)
                            dirty.keyDuplicateLater += 1
                            lines += 1
                        }
                    }
                }
            }
        }
        }
        }
        }
        }
        return RatingsChunk(buffer: b, lines: lines, clean: clean, dirty: dirty, movieCounts: counts)
    }

    /// `rating,ts\n` with the rating in half stars 1...10.
    @inline(__always)
    private static func ratingAndTime(_ b: SynthBuffer, _ h: Int, _ ts: UInt64) {
        b.halfStars(h)
        b.byte(0x2C)
        b.uint(ts)
        b.byte(0x0A)
    }

    /// Indices of the `count` most-rated movies (ties: the lower index), ascending.
    static func topMovies(_ counts: [Int32], count: Int) -> [Int] {
        guard count > 0 else { return [] }
        let order = counts.indices.sorted { counts[$0] != counts[$1] ? counts[$0] > counts[$1] : $0 < $1 }
        return order.prefix(count).sorted()
    }
}
