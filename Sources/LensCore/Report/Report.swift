import Foundation
import PGClient

/// Everything the HTML report shows, pulled from the analyst views and the catalog
/// (`sql/report/*.sql`) plus the drift computed live. Values, no HTML.
public struct ReportData: Sendable {
    /// The version the report is about.
    public struct Version: Sendable {
        public var version: Int
        /// Its schema, e.g. lens_v3.
        public var schema: String
        /// The drop date (YYYY-MM-DD), when known.
        public var dropDate: String?
        /// When its load committed (PostgreSQL text).
        public var loadedAt: String
        /// The drop it was loaded from.
        public var source: String
    }
    /// One bar of the split timeline: a split, or a buffer batch.
    public struct SplitPart: Sendable {
        /// train | test | buffer
        public var split: String
        /// 1...N for the buffer, nil otherwise.
        public var batch: Int?
        public var nRatings: Int
        /// Epoch seconds of the first and last rating.
        public var firstAt: Double
        public var lastAt: Double
        /// Still only in ratings_buffer (not appended).
        public var heldBack: Bool
    }
    /// One row of the top-15 table.
    public struct TopMovie: Sendable {
        public var rank: Int
        public var movieId: Int
        public var title: String
        /// Train ratings (v), their mean (R) and the weighted rating.
        public var nRatings: Int
        public var meanRating: Double
        public var weightedRating: Double
    }
    /// The latest result of one check of the version.
    public struct Check: Sendable {
        public var dataset: String
        public var name: String
        public var passed: Bool
        /// What was seen, e.g. "3 violating rows".
        public var observed: String
        /// The first offending rows, one a line, when recorded.
        public var firstRows: String?
        /// The run that recorded it, and its command (run, check, ...).
        public var runId: Int64
        public var command: String
    }
    /// The run that loaded the version.
    public struct LoadRun: Sendable {
        public var runId: Int64
        public var command: String
        public var status: String
        public var startedAt: String
        public var finishedAt: String?
        /// Per input file: lines read = clean + rejected + duplicates + superseded + orphans.
        public var reconciliation: [FileReconciliation]
    }
    /// A drift alert `lens drift` recorded in the catalog.
    public struct RecordedAlert: Sendable {
        public var batch: Int
        public var metric: String
        public var value: Double
        public var threshold: Double
        /// rating_ks, activity_psi: the p-value below alpha (nil for genre_psi and older alerts).
        public var pValue: Double?
        public var createdAt: String
    }

    public var version: Version
    /// When the report was made.
    public var generatedAt: Date
    /// (rating, train, test, buffer) per half star.
    public var ratingHistogram: [(rating: String, train: Int, test: Int, buffer: Int)]
    /// (YYYY-MM, train, test, buffer), months with ratings only.
    public var ratingsPerMonth: [(month: String, train: Int, test: Int, buffer: Int)]
    /// Movies per release year, years with movies only.
    public var filmsPerYear: [(year: Int, movies: Int)]
    /// Movies, ratings and mean rating per genre, most movies first.
    public var genres: [(genre: String, movies: Int, ratings: Int, meanRating: Double?)]
    /// Movies with "(no genres listed)", which no genre bar counts.
    public var moviesWithoutGenres: Int
    /// The 15 best by weighted rating.
    public var topRated: [TopMovie]
    /// train, test, then buffer batches in order.
    public var split: [SplitPart]
    /// Explained variance ratio per PCA component (empty without a genome).
    public var explainedVariance: [Double]
    public var loadRun: LoadRun?
    /// Failed first.
    public var checks: [Check]
    /// Computed when the report was made, with the report's thresholds.
    public var drift: DriftReport
    public var recordedAlerts: [RecordedAlert]
}

/// `lens report`: one self-contained HTML page about the current version: charts drawn as
/// inline SVG (no scripts, no network), the load's reconciliation, the checks and the drift.
public enum Report {
    /// Pulls what the report shows. Reads only, except that it creates the catalog's empty
    /// drift_alerts table when missing (`catalog/drift_schema.sql`). Throws `LensError.database`
    /// when no version is loaded or a query fails (naming its file).
    public static func gather(conn: PGConnection, sql: SQLFiles, current: String, catalog: String,
                              thresholds: DriftThresholds = .init(), now: Date = Date()) throws -> ReportData {
        func pull(_ file: String) throws -> [[String?]] {
            do {
                return try conn.query(try sql.text("report/\(file)", ["current": current, "catalog": catalog])).rows
            } catch let e as LensError {
                throw e
            } catch {
                throw LensError.database(message: "sql/report/\(file) failed: \(error)")
            }
        }
        func int(_ v: String?) -> Int { v.flatMap { Int($0) } ?? 0 }
        func double(_ v: String?) -> Double? { v.flatMap { Double($0) } }

        try conn.execute(try sql.text("catalog/drift_schema.sql", ["catalog": catalog]))
        guard let v = try pull("version.sql").first else {
            throw LensError.database(message: "no version is loaded yet; load one with `lens run --source DROP`")
        }
        let version = ReportData.Version(version: int(v[0]), schema: v[1] ?? "", dropDate: v[2], loadedAt: v[3] ?? "",
                                         source: v[4] ?? "")
        let histogram = try pull("rating_distribution.sql").map { ($0[0] ?? "", int($0[2]), int($0[3]), int($0[4])) }
        let months = try pull("ratings_per_month.sql").map { ($0[0] ?? "", int($0[2]), int($0[3]), int($0[4])) }
        let years = try pull("films_per_year.sql").map { (int($0[0]), int($0[1])) }
        let genres = try pull("genre_frequency.sql").map { ($0[0] ?? "", int($0[1]), int($0[2]), double($0[3])) }
        let noGenres = int(try pull("movies_without_genres.sql").first?[0] ?? nil)
        let top = try pull("top_rated.sql").map {
            ReportData.TopMovie(rank: int($0[0]), movieId: int($0[1]), title: $0[2] ?? "", nRatings: int($0[3]),
                                meanRating: double($0[4]) ?? 0, weightedRating: double($0[5]) ?? 0)
        }
        let split = try pull("split_summary.sql").map {
            ReportData.SplitPart(split: $0[0] ?? "", batch: $0[1].flatMap { Int($0) }, nRatings: int($0[2]),
                                 firstAt: double($0[3]) ?? 0, lastAt: double($0[4]) ?? 0, heldBack: $0[5] == "t")
        }
        let pca = try pull("pca.sql").compactMap { double($0[1]) }
        let run = try pull("load_run.sql").first.map { r -> ReportData.LoadRun in
            let rec = (try? JSONDecoder().decode([FileReconciliation].self, from: Data((r[5] ?? "[]").utf8))) ?? []
            return ReportData.LoadRun(runId: Int64(int(r[0])), command: r[1] ?? "", status: r[2] ?? "", startedAt: r[3] ?? "",
                                      finishedAt: r[4], reconciliation: rec)
        }
        let checks = try pull("checks.sql").map {
            ReportData.Check(dataset: $0[0] ?? "", name: $0[1] ?? "", passed: $0[2] == "t", observed: $0[3] ?? "",
                             firstRows: $0[4], runId: Int64(int($0[5])), command: $0[6] ?? "")
        }
        let alerts = try pull("drift_alerts.sql").map {
            ReportData.RecordedAlert(batch: int($0[0]), metric: $0[1] ?? "", value: double($0[2]) ?? 0,
                                     threshold: double($0[3]) ?? 0, pValue: double($0[4]), createdAt: $0[5] ?? "")
        }
        let drift = try Drift.compute(conn: conn, sql: sql, current: current, thresholds: thresholds, version: version.version)
        return ReportData(version: version, generatedAt: now, ratingHistogram: histogram, ratingsPerMonth: months,
                          filmsPerYear: years, genres: genres, moviesWithoutGenres: noGenres, topRated: top, split: split, explainedVariance: pca,
                          loadRun: run, checks: checks, drift: drift, recordedAlerts: alerts)
    }

    static let trainColor = "#4e79a7", testColor = "#f28e2b", bufferColor = "#59a14f", alertColor = "#d62728"
    static let batchColors = ["#59a14f", "#b07aa1", "#9c755f", "#e15759", "#76b7b2", "#edc948", "#ff9da7", "#bab0ac"]

    /// The page: self-contained HTML5 (inline CSS and SVG only).
    public static func html(_ d: ReportData) -> String {
        let e = SVGChart.escape
        let g = { (v: Int) in SVGChart.grouped(Double(v)) }
        var body = ""

        // header
        let totalRatings = d.ratingHistogram.reduce(0) { $0 + $1.train + $1.test + $1.buffer }
        let heldBack = d.split.filter(\.heldBack).reduce(0) { $0 + $1.nRatings }
        let iso = ISO8601DateFormatter()
        body += "<header><h1>MovieLens warehouse — version \(d.version.version)</h1>"
        body += "<p class=\"meta\">schema <code>\(e(d.version.schema))</code> · drop date \(e(d.version.dropDate ?? "unknown"))"
            + " · loaded \(e(shortTime(d.version.loadedAt))) · \(g(totalRatings)) ratings published"
            + (heldBack > 0 ? " + \(g(heldBack)) held back" : "")
            + " · report generated \(e(iso.string(from: d.generatedAt)))</p>"
        body += "<p class=\"meta\">source <code>\(e(d.version.source))</code></p></header>"

        // status strip
        let failedChecks = d.checks.filter { !$0.passed }
        let reconciled = d.loadRun.map { $0.reconciliation.allSatisfy(\.reconciled) }
        let driftAlerts = d.drift.alerts
        body += "<div class=\"strip\">"
        body += badge(reconciled == nil ? "reconciliation: not recorded" : (reconciled! ? "reconciliation: every line accounted for" : "reconciliation: MISMATCH"),
                      ok: reconciled ?? true)
        body += badge(d.checks.isEmpty ? "checks: none recorded" : (failedChecks.isEmpty ? "checks: \(d.checks.count) passed" : "checks: \(failedChecks.count) of \(d.checks.count) FAILED"),
                      ok: failedChecks.isEmpty)
        body += badge(d.drift.batches.isEmpty ? "drift: no buffer batches" : (driftAlerts.isEmpty ? "drift: no alerts in \(d.drift.batches.count) batches" : "drift: \(driftAlerts.count) alert\(driftAlerts.count == 1 ? "" : "s")"),
                      ok: driftAlerts.isEmpty)
        body += "</div>"

        // ratings
        body += "<section class=\"grid\">"
        body += card("Rating histogram", "Ratings per half star, stacked by split.",
                     SVGChart.bars(categories: d.ratingHistogram.map(\.rating), series: [
                        .init(name: "train", color: trainColor, values: d.ratingHistogram.map { Double($0.train) }),
                        .init(name: "test", color: testColor, values: d.ratingHistogram.map { Double($0.test) }),
                        .init(name: "buffer", color: bufferColor, values: d.ratingHistogram.map { Double($0.buffer) }),
                     ], yTitle: "ratings"))
        let months = fillMonths(d.ratingsPerMonth)
        let monthYears = Set(months.map { $0.month.prefix(4) }).count
        let monthYearStep = [1, 2, 5, 10, 20].first { monthYears / $0 <= 9 } ?? 50
        body += card("Ratings per month", "Ratings per calendar month (UTC), stacked by split, \(months.first?.month ?? "") to \(months.last?.month ?? "").",
                     SVGChart.bars(categories: months.map(\.month), series: [
                        .init(name: "train", color: trainColor, values: months.map { Double($0.train) }),
                        .init(name: "test", color: testColor, values: months.map { Double($0.test) }),
                        .init(name: "buffer", color: bufferColor, values: months.map { Double($0.buffer) }),
                     ], tickLabels: months.map { m in
                        let year = Int(m.month.prefix(4)) ?? 0
                        return m.month.hasSuffix("-01") && year % monthYearStep == 0 ? String(year) : nil
                     }, yTitle: "ratings"))
        let years = fillYears(d.filmsPerYear)
        let yearStep = [1, 2, 5, 10, 20, 25, 50].first { years.count / $0 <= 9 } ?? 100
        body += card("Films per year", "Movies per release year (from the title's trailing year; \(g(d.filmsPerYear.reduce(0) { $0 + $1.movies })) movies have one).",
                     SVGChart.bars(categories: years.map { String($0.year) },
                                   series: [.init(name: "movies", color: trainColor, values: years.map { Double($0.movies) })],
                                   tickLabels: years.map { $0.year % yearStep == 0 ? String($0.year) : nil }, yTitle: "movies"))
        body += card("Genre frequency", "Movies listing each genre (a movie counts once per genre)"
                        + (d.moviesWithoutGenres > 0 ? "; \(g(d.moviesWithoutGenres)) movies list none." : "."),
                     SVGChart.horizontalBars(labels: d.genres.map(\.genre), values: d.genres.map { Double($0.movies) },
                                             color: trainColor))
        body += "</section>"

        // top rated
        body += "<section id=\"top\"><h2>Top 15 by weighted rating</h2>"
        body += "<p class=\"note\">IMDb-style weighted rating from the train split: WR = v/(v+m)·R + m/(v+m)·C.</p>"
        let maxWR = d.topRated.map(\.weightedRating).max() ?? 1
        let minWR = (d.topRated.map(\.weightedRating).min() ?? 0) - 0.1
        body += "<table><thead><tr><th>#</th><th>title</th><th class=\"num\">train ratings</th><th class=\"num\">mean</th><th class=\"num\">weighted</th><th></th></tr></thead><tbody>"
        for m in d.topRated {
            let w = max(2, (m.weightedRating - minWR) / max(maxWR - minWR, 1e-9) * 160)
            body += "<tr><td>\(m.rank)</td><td>\(e(m.title))</td><td class=\"num\">\(g(m.nRatings))</td>"
                + "<td class=\"num\">\(String(format: "%.2f", m.meanRating))</td><td class=\"num\">\(String(format: "%.3f", m.weightedRating))</td>"
                + "<td><svg width=\"164\" height=\"10\"><rect width=\"\(SVGChart.f(w))\" height=\"10\" fill=\"\(trainColor)\"/></svg></td></tr>"
        }
        body += "</tbody></table></section>"

        // split timeline
        body += "<section id=\"split\"><h2>Split timeline</h2>"
        body += "<p class=\"note\">Ratings ordered by (rated_at, user, movie): train, then test, then the buffer in batches. Hatched: held back in ratings_buffer, not yet appended.</p>"
        let segments = d.split.map { p -> SVGChart.Segment in
            let label = p.batch.map { "buffer batch \($0)" } ?? p.split
            let color = p.split == "train" ? trainColor : p.split == "test" ? testColor
                : batchColors[((p.batch ?? 1) - 1) % batchColors.count]
            let detail = "\(g(p.nRatings)) ratings, \(day(p.firstAt)) – \(day(p.lastAt))" + (p.heldBack ? " (held back)" : "")
            return SVGChart.Segment(label: label, detail: detail, start: p.firstAt, end: p.lastAt, color: color, dashed: p.heldBack)
        }
        body += segments.isEmpty ? "<p>No ratings.</p>" : SVGChart.timeline(segments)
        body += "</section>"

        // PCA
        body += "<section class=\"grid\" id=\"pca\">"
        if d.explainedVariance.isEmpty {
            body += card("Genome PCA", "This drop has no tag genome, so there are no embeddings.", "<p class=\"empty\">no genome in this version</p>")
        } else {
            let total = d.explainedVariance.reduce(0, +)
            body += card("Genome PCA: explained variance", "\(d.explainedVariance.count) components explain \(SVGChart.percent(total)) of the genome's variance.",
                         SVGChart.barsWithCumulative(values: d.explainedVariance, color: trainColor, lineColor: testColor))
        }

        // drift chart
        if d.drift.batches.isEmpty {
            body += card("Drift", "No buffer batches in this version.", "<p class=\"empty\">nothing to compare</p>")
        } else {
            func shares(_ c: [Int]) -> [Double] {
                let n = Double(max(c.reduce(0, +), 1))
                return c.map { Double($0) / n }
            }
            var series = [SVGChart.Series(name: "train", color: "#222", values: shares(d.drift.trainRatingCounts))]
            var flagged: Set<String> = []
            for b in d.drift.batches {
                let alert = b.metric("rating_ks")?.alert == true
                let name = "batch \(b.batch)" + (alert ? " ▲" : "")
                if alert { flagged.insert(name) }
                series.append(.init(name: name, color: batchColors[(b.batch - 1) % batchColors.count], values: shares(b.ratingCounts)))
            }
            body += card("Drift: rating distribution",
                         "Share of ratings per half star, train against each buffer batch" + (flagged.isEmpty ? "." : "; dashed ▲: a rating alert."),
                         SVGChart.lines(categories: Drift.halfStars, series: series, yTitle: "share of ratings", emphasized: flagged))
        }
        body += "</section>"

        // drift table
        if !d.drift.batches.isEmpty {
            let t = d.drift.thresholds
            body += "<section id=\"drift\"><h2>Drift of the buffer batches against train</h2>"
            body += "<p class=\"note\">Rating distribution: two-sample Kolmogorov–Smirnov statistic D; genre mix and user-activity mix: population stability index. "
                + "Ratings come in clusters by user, so the p-values count each batch at its effective size: ratings divided by the design effect of that clustering "
                + "(intra-user correlation of train's ratings \(String(format: "%.3f", d.drift.ratingICC))) for D, effective users (N²/Σm², m = ratings per user) for the activity mix. "
                + "Alert (▲): D &gt; \(t.ratingKS) with p &lt; \(t.alpha); genre PSI &gt; \(t.genrePSI); activity PSI &gt; \(t.activityPSI) with p &lt; \(t.alpha). "
                + "Train: \(g(d.drift.trainRatings)) ratings from \(g(d.drift.trainUsers)) users (\(String(format: "%.0f", d.drift.trainEffectiveUsers)) effective).</p>"
            body += "<table><thead><tr><th>batch</th><th class=\"num\">ratings</th><th class=\"num\">users</th><th class=\"num\">effective users</th>"
                + "<th class=\"num\">KS D</th><th class=\"num\">KS p</th><th class=\"num\">genre PSI</th><th class=\"num\">activity PSI</th><th class=\"num\">activity p</th></tr></thead><tbody>"
            for b in d.drift.batches {
                func cell(_ name: String, _ digits: Int = 3) -> String {
                    guard let m = b.metric(name) else { return "<td></td>" }
                    return "<td class=\"num\(m.alert ? " alert" : "")\">\(String(format: "%.\(digits)f", m.value))\(m.alert ? " ▲" : "")</td>"
                }
                func p(_ name: String) -> String {
                    guard let p = b.metric(name)?.pValue else { return "<td></td>" }
                    return "<td class=\"num\">\(p < 1e-4 ? String(format: "%.1e", p) : String(format: "%.4f", p))</td>"
                }
                body += "<tr><td>\(b.batch)</td><td class=\"num\">\(g(b.nRatings))</td><td class=\"num\">\(g(b.nUsers))</td>"
                    + "<td class=\"num\">\(String(format: "%.1f", b.effectiveUsers))</td>\(cell("rating_ks"))\(p("rating_ks"))"
                    + "\(cell("genre_psi"))\(cell("activity_psi"))\(p("activity_psi"))</tr>"
            }
            body += "</tbody></table>"
            if !d.recordedAlerts.isEmpty {
                body += "<p class=\"note\">Alerts recorded in the catalog by <code>lens drift</code>: "
                    + d.recordedAlerts.map { a in
                        "batch \(a.batch) \(e(a.metric)) \(String(format: "%.3f", a.value)) &gt; \(a.threshold)"
                            + (a.pValue.map { p in " (p \(p < 1e-4 ? String(format: "%.1e", p) : String(format: "%.4f", p)))" } ?? "")
                    }.joined(separator: "; ")
                    + ".</p>"
            } else {
                body += "<p class=\"note\">No drift alerts of this version in the catalog (<code>lens drift</code> records them; the table above is computed now, with the report's thresholds).</p>"
            }
            body += "</section>"
        }

        // reconciliation and checks
        body += "<section class=\"grid\" id=\"quality\">"
        var rec = ""
        if let run = d.loadRun {
            rec += "<p class=\"note\">Run \(run.runId) (\(e(run.command)), \(e(run.status))), started \(e(shortTime(run.startedAt))). lines read = clean + rejected + duplicates + superseded + orphans.</p>"
            if run.reconciliation.isEmpty {
                rec += "<p class=\"empty\">not recorded</p>"
            } else {
                rec += "<table class=\"nowrap-first\"><thead><tr><th>file</th><th class=\"num\">read</th><th class=\"num\">clean</th><th class=\"num\">rejected</th><th class=\"num\">dupl.</th><th class=\"num\">superseded</th><th class=\"num\">orphans</th><th></th></tr></thead><tbody>"
                for r in run.reconciliation {
                    rec += "<tr><td>\(e(r.file))</td><td class=\"num\">\(g(r.linesRead))</td><td class=\"num\">\(g(r.clean))</td><td class=\"num\">\(g(r.rejected))</td>"
                        + "<td class=\"num\">\(g(r.duplicates))</td><td class=\"num\">\(g(r.superseded))</td><td class=\"num\">\(g(r.orphans))</td>"
                        + "<td class=\"\(r.reconciled ? "ok" : "alert")\">\(r.reconciled ? "✓" : "✗")</td></tr>"
                }
                rec += "</tbody></table>"
            }
        } else {
            rec += "<p class=\"empty\">no run recorded</p>"
        }
        body += "<div class=\"card\"><h2>Reconciliation of the load</h2>\(rec)</div>"
        var checks = "<p class=\"note\">The latest result of each check of this version (at load, and by <code>lens check</code>).</p>"
        if d.checks.isEmpty {
            checks += "<p class=\"empty\">no checks recorded; run <code>lens check</code></p>"
        } else {
            checks += "<table><thead><tr><th>check</th><th>dataset</th><th>result</th><th>run</th></tr></thead><tbody>"
            for c in d.checks {
                checks += "<tr><td>\(e(c.name))</td><td>\(e(c.dataset))</td><td class=\"\(c.passed ? "ok" : "alert")\">\(c.passed ? "passed" : "FAILED: " + e(c.observed))"
                    + (c.firstRows.map { "<div class=\"rows\">\(e($0))</div>" } ?? "") + "</td><td>\(c.runId) (\(e(c.command)))</td></tr>"
            }
            checks += "</tbody></table>"
        }
        body += "<div class=\"card\"><h2>Checks</h2>\(checks)</div>"
        body += "</section>"

        return """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>lens report — version \(d.version.version)</title>
            <style>\(css)</style></head>
            <body>\(body)
            <footer>lens \(e(lensVersion)) · self-contained: no scripts, no network</footer>
            </body></html>
            """
    }

    /// Months from the first to the last ("YYYY-MM"), missing ones as 0 (so the x axis is time).
    static func fillMonths(_ months: [(month: String, train: Int, test: Int, buffer: Int)])
        -> [(month: String, train: Int, test: Int, buffer: Int)]
    {
        func parse(_ m: String) -> Int? {
            let p = m.split(separator: "-")
            guard p.count == 2, let y = Int(p[0]), let mo = Int(p[1]) else { return nil }
            return y * 12 + mo - 1
        }
        guard let first = months.first.flatMap({ parse($0.month) }), let last = months.last.flatMap({ parse($0.month) }),
              last >= first, last - first < 12 * 200 else { return months }
        var byMonth: [Int: (Int, Int, Int)] = [:]
        for m in months { if let k = parse(m.month) { byMonth[k] = (m.train, m.test, m.buffer) } }
        return (first...last).map { k in
            let v = byMonth[k] ?? (0, 0, 0)
            return (String(format: "%04d-%02d", k / 12, k % 12 + 1), v.0, v.1, v.2)
        }
    }

    /// Years from the first to the last, missing ones as 0 (so the x axis is time).
    static func fillYears(_ years: [(year: Int, movies: Int)]) -> [(year: Int, movies: Int)] {
        guard let first = years.first?.year, let last = years.last?.year, last >= first, last - first < 500 else { return years }
        let byYear = Dictionary(years.map { ($0.year, $0.movies) }, uniquingKeysWith: +)
        return (first...last).map { ($0, byYear[$0] ?? 0) }
    }

    static func day(_ epoch: Double) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "yyyy-MM-dd"
        return f.string(from: Date(timeIntervalSince1970: epoch))
    }

    /// "2026-11-22 01:45:21.836067+00" -> "2026-11-22 01:45 UTC".
    static func shortTime(_ pg: String) -> String {
        guard pg.count >= 16 else { return pg }
        return String(pg.prefix(16)) + (pg.hasSuffix("+00") ? " UTC" : "")
    }

    static func badge(_ text: String, ok: Bool) -> String {
        "<span class=\"badge \(ok ? "ok" : "alert")\">\(SVGChart.escape(text))</span>"
    }

    static func card(_ title: String, _ note: String, _ content: String) -> String {
        "<div class=\"card\"><h2>\(SVGChart.escape(title))</h2><p class=\"note\">\(SVGChart.escape(note))</p>\(content)</div>"
    }

    static let css = """
        body{font-family:system-ui,-apple-system,'Segoe UI',Helvetica,Arial,sans-serif;margin:0 auto;max-width:1100px;padding:18px 24px;color:#222;background:#fafafa}
        h1{font-size:22px;margin:4px 0}h2{font-size:15px;margin:0 0 4px}
        .meta{color:#555;margin:2px 0;font-size:13px}code{font-size:12px;background:#eee;padding:1px 4px;border-radius:3px}
        .strip{margin:12px 0}.badge{display:inline-block;padding:4px 10px;border-radius:12px;margin-right:8px;font-size:13px}
        .badge.ok{background:#e3f1e0;color:#2b6a2b}.badge.alert{background:#fbe0e0;color:#a11}
        section{margin:14px 0}.grid{display:grid;grid-template-columns:repeat(2,minmax(0,1fr));gap:14px}
        .card,section>h2{background:#fff}.card{border:1px solid #e3e3e3;border-radius:6px;padding:12px;overflow:hidden}
        section:not(.grid){background:#fff;border:1px solid #e3e3e3;border-radius:6px;padding:12px}
        .note{color:#666;font-size:12px;margin:2px 0 8px}.empty{color:#888;font-style:italic;padding:30px 0;text-align:center}
        table{border-collapse:collapse;font-size:12px;width:100%}th,td{padding:3px 6px;border-bottom:1px solid #eee;text-align:left;vertical-align:top}
        th{color:#555;font-weight:600}.num{text-align:right;font-variant-numeric:tabular-nums}
        .nowrap-first td:first-child{white-space:nowrap}td.ok{color:#2b6a2b}td.alert{color:#a11;font-weight:600}.rows{font-family:monospace;font-size:11px;white-space:pre-wrap;color:#733}
        svg{max-width:100%;height:auto}footer{color:#888;font-size:11px;margin:20px 0}
        """
}

/// `lens report`: gather and render, write the file.
public enum ReportTask {
    /// Writes the report to `out` and returns what it showed. Throws `LensError.database` (no
    /// version, query failure) or `LensError.output` (cannot write the file).
    public static func run(database: String?, config: PipelineConfig, out: String,
                           thresholds: DriftThresholds? = nil) throws -> ReportData {
        let sql = try SQLFiles.locate()
        let conn = try DatabaseTarget.resolve(explicit: database).connect()
        defer { conn.close() }
        let data: ReportData
        do {
            try CatalogStore(conn: conn, sql: sql, schema: config.catalogSchema).ensureSchema()
            data = try Report.gather(conn: conn, sql: sql, current: config.currentSchema, catalog: config.catalogSchema,
                                     thresholds: thresholds ?? config.drift)
        } catch let e as LensError {
            throw e
        } catch {
            throw LensError.database(message: "\(error)")
        }
        do {
            try Data(Report.html(data).utf8).write(to: URL(fileURLWithPath: out), options: .atomic)
        } catch {
            throw LensError.output(path: out, message: "cannot write the report: \(error.localizedDescription)")
        }
        return data
    }
}
