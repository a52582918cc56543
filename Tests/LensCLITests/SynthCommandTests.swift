import Foundation
import XCTest
import LensCore

/// `lens synth --ratings N` through the binary: exact counts, the same bytes for the same
/// options, and usage errors (exit 64) for a bad N or for `--ratings` with `--scale`.
final class SynthCommandTests: XCTestCase {
    static let files = ["movies.csv", "links.csv", "ratings.csv", "tags.csv", "genome-tags.csv", "genome-scores.csv",
                        "README.txt", "dirty.json"]

    private func digests(_ dir: String) throws -> [String: String] {
        var d: [String: String] = [:]
        for f in Self.files { d[f] = Hex.encode(try sha256(ofFileAt: dir + "/" + f)) }
        return d
    }

    /// Protects `--ratings` end to end: the JSON summary has the counts scaled from ml-25m
    /// (200,000 ratings: 1,300 users, 499 movies, 8,747 tags, 200 genome movies), and a second
    /// run with the same N and seed (N spelled with separators) writes byte-identical files,
    /// while another seed does not.
    func testRatingsFlagGivesScaledCountsAndTheSameBytes() throws {
        let a = CLI.tempDir("synth-a"), b = CLI.tempDir("synth-b"), c = CLI.tempDir("synth-c")
        addTeardownBlock { for d in [a, b, c] { try? FileManager.default.removeItem(atPath: d) } }
        let (s1, out1, e1) = try CLI.lens(["synth", "--ratings", "200000", "--seed", "9", "--dirty", "0.01", "--format", "json", a])
        XCTAssertEqual(s1, 0, e1)
        let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(out1.utf8)) as? [String: Any])
        XCTAssertEqual(json["scale"] as? String, "custom")
        XCTAssertEqual(json["ratings"] as? Int, 200_000)
        XCTAssertEqual(json["users"] as? Int, 1_300)
        XCTAssertEqual(json["movies"] as? Int, 499)
        XCTAssertEqual(json["links"] as? Int, 499)
        XCTAssertEqual(json["tags"] as? Int, 8_747)
        XCTAssertEqual(json["genome_movies"] as? Int, 200)
        XCTAssertEqual(json["genome_scores"] as? Int, 225_600)
        let (s2, out2, e2) = try CLI.lens(["synth", "--ratings", "200_000", "--seed", "9", "--dirty", "0.01", b])
        XCTAssertEqual(s2, 0, e2)
        XCTAssertEqual(out2, b + "\n")
        XCTAssertEqual(try digests(a), try digests(b))
        let (s3, _, e3) = try CLI.lens(["synth", "--ratings", "200,000", "--seed", "10", "--dirty", "0.01", c])
        XCTAssertEqual(s3, 0, e3)
        XCTAssertNotEqual(try digests(a)["ratings.csv"], try digests(c)["ratings.csv"])
    }

    /// Protects the usage errors: `--ratings` with `--scale`, an N that is not a whole number,
    /// and an N out of range exit 64 with a message naming the flag and what to give, and write
    /// nothing.
    func testBadRatingsAndBothSizeFlagsAreUsageErrors() throws {
        let out = CLI.home + "/synth-never-\(UUID().uuidString.prefix(8))"
        let cases: [([String], String)] = [
            (["--scale", "1m", "--ratings", "200000"], "lens: --ratings: error: give either --scale (a preset) or --ratings (any size), not both"),
            (["--ratings", "abc"], "lens: --ratings: error: 'abc' is not a number of ratings; give a whole number such as 50000000 or 50_000_000"),
            (["--ratings", "2.5e6"], "lens: --ratings: error: '2.5e6' is not a number of ratings; give a whole number such as 50000000 or 50_000_000"),
            (["--ratings", "0"], "lens: --ratings: error: must be between 20 and 10000000000 ratings, got 0"),
            (["--ratings", "19"], "lens: --ratings: error: must be between 20 and 10000000000 ratings, got 19"),
            (["--ratings", "99999999999999999999999"], "lens: --ratings: error: must be between 20 and 10000000000 ratings, got 99999999999999999999999"),
        ]
        for (args, message) in cases {
            let (status, stdout, stderr) = try CLI.lens(["synth"] + args + [out])
            XCTAssertEqual(status, 64, "\(args): \(stderr)")
            XCTAssertEqual(stdout, "", "\(args)")
            XCTAssertEqual(stderr.trimmingCharacters(in: .newlines), message, "\(args)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: out))
        // An unknown preset still names the presets, and --ratings as the way to any size.
        let (status, _, stderr) = try CLI.lens(["synth", "--scale", "2m", out])
        XCTAssertEqual(status, 64, stderr)
        XCTAssertEqual(stderr.trimmingCharacters(in: .newlines),
                       "lens: --scale: error: unknown scale '2m'; use one of sample, 1m, 25m, or --ratings N")
    }
}
