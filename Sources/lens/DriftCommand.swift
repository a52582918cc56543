import ArgumentParser
import Foundation
import LensCore

/// `lens drift`: each buffer batch against train.
struct DriftCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "drift",
        abstract: "Compare each buffer batch with train (rating KS, genre and user-activity PSI) and record alerts.",
        discussion: """
            rating_ks: two-sample Kolmogorov-Smirnov statistic D of the ratings; its p-value counts each sample at its \
            effective size (ratings / the design effect of their clustering by user).
            genre_psi, activity_psi: population stability index of the genre mix and of the ratings' user-activity \
            buckets; the activity p-value (chi-square) counts Kish's effective number of users.
            Alerts: rating_ks and activity_psi above their threshold with a p-value below alpha; genre_psi above its \
            threshold. Thresholds come from the [drift] section of the pipeline file; a flag overrides it \
            (docs/analysts.md, "Drift", says why the defaults are what they are).
            Alerts are recorded in lens_catalog.drift_alerts (replacing the version's earlier alerts) and shown by \
            `lens report`. Exit code 0 even with alerts unless --fail-on-alert.
            """
    )

    @OptionGroup var thresholdOptions: DriftThresholdOptions

    @Flag(name: .long, help: "Exit with code 1 when there is an alert.")
    var failOnAlert = false

    @Flag(name: .long, help: "Do not record the alerts in the catalog.")
    var dryRun = false

    @Option(name: .long, help: "Pipeline file (default: pipelines/movielens.toml when present).")
    var pipeline: String?

    @Option(name: .long, help: "PostgreSQL URL or conninfo (else DATABASE_URL, PG* variables, else the private cluster).")
    var database: String?

    @OptionGroup var output: FormatOption

    func run() throws {
        do {
            try thresholdOptions.check()
            let (config, _) = try loadPipelineConfig(pipeline)
            let thresholds = thresholdOptions.apply(to: config.drift)
            let report = try DriftTask.run(database: database, config: config, thresholds: thresholds, record: !dryRun)
            switch output.format {
            case .json:
                try Output.printJSON(report)
            case .csv, .markdown:
                // One row per batch and metric: the long form of the text table.
                let rows = report.batches.flatMap { b in
                    b.metrics.map { m -> [String?] in
                        [String(b.batch), m.metric, String(m.value), String(m.threshold), m.pValue.map { String($0) }, m.alert ? "t" : "f"]
                    }
                }
                print(QueryRunner.render(QueryResult(columns: ["batch", "metric", "value", "threshold", "p_value", "alert"], rows: rows,
                                                     columnTypes: [23, 25, 701, 701, 701, 16]), format: output.format))
            case .text:
                print("batch  ratings  users  eff.users  rating_ks  p_value    genre_psi  activity_psi  p_value")
                for b in report.batches {
                    func v(_ name: String) -> String {
                        guard let m = b.metric(name) else { return "-" }
                        return String(format: "%.4f", m.value) + (m.alert ? "!" : " ")
                    }
                    func p(_ name: String) -> String {
                        guard let p = b.metric(name)?.pValue else { return "-" }
                        return String(format: p < 1e-4 ? "%.2e" : "%.6f", p)
                    }
                    print(String(format: "%5d  %7d  %5d  %9.1f  %@  %@  %@  %@     %@", b.batch, b.nRatings, b.nUsers, b.effectiveUsers,
                                 pad(v("rating_ks")), pad(p("rating_ks")), pad(v("genre_psi")), pad(v("activity_psi")), p("activity_psi")))
                }
            }
            if report.batches.isEmpty { say("lens: version \(report.version.map(String.init) ?? "-") has no buffer batches; nothing to compare") }
            let alerts = report.alerts
            say("lens: \(alerts.count) alert\(alerts.count == 1 ? "" : "s") (thresholds: rating_ks \(thresholds.ratingKS), genre_psi \(thresholds.genrePSI), activity_psi \(thresholds.activityPSI); alpha \(thresholds.alpha))"
                + (dryRun ? "; not recorded (--dry-run)" : "; recorded in \(config.catalogSchema).drift_alerts"))
            for (batch, m) in alerts {
                say(String(format: "lens: alert: batch %d %@ = %.4f > %g", batch, m.metric, m.value, m.threshold)
                    + (m.pValue.map { String(format: ", p = %.2g < %g", $0, thresholds.alpha) } ?? ""))
            }
            if failOnAlert && !alerts.isEmpty { throw ExitCode(1) }
        } catch let e as ExitCode {
            throw e
        } catch {
            exitWith(error)
        }
    }

    func pad(_ s: String) -> String { s.padding(toLength: 9, withPad: " ", startingAt: 0) }
}

/// The drift thresholds as flags (`lens drift`, `lens report`); each overrides the pipeline
/// file's `[drift]` key, which overrides the built-in default.
struct DriftThresholdOptions: ParsableArguments {
    @Option(name: .long, help: "Alert when the KS statistic D exceeds this (and p < alpha) (default: drift.rating_ks, 0.1).")
    var ksThreshold: Double?

    @Option(name: .long, help: "Alert when the genre-mix PSI exceeds this (default: drift.genre_psi, 0.25).")
    var genrePsiThreshold: Double?

    @Option(name: .long, help: "Alert when the user-activity PSI exceeds this (and p < alpha) (default: drift.activity_psi, 0.25).")
    var activityPsiThreshold: Double?

    @Option(name: .long, help: "Significance level of the rating and activity alerts; 1 = size alone (default: drift.alpha, 0.001).")
    var alpha: Double?

    /// Throws `LensError.config` naming the flag when a value is out of range (exit code 64).
    func check() throws {
        for (flag, v) in [("--ks-threshold", ksThreshold), ("--genre-psi-threshold", genrePsiThreshold),
                          ("--activity-psi-threshold", activityPsiThreshold)] {
            if let v, !(v >= 0) || !v.isFinite {
                throw LensError.config(file: flag, line: nil, message: "must be a number >= 0, got \(v)")
            }
        }
        if let alpha, !(alpha > 0 && alpha <= 1) {
            throw LensError.config(file: "--alpha", line: nil, message: "must be in (0, 1], got \(alpha)")
        }
    }

    func apply(to file: DriftThresholds) -> DriftThresholds {
        DriftThresholds(ratingKS: ksThreshold ?? file.ratingKS, genrePSI: genrePsiThreshold ?? file.genrePSI,
                        activityPSI: activityPsiThreshold ?? file.activityPSI, alpha: alpha ?? file.alpha)
    }
}
