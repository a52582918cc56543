import Foundation
import PGClient
import XCTest
@testable import LensCore

/// Protects `lens drift`: per buffer batch against train, the KS statistic equals scipy's
/// ks_2samp on the raw ratings and its p-value Kolmogorov's limit (scipy kstwobign) at the
/// samples' effective sizes; the genre and user-activity PSIs, the intra-user correlation,
/// the effective sizes and the activity chi-square p-value equal a numpy/scipy computation from
/// the Parquet and CSV files; alerts are what the thresholds say (a shifted batch is flagged,
/// the few-user batches of ml-latest-small are not), they are recorded, replaced on a rerun,
/// and held-back batches are compared too.
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

    func testChiSquareSurvivalMatchesScipy() throws {
        let cases: [(Double, Int)] = [(0.001, 1), (0.5, 1), (3.84, 1), (10, 1), (80, 1), (1, 6), (6, 6), (12.59, 6), (22.46, 6),
                                      (45, 6), (300, 6), (5, 18), (18, 18), (42.3, 18), (1e-6, 3), (2000, 40)]
        let scipy = try DuckDB.python("""
            import json, sys
            from scipy.stats import chi2
            a = sys.argv[1:]
            print(json.dumps([[float(chi2.sf(float(a[i]), int(a[i + 1])))] for i in range(0, len(a), 2)]))
            """, args: cases.flatMap { [String($0.0), String($0.1)] }, cwd: "/tmp")
        assertRows(cases.map { [String(DriftStatistics.chiSquareSurvival($0.0, degreesOfFreedom: $0.1))] }, scipy,
                   tolerance: 1e-12, "chi2.sf")
        // relative precision in the far tail too (80 with 1 df: 3.7e-19; 300 with 6: 2e-62)
        for (c, row) in zip(cases, scipy) {
            let y = try XCTUnwrap(row[0] as? Double), x = DriftStatistics.chiSquareSurvival(c.0, degreesOfFreedom: c.1)
            if y == 0 { XCTAssertEqual(x, 0, "\(c) underflows in both") } else { XCTAssertEqual(x / y, 1, accuracy: 1e-10, "\(c)") }
        }
    }

    func testHomogeneityOnEffectiveCountsMatchesScipyChi2Contingency() throws {
        let expected = [30, 0, 50, 20], actual = [1, 0, 1, 2]
        let (x2, p) = DriftStatistics.homogeneity(expected: expected, expectedSize: 120.5, actual: actual, actualSize: 3.7)
        let scipy = try DuckDB.python("""
            import json
            from scipy.stats import chi2_contingency
            t = [[0.3 * 120.5, 0.5 * 120.5, 0.2 * 120.5], [0.25 * 3.7, 0.25 * 3.7, 0.5 * 3.7]]
            s, p, dof, _ = chi2_contingency(t, correction=False)
            print(json.dumps([[float(s), float(p), int(dof)]]))
            """, cwd: "/tmp")
        assertRows([[String(x2), String(p), "2"]], scipy, tolerance: 1e-12, "chi2_contingency")
        XCTAssertEqual(DriftStatistics.homogeneity(expected: [1, 2], expectedSize: 0, actual: [2, 1], actualSize: 5).pValue, 1)
    }

    func testIntraclassCorrelationAndEffectiveSizes() {
        // Two users who each always give the same rating: all variance is between users.
        func clusters(_ users: [[Double]]) -> DriftStatistics.UserClusters {
            .init(users: users.count, ratings: users.map(\.count).reduce(0, +),
                  sumSquaredCounts: users.map { Double($0.count * $0.count) }.reduce(0, +),
                  sumRatings: users.flatMap { $0 }.reduce(0, +), sumSquaredRatings: users.flatMap { $0 }.map { $0 * $0 }.reduce(0, +),
                  sumUserSquaredSumsOverCounts: users.map { u in u.reduce(0, +) * u.reduce(0, +) / Double(u.count) }.reduce(0, +))
        }
        XCTAssertEqual(DriftStatistics.intraclassCorrelation(clusters([[4, 4, 4], [2, 2]])), 1)
        // Users with the same mean: none of it is.
        XCTAssertEqual(DriftStatistics.intraclassCorrelation(clusters([[1, 5], [5, 1], [3, 3]])), 0)
        XCTAssertEqual(DriftStatistics.intraclassCorrelation(clusters([[4], [2]])), 0, "one rating per user: not estimable")
        // 16 users, one with 1,669 of 2,016 ratings (ml-latest-small's batch 1 shape): 1.4 effective users.
        let c = clusters([[Double](repeating: 3, count: 1_669)] + (0..<15).map { i in [Double](repeating: 4, count: i < 2 ? 24 : 23) })
        XCTAssertEqual(c.ratings, 1_669 + 2 * 24 + 13 * 23)
        let sumSquares: Int = 1_669 * 1_669 + 2 * 24 * 24 + 13 * 23 * 23
        XCTAssertEqual(c.effectiveUsers, 2_016.0 * 2_016.0 / Double(sumSquares), accuracy: 1e-12)
        XCTAssertEqual(c.effectiveUsers, 1.46, accuracy: 0.01)
        XCTAssertEqual(c.designEffect(rho: 0), 1)
        XCTAssertEqual(c.effectiveRatings(rho: 1), c.effectiveUsers, accuracy: 1e-9, "fully correlated: one rating per user")
    }

    // MARK: - On database `lens` (ml-latest-small, else the clean synthetic drop)

    /// Protects every drift statistic of each buffer batch against scipy/numpy recomputing them
    /// from the Parquet rows, on ml-latest-small when present, else on the clean `lens synth`
    /// drop (the pinned GroupLens numbers and alerts are checked on ml-latest-small only).
    func testDriftOfEachBatchMatchesScipyAndNumpy() throws {
        let loaded = try SQLFixture.main()
        let csv = loaded.source
        let conn = try SQLFixture.connect(loaded)
        defer { conn.close() }
        let report = try Drift.compute(conn: conn, sql: SQLFixture.sql, current: "movielens", version: 1)
        XCTAssertEqual(report.batches.map(\.batch), [1, 2, 3, 4, 5])
        if loaded.isMlLatestSmall {
            XCTAssertEqual(report.batches.map(\.nRatings), [2016, 2016, 2016, 2016, 2020])
            XCTAssertEqual(report.trainRatings, 70_585)
        }
        // The oracle recomputes everything from the Parquet rows, user by user: the intra-user
        // correlation by the ANOVA sums of squares around each user's mean, the design effects and
        // Kish's effective sizes from the per-user counts, the KS p-value by scipy's kstwobign at
        // the effective sizes, the activity p-value by scipy's chi2_contingency on effective counts.
        let oracle = try DuckDB.python("""
            import duckdb, json, sys, math
            import numpy as np
            from scipy.stats import ks_2samp, kstwobign, chi2_contingency
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
            def by_user(rows):
                d = {}
                for x in rows: d.setdefault(x[0], []).append(float(x[2]))
                return [np.array(v) for v in d.values()]
            def icc(groups):
                y = np.concatenate(groups); n = len(y); k = len(groups); grand = y.mean()
                m = np.array([len(g) for g in groups], dtype=float)
                ssb = sum(len(g) * (g.mean() - grand) ** 2 for g in groups)
                ssw = sum(((g - g.mean()) ** 2).sum() for g in groups)
                msb = ssb / (k - 1); msw = ssw / (n - k); m0 = (n - (m ** 2).sum() / n) / (k - 1)
                return min(1.0, max(0.0, (msb - msw) / (msb + (m0 - 1) * msw)))
            def sizes(groups, rho):
                m = np.array([len(g) for g in groups], dtype=float); n = m.sum()
                return n / (1 + ((m ** 2).sum() / n - 1) * rho), n ** 2 / (m ** 2).sum()
            train = parts(0); tr = np.array([x[2] for x in train]); tg = by_user(train)
            rho = icc(tg); tr_eff, tr_users = sizes(tg, rho)
            res = [[0, len(tg), tr_users, rho, tr_eff, 0, 0, 0]]
            for b in range(1, 6):
                rows = parts(b); br = np.array([x[2] for x in rows]); bg = by_user(rows)
                b_eff, b_users = sizes(bg, rho)
                d = ks_2samp(tr, br).statistic
                en = math.sqrt(tr_eff * b_eff / (tr_eff + b_eff))
                ea, ba = activity_mix(train), activity_mix(rows)
                keys = sorted(set(ea) | set(ba)); ne, na = sum(ea.values()), sum(ba.values())
                table = [[ea.get(k, 0) / ne * tr_users for k in keys], [ba.get(k, 0) / na * b_users for k in keys]]
                res.append([b, len(bg), b_users, float(d), float(kstwobign.sf(en * d)), psi(genre_mix(train), genre_mix(rows)),
                            psi(ea, ba), float(chi2_contingency(table, correction=False)[1])])
            print(json.dumps(res))
            """, args: [loaded.out], cwd: csv)
        let actual = [[String(0), String(report.trainUsers), String(report.trainEffectiveUsers), String(report.ratingICC),
                       String(report.trainEffectiveRatings), "0", "0", "0"]]
            + report.batches.map { b -> [String?] in
                [String(b.batch), String(b.nUsers), String(b.effectiveUsers), String(b.metric("rating_ks")!.value),
                 String(b.metric("rating_ks")!.pValue!), String(b.metric("genre_psi")!.value), String(b.metric("activity_psi")!.value),
                 String(b.metric("activity_psi")!.pValue!)]
            }
        assertRows(actual, oracle, tolerance: 1e-9, "drift")
        XCTAssertNil(report.batches[0].metric("genre_psi")!.pValue)
        guard loaded.isMlLatestSmall else { return }
        // ml-latest-small's late batches come from few users (batch 1: 16, one of them 83% of its
        // ratings): their ratings and activity mix differ from train's, but not beyond what so few
        // users give by chance. The defaults raise no alert; the size-only rule (alpha 1, the rule
        // before the significance gate) raised nine.
        XCTAssertEqual(report.alerts.map { "\($0.batch):\($0.metric.metric)" }, [])
        XCTAssertEqual(report.batches.map { String(format: "%.1f", $0.effectiveUsers) }, ["1.4", "15.3", "3.7", "8.9", "9.0"])
        let sizeOnly = try Drift.compute(conn: conn, sql: SQLFixture.sql, current: "movielens", thresholds: DriftThresholds(alpha: 1))
        XCTAssertEqual(sizeOnly.alerts.map { "\($0.batch):\($0.metric.metric)" }, [
            "1:rating_ks", "1:activity_psi", "2:activity_psi", "3:rating_ks", "3:activity_psi", "4:rating_ks",
            "4:activity_psi", "5:rating_ks", "5:activity_psi",
        ])
    }

    /// Protects the catalog's drift alerts: each recorded run replaces the version's alerts with
    /// exactly the ones it computed (threshold and alpha with them), and a dry run records nothing.
    /// On the clean synthetic drop (no ml-latest-small) the catalog is checked against the alerts
    /// each run returned; on ml-latest-small against its pinned alerts too.
    func testAlertsAreRecordedAndReplacedByARerun() throws {
        let loaded = try SQLFixture.main()
        let conn = try SQLFixture.connect(loaded)
        defer { conn.close() }
        var config = PipelineConfig()
        config.outDir = loaded.out
        guard loaded.isMlLatestSmall else {
            // (batch, metric, threshold, alpha or "-" for the ungated genre PSI), numbers as %g.
            func recorded() throws -> [String] {
                try conn.query("select batch, metric, threshold, alpha from lens_catalog.drift_alerts where version = 1 order by batch, metric").rows
                    .map { "\($0[0]!) \($0[1]!) \(String(format: "%g", Double($0[2]!)!)) \($0[3].map { String(format: "%g", Double($0)!) } ?? "-")" }
            }
            func expected(_ r: DriftReport) -> [String] {
                r.alerts.sorted { ($0.batch, $0.metric.metric) < ($1.batch, $1.metric.metric) }
                    .map { "\($0.batch) \($0.metric.metric) \(String(format: "%g", $0.metric.threshold)) \($0.metric.pValue == nil ? "-" : String(format: "%g", r.thresholds.alpha))" }
            }
            for thresholds in [config.drift, DriftThresholds(alpha: 1), DriftThresholds(ratingKS: 0.05, genrePSI: 0.01, activityPSI: 0.05, alpha: 1)] {
                let run = try DriftTask.run(database: loaded.conninfo, config: config, thresholds: thresholds)
                XCTAssertEqual(try recorded(), expected(run), "\(thresholds)")
            }
            let before = try recorded()
            XCTAssertFalse(before.isEmpty, "the lax thresholds raise alerts on the synthetic drop too")
            _ = try DriftTask.run(database: loaded.conninfo, config: config, thresholds: config.drift, record: false)
            XCTAssertEqual(try recorded(), before, "a dry run records nothing")
            let defaults = try DriftTask.run(database: loaded.conninfo, config: config, thresholds: config.drift)
            XCTAssertEqual(try recorded(), expected(defaults))
            return
        }
        let defaults = try DriftTask.run(database: loaded.conninfo, config: config, thresholds: config.drift)
        XCTAssertEqual(defaults.alerts.count, 0)
        XCTAssertEqual(try conn.query("select count(*) from lens_catalog.drift_alerts where version = 1").rows, [["0"]])
        let sizeOnly = try DriftTask.run(database: loaded.conninfo, config: config, thresholds: DriftThresholds(alpha: 1))
        XCTAssertEqual(sizeOnly.alerts.count, 9)
        XCTAssertEqual(try conn.query("select count(*) from lens_catalog.drift_alerts where version = 1").rows, [["9"]])
        XCTAssertEqual(try conn.query("""
            select batch, metric, round(value::numeric, 4), threshold, round(p_value::numeric, 4), alpha
            from movielens.drift_alerts order by batch, metric limit 2
            """).rows,
                       [["1", "activity_psi", "3.3786", "0.25", "0.5137", "1"], ["1", "rating_ks", "0.2735", "0.1", "0.4757", "1"]])
        let lax = try DriftTask.run(database: loaded.conninfo, config: config,
                                    thresholds: DriftThresholds(ratingKS: 0.25, genrePSI: 0.1, activityPSI: 1, alpha: 1))
        XCTAssertEqual(lax.alerts.map { "\($0.batch):\($0.metric.metric)" },
                       ["1:rating_ks", "1:activity_psi", "3:genre_psi", "3:activity_psi", "4:genre_psi", "5:genre_psi"])
        XCTAssertEqual(try conn.query("select batch, metric, threshold, alpha from lens_catalog.drift_alerts where version = 1 order by batch, metric").rows,
                       [["1", "activity_psi", "1", "1"], ["1", "rating_ks", "0.25", "1"], ["3", "activity_psi", "1", "1"],
                        ["3", "genre_psi", "0.1", nil], ["4", "genre_psi", "0.1", nil], ["5", "genre_psi", "0.1", nil]])
        let dry = try DriftTask.run(database: loaded.conninfo, config: config, thresholds: DriftThresholds(alpha: 1), record: false)
        XCTAssertEqual(dry.alerts.count, 9)
        XCTAssertEqual(try conn.query("select count(*) from lens_catalog.drift_alerts where version = 1").rows, [["6"]], "a dry run records nothing")
        _ = try DriftTask.run(database: loaded.conninfo, config: config, thresholds: config.drift)
        XCTAssertEqual(try conn.query("select count(*) from lens_catalog.drift_alerts where version = 1").rows, [["0"]])
    }

    /// Protects what a drift alert means: on a synthetic drop shaped like ml-latest-small
    /// (100,000 ratings of 610 users, buffer batches of 2,000 ratings from 30-40 users), whose
    /// buffer batch 3 has every rating moved 1.5 stars down (clamped at half a star, as a client
    /// release sending a shifted scale would), `lens drift` with the default thresholds flags
    /// batch 3's ratings and nothing else: no alert on batches 1, 2, 4 and 5, whose users differ
    /// from train's only as much as 30-40 users do by chance (under the size-only rule, before
    /// the significance gate, batch 1 raised a rating alert and batches 1, 3 and 4 an activity
    /// alert on this same drop), and no genre or activity alert on batch 3, whose movies and
    /// users did not change. The shifted rows are found by PIPELINE.md's split rule from the CSV
    /// and checked against the rows lens put in batch 3.
    func testAShiftedBatchIsTheOnlyOneFlagged() throws {
        let drop = SQLFixture.home + "/shifted-drop"
        try? FileManager.default.removeItem(atPath: drop)
        _ = try Synth.run(out: drop, options: SynthOptions(size: SynthSize(ratings: 100_000, users: 610, movies: 9_000, tags: 1_000,
                                                                            genomeMovies: 0)))
        let shifted = try ShiftedDrop.shift(ratingsCSV: drop + "/ratings.csv", batch: 3, by: -1.5)
        XCTAssertEqual(shifted.count, 2_000)
        let loaded = try SQLFixture.load(source: drop, database: "lens_shifted")
        let conn = try SQLFixture.connect(loaded)
        defer { conn.close() }
        let batch3 = try conn.query("select user_id, movie_id from movielens.ratings where batch = 3").rows
        XCTAssertEqual(Set(batch3.map { ShiftedDrop.Key(user: Int($0[0]!)!, movie: Int($0[1]!)!) }), shifted,
                       "the shifted rows are batch 3's")

        let shippedFile = TestPaths.repo + "/pipelines/movielens.toml"
        let defaults = try PipelineConfig.load(path: shippedFile).drift
        XCTAssertEqual(defaults, DriftThresholds())
        let report = try Drift.compute(conn: conn, sql: SQLFixture.sql, current: "movielens", thresholds: defaults)
        XCTAssertEqual(report.batches.map(\.nRatings), [2_000, 2_000, 2_000, 2_000, 2_000])
        XCTAssertEqual(report.alerts.map { "\($0.batch):\($0.metric.metric)" }, ["3:rating_ks"])
        let ks3 = try XCTUnwrap(report.batches[2].metric("rating_ks"))
        XCTAssertGreaterThan(ks3.value, 0.4)
        XCTAssertLessThan(ks3.pValue!, 1e-8, "far below alpha, not at its edge")
        for b in report.batches where b.batch != 3 {
            XCTAssertGreaterThan(b.metric("rating_ks")!.pValue!, 0.1, "batch \(b.batch)")
        }
        let sizeOnly = try Drift.compute(conn: conn, sql: SQLFixture.sql, current: "movielens", thresholds: DriftThresholds(alpha: 1))
        XCTAssertEqual(sizeOnly.alerts.map { "\($0.batch):\($0.metric.metric)" },
                       ["1:rating_ks", "1:activity_psi", "3:rating_ks", "3:activity_psi", "4:activity_psi"])
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
        _ = try AppendTask.run(.batch(1, outOfOrder: false), options: RunOptions(source: "append", pipelineFile: nil, config: config, database: held.conninfo))
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

/// A synthetic drop with one buffer batch's ratings shifted, for the drift tests.
enum ShiftedDrop {
    struct Key: Hashable {
        var user: Int
        var movie: Int
    }

    /// Moves the ratings of buffer batch `batch` of the drop's ratings.csv by `shift` stars,
    /// clamped to [0.5, 5], in place. The drop must be clean (no dirt: every line a distinct,
    /// valid rating, as `lens synth --dirty 0` writes them), so that the rows of the batch are
    /// found by PIPELINE.md's split rule alone: order by (timestamp, userId, movieId); the first
    /// floor(0.7 n) are train, the next floor(0.2 n) test, the rest the buffer, cut in
    /// `batches` batches of floor(buffer / batches), the last taking the remainder. The order
    /// does not depend on the rating, so the shift moves no row to another batch. Returns the
    /// (user, movie) keys of the shifted rows.
    static func shift(ratingsCSV path: String, batch: Int, batches: Int = 5, by shift: Double) throws -> Set<Key> {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        var lines = text.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
        let header = lines.removeFirst()
        precondition(header == "userId,movieId,rating,timestamp", "a CSV ratings file")
        let rows = lines.map { line -> (user: Int, movie: Int, rating: Double, at: Int) in
            let f = line.split(separator: ",")
            return (Int(f[0])!, Int(f[1])!, Double(f[2])!, Int(f[3])!)
        }
        let order = rows.indices.sorted { a, b in
            (rows[a].at, rows[a].user, rows[a].movie) < (rows[b].at, rows[b].user, rows[b].movie)
        }
        let n = rows.count
        let train = n * 7 / 10, test = n * 2 / 10
        let size = (n - train - test) / batches
        let start = train + test + (batch - 1) * size
        let end = batch == batches ? n : start + size
        var keys = Set<Key>()
        for i in order[start..<end] {
            let r = rows[i]
            let moved = min(5, max(0.5, r.rating + shift))
            lines[i] = "\(r.user),\(r.movie),\(String(format: "%.1f", moved)),\(r.at)"
            keys.insert(Key(user: r.user, movie: r.movie))
        }
        try ([header] + lines).joined(separator: "\n").appending("\n").write(toFile: path, atomically: true, encoding: .utf8)
        return keys
    }
}
