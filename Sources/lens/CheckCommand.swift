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

    @OptionGroup var output: FormatOption

    func run() throws {
        do {
            let (config, _) = try loadPipelineConfig(pipeline)
            let report = try CheckTask.run(database: database, config: config)
            let failed = report.results.filter { !$0.passed }.count
            switch output.format {
            case .json:
                try Output.printJSON(CheckOutput(report))
            case .csv, .markdown:
                let rows = report.results.map { r -> [String?] in [r.name, r.dataset, r.passed ? "t" : "f", String(r.violations), r.summary] }
                print(QueryRunner.render(QueryResult(columns: ["check", "dataset", "passed", "violations", "summary"], rows: rows,
                                                     columnTypes: [25, 25, 16, 20, 25]), format: output.format))
            case .text:
                for r in report.results {
                    print(String(format: "%@  %@ (%.2f s)", r.passed ? "ok  " : "FAIL", r.headline, r.seconds))
                    if !r.passed {
                        for line in r.sampleLines { print("        \(line)") }
                        if r.violations > r.sample.count { print("        ... and \(r.violations - r.sample.count) more") }
                    }
                }
                print("\(report.results.count - failed) of \(report.results.count) checks passed on version \(report.version) (recorded as run \(report.runId))")
            }
            if failed > 0 {
                say("lens: \(failed) of \(report.results.count) checks failed on version \(report.version)")
                throw ExitCode(1)
            }
        } catch let e as ExitCode {
            throw e
        } catch {
            exitWith(error)
        }
    }
}

/// `lens check --format json`: one object, the checks with their version and catalog run.
struct CheckOutput: Encodable {
    var version: Int
    var runId: Int64
    var passed: Bool
    var checks: [CheckResult]
    init(_ r: CheckReport) { (version, runId, passed, checks) = (r.version, r.runId, r.passed, r.results) }
    enum CodingKeys: String, CodingKey { case version, runId = "run_id", passed, checks }
}
