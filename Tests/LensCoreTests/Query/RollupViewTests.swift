import Foundation
import PGClient
import XCTest
@testable import LensCore

/// Protects the rollup-backed analyst views and named queries (issue 16): each one answers
/// exactly what its former definition over the ratings answered (kept as the oracle in
/// Tests/LensCoreTests/Query/FromScratch/), value for value and type for type, after a load and
/// after every `lens append` (in order and out of order), on data/sample and on ml-latest-small
/// (or the clean synthetic drop when ../shared lacks it).
final class RollupViewTests: XCTestCase {
    /// The views and queries that read the rollups; each has its former SQL in FromScratch/.
    static let views = ["rating_distribution", "ratings_per_month", "films_per_year", "genre_frequency", "genre_cooccurrence", "user_activity",
                        "tag_counts", "split_summary"]

    /// The former definition of `name` as a query over movielens (the `create view ... as` line dropped).
    static func fromScratch(_ name: String) throws -> String {
        let text = try String(contentsOfFile: TestPaths.repo + "/Tests/LensCoreTests/Query/FromScratch/\(name).sql", encoding: .utf8)
        return text.replacingOccurrences(of: "{{current}}", with: "movielens")
            .replacingOccurrences(of: "create view movielens.\(name) as", with: "")
            .trimmingCharacters(in: .whitespacesAndNewlines).trimmingCharacters(in: CharacterSet(charactersIn: ";"))
    }

    /// Rows as text, sorted (the views have no order), with the column names and types.
    static func canonical(_ r: PGRows) -> [String] {
        ["columns: " + zip(r.columns, r.columnTypes).map { "\($0.0) \($0.1)" }.joined(separator: ", ")]
            + r.rows.map { $0.map { $0 ?? "NULL" }.joined(separator: " | ") }.sorted()
    }

    /// Every rewritten view and query equals its former definition on `conn`; `when` names the state.
    static func assertEqualToFromScratch(_ conn: PGConnection, _ when: String, file: StaticString = #filePath, line: UInt = #line) throws {
        for view in views {
            let actual = canonical(try conn.query("select * from movielens.\(view)"))
            let expected = canonical(try conn.query(try fromScratch(view)))
            XCTAssertGreaterThan(actual.count, 1, "\(view) \(when): no rows", file: file, line: line)
            XCTAssertEqual(actual, expected, "\(view) \(when)", file: file, line: line)
        }
        let genres = ["Drama", "Comedy", "Film-Noir", "(no genres listed)", "", "no such genre"]
        let cases: [(String, [[String: String]])] = [
            ("genre_trend", [[:]] + genres.map { ["genre": $0] }),
            ("heavy_user_share", [[:]] + ["1", "20", "100", "1000", "1000000"].map { ["min_ratings": $0] }),
        ]
        for (name, paramSets) in cases {
            let q = try NamedQuery.named(name, in: SQLFixture.sql)
            for params in paramSets {
                let actual = try QueryRunner.named(q, params: params, files: SQLFixture.sql, current: "movielens",
                                                   catalog: "lens_catalog", conn: conn)
                let expected = try conn.query(try fromScratch(name), try q.values(for: params))
                XCTAssertEqual(actual.columns, expected.columns, "\(name) \(params) \(when)", file: file, line: line)
                XCTAssertEqual(actual.columnTypes, expected.columnTypes, "\(name) \(params) \(when)", file: file, line: line)
                XCTAssertEqual(actual.rows, expected.rows, "\(name) \(params) \(when)", file: file, line: line)
                XCTAssertFalse(actual.rows.isEmpty, "\(name) \(params) \(when)", file: file, line: line)
            }
        }
        // genre_popularity reads genre_frequency: its default answer is the former one too
        let popularity = try QueryRunner.named(try NamedQuery.named("genre_popularity", in: SQLFixture.sql), params: [:],
                                               files: SQLFixture.sql, current: "movielens", catalog: "lens_catalog", conn: conn)
        let formerPopularity = try conn.query("""
            select g.genre, g.n_movies, g.n_ratings, round(g.mean_rating::numeric, 3) as mean_rating
            from (\(try fromScratch("genre_frequency"))) as g where g.n_movies >= 1 order by g.n_ratings desc, g.genre
            """)
        XCTAssertEqual(popularity.rows, formerPopularity.rows, "genre_popularity \(when)", file: file, line: line)
    }

    /// Loads `source` with the buffer held back into `database`, compares, then appends every
    /// batch (the next one, then the last out of order, then the rest) comparing after each.
    func checkLoadAndAppends(source: String, database: String) throws {
        let loaded = try SQLFixture.load(source: source, database: database, holdBack: true)
        let conn = try SQLFixture.connect(loaded)
        defer { conn.close() }
        try Self.assertEqualToFromScratch(conn, "after the load (buffer held back)")
        var config = PipelineConfig()
        config.outDir = loaded.out
        config.holdBackBuffer = true
        let options = RunOptions(source: "append", pipelineFile: nil, config: config, database: loaded.conninfo)
        let first = try AppendTask.run(.next, options: options)
        XCTAssertEqual(first.batch, 1)
        try Self.assertEqualToFromScratch(conn, "after appending batch 1")
        let last = try XCTUnwrap(first.heldBack.last)
        _ = try AppendTask.run(.batch(last, outOfOrder: true), options: options)
        try Self.assertEqualToFromScratch(conn, "after appending batch \(last) out of order")
        while let r = try? AppendTask.run(.next, options: options), r.batch != nil, r.rowsAppended > 0 {}
        XCTAssertEqual(try conn.query("select count(*) from movielens.split_summary where held_back").rows, [["0"]])
        try Self.assertEqualToFromScratch(conn, "after appending every batch")
    }

    /// data/sample (dirty: capped ratings, odd tags, a genome), held back and appended.
    func testRollupsAnswerAsTheRatingsOnTheSampleThroughAppends() throws {
        try checkLoadAndAppends(source: TestPaths.repo + "/data/sample", database: "lens_rollups_sample")
    }

    /// ml-latest-small (or the clean synthetic drop), held back and appended.
    func testRollupsAnswerAsTheRatingsOnTheMainDropThroughAppends() throws {
        let real = TestPaths.shared + "/movielens/ml-latest-small"
        if FileManager.default.fileExists(atPath: real + "/ratings.csv") {
            try checkLoadAndAppends(source: real, database: "lens_rollups_main")
        } else {
            let out = SQLFixture.home + "/rollups-synth"
            _ = try Synth.run(out: out, options: SynthOptions(scale: .sample, dirtyRate: 0))
            try checkLoadAndAppends(source: out, database: "lens_rollups_main")
        }
    }

    /// The shared fixtures with the buffer loaded at once (database `lens`: ml-latest-small or
    /// the synthetic drop; `lens_sample`: data/sample) answer as before too.
    func testRollupsAnswerAsTheRatingsWithTheBufferLoaded() throws {
        for loaded in [try SQLFixture.main(), try SQLFixture.sample()] {
            let conn = try SQLFixture.connect(loaded)
            defer { conn.close() }
            try Self.assertEqualToFromScratch(conn, "on \(loaded.source)")
        }
    }

    /// `lens load DIR` computes the rollups from the Parquet it reads: the same rows as the run's.
    func testALoadFromTheExportHasTheRunsRollups() throws {
        let loaded = try SQLFixture.sample()
        let (tables, _) = try ParquetImport.read(from: loaded.out, countQuantile: SQLFixture.config.movieCountQuantile)
        let conn = try SQLFixture.connect(loaded)
        defer { conn.close() }
        let fromParquet = Rollups.compute(tables)
        XCTAssertEqual(try conn.query("select count(*) from movielens.rollup_users").rows, [[String(fromParquet.users.part.count)]])
        XCTAssertEqual(try conn.query("select count(*) from movielens.rollup_months").rows, [[String(fromParquet.months.part.count)]])
        XCTAssertEqual(try conn.query("select count(*) from movielens.rollup_tags").rows, [[String(fromParquet.tags.tag.count)]])
        XCTAssertEqual(try conn.query("select sum(n_ratings) from movielens.rollup_parts").rows, [[String(tables.ratings.rows.count)]])
    }
}
