import XCTest
@testable import LensCore

/// Protects "nothing is lost": a drop with injected dirty rows reconciles exactly, each injected
/// row landing in the bucket the generator's dirty.json says, and the quarantine names file,
/// line, raw text and reason.
final class DirtyDropTests: XCTestCase {
    struct Dirty: Decodable {
        var rating_lines: Int
        var dirty: [String: Int]
    }

    func checkDrop(_ dir: String) throws {
        let d = try JSONDecoder().decode(Dirty.self, from: Data(contentsOf: URL(fileURLWithPath: dir + "/dirty.json")))
        let c = try CleanDrop.run(source: try DropSource.open(path: dir), config: PipelineConfig())
        let r = c.reconciliation.first { $0.file == "ratings.csv" }!
        XCTAssertTrue(c.reconciled)
        XCTAssertEqual(r.linesRead, d.rating_lines)
        XCTAssertEqual(r.duplicates, d.dirty["exact_duplicate"])
        XCTAssertEqual(r.superseded, d.dirty["key_duplicate_later"])
        XCTAssertEqual(r.orphans, d.dirty["unknown_movie"])
        XCTAssertEqual(r.rejected, d.dirty["blank_field"]! + d.dirty["truncated_line"]!)
        XCTAssertEqual(c.caps.ratingOutOfRange, d.dirty["rating_out_of_range"])
        let reasons = Dictionary(grouping: c.quarantine.filter { $0.file == "ratings.csv" }, by: \.reason).mapValues(\.count)
        XCTAssertEqual(reasons[.blankField], d.dirty["blank_field"])
        XCTAssertEqual(reasons[.fieldCount], d.dirty["truncated_line"])
        XCTAssertEqual(reasons[.orphan], d.dirty["unknown_movie"])
        XCTAssertEqual(r.clean, c.ratings.count)
    }

    /// The sample drop shipped in data/sample.
    func testShippedSampleReconcilesAgainstItsDirtyJSON() throws {
        try checkDrop(TestPaths.repo + "/data/sample")
        let c = try CleanDrop.run(source: try DropSource.open(path: TestPaths.repo + "/data/sample"), config: PipelineConfig())
        let blank = c.quarantine.first { $0.reason == .blankField }!
        XCTAssertEqual(blank.file, "ratings.csv")
        XCTAssertTrue(blank.raw.contains(",,"), blank.raw)
        XCTAssertGreaterThan(blank.line, 1)
    }

    /// A fresh `lens synth` drop (core `Synth.run`) of 200,000 ratings with --dirty 0.001 and no
    /// genome: every kind of dirt lands in its bucket, checked against the dirty.json it wrote.
    func testGeneratedDirtyDropReconciles() throws {
        let dir = TestPaths.tempDir("dirty")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let size = SynthSize(ratings: 200_000, users: 1_500, movies: 5_000, tags: 2_000, genomeMovies: 0)
        let s = try Synth.run(out: dir, options: SynthOptions(size: size, seed: 11, dirtyRate: 0.001))
        // The dirt is there to be found: each of the six kinds at least once (0.1% of 200,000 rows).
        for (kind, n) in [("exact_duplicate", s.dirty.exactDuplicate), ("key_duplicate_later", s.dirty.keyDuplicateLater),
                          ("rating_out_of_range", s.dirty.ratingOutOfRange), ("blank_field", s.dirty.blankField),
                          ("truncated_line", s.dirty.truncatedLine), ("unknown_movie", s.dirty.unknownMovie)] {
            XCTAssertGreaterThan(n, 0, kind)
        }
        XCTAssertEqual(s.ratingLines, 200_000 + s.dirty.addedLines)
        try checkDrop(dir)
    }
}
