import XCTest
@testable import LensCore

/// Protects stage 3's stats on ml-latest-small: the values equal an independent computation
/// (Python/numpy over the raw CSV, sorted by (timestamp, userId, movieId), first floor(0.7 n)
/// rows as train; numbers pasted below), so the split and the stats agree with the contract.
final class RealDropStatsTests: XCTestCase {
    func testMovieAndUserStatsEqualAnIndependentComputation() throws {
        let source = try DropSource.open(path: try TestPaths.sharedFile("movielens/ml-latest-small"))
        let cleaned = try CleanDrop.run(source: source, config: PipelineConfig())
        let (split, _) = TemporalSplit.run(cleaned.ratings, config: PipelineConfig())
        let t = try Features.compute(cleaned: cleaned, split: split, config: PipelineConfig())
        let ms = t.movieStats, us = t.userStats
        XCTAssertEqual(ms.count, 7_056)
        XCTAssertEqual(us.count, 453)
        XCTAssertEqual(ms.globalMeanRating, 3.5055535878727775, accuracy: 1e-12)
        XCTAssertEqual(ms.countThreshold, 26.0)
        XCTAssertEqual(us.winsorCap, 1164.4400000000019, accuracy: 1e-9)
        // movie id: (count, mean, first, last, weighted rating)
        let expected: [Int32: (Int32, Double, Int64, Int64, Double)] = [
            1: (166, 3.9578313253012047, 829_322_340, 1_368_893_997, 3.8965853816911054),
            318: (212, 4.471698113207547, 829_760_898, 1_368_892_201, 4.366152912960892),
            356: (228, 4.18859649122807, 832_695_327, 1_368_893_853, 4.118678713719261),
            2571: (165, 4.257575757575758, 926_510_261, 1_368_892_301, 4.155206247563834),
            296: (232, 4.181034482758621, 829_760_898, 1_368_894_104, 4.1129627646693505),
        ]
        for (id, e) in expected {
            let i = try XCTUnwrap(ms.movieId.firstIndex(of: id))
            XCTAssertEqual(ms.nRatings[i], e.0, "movie \(id)")
            XCTAssertEqual(ms.meanRating[i], e.1, accuracy: 1e-12, "movie \(id)")
            XCTAssertEqual(ms.firstRatedAt[i], e.2, "movie \(id)")
            XCTAssertEqual(ms.lastRatedAt[i], e.3, "movie \(id)")
            XCTAssertEqual(ms.weightedRating[i], e.4, accuracy: 1e-12, "movie \(id)")
        }
        let u1 = try XCTUnwrap(us.userId.firstIndex(of: 1))
        XCTAssertEqual(us.nRatings[u1], 232)
        XCTAssertEqual(us.meanRating[u1], 4.366379310344827, accuracy: 1e-12)
        XCTAssertEqual(us.nRatingsWinsorized[u1], 232)
        let u414 = try XCTUnwrap(us.userId.firstIndex(of: 414))
        XCTAssertEqual(us.nRatings[u414], 2_516)
        XCTAssertEqual(us.meanRating[u414], 3.3539348171701113, accuracy: 1e-12)
        XCTAssertEqual(us.nRatingsWinsorized[u414], 1164.4400000000019, accuracy: 1e-9)
        XCTAssertNil(us.userId.firstIndex(of: 610), "user 610 rated only after the train cut")
    }
}
