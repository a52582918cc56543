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

    /// A fresh drop from the benchmark generator with --dirty 0.001.
    func testGeneratedDirtyDropReconciles() throws {
        let gen = try TestPaths.sharedFile("bench/gen_movielens.py")
        let dir = TestPaths.tempDir("dirty")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (status, _, err) = try TestPaths.run(["python3", gen, dir, "--ratings", "200000", "--users", "1500", "--movies", "5000",
                                                  "--tags", "2000", "--genome-movies", "0", "--dirty", "0.001", "--seed", "11"])
        XCTAssertEqual(status, 0, err)
        try checkDrop(dir)
    }
}
