import Foundation
import PGClient
import XCTest
@testable import LensCore

/// Protects `lens drift`: per buffer batch against train, the KS statistic equals scipy's
/// ks_2samp on the raw ratings and its p-value Kolmogorov's limit (scipy kstwobign); the genre
/// and user-activity PSIs equal a numpy computation from the Parquet and CSV files; alerts above
/// the thresholds are recorded, replaced on a rerun, and held-back batches are compared too.
final class DriftTests: XCTestCase {
    // MARK: - Statistics (no database)

    func testKolmogorovSmirnovOnBinnedCounts() {
        XCTAssertEqual(DriftStatistics.kolmogorovSmirnov([1, 2, 3], [2, 4, 6]).statistic, 0)
        XCTAssertEqual(DriftStatistics.kolmogorovSmirnov([1, 2, 3], [2, 4, 6]).pValue, 1)
        XCTAssertEqual(DriftStatistics.kolmogorovSmirnov([5, 0], [0, 5]).statistic, 1)
        XCTAssertEqual(DriftStatistics.kolmogorovSmirnov([0, 0], [1, 1]).pValue, 1, "an empty sample cannot differ")
        // F_a = (0.5, 1), F_b = (0.25, 1): D = 0.25
        XCTAssertEqual(DriftStatistics.kolmogorovSmirnov([2, 2], [1, 3]).statistic, 0.25, accuracy: 1e-15)
    }

    func testKolmogorovSurvivalMatchesScipyKstwobign() throws {
        let lambdas = [0.05, 0.3, 0.5, 0.8, 0.99, 1.0, 1.2, 1.5, 2.0, 3.0, 5.0]
        let scipy = try DuckDB.python("""
            import json, sys
            from scipy.stats import kstwobign
            print(json.dumps([[float(kstwobign.sf(float(x)))] for x in sys.argv[1:]]))
            """, args: lambdas.map { String($0) }, cwd: "/tmp")
        assertRows(lambdas.map { [String(DriftStatistics.kolmogorovSurvival($0))] }, scipy, tolerance: 1e-12, "Q_KS")
    }

    func testPopulationStabilityIndex() {
        XCTAssertEqual(DriftStatistics.populationStabilityIndex(expected: [10, 20, 30], actual: [1, 2, 3]), 0, accuracy: 1e-15)
        // shares (0.5, 0.5) against (0.25, 0.75): 0.25 ln 0.5... = (0.25-0.5) ln(0.5) + (0.75-0.5) ln(1.5)
        XCTAssertEqual(DriftStatistics.populationStabilityIndex(expected: [1, 1], actual: [1, 3]),
                       -0.25 * log(0.5) + 0.25 * log(1.5), accuracy: 1e-15)
        // an empty bin counts as 1e-4
        XCTAssertEqual(DriftStatistics.populationStabilityIndex(expected: [1, 0], actual: [1, 1]),
                       (0.5 - 1) * log(0.5) + (0.5 - 1e-4) * log(0.5 / 1e-4), accuracy: 1e-12)
    }

    // MARK: - On ml-latest-small

    func testDriftOfEachBatchMatchesScipyAndNumpy() throws {
        let csv = try TestPaths.sharedFile("movielens/ml-latest-small")
        let loaded = try SQLFixture.small()
        let conn = try SQLFixture.connect(loaded)
        defer { conn.close() }
        let report = try Drift.compute(conn: conn, sql: SQLFixture.sql, current: "movielens", version: 1)
        XCTAssertEqual(report.batches.map(\.batch), [1, 2, 3, 4, 5])
        XCTAssertEqual(report.batches.map(\.nRatings), [2016, 2016, 2016, 2016, 2020])
        XCTAssertEqual(report.trainRatings, 70_585)
        let oracle = try DuckDB.python("""
            import duckdb, json, sys, math
            import numpy as np
            from scipy.stats import ks_2samp, kstwobign
            out = sys.argv[1]
            con = duckdb.connect()
            r = con.execute(f"select user_id, movie_id, rating, split, batch from read_parquet('{out}/ratings/*/*.parquet', hive_partitioning = true)").fetchall()
            genres = dict(con.execute("select movieId, genres from read_csv_auto('movies.csv')").fetchall())
            totals = {}
            for u, m, _, _, _ in r: totals[u] = totals.get(u, 0) + 1
            edges = [1, 20, 50, 100, 200, 500, 1000]
            def bucket(n): return max(i for i, e in enumerate(edges) if n >= e)
            def parts(b):
                return [x for x in r if (x[3] == 'train' if b == 0 else (x[3] == 'buffer' and x[4] == b))]
            def psi(e, a):
                keys = sorted(set(e) | set(a)); ne = sum(e.values()); na = sum(a.values()); s = 0.0
                for k in keys:
                    pe = max(e.get(k, 0) / ne, 1e-4); pa = max(a.get(k, 0) / na, 1e-4); s += (pa - pe) * math.log(pa / pe)
                return s
            def genre_mix(rows):
                c = {}
                for x in rows:
                    gs = genres[x[1]].split('|') if genres[x[1]] != '(no genres listed)' else ['(no genres listed)']
                    for g in gs: c[g] = c.get(g, 0) + 1
                return c
            def activity_mix(rows):
                c = {}
                for x in rows: c[bucket(totals[x[0]])] = c.get(bucket(totals[x[0]]), 0) + 1
                return c
            train = parts(0); tr = np.array([x[2] for x in train])
            res = []
            for b in range(1, 6):
                rows = parts(b); br = np.array([x[2] for x in rows])
                d = ks_2samp(tr, br).statistic
                en = math.sqrt(len(tr) * len(br) / (len(tr) + len(br)))
                res.append([b, float(d), float(kstwobign.sf(en * d)), psi(genre_mix(train), genre_mix(rows)),
                            psi(activity_mix(train), activity_mix(rows))])
            print(json.dumps(res))
            """, args: [loaded.out], cwd: csv)
        let actual = report.batches.map { b -> [String?] in
            [String(b.batch), String(b.metric("rating_ks")!.value), String(b.metric("rating_ks")!.pValue!),
             String(b.metric("genre_psi")!.value), String(b.metric("activity_psi")!.value)]
        }
        assertRows(actual, oracle, tolerance: 1e-9, "drift")
        // alerts are the metrics above the default thresholds
        XCTAssertEqual(report.alerts.map { "\($0.batch):\($0.metric.metric)" }, [
            "1:rating_ks", "1:activity_psi", "2:activity_psi", "3:rating_ks", "3:activity_psi", "4:rating_ks",
            "4:activity_psi", "5:rating_ks", "5:activity_psi",
        ])
    }

    func testAlertsAreRecordedAndReplacedByARerun() throws {
        let loaded = try SQLFixture.small()
        let conn = try SQLFixture.connect(loaded)
        defer { conn.close() }
        var config = PipelineConfig()
        config.outDir = loaded.out
        let strict = try DriftTask.run(database: loaded.conninfo, config: config, thresholds: DriftThresholds())
        XCTAssertEqual(strict.alerts.count, 9)
        XCTAssertEqual(try conn.query("select count(*) from lens_catalog.drift_alerts where version = 1").rows, [["9"]])
        XCTAssertEqual(try conn.query("select batch, metric, round(value::numeric, 4), threshold from movielens.drift_alerts order by batch, metric limit 2").rows,
                       [["1", "activity_psi", "3.3786", "0.25"], ["1", "rating_ks", "0.2735", "0.1"]])
        let lax = try DriftTask.run(database: loaded.conninfo, config: config,
                                    thresholds: DriftThresholds(ratingKS: 0.25, genrePSI: 1, activityPSI: 1))
        XCTAssertEqual(lax.alerts.map { "\($0.batch):\($0.metric.metric)" }, ["1:rating_ks", "1:activity_psi", "3:activity_psi"])
        XCTAssertEqual(try conn.query("select batch, metric, threshold from lens_catalog.drift_alerts where version = 1 order by batch, metric").rows,
                       [["1", "activity_psi", "1"], ["1", "rating_ks", "0.25"], ["3", "activity_psi", "1"]])
        let dry = try DriftTask.run(database: loaded.conninfo, config: config, thresholds: DriftThresholds(), record: false)
        XCTAssertEqual(dry.alerts.count, 9)
        XCTAssertEqual(try conn.query("select count(*) from lens_catalog.drift_alerts where version = 1").rows, [["3"]], "a dry run records nothing")
        _ = try DriftTask.run(database: loaded.conninfo, config: config, thresholds: DriftThresholds())
    }

    func testHeldBackBatchesAreComparedOnceBeforeAndAfterAnAppend() throws {
        let held = try SQLFixture.held()
        let conn = try SQLFixture.connect(held)
        defer { conn.close() }
        let expected = try conn.query("select batch, count(*) from movielens.ratings_buffer group by batch order by batch").rows
        XCTAssertEqual(try conn.query("select count(*) from movielens.ratings where split = 'buffer'").rows, [["0"]])
        let before = try Drift.compute(conn: conn, sql: SQLFixture.sql, current: "movielens")
        XCTAssertEqual(before.batches.map { [String($0.batch), String($0.nRatings)] }, expected.map { $0.map { $0! } })
        var config = PipelineConfig()
        config.outDir = held.out
        config.holdBackBuffer = true
        _ = try AppendTask.run(batch: 1, options: RunOptions(source: "append", pipelineFile: nil, config: config, database: held.conninfo))
        XCTAssertEqual(try conn.query("select count(*) from movielens.ratings where split = 'buffer'").rows, [[expected[0][1]]])
        let after = try Drift.compute(conn: conn, sql: SQLFixture.sql, current: "movielens")
        XCTAssertEqual(after, before, "an appended batch counts once")
        // the row counts still reconcile with the catalog (loaded + appended; held back = cleaned - loaded)
        let checks = try Checks.run(conn: conn, sql: SQLFixture.sql, current: "movielens", catalog: "lens_catalog")
        XCTAssertEqual(checks.filter { !$0.passed }.map(\.name), [])
        let split = try conn.query("select batch, held_back from movielens.split_summary where split = 'buffer' order by batch").rows
        XCTAssertEqual(split.first, ["1", "f"])
        XCTAssertEqual(split.dropFirst().map { $0[1] }, Array(repeating: "t", count: split.count - 1))
    }
}
