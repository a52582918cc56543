import Foundation
import PGClient
import XCTest
import LensTestSupport
@testable import LensCore

/// Protects the data-quality checks of sql/checks: all pass on ml-latest-small (or the clean
/// synthetic drop when ../shared lacks it; its keys and counts found by DuckDB over its CSVs) as loaded, and
/// each deliberate break of a scratch copy of the tables fails exactly the check meant to catch
/// it, with the offending rows; `lens check` records the results and exits 1 on a failure.
final class CheckTests: XCTestCase {
    var conn: PGConnection!
    var loaded: SQLFixture.Loaded!

    /// The tables the checks read.
    static let tables = ["movies", "links", "tags", "ratings", "ratings_buffer", "genome_tags", "genome_scores",
                         "movie_embeddings", "genome_pca", "movie_stats", "user_stats", "quarantine"]

    override func setUpWithError() throws {
        loaded = try SQLFixture.main()
        conn = try SQLFixture.connect(loaded)
    }

    /// A train rating (user, movie, rating as text) and another train movie of the same user.
    var user: String { loaded.pick(small: "1", synth: "2") }
    var movie: String { loaded.pick(small: "1", synth: "3") }
    var otherMovie: String { loaded.pick(small: "3", synth: "11") }
    var rating: String { loaded.pick(small: "4", synth: "4.5") }
    /// The drop date + 1 day, the latest rating time allowed.
    var latestAllowed: String { loaded.pick(small: "2018-09-27 00:00:00+00", synth: "2019-11-22 00:00:00+00") }
    var justAfter: String { loaded.pick(small: "2018-09-27 00:00:01+00", synth: "2019-11-22 00:00:01+00") }
    var nRatings: Int { loaded.pick(small: 100_836, synth: 15_000) }
    var nTags: Int { loaded.pick(small: 3683, synth: 400) }
    var key: String { "user_id = \(user) and movie_id = \(movie)" }

    override func tearDown() {
        conn?.close()
    }

    /// Copies the current version's tables into schema `name` (in the caller's transaction).
    func makeScratch(_ name: String) throws {
        try conn.execute("create schema \(name)")
        for t in Self.tables { try conn.execute("create table \(name).\(t) as select * from movielens.\(t)") }
    }

    /// Runs the checks on a scratch copy broken by `breakIt`, inside a transaction rolled back after.
    func checksAfter(_ breakIt: String) throws -> [CheckResult] {
        try conn.execute("begin")
        defer { try? conn.execute("rollback") }
        try makeScratch("scratch")
        if !breakIt.isEmpty { try conn.execute(breakIt) }
        return try Checks.run(conn: conn, sql: SQLFixture.sql, current: "scratch", catalog: "lens_catalog")
    }

    func failed(_ results: [CheckResult]) -> [String] { results.filter { !$0.passed }.map(\.name) }

    func testEveryCheckPassesOnTheLoadedDrop() throws {
        let results = try Checks.run(conn: conn, sql: SQLFixture.sql, current: "movielens", catalog: "lens_catalog")
        XCTAssertEqual(results.map(\.name), ["genres_one_hot", "no_future_ratings", "ratings_in_range", "ratings_movie_exists",
                                             "ratings_unique", "row_counts_match_catalog", "split_is_temporal"])
        for r in results {
            XCTAssertTrue(r.passed, "\(r.headline): \(r.sampleLines)")
            XCTAssertEqual(r.violations, 0)
            XCTAssertFalse(r.summary.isEmpty, r.name)
            XCTAssertFalse(r.dataset.isEmpty, r.name)
        }
        XCTAssertEqual(results.first { $0.name == "ratings_in_range" }?.dataset, "ratings")
        XCTAssertEqual(results.first { $0.name == "genres_one_hot" }?.dataset, "movies")
    }

    func testARatingOf7FailsRatingsInRangeWithTheRow() throws {
        let results = try checksAfter("update scratch.ratings set rating = 7 where \(key)")
        XCTAssertEqual(failed(results), ["ratings_in_range"])
        let r = results.first { $0.name == "ratings_in_range" }!
        XCTAssertEqual(r.violations, 1)
        XCTAssertEqual(r.headline, "ratings_in_range: FAILED, 1 violating row")
        XCTAssertEqual(r.sampleLines, ["user_id=\(user), movie_id=\(movie), rating=7, split=train"])
    }

    func testARatingOffTheHalfStarGridFailsRatingsInRange() throws {
        let results = try checksAfter("update scratch.ratings set rating = 3.3 where user_id = \(user) and movie_id in (\(movie), \(otherMovie))")
        XCTAssertEqual(failed(results), ["ratings_in_range"])
        XCTAssertEqual(results.first { $0.name == "ratings_in_range" }?.violations, 2)
    }

    func testADuplicateKeyFailsRatingsUniqueAndTheRowCount() throws {
        let results = try checksAfter("insert into scratch.ratings select * from scratch.ratings where \(key)")
        XCTAssertEqual(failed(results), ["ratings_unique", "row_counts_match_catalog"])
        XCTAssertEqual(results.first { $0.name == "ratings_unique" }?.sampleLines, ["user_id=\(user), movie_id=\(movie), n_rows=2"])
        XCTAssertEqual(results.first { $0.name == "row_counts_match_catalog" }?.sampleLines,
                       ["table_name=ratings, catalog_rows=\(nRatings), actual_rows=\(nRatings + 1)"])
    }

    func testARatingOfAnUnknownMovieFailsRatingsMovieExists() throws {
        let results = try checksAfter("update scratch.ratings set movie_id = 999999 where \(key)")
        XCTAssertEqual(failed(results), ["ratings_movie_exists"])
        XCTAssertEqual(results.first { $0.name == "ratings_movie_exists" }?.sampleLines, ["source=ratings, user_id=\(user), movie_id=999999"])
    }

    func testAOneHotColumnDisagreeingWithTheGenresFailsGenresOneHot() throws {
        let results = try checksAfter("update scratch.movies set drama = not drama, no_genres = true where movie_id = 1")
        XCTAssertEqual(failed(results), ["genres_one_hot"])
        // movie 1: Toy Story (1995), or the synthetic "Broken Crimson Fire (1987)", neither a drama
        let genres = loaded.pick(small: "{Adventure,Animation,Children,Comedy,Fantasy}", synth: "{Animation,Thriller}")
        XCTAssertEqual(results.first { $0.name == "genres_one_hot" }?.sampleLines, [
            "movie_id=1, genres=\(genres), column_name=drama, value=t, expected=f",
            "movie_id=1, genres=\(genres), column_name=no_genres, value=t, expected=f",
        ])
    }

    func testARatingAfterTheDropDateFailsNoFutureRatings() throws {
        let results = try checksAfter("""
            update scratch.ratings set rated_at = '\(justAfter)'
            where (user_id, movie_id) = (select user_id, movie_id from scratch.ratings where batch = 5 order by rated_at desc limit 1)
            """)
        XCTAssertEqual(failed(results), ["no_future_ratings"])
        XCTAssertTrue(results.first { $0.name == "no_future_ratings" }!.sampleLines[0].hasSuffix("rated_at=\(justAfter), latest_allowed=\(latestAllowed)"))
        // exactly the bound (drop date + 1 day) is allowed
        XCTAssertEqual(failed(try checksAfter("""
            update scratch.ratings set rated_at = '\(latestAllowed)'
            where (user_id, movie_id) = (select user_id, movie_id from scratch.ratings where batch = 5 order by rated_at desc limit 1)
            """)), [])
    }

    func testATestRatingBeforeTheLastTrainRatingFailsSplitIsTemporal() throws {
        let results = try checksAfter("""
            update scratch.ratings set rated_at = '1999-01-01 00:00:00+00'
            where (user_id, movie_id) = (select user_id, movie_id from scratch.ratings where split = 'test' order by rated_at limit 1)
            """)
        XCTAssertEqual(failed(results), ["split_is_temporal"])
        XCTAssertEqual(results.first { $0.name == "split_is_temporal" }?.violations, 1)
        // a buffer batch reaching back into the one before it fails too
        let batches = try checksAfter("""
            update scratch.ratings set rated_at = (select min(rated_at) from scratch.ratings where batch = 2)
            where (user_id, movie_id) = (select user_id, movie_id from scratch.ratings where batch = 3 order by rated_at limit 1)
            """)
        XCTAssertEqual(failed(batches), ["split_is_temporal"])
    }

    func testALostRowFailsRowCountsMatchCatalog() throws {
        let results = try checksAfter("delete from scratch.tags where ctid = (select min(ctid) from scratch.tags)")
        XCTAssertEqual(failed(results), ["row_counts_match_catalog"])
        XCTAssertEqual(results.first { $0.name == "row_counts_match_catalog" }?.sampleLines,
                       ["table_name=tags, catalog_rows=\(nTags), actual_rows=\(nTags - 1)"])
    }

    func testInsideALoadTransactionAFailedCheckThrowsForARollback() throws {
        let results = try checksAfter("update scratch.ratings set rating = 7 where user_id = \(user) and movie_id in (\(movie), \(otherMovie))")
        XCTAssertThrowsError(try Checks.requireAllPassed(results)) { error in
            XCTAssertEqual(error as? LensError, .check(name: "ratings_in_range", message:
                "2 violating rows (every rating is in [0.5, 5.0] and on the half-star grid (0.5, 1.0, ... 5.0), "
                + "in ratings and in the held-back ratings_buffer.); "
                + "first: user_id=\(user), movie_id=\(movie), rating=7, split=train | user_id=\(user), movie_id=\(otherMovie), rating=7, split=train"))
        }
        XCTAssertNoThrow(try Checks.requireAllPassed(try checksAfter("")))
    }

    func testVerifyLoadRecordsTheResultsThenThrowsInsideTheTransaction() throws {
        let store = CatalogStore(conn: conn, sql: SQLFixture.sql, schema: "lens_catalog")
        let runId = try store.beginRun(command: .check, pipelineFile: nil, pipelineSHA256: nil, lensVersion: lensVersion, source: "test")
        try conn.execute("begin")
        try makeScratch("scratch")
        try conn.execute("update scratch.movies set war = true where movie_id = 1")
        XCTAssertThrowsError(try Checks.verifyLoad(conn: conn, sql: SQLFixture.sql, current: "scratch", catalog: "lens_catalog",
                                                   runId: runId, store: store)) { error in
            guard case .check(let name, _) = error as? LensError else { return XCTFail("\(error)") }
            XCTAssertEqual(name, "genres_one_hot")
        }
        XCTAssertEqual(try conn.query("select name from lens_catalog.checks where run_id = $1 and not passed", [String(runId)]).rows,
                       [["genres_one_hot"]], "recorded in the transaction")
        try conn.execute("rollback")
        XCTAssertEqual(try conn.query("select count(*) from lens_catalog.checks where run_id = $1", [String(runId)]).rows, [["0"]],
                       "and rolled back with it")
        try conn.execute("begin")
        let passed = try Checks.verifyLoad(conn: conn, sql: SQLFixture.sql, current: "movielens", catalog: "lens_catalog",
                                           runId: runId, store: store)
        try conn.execute("rollback")
        XCTAssertEqual(passed.count, 7)
        try store.finishRun(runId, status: .succeeded, version: nil, stageSeconds: [:], rowCounts: [:], reconciliation: [],
                            quarantineCounts: [:], error: nil, sourceSHA256: nil)
    }

    func testHeldBackAndAppendedBatchesKeepTheRowCountsReconciled() throws {
        let held = try SQLFixture.held()
        let c = try SQLFixture.connect(held)
        defer { c.close() }
        let before = try Checks.run(conn: c, sql: SQLFixture.sql, current: "movielens", catalog: "lens_catalog")
        XCTAssertEqual(failed(before), [], "\(before.filter { !$0.passed }.map(\.sampleLines))")
        XCTAssertGreaterThan(Int(try c.query("select count(*) from movielens.ratings_buffer").rows[0][0]!)!, 0)
        // a held-back row is checked too
        try c.execute("begin")
        defer { try? c.execute("rollback") }
        try c.execute("create schema scratch")
        for t in Self.tables { try c.execute("create table scratch.\(t) as select * from movielens.\(t)") }
        try c.execute("""
            update scratch.ratings_buffer set rating = 0
            where (user_id, movie_id) = (select user_id, movie_id from scratch.ratings_buffer where batch = 5 order by user_id, movie_id limit 1)
            """)
        let broken = try Checks.run(conn: c, sql: SQLFixture.sql, current: "scratch", catalog: "lens_catalog")
        XCTAssertEqual(failed(broken), ["ratings_in_range"])
        XCTAssertTrue(broken.first { $0.name == "ratings_in_range" }!.sampleLines[0].hasSuffix("rating=0, split=buffer (held back)"))
    }

    // MARK: - lens check

    func testCheckTaskRecordsTheResultsAsACheckRun() throws {
        var config = PipelineConfig()
        config.outDir = loaded.out
        let report = try CheckTask.run(database: loaded.conninfo, config: config)
        XCTAssertTrue(report.passed)
        XCTAssertEqual(report.version, 1)
        let run = try conn.query("select command, status, version from lens_catalog.runs where run_id = $1", [String(report.runId)]).rows
        XCTAssertEqual(run, [["check", "succeeded", "1"]])
        let recorded = try conn.query("select name, passed, observed from lens_catalog.checks where run_id = $1 order by name",
                                      [String(report.runId)]).rows
        XCTAssertEqual(recorded.count, 7)
        XCTAssertEqual(recorded.first, ["genres_one_hot", "t", "0 violating rows"])
        XCTAssertTrue(try conn.query("select passed from movielens.check_results where check_name = 'ratings_in_range'").rows == [["t"]])
    }

    func testLensCheckExitsWith1AndPrintsTheFirstOffendingRows() throws {
        let binary = try lensBinary()
        // `lens check` reads the current version's own tables (lens_v1): break one rating there,
        // committed so the lens process sees it, and put it back whatever happens
        let original = try conn.query("select rating::text from \(loaded.schema).ratings where \(key)").rows
        XCTAssertEqual(original, [[rating]])
        try conn.execute("update \(loaded.schema).ratings set rating = 7 where \(key)")
        defer { try? conn.execute("update \(loaded.schema).ratings set rating = \(rating) where \(key)") }
        let (status, out, err) = try TestPaths.run([binary, "check", "--database", loaded.conninfo],
                                                   env: ["LENS_SQL_DIR": SQLFixture.sql.root])
        XCTAssertEqual(status, 1, err)
        // The results on stdout, the failure said on stderr.
        XCTAssertTrue(out.contains("FAIL  ratings_in_range: FAILED, 1 violating row"), out)
        XCTAssertTrue(out.contains("        user_id=\(user), movie_id=\(movie), rating=7, split=train"), out)
        XCTAssertTrue(out.contains("6 of 7 checks passed on version 1"), out)
        XCTAssertEqual(err, "lens: 1 of 7 checks failed on version 1\n")
        let run = try conn.query("select status, error from lens_catalog.runs where command = 'check' order by run_id desc limit 1").rows
        XCTAssertEqual(run, [["failed", "failed checks: ratings_in_range"]])

        try conn.execute("update \(loaded.schema).ratings set rating = \(rating) where \(key)")
        let (ok, json, okErr) = try TestPaths.run([binary, "check", "--database", loaded.conninfo, "--format", "json"],
                                                  env: ["LENS_SQL_DIR": SQLFixture.sql.root])
        XCTAssertEqual(ok, 0, okErr)
        let parsed = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]
        XCTAssertEqual((parsed?["checks"] as? [[String: Any]])?.count, 7)
        XCTAssertEqual(parsed?["passed"] as? Bool, true)
        XCTAssertEqual(parsed?["version"] as? Int, 1)
    }
}

/// The `lens` executable built with the tests, or a skip.
func lensBinary() throws -> String {
    let dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    var candidates = [dir.appendingPathComponent("lens").path, dir.deletingLastPathComponent().appendingPathComponent("lens").path]
    // xctest runs from <build>/debug/lensPackageTests.xctest
    candidates.append(dir.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("lens").path)
    guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
        throw Skip.because("needs the lens executable", enable: "swift build (it is not next to the tests: \(candidates))")
    }
    return found
}
