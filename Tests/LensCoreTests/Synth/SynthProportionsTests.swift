import Foundation
import XCTest

@testable import LensCore

/// `lens synth --ratings N`: the sizes scaled from ml-25m's proportions, and a drop made from them.
final class SynthProportionsTests: XCTestCase {
    /// Protects the scaling rule of docs/synth.md, value by value: users, movies, tags and genome
    /// movies rounded from ml-25m's proportions; movies raised where too few to place the
    /// ratings; genome movies raised to 200 (none under 200 movies) and capped at ml-25m's 13,816; ml-25m's own count giving exactly
    /// the `25m` preset.
    func testSizesScaleFromMl25mProportions() throws {
        func size(_ n: Int) throws -> [Int] {
            let s = try SynthProportions.size(ratings: n)
            return [s.ratings, s.users, s.movies, s.tags, s.genomeMovies]
        }
        // One user rating the 20 movies every user rates; the 20-movie floor.
        XCTAssertEqual(try size(20), [20, 1, 20, 1, 0])
        // 100 ratings by one user need 167 movies (a user rates at most 60% of them): under 200
        // movies, no genome.
        XCTAssertEqual(try size(100), [100, 1, 167, 4, 0])
        XCTAssertEqual(try size(200_000), [200_000, 1_300, 499, 8_747, 200])
        XCTAssertEqual(try size(1_000_000), [1_000_000, 6_502, 2_497, 43_734, 553])
        XCTAssertEqual(try SynthProportions.size(ratings: 25_000_095), SynthScale.twentyFiveMillion.size)
        XCTAssertEqual(try size(50_000_000), [50_000_000, 325_081, 124_846, 2_186_712, 13_816])
        XCTAssertEqual(try size(10_000_000_000), [10_000_000_000, 65_016_153, 24_969_105, 437_342_338, 13_816])
    }

    /// Protects the refusal of sizes lens cannot or will not make: fewer than 20 ratings (one
    /// user's minimum) or more than 10,000,000,000 are a configuration error on `--ratings`.
    func testRatingsOutOfRangeAreConfigErrors() {
        for n in [Int.min, -1, 0, 19, 10_000_000_001, Int.max] {
            XCTAssertThrowsError(try SynthProportions.size(ratings: n), "\(n)") { error in
                XCTAssertEqual(error as? LensError, .config(file: "--ratings", line: nil,
                                                            message: "must be between 20 and 10000000000 ratings, got \(n)"))
            }
        }
    }

    /// Protects the counts of a `--ratings` drop as the files hold them: 200,000 ratings give
    /// exactly 1,300 users (each with at least 20 ratings), 499 movies and links, 8,747 tags and
    /// 200 genome movies (the floor) x 1,128 tags, and the summary says the same.
    func testA200kDropHasExactlyTheScaledCounts() throws {
        let dir = TestPaths.tempDir("synth-ratings")
        addTeardownBlock { try? FileManager.default.removeItem(atPath: dir) }
        let s = try Synth.run(out: dir, options: SynthOptions(size: try SynthProportions.size(ratings: 200_000)))
        func rows(_ file: String) throws -> [Substring] {
            let text = try String(contentsOfFile: dir + "/" + file, encoding: .utf8)
            return text.split(separator: "\n").dropFirst().map { $0 }
        }
        XCTAssertEqual(try rows("movies.csv").count, 499)
        XCTAssertEqual(try rows("links.csv").count, 499)
        let ratings = try rows("ratings.csv")
        XCTAssertEqual(ratings.count, 200_000)
        var perUser: [Substring: Int] = [:]
        for r in ratings { perUser[r.prefix { $0 != "," }, default: 0] += 1 }
        XCTAssertEqual(perUser.count, 1_300)
        XCTAssertGreaterThanOrEqual(try XCTUnwrap(perUser.values.min()), 20)
        XCTAssertEqual(try rows("tags.csv").count, 8_747)
        XCTAssertEqual(try rows("genome-tags.csv").count, 1_128)
        let genome = try rows("genome-scores.csv")
        XCTAssertEqual(genome.count, 200 * 1_128)
        XCTAssertEqual(Set(genome.map { $0.prefix { $0 != "," } }).count, 200)
        XCTAssertEqual([s.ratings, s.ratingLines, s.users, s.movies, s.links, s.tags, s.genomeMovies, s.genomeScores],
                       [200_000, 200_000, 1_300, 499, 499, 8_747, 200, 225_600])
        XCTAssertEqual(s.scale, "custom")
    }
}
