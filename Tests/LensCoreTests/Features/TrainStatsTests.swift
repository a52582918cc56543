import Foundation
import XCTest

@testable import LensCore

/// Movie and user stats (PIPELINE.md stage 3): train rows only, exact means, the weighted
/// rating and the winsorised count, against hand-computed values.
final class TrainStatsTests: XCTestCase {
    /// 15 train rows, then 2 test rows and 1 buffer row whose users (4, 7) and movies (50, 90)
    /// must not appear, and whose rating of movie 10 must not count.
    static func fixture() -> SplitRatings {
        let rows: [(Int32, Int32, Float, Int64)] = [
            (1, 10, 4.0, 1000), (2, 10, 3.5, 1005), (1, 20, 5.0, 1010), (3, 10, 2.0, 1010), (2, 30, 1.0, 1020),
            (3, 20, 4.5, 1030), (1, 40, 0.5, 1040), (3, 40, 3.0, 1040), (5, 10, 5.0, 1050), (5, 20, 4.0, 1051),
            (5, 40, 2.5, 1052), (5, 60, 3.5, 1053), (5, 70, 4.0, 1054), (5, 80, 1.5, 1055), (6, 60, 2.0, 1056),
            // test
            (4, 50, 5.0, 1060), (1, 10, 1.0, 1061),
            // buffer
            (7, 90, 3.0, 1070),
        ]
        var t = RatingsTable()
        for (u, m, r, a) in rows {
            t.userId.append(u)
            t.movieId.append(m)
            t.rating.append(r)
            t.ratedAt.append(a)
        }
        return SplitRatings(rows: t, trainCount: 15, testCount: 2, batchCount: 1, batchSize: 1)
    }

    /// Protects the movie stats on the fixture. By hand: C = 46/15 = 3.0666…; counts
    /// (1, 1, 1, 2, 3, 3, 4): h = 6·0.9 = 5.4, m = 3 + 0.4·1 = 3.4000000000000004 (numpy's
    /// rounding); movie 10: v = 4, R = 14.5/4 = 3.625, WR = 4/7.4·3.625 + 3.4/7.4·3.0666…
    /// (the WR literals are numpy's results of the same formula).
    func testMovieStatsByHand() throws {
        let s = try MovieStats(split: Self.fixture())
        XCTAssertEqual(s.movieId, [10, 20, 30, 40, 60, 70, 80])
        XCTAssertEqual(s.nRatings, [4, 3, 1, 3, 2, 1, 1])
        XCTAssertEqual(s.meanRating, [3.625, 4.5, 1.0, 2.0, 2.75, 4.0, 1.5])
        XCTAssertEqual(s.firstRatedAt, [1000, 1010, 1020, 1040, 1053, 1054, 1055])
        XCTAssertEqual(s.lastRatedAt, [1050, 1051, 1020, 1052, 1056, 1054, 1055])
        XCTAssertEqual(s.globalMeanRating, 46.0 / 15.0)
        XCTAssertEqual(s.globalMeanRating, 3.066666666666667)
        XCTAssertEqual(s.countThreshold, 3.4000000000000004)
        XCTAssertEqual(
            s.weightedRating,
            [
                3.3684684684684685, 3.738541666666667, 2.5969696969696967, 2.566666666666667, 2.949382716049383,
                3.278787878787879, 2.7106060606060605,
            ])
        // Movie 30 has one rating: first = last, mean = the rating, pulled towards C.
        XCTAssertEqual(s.weightedRating[2], 1 / 4.4 * 1.0 + 3.4000000000000004 / 4.4 * (46.0 / 15.0), accuracy: 1e-15)
    }

    /// Protects the user stats on the fixture. By hand: counts (3, 2, 3, 6, 1) sorted
    /// (1, 2, 3, 3, 6): h = 4·0.99 = 3.96, q99 = 6 - 3·0.04 = 5.88; user 5 (6 ratings) is capped
    /// to 5.88, the others keep their count; user 1: (4 + 5 + 0.5)/3.
    func testUserStatsByHand() throws {
        let s = try UserStats(split: Self.fixture())
        XCTAssertEqual(s.userId, [1, 2, 3, 5, 6])
        XCTAssertEqual(s.nRatings, [3, 2, 3, 6, 1])
        XCTAssertEqual(s.meanRating, [9.5 / 3, 2.25, 9.5 / 3, 20.5 / 6, 2.0])
        XCTAssertEqual(s.meanRating, [3.1666666666666665, 2.25, 3.1666666666666665, 3.4166666666666665, 2.0])
        XCTAssertEqual(s.winsorCap, 5.88)
        XCTAssertEqual(s.nRatingsWinsorized, [3, 2, 3, 5.88, 1])
    }

    /// Protects that `TrainStats.compute` (both passes in parallel) equals the two passes run
    /// one after the other.
    func testParallelComputeEqualsSeparatePasses() throws {
        let split = Self.fixture()
        let both = try TrainStats.compute(split)
        XCTAssertEqual(both.movies, try MovieStats(split: split))
        XCTAssertEqual(both.users, try UserStats(split: split))
    }

    /// Protects exact means at scale: half-star sums in Double have no rounding, so a mean over
    /// many ratings is the correctly rounded quotient (here 1,000,001 ratings of one movie).
    func testMeansAreExactOverManyRatings() throws {
        var t = RatingsTable()
        let n = 1_000_001
        t.userId = (0..<n).map { Int32($0 + 1) }
        t.movieId = [Int32](repeating: 7, count: n)
        t.rating = (0..<n).map { Float(1 + $0 % 10) / 2 }
        t.ratedAt = try EpochSecondsColumn((0..<n).map { Int64($0) })
        let s = try MovieStats(split: SplitRatings(rows: t, trainCount: n, testCount: 0, batchCount: 1, batchSize: 1))
        var twice = 0  // exact integer sum of 2·rating
        for i in 0..<n { twice += 1 + i % 10 }
        XCTAssertEqual(s.meanRating, [Double(twice) / 2 / Double(n)])
        XCTAssertEqual(s.firstRatedAt, [0])
        XCTAssertEqual(s.lastRatedAt, [Int64(n - 1)])
    }

    /// Protects the sparse-id path: one id near 2^31 makes the id range too large for flat
    /// arrays; the sorted-id path must give the same stats.
    func testHugeIdsGiveTheSameStats() throws {
        var split = Self.fixture()
        let small = try TrainStats.compute(split)
        split.rows.userId = split.rows.userId.map { $0 == 6 ? Int32.max : $0 }
        split.rows.movieId = split.rows.movieId.map { $0 == 80 ? 2_000_000_000 : $0 }
        let big = try TrainStats.compute(split)
        XCTAssertEqual(big.users.userId, [1, 2, 3, 5, Int32.max])
        XCTAssertEqual(big.movies.movieId, [10, 20, 30, 40, 60, 70, 2_000_000_000])
        XCTAssertEqual(big.users.nRatingsWinsorized, small.users.nRatingsWinsorized)
        XCTAssertEqual(big.movies.weightedRating, small.movies.weightedRating)
        XCTAssertEqual(big.movies.firstRatedAt, small.movies.firstRatedAt)
    }

    /// Protects the empty train: empty tables and NaN thresholds, no crash.
    func testEmptyTrainGivesEmptyStats() throws {
        var split = Self.fixture()
        split.trainCount = 0
        let s = try TrainStats.compute(split)
        XCTAssertEqual(s.movies.count, 0)
        XCTAssertEqual(s.users.count, 0)
        XCTAssertTrue(s.movies.countThreshold.isNaN)
        XCTAssertTrue(s.movies.globalMeanRating.isNaN)
        XCTAssertTrue(s.users.winsorCap.isNaN)
    }

    /// Protects the errors and their texts: bad split shape, non-positive id, non-finite rating
    /// (only train rows are checked: a bad test row is not the stats' business).
    func testInvalidSplitsAreRejectedWithWhatToDo() {
        func statsError(_ change: (inout SplitRatings) -> Void) -> FeatureStatsError? {
            var split = Self.fixture()
            change(&split)
            do {
                _ = try TrainStats.compute(split)
                return nil
            } catch { return error }
        }
        XCTAssertEqual(
            statsError { $0.trainCount = 19 }, .badSplit("trainCount 19 is outside 0 ... 18 (the number of rows)"))
        XCTAssertEqual(
            statsError { $0.rows.rating.removeLast() },
            .badSplit("the ratings columns differ in length (userId 18, movieId 18, rating 17, ratedAt 18)"))
        XCTAssertEqual(statsError { $0.rows.movieId[3] = 0 }, .nonPositiveId(column: "movieId", id: 0, row: 3))
        XCTAssertEqual(statsError { $0.rows.userId[4] = -2 }, .nonPositiveId(column: "userId", id: -2, row: 4))
        XCTAssertEqual(
            statsError { $0.rows.rating[5] = .nan }?.description,
            FeatureStatsError.nonFiniteRating(row: 5, rating: .nan).description)
        XCTAssertNil(statsError { $0.rows.movieId[16] = 0 })
        XCTAssertEqual(
            FeatureStatsError.nonPositiveId(column: "movieId", id: 0, row: 3).description,
            "stats: train row 3 has movieId 0, but ids must be positive; "
                + "stage 1 must quarantine non-positive ids (reason nonpositive_id)")
        XCTAssertEqual(
            FeatureStatsError.badSplit("x").description,
            "stats: the split is inconsistent: x; build it with the split stage (stage 2)")
    }
}
