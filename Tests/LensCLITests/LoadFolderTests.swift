import Foundation
import LensCore
import XCTest

/// Protects `lens load DIR`: a Parquet folder written by `lens run --no-load` loads into
/// PostgreSQL exactly the rows a direct `lens run` loads, is skipped when it is already the
/// current version, and is refused (naming the file, leaving the current version alone) when a
/// file no longer matches its manifest.
final class LoadFolderTests: XCTestCase {
    private let tables = ["movies", "links", "tags", "ratings", "ratings_buffer", "genome_tags", "genome_scores",
                          "movie_embeddings", "genome_pca", "movie_stats", "user_stats", "quarantine"]

    /// Runs lens with `--format json` and returns the loaded version.
    private func loadedVersion(_ args: [String], file: StaticString = #filePath, line: UInt = #line) throws -> Int? {
        let (status, stdout, stderr) = try CLI.lens(args + ["--format", "json"])
        XCTAssertEqual(status, 0, stderr, file: file, line: line)
        let json = try JSONSerialization.jsonObject(with: Data(stdout.utf8)) as? [String: Any]
        return json?["version"] as? Int
    }

    private func schema(of version: Int) throws -> String {
        try CLI.scalar("select schema_name from lens_catalog.versions where version = \(version)")
    }

    /// md5 over a table's rows in a fixed order (every column, including lineage).
    private func digest(_ schema: String, _ table: String) throws -> String {
        try CLI.scalar("select count(*) || ':' || coalesce(md5(string_agg(t::text, E'\\n' order by t::text)), '-') from \(schema).\(table) t")
    }

    /// Protects: `lens load` of a `--no-load` export gives a version whose every table (md5 over
    /// ordered rows) equals the version a direct `lens run` loads; reloading the current
    /// fingerprint is skipped; a flipped byte, a missing file or a non-export folder fail with
    /// exit 2 naming the file, while the current version stays and the failed run is recorded.
    func testLoadEqualsDirectRunAndRefusesTamperedFiles() throws {
        let db = CLI.cluster.conninfo
        let sample = CLI.repo + "/data/sample"
        let folder = CLI.tempDir("load-folder")

        // The folder, written without loading.
        let (s0, _, e0) = try CLI.lens(["run", "--source", sample, "--out", folder, "--no-load"])
        XCTAssertEqual(s0, 0, e0)
        XCTAssertTrue(FileManager.default.fileExists(atPath: folder + "/manifest.json"))

        // The same drop loaded directly (version A), then another fingerprint made current
        // (held-back buffer), so that `lens load` has something to do.
        // --allow-shrink: the shared test cluster's current version may be a larger drop of another test.
        let direct = try XCTUnwrap(try loadedVersion(["run", "--source", sample, "--out", CLI.tempDir("direct"), "--database", db,
                                                      "--allow-shrink"]))
        let other = try XCTUnwrap(try loadedVersion(["run", "--source", sample, "--out", CLI.tempDir("other"), "--database", db,
                                                     "--hold-back-buffer"]))
        XCTAssertGreaterThan(other, direct)

        // lens load: a new version with exactly the rows of the direct run.
        let (s1, out1, e1) = try CLI.lens(["load", folder, "--database", db, "--format", "json"])
        XCTAssertEqual(s1, 0, e1)
        let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(out1.utf8)) as? [String: Any])
        let loaded = try XCTUnwrap(json["version"] as? Int)
        XCTAssertGreaterThan(loaded, other)
        XCTAssertEqual(json["reconciled"] as? Bool, true)
        XCTAssertTrue(e1.contains("lens: read_parquet done"), e1)
        XCTAssertEqual(try CLI.scalar("select version from lens_catalog.versions where is_current"), "\(loaded)")
        XCTAssertEqual(try CLI.scalar("select command || ' ' || status from lens_catalog.runs where version = \(loaded)"), "load succeeded")
        let a = try schema(of: direct), b = try schema(of: loaded)
        for table in tables {
            XCTAssertEqual(try digest(b, table), try digest(a, table), "\(table): lens load vs lens run")
        }
        XCTAssertNotEqual(try digest(a, "ratings"), "0:-")
        XCTAssertEqual(try CLI.scalar("select count(*) from movielens.ratings"), try CLI.scalar("select count(*) from \(a).ratings"))
        // The catalog records the Parquet files where they are now.
        XCTAssertEqual(try CLI.scalar("select location from lens_catalog.datasets where version = \(loaded) and kind = 'cleaned' and name = 'movies'"),
                       URL(fileURLWithPath: folder).standardizedFileURL.path + "/movies/part-00000.parquet")

        // Loading the current version's folder again changes nothing.
        let (s2, o2, e2) = try CLI.lens(["load", folder, "--database", db])
        XCTAssertEqual(s2, 0, e2)
        XCTAssertTrue(o2.hasPrefix("nothing changed: "), o2)   // the summary, on stdout
        XCTAssertTrue(o2.contains(", current version \(loaded) (run "), o2)
        XCTAssertEqual(try CLI.scalar("select max(version) from lens_catalog.versions"), "\(loaded)")

        // Make another version current, then tamper with a file: refused, naming the file; the
        // current version stays; the failed run is recorded.
        let again = try XCTUnwrap(try loadedVersion(["run", "--source", sample, "--out", CLI.tempDir("again"), "--database", db,
                                                     "--hold-back-buffer"]))
        let movies = folder + "/movies/part-00000.parquet"
        let original = try Data(contentsOf: URL(fileURLWithPath: movies))
        var bytes = [UInt8](original)
        bytes[bytes.count / 2] ^= 0x01
        try Data(bytes).write(to: URL(fileURLWithPath: movies))
        let (s3, _, e3) = try CLI.lens(["load", folder, "--database", db])
        XCTAssertEqual(s3, 2, e3)
        let canonical = URL(fileURLWithPath: movies).standardizedFileURL.path
        XCTAssertTrue(e3.contains("\nlens: \(canonical): error: sha256 is "), e3)
        XCTAssertTrue(e3.contains("but manifest.json says"), e3)
        XCTAssertTrue(e3.contains("rerun `lens run --source"), e3)
        XCTAssertEqual(try CLI.scalar("select version from lens_catalog.versions where is_current"), "\(again)")
        XCTAssertEqual(try CLI.scalar("select count(*) from lens_catalog.versions where version > \(again)"), "0")
        XCTAssertEqual(try CLI.scalar("select command || ' ' || status from lens_catalog.runs order by run_id desc limit 1"), "load failed")

        // A missing file is named too.
        try original.write(to: URL(fileURLWithPath: movies))
        try FileManager.default.removeItem(atPath: folder + "/quarantine/part-00000.parquet")
        let (s4, _, e4) = try CLI.lens(["load", folder, "--database", db])
        XCTAssertEqual(s4, 2, e4)
        XCTAssertTrue(e4.contains("quarantine/part-00000.parquet: error: listed in manifest.json but missing"), e4)

        // Not an export at all.
        let empty = CLI.tempDir("not-an-export")
        let (s5, _, e5) = try CLI.lens(["load", empty, "--database", db])
        XCTAssertEqual(s5, 2, e5)
        XCTAssertTrue(e5.contains("manifest.json: error: there is no readable manifest.json"), e5)
    }

    /// `ParquetImport` rebuilds the tables the pipeline computed, field by field, including what
    /// it derives rather than reads (split counts, batch size, PCA tag ids, stats thresholds).
    func testImportRebuildsTheComputedTables() throws {
        let sample = CLI.repo + "/data/sample"
        let folder = CLI.tempDir("import")
        let (status, _, stderr) = try CLI.lens(["run", "--source", sample, "--out", folder, "--no-load"])
        XCTAssertEqual(status, 0, stderr)
        let config = try PipelineConfig.load(path: CLI.repo + "/pipelines/movielens.toml")
        let cleaned = try CleanDrop.run(source: try DropSource.open(path: sample), config: config)
        let (split, _) = TemporalSplit.run(cleaned.ratings, config: config)
        let want = try Features.compute(cleaned: cleaned, split: split, config: config)

        let (got, manifest) = try ParquetImport.read(from: folder, countQuantile: config.movieCountQuantile)
        XCTAssertEqual(manifest.rowCounts, want.rowCounts)
        XCTAssertEqual(got.rowCounts, want.rowCounts)
        XCTAssertEqual(got.movies.movieId, want.movies.movieId)
        XCTAssertEqual(got.movies.title, want.movies.title)
        XCTAssertEqual(got.movies.titleNormalized, want.movies.titleNormalized)
        XCTAssertEqual(got.movies.yearPresent, want.movies.yearPresent)
        XCTAssertEqual(zip(got.movies.year, got.movies.yearPresent).map { $1 ? $0 : 0 },
                       zip(want.movies.year, want.movies.yearPresent).map { $1 ? $0 : 0 })
        XCTAssertEqual(got.movies.genres, want.movies.genres)
        XCTAssertEqual(got.movies.oneHot, want.movies.oneHot)
        XCTAssertEqual(got.movies.sourceLine, want.movies.sourceLine)
        XCTAssertEqual(got.links.imdbId, want.links.imdbId)
        XCTAssertEqual(got.links.tmdbPresent, want.links.tmdbPresent)
        XCTAssertEqual(got.tags.taggedAt, want.tags.taggedAt)
        XCTAssertEqual(got.tags.tagNormalized, want.tags.tagNormalized)
        let (r, w) = (got.ratings, want.ratings)
        XCTAssertEqual([r.trainCount, r.testCount, r.batchCount, r.batchSize], [w.trainCount, w.testCount, w.batchCount, w.batchSize])
        XCTAssertEqual(r.rows.userId, w.rows.userId)
        XCTAssertEqual(r.rows.movieId, w.rows.movieId)
        XCTAssertEqual(r.rows.rating, w.rows.rating)
        XCTAssertEqual(r.rows.ratedAt, w.rows.ratedAt)
        XCTAssertEqual(r.rows.sourceLine, w.rows.sourceLine)
        XCTAssertEqual(got.genomeTags?.tagId, want.genomeTags?.tagId)
        XCTAssertEqual(got.genomeScores, want.genomeScores, "every genome score, ids included")
        XCTAssertEqual(got.genomeScores?.isGrid, want.genomeScores?.isGrid, "ids compacted as the cleaned table's were")
        let (p, q) = (try XCTUnwrap(got.pca), try XCTUnwrap(want.pca))
        XCTAssertEqual(p.movieIds, q.movieIds)
        XCTAssertEqual(p.tagIds, q.tagIds)
        XCTAssertEqual(p.k, q.k)
        XCTAssertEqual(p.embeddings, q.embeddings)
        XCTAssertEqual(p.components, q.components.map { Double(Float($0)) }, "loadings are stored as float")
        XCTAssertEqual(p.explainedVariance, q.explainedVariance)
        XCTAssertEqual(p.explainedVarianceRatio, q.explainedVarianceRatio)
        XCTAssertEqual(p.missingCells, q.missingCells)
        XCTAssertEqual(p.totalVariance, q.totalVariance, accuracy: q.totalVariance * 1e-12)
        XCTAssertEqual(got.movieStats, want.movieStats, "including C and m")
        XCTAssertEqual(got.userStats, want.userStats, "including the winsor cap")
        XCTAssertEqual(got.quarantine, want.quarantine)
    }
}
