import ArgumentParser
import Foundation
import LensCore

/// `lens report`: one self-contained HTML page about the current version.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write an HTML report of the current version: charts, top movies, split, PCA, reconciliation, checks, drift.",
        discussion: "The page is self-contained (inline CSS and SVG, no scripts, no network): mail it or open it offline."
    )

    @Option(name: .long, help: "The HTML file to write.")
    var out: String = "lens-report.html"

    @Option(name: .long, help: "Drift alert threshold for the KS statistic.")
    var ksThreshold: Double = DriftThresholds().ratingKS

    @Option(name: .long, help: "Drift alert threshold for the genre-mix PSI.")
    var genrePsiThreshold: Double = DriftThresholds().genrePSI

    @Option(name: .long, help: "Drift alert threshold for the user-activity PSI.")
    var activityPsiThreshold: Double = DriftThresholds().activityPSI

    @Option(name: .long, help: "Pipeline file (default: pipelines/movielens.toml when present).")
    var pipeline: String?

    @Option(name: .long, help: "PostgreSQL URL or conninfo (else DATABASE_URL, PG* variables, else the private cluster).")
    var database: String?

    func run() throws {
        do {
            let (config, _) = try loadPipelineConfig(pipeline)
            let thresholds = DriftThresholds(ratingKS: ksThreshold, genrePSI: genrePsiThreshold, activityPSI: activityPsiThreshold)
            let data = try ReportTask.run(database: database, config: config, out: out, thresholds: thresholds)
            say("lens: wrote \(out) (version \(data.version.version), \(data.checks.filter { !$0.passed }.count) failed checks, \(data.drift.alerts.count) drift alerts)")
        } catch {
            exitWith(error)
        }
    }
}
