import Foundation
import XCTest
import LensTestSupport

/// Protects `lens run` as users call it: the built binary, a real private PostgreSQL, the
/// progress on stderr, the summary (JSON here) on stdout, the exit codes, and exactly the Parquet rows in PostgreSQL.
final class RunCommandTests: XCTestCase {
    /// ml-latest-small end to end: the counts of the issue, PostgreSQL equals the Parquet files,
    /// and the catalog records the run, the version and the datasets.
    func testMlLatestSmallLoadsWithTheExpectedCounts() throws {
        let drop = CLI.shared + "/movielens/ml-latest-small.zip"
        guard FileManager.default.fileExists(atPath: drop) else { throw Skip.groupLens("movielens/ml-latest-small.zip", at: drop) }
        let out = CLI.tempDir("small")
        let db = CLI.cluster.conninfo
        let (status, stdout, stderr) = try CLI.lens(["run", "--source", drop, "--out", out, "--database", db, "--format", "json"])
        XCTAssertEqual(status, 0, stderr)
        let json = try JSONSerialization.jsonObject(with: Data(stdout.utf8)) as! [String: Any]
        XCTAssertEqual(json["reconciled"] as? Bool, true)
        let split = json["split"] as! [String: Any]
        XCTAssertEqual(split["train"] as? Int, 70_585)
        XCTAssertEqual(split["test"] as? Int, 20_167)
        XCTAssertEqual(split["buffer"] as? Int, 10_084)
        XCTAssertEqual(split["batch_sizes"] as? [Int], [2_016, 2_016, 2_016, 2_016, 2_020])
        // with --format json the reconciliation is in the JSON (stderr has only progress)
        let ratings = (json["reconciliation"] as? [[String: Any]])?.first { $0["file"] as? String == "ratings.csv" }
        XCTAssertEqual(["lines_read", "clean", "rejected", "duplicates", "superseded", "orphans"].map { ratings?[$0] as? Int },
                       [100_836, 100_836, 0, 0, 0, 0], stdout)
        XCTAssertEqual(ratings?["reconciled"] as? Bool, true)

        XCTAssertEqual(try CLI.scalar("select count(*) from movielens.ratings"), "100836")
        XCTAssertEqual(try CLI.scalar("select string_agg(split || '=' || n, ',' order by split) from (select split, count(*) n from movielens.ratings group by split) s"),
                       "buffer=10084,test=20167,train=70585")
        XCTAssertEqual(try CLI.scalar("select string_agg(n::text, ',' order by batch) from (select batch, count(*) n from movielens.ratings where split = 'buffer' group by batch) s"),
                       "2016,2016,2016,2016,2020")
        XCTAssertEqual(try CLI.scalar("select count(*) from movielens.movies"), "9742")
        XCTAssertEqual(try CLI.scalar("select count(*) from movielens.movies where no_genres and genres = '{}'"), "34")
        XCTAssertEqual(try CLI.scalar("select count(*) from movielens.tags"), "3683")
        XCTAssertEqual(try CLI.scalar("select count(*) from movielens.links where tmdb_id is null"), "8")
        XCTAssertEqual(try CLI.scalar("select title_normalized || '|' || year || '|' || array_to_string(genres, '/') from movielens.movies where movie_id = 2571"),
                       "The Matrix|1999|Action/Sci-Fi/Thriller")
        XCTAssertEqual(try CLI.scalar("select rating || '|' || extract(epoch from rated_at)::bigint from movielens.ratings where user_id = 1 and movie_id = 1"),
                       "4|964982703")
        XCTAssertEqual(try CLI.scalar("select imdb_id from movielens.links where movie_id = 1"), "0114709")

        // PostgreSQL holds exactly the Parquet rows (DuckDB reads the files).
        let py = """
        import duckdb, sys
        d = sys.argv[1]
        print(duckdb.sql(f"select count(*), sum(user_id::bigint), sum(movie_id::bigint), sum(rating), sum(epoch(rated_at)::bigint) from read_parquet('{d}/ratings/*/*.parquet', hive_partitioning=true)").fetchall()[0])
        """
        let (pyStatus, pyOut, pyErr) = try CLI.run(["python3", "-c", py, out])
        XCTAssertEqual(pyStatus, 0, pyErr)
        let pg = try CLI.scalar("select '(' || count(*) || ', ' || sum(user_id) || ', ' || sum(movie_id) || ', ' || sum(rating) || ', ' || sum(extract(epoch from rated_at)::bigint) || ')' from movielens.ratings")
        XCTAssertEqual(pyOut.trimmingCharacters(in: .whitespacesAndNewlines).replacingOccurrences(of: ".0,", with: ","), pg)

        // The catalog.
        let version = try CLI.scalar("select version from lens_catalog.versions where is_current")
        XCTAssertEqual(try CLI.scalar("select status from lens_catalog.runs where version = \(version)"), "succeeded")
        XCTAssertEqual(try CLI.scalar("select rows from lens_catalog.datasets where version = \(version) and kind = 'raw' and name = 'ratings.csv'"), "100836")
        XCTAssertEqual(try CLI.scalar("select rows from lens_catalog.datasets where version = \(version) and kind = 'loaded' and name = 'ratings'"), "100836")
        XCTAssertEqual(try CLI.scalar("""
            select count(*) from lens_catalog.lineage l
            join lens_catalog.datasets c on c.dataset_id = l.dataset_id
            join lens_catalog.datasets p on p.dataset_id = l.parent_id
            where c.version = \(version) and c.kind = 'cleaned' and c.name = 'ratings' and p.kind = 'raw'
            """), "2")
    }

    /// Usage and input errors: one line naming the problem, the documented exit code.
    func testErrorsExitWithTheirCodes() throws {
        let (s1, _, e1) = try CLI.lens(["run", "--source", "/nonexistent/drop", "--no-load", "--out", CLI.tempDir("x")])
        XCTAssertEqual(s1, 2)
        XCTAssertTrue(e1.hasPrefix("lens: "), e1)
        XCTAssertTrue(e1.contains("/nonexistent/drop"), e1)
        let bad = CLI.tempDir("pipe") + "/bad.toml"
        try "[split]\ntrain_fraction = \"lots\"\n".write(toFile: bad, atomically: true, encoding: .utf8)
        let (s2, _, e2) = try CLI.lens(["run", "--source", CLI.repo + "/data/sample", "--pipeline", bad, "--no-load"])
        XCTAssertEqual(s2, 64)
        XCTAssertEqual(e2, "lens: \(bad): error: 'split.train_fraction' must be a number\n")
        let (s3, _, e3) = try CLI.lens(["run", "--source", CLI.repo + "/data/sample", "--out", CLI.tempDir("y"),
                                        "--database", "postgresql://nobody:s3cret@127.0.0.1:1/none"])
        XCTAssertEqual(s3, 2)
        XCTAssertFalse(e3.contains("s3cret"), "no password in output: \(e3)")
        XCTAssertTrue(e3.contains("cannot connect"), e3)
    }
}
