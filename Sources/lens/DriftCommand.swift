import ArgumentParser
import Foundation
import LensCore

/// `lens drift`: each buffer batch against train.
struct DriftCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "drift",
        abstract: "Compare each buffer batch with train (rating KS, genre and user-activity PSI) and record alerts.",
        discussion: """
            rating_ks: two-sample Kolmogorov-Smirnov statistic D of the ratings (asymptotic p-value shown).
            genre_psi / activity_psi: population stability index of the genre mix and of the ratings' user-activity buckets.
            A metric above its threshold is an alert, recorded in lens_catalog.drift_alerts (replacing the version's
            earlier alerts) and shown by `lens report`. Exit code 0 even with alerts unless --fail-on-alert.
            """
    )

    @Option(name: .long, help: "Alert when the KS statistic D exceeds this.")
    var ksThreshold: Double = DriftThresholds().ratingKS

    @Option(name: .long, help: "Alert when the genre-mix PSI exceeds this.")
    var genrePsiThreshold: Double = DriftThresholds().genrePSI

    @Option(name: .long, help: "Alert when the user-activity PSI exceeds this.")
    var activityPsiThreshold: Double = DriftThresholds().activityPSI

    @Flag(name: .long, help: "Exit with code 1 when there is an alert.")
    var failOnAlert = false

    @Flag(name: .long, help: "Do not record the alerts in the catalog.")
    var dryRun = false

    @Option(name: .long, help: "Pipeline file (default: pipelines/movielens.toml when present).")
    var pipeline: String?

    @Option(name: .long, help: "PostgreSQL URL or conninfo (else DATABASE_URL, PG* variables, else the private cluster).")
    var database: String?

    @Option(name: .long, help: "text | json (json goes to stdout)")
    var format: String = "text"

    func run() throws {
        do {
            guard format == "text" || format == "json" else {
                throw LensError.config(file: "--format", line: nil, message: "must be text or json")
            }
            for (flag, v) in [("--ks-threshold", ksThreshold), ("--genre-psi-threshold", genrePsiThreshold),
                              ("--activity-psi-threshold", activityPsiThreshold)] where !(v >= 0) || !v.isFinite {
                throw LensError.config(file: flag, line: nil, message: "must be a number >= 0, got \(v)")
            }
            let (config, _) = try loadPipelineConfig(pipeline)
            let thresholds = DriftThresholds(ratingKS: ksThreshold, genrePSI: genrePsiThreshold, activityPSI: activityPsiThreshold)
            let report = try DriftTask.run(database: database, config: config, thresholds: thresholds, record: !dryRun)
            if format == "json" {
                let enc = JSONEncoder()
                enc.outputFormatting = [.prettyPrinted, .sortedKeys]
                print(String(decoding: try enc.encode(report), as: UTF8.self))
            } else {
                print("batch  ratings   rating_ks  p_value    genre_psi  activity_psi")
                for b in report.batches {
                    func v(_ name: String) -> String {
                        guard let m = b.metric(name) else { return "-" }
                        return String(format: "%.4f", m.value) + (m.alert ? "!" : " ")
                    }
                    let p = b.metric("rating_ks")?.pValue ?? 1
                    print(String(format: "%5d  %7d   %@  %@  %@  %@", b.batch, b.nRatings, pad(v("rating_ks")),
                                 pad(String(format: p < 1e-4 ? "%.2e" : "%.6f", p)), pad(v("genre_psi")), pad(v("activity_psi"))))
                }
            }
            if report.batches.isEmpty { say("lens: version \(report.version.map(String.init) ?? "-") has no buffer batches; nothing to compare") }
            let alerts = report.alerts
            say("lens: \(alerts.count) alert\(alerts.count == 1 ? "" : "s") (thresholds: rating_ks \(ksThreshold), genre_psi \(genrePsiThreshold), activity_psi \(activityPsiThreshold))"
                + (dryRun ? "; not recorded (--dry-run)" : "; recorded in \(config.catalogSchema).drift_alerts"))
            for (batch, m) in alerts { say(String(format: "lens: alert: batch %d %@ = %.4f > %g", batch, m.metric, m.value, m.threshold)) }
            if failOnAlert && !alerts.isEmpty { throw ExitCode(1) }
        } catch let e as ExitCode {
            throw e
        } catch {
            exitWith(error)
        }
    }

    func pad(_ s: String) -> String { s.padding(toLength: 9, withPad: " ", startingAt: 0) }
}
