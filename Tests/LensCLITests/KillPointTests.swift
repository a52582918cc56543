import Foundation
import XCTest

/// Protects recovery at every point a run can die: SIGKILL before each stage, between COPYs,
/// after the COPY, after the indexes and just before COMMIT (LENS_TEST_KILL_AT) always leaves the
/// previous version current with its exact counts, no half-written export, nothing unpublished
/// under a version's name (only the killed load's `_loading` schema), and the next run completes
/// and drops that leftover.
final class KillPointTests: XCTestCase {
    func testKilledAtEveryPointLeavesThePreviousVersion() throws {
        let db = CLI.cluster.conninfo
        let sample = CLI.repo + "/data/sample"
        let (s0, _, e0) = try CLI.lens(["run", "--source", sample, "--out", CLI.tempDir("kp0"), "--database", db])
        XCTAssertEqual(s0, 0, e0)
        let counts = "select (select count(*) from movielens.ratings) || '/' || (select count(*) from movielens.movies) || '/' || (select count(*) from movielens.movie_stats)"
        let before = try CLI.scalar(counts)
        let current = try CLI.scalar("select schema_name from lens_catalog.versions where is_current")
        // The sample with a later drop date: the same data, a different fingerprint, so every kill
        // below interrupts a real new run and load.
        let points = ["before_ingest_clean", "before_split", "before_features", "before_parquet", "before_load",
                      "after_copy_movies", "after_copy_ratings", "after_copy", "after_index", "before_commit"]
        for point in points {
            let out = CLI.tempDir("kp")
            let (status, _, _) = try CLI.lens(["run", "--source", sample, "--out", out, "--database", db, "--drop-date", "2030-01-01"],
                                              env: ["LENS_TEST_KILL_AT": point])
            XCTAssertNotEqual(status, 0, "\(point): the run was killed")
            XCTAssertEqual(try CLI.scalar(counts), before, "\(point): previous counts")
            XCTAssertEqual(try CLI.scalar("select schema_name from lens_catalog.versions where is_current"), current, point)
            // Nothing unpublished carries a version's name; at most the killed load's loading
            // schema is left, which the next load drops.
            XCTAssertEqual(try CLI.scalar("select count(*) from information_schema.schemata where schema_name like 'lens_v%' and schema_name not like '%\\_loading' and schema_name not in (select schema_name from lens_catalog.versions)"),
                           "0", "\(point): no stray version schema")
            XCTAssertLessThanOrEqual(Int(try CLI.scalar("select count(*) from information_schema.schemata where schema_name like 'lens_v%\\_loading'"))!, 1, point)
            // The export appears whole (swapped in from <out>.partial) or not at all.
            let exportDone = !["before_ingest_clean", "before_split", "before_features", "before_parquet"].contains(point)
            XCTAssertEqual(FileManager.default.fileExists(atPath: out + "/manifest.json"), exportDone, point)
        }
        let (s1, _, e1) = try CLI.lens(["run", "--source", sample, "--out", CLI.tempDir("kp1"), "--database", db, "--drop-date", "2030-01-01"])
        XCTAssertEqual(s1, 0, e1)
        XCTAssertNotEqual(try CLI.scalar("select schema_name from lens_catalog.versions where is_current"), current)
        XCTAssertEqual(try CLI.scalar(counts), before, "same data, new version")
        XCTAssertEqual(try CLI.scalar("select count(*) from information_schema.schemata where schema_name like 'lens_v%' and schema_name not in (select schema_name from lens_catalog.versions)"),
                       "0", "the completed load dropped what the killed ones left")
        XCTAssertGreaterThanOrEqual(Int(try CLI.scalar("select count(*) from lens_catalog.runs where status = 'interrupted'"))!, 1)
    }
}
