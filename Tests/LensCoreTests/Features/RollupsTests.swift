import Foundation
import XCTest

@testable import LensCore

/// Protects the Swift side of the rollups (RatingRollups, TagRollup, MonthCalendar) without a
/// server; RollupViewTests hold the views over them to the former SQL.
final class RollupsTests: XCTestCase {
    /// A small split: 2,000 ratings over about three years in time order, 40 users, 60 movies
    /// (ids sparse enough to matter), train / test / 3 batches; movies list genres with a
    /// duplicate and an empty one.
    static func sampleSplit() -> (SplitRatings, MoviesTable) {
        var rng = FeaturesTestSupport.Random(state: 16)
        var rows = RatingsTable()
        var seen = Set<Int64>()
        var t: Int64 = 820_000_000
        while rows.count < 2_000 {
            t += Int64(rng.below(60_000))
            let u = Int32(1 + rng.below(40)), m = Int32(1 + 3 * rng.below(60))
            guard seen.insert(Int64(u) << 32 | Int64(m)).inserted else { continue }
            rows.userId.append(u)
            rows.movieId.append(m)
            rows.rating.append(Float(1 + rng.below(10)) / 2)
            rows.ratedAt.offsets.append(UInt32(t - 820_000_000))
        }
        rows.ratedAt = EpochSecondsColumn(base: 820_000_000, offsets: rows.ratedAt.offsets)
        var movies = MoviesTable()
        let names = ["Drama", "Comedy", "Sci-Fi", ""]
        for m in 0..<60 {
            movies.movieId.append(Int32(1 + 3 * m))
            movies.genres.append(m % 7 == 0 ? [] : [names[m % 4], names[(m / 4) % 4], names[m % 4]])
        }
        return (SplitRatings(rows: rows, trainCount: 1_400, testCount: 400, batchCount: 3, batchSize: 66), movies)
    }

    /// Rows out of time order (each part reversed: the parts keep their positions) give the same
    /// rollups as the time-ordered rows: the counting sort groups them by month as the split's
    /// order does. The shared months' members may come in another order, so they are compared sorted.
    func testRowsOutOfTimeOrderGiveTheSameRollups() {
        let (split, movies) = Self.sampleSplit()
        var shuffled = split
        for range in RatingRollups.partRanges(split) {
            shuffled.rows.userId[range].reverse()
            shuffled.rows.movieId[range].reverse()
            shuffled.rows.rating[range].reverse()
            shuffled.rows.ratedAt.offsets[range].reverse()
        }
        var a = RatingRollups.compute(split, movies: movies)
        var b = RatingRollups.compute(shuffled, movies: movies)
        XCTAssertFalse(a.monthUsers.id.isEmpty, "months shared by two parts")
        func sortMembers(_ r: inout Rollups) {
            for kp in [\Rollups.monthUsers, \Rollups.monthMovies] {
                let m = r[keyPath: kp]
                let sorted = (0..<m.id.count).map { (m.part[$0], m.monthStart[$0], m.id[$0]) }.sorted { ($0.0, $0.1, $0.2) < ($1.0, $1.1, $1.2) }
                r[keyPath: kp] = Rollups.MonthMembers(part: sorted.map(\.0), monthStart: sorted.map(\.1), id: sorted.map(\.2))
            }
        }
        sortMembers(&a)
        sortMembers(&b)
        XCTAssertEqual(a.parts, b.parts)
        XCTAssertEqual(a.ratings, b.ratings)
        XCTAssertEqual(a.months, b.months)
        XCTAssertEqual(a.monthUsers, b.monthUsers)
        XCTAssertEqual(a.monthMovies, b.monthMovies)
        XCTAssertEqual(a.movies, b.movies)
        XCTAssertEqual(a.genreYears, b.genreYears)
        XCTAssertEqual(a.users, b.users)
    }

    /// The rollups against a direct computation with dictionaries over the rows.
    func testRollupsEqualADirectCount() {
        let (split, movies) = Self.sampleSplit()
        let r = RatingRollups.compute(split, movies: movies)
        var utc = Calendar(identifier: .gregorian)
        utc.timeZone = TimeZone(identifier: "UTC")!
        func part(_ i: Int) -> Int16 {
            i < 1_400 ? 0 : i < 1_800 ? 1 : Int16(2 + min((i - 1_800) / 66, 2))
        }
        var perPart: [Int16: (n: Int64, users: Set<Int32>, movies: Set<Int32>)] = [:]
        var perMonth: [String: (n: Int64, sum: Double, users: Set<Int32>)] = [:]
        var perGenreYear: [String: Int64] = [:]
        var perUser: [String: Int32] = [:]
        let genresOf = Dictionary(uniqueKeysWithValues: zip(movies.movieId, movies.genres))
        for i in 0..<split.rows.count {
            let p = part(i), u = split.rows.userId[i], m = split.rows.movieId[i]
            let date = Date(timeIntervalSince1970: TimeInterval(split.rows.ratedAt[i]))
            let c = utc.dateComponents([.year, .month], from: date)
            perPart[p, default: (0, [], [])].n += 1
            perPart[p]!.users.insert(u)
            perPart[p]!.movies.insert(m)
            let mk = "\(p) \(c.year!)-\(c.month!)"
            perMonth[mk, default: (0, 0, [])].n += 1
            perMonth[mk]!.sum += Double(split.rows.rating[i])
            perMonth[mk]!.users.insert(u)
            for g in Set(genresOf[m]!) { perGenreYear["\(p) \(c.year!) \(g)", default: 0] += 1 }
            perUser["\(p) \(u)", default: 0] += 1
        }
        XCTAssertEqual(r.parts.part, [0, 1, 2, 3, 4])
        XCTAssertEqual(r.parts.nRatings, [1_400, 400, 66, 66, 68])
        XCTAssertEqual(r.parts.nUsers, (0...4).map { Int64(perPart[Int16($0)]!.users.count) })
        XCTAssertEqual(r.parts.nMovies, (0...4).map { Int64(perPart[Int16($0)]!.movies.count) })
        var months: [String: (n: Int64, sum: Double, users: Int64)] = [:]
        for i in 0..<r.months.part.count {
            let c = utc.dateComponents([.year, .month, .day, .hour], from: Date(timeIntervalSince1970: TimeInterval(r.months.monthStart[i])))
            XCTAssertEqual([c.day, c.hour], [1, 0], "a month starts at midnight on the first")
            months["\(r.months.part[i]) \(c.year!)-\(c.month!)"] = (r.months.nRatings[i], r.months.sumRating[i], r.months.nUsers[i])
        }
        XCTAssertEqual(months.mapValues { "\($0.n) \($0.sum) \($0.users)" }, perMonth.mapValues { "\($0.n) \($0.sum) \($0.users.count)" })
        var genreYears: [String: Int64] = [:]
        for i in 0..<r.genreYears.part.count {
            genreYears["\(r.genreYears.part[i]) \(r.genreYears.year[i]) \(r.genreYears.genre[i])"] = r.genreYears.nRatings[i]
        }
        XCTAssertEqual(genreYears, perGenreYear)
        XCTAssertTrue(genreYears.keys.contains { $0.hasSuffix(" ") }, "the empty genre is a genre")
        var users: [String: Int32] = [:]
        for i in 0..<r.users.part.count { users["\(r.users.part[i]) \(r.users.userId[i])"] = r.users.nRatings[i] }
        XCTAssertEqual(users, perUser)
    }

    /// Month starts and indexes across leap years, century rules and times before 1970.
    func testMonthCalendarAgreesWithFoundation() {
        var utc = Calendar(identifier: .gregorian)
        utc.timeZone = TimeZone(identifier: "UTC")!
        for base: Int64 in [-2_208_988_800, 0, 951_782_399, 4_107_542_399] {  // 1900, 1970, 2000-02-28 23:59:59, 2100-02-28
            let offsets: [UInt32] = [0, 1, 86_400, 2_000_000, 40_000_000, 400_000_000]
            offsets.withUnsafeBufferPointer { o in
                let cal = MonthCalendar(base: base, offsets: o)
                for t in offsets {
                    let date = Date(timeIntervalSince1970: TimeInterval(base + Int64(t)))
                    let c = utc.dateComponents([.year, .month], from: date)
                    let start = utc.date(from: DateComponents(year: c.year, month: c.month, day: 1))!
                    XCTAssertEqual(cal.start[cal.month(t)], Int64(start.timeIntervalSince1970), "base \(base) + \(t)")
                    XCTAssertEqual(Int(cal.year[cal.month(t)]), c.year)
                }
            }
        }
    }

    /// rollup_genres counts a rating once per listing (a genre listed twice counts twice, as
    /// genre_frequency's join over unnest(genres) does); rollup_genre_pairs counts each movie once
    /// per distinct pair, in byte order, with the diagonal holding each genre's movies.
    func testGenreRollupsFollowTheViewsSemantics() {
        var movies = MoviesTable()
        for (id, genres) in [(1, ["Drama", "Drama", "Action"]), (2, ["", "Action"]), (3, []), (4, ["action", "Drama"])] as [(Int32, [String])] {
            movies.movieId.append(id)
            movies.genres.append(genres)
        }
        let perMovie = Rollups.Movies(part: [0, 0, 0, 2], movieId: [1, 2, 3, 1], nRatings: [3, 2, 5, 1], sumRating: [10, 4, 20, 4.5])
        let g = GenreRollups.genres(perMovie, of: movies)
        XCTAssertEqual(g.part, [0, 0, 0, 2, 2])
        XCTAssertEqual(g.genre, ["Drama", "Action", "", "Drama", "Action"])
        XCTAssertEqual(g.nRatings, [6, 5, 2, 2, 1])
        XCTAssertEqual(g.sumRating, [20, 14, 4, 9, 4.5])
        let p = GenreRollups.pairs(movies)
        XCTAssertEqual(zip(zip(p.genreA, p.genreB), p.nMovies).map { "\($0.0)|\($0.1)|\($1)" }, [
            "||1", "|Action|1", "Action|Action|2", "Action|Drama|1", "Drama|Drama|2", "Drama|action|1", "action|action|1",
        ])
    }

    /// Tags group by their bytes (two spellings of "é" stay apart, as in PostgreSQL), with
    /// distinct movies and users and the time bounds.
    func testTagsGroupByBytes() {
        var t = TagsTable()
        let rows: [(Int32, Int32, String, Int64)] = [(1, 10, "caf\u{e9}", 5), (2, 10, "caf\u{e9}", 3), (1, 11, "caf\u{e9}", 9),
                                                     (1, 10, "cafe\u{301}", 7), (3, 12, "x", 1)]
        for (u, m, tag, at) in rows {
            t.userId.append(u)
            t.movieId.append(m)
            t.tag.append(tag)
            t.tagNormalized.append(tag)
            t.taggedAt.append(at)
        }
        let r = TagRollup.compute(t)
        XCTAssertEqual(r.tag.count, 3)
        XCTAssertEqual(r.nUses, [3, 1, 1])
        XCTAssertEqual(r.nMovies, [2, 1, 1])
        XCTAssertEqual(r.nUsers, [2, 1, 1])
        XCTAssertEqual(r.firstTaggedAt, [3, 7, 1])
        XCTAssertEqual(r.lastTaggedAt, [9, 7, 1])
    }
}
