import ArgumentParser
import Foundation
import LensCore

/// `lens check`: the data-quality checks of sql/checks against the current version.
struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Run the data-quality checks (sql/checks) against the current version and record them in the catalog.",
        discussion: "Each check is a SELECT returning the rows that violate it. Exit code 1 when one fails, with its first offending rows."
    )

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
            let (config, _) = try loadPipelineConfig(pipeline)
            let report = try CheckTask.run(database: database, config: config)
            if format == "json" {
                let enc = JSONEncoder()
                enc.outputFormatting = [.prettyPrinted, .sortedKeys]
                print(String(decoding: try enc.encode(report.results), as: UTF8.self))
            }
            for r in report.results {
                say(String(format: "%@  %@ (%.2f s)", r.passed ? "ok  " : "FAIL", r.headline, r.seconds))
                if !r.passed {
                    for line in r.sampleLines { say("        \(line)") }
                    if r.violations > r.sample.count { say("        ... and \(r.violations - r.sample.count) more") }
                }
            }
            let failed = report.results.filter { !$0.passed }.count
            say("lens: \(report.results.count - failed) of \(report.results.count) checks passed on version \(report.version) (recorded as run \(report.runId))")
            if failed > 0 { throw ExitCode(1) }
        } catch let e as ExitCode {
            throw e
        } catch {
            exitWith(error)
        }
    }
}
