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

    @OptionGroup var thresholdOptions: DriftThresholdOptions

    @Option(name: .long, help: "Pipeline file (default: pipelines/movielens.toml when present).")
    var pipeline: String?

    @Option(name: .long, help: "PostgreSQL URL or conninfo (else DATABASE_URL, PG* variables, else the private cluster).")
    var database: String?

    @OptionGroup var output: FormatOption

    func run() throws {
        do {
            try thresholdOptions.check()
            try output.requireNotTabular("lens report", use: "")
            let (config, _) = try loadPipelineConfig(pipeline)
            let thresholds = thresholdOptions.apply(to: config.drift)
            let data = try ReportTask.run(database: database, config: config, out: out, thresholds: thresholds)
            let failed = data.checks.filter { !$0.passed }.count, alerts = data.drift.alerts.count
            say("lens: wrote \(out) (version \(data.version.version), \(failed) failed check\(failed == 1 ? "" : "s"), \(alerts) drift alert\(alerts == 1 ? "" : "s"))")
            if output.format == .json {
                struct Written: Encodable { var path: String; var version: Int; var failed_checks: Int; var drift_alerts: Int }
                try Output.printJSON(Written(path: out, version: data.version.version, failed_checks: failed, drift_alerts: alerts))
            } else {
                print(out)
            }
        } catch {
            exitWith(error)
        }
    }
}
