import ArgumentParser
import Foundation
import LensCore

/// `lens load DIR`: load a Parquet folder written by `lens run` into PostgreSQL, without the drop.
struct LoadCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "load",
        abstract: "Load a Parquet folder written by `lens run --out DIR` into PostgreSQL as a new version.",
        discussion: """
            Every file is checked against DIR/manifest.json (size, sha256, rows, schema) before anything \
            is loaded. Nothing is loaded when the current version comes from the same run fingerprint.
            """
    )

    @Argument(help: "A folder written by `lens run --out DIR` (with its manifest.json).")
    var dir: String

    @Option(name: .long, help: "PostgreSQL URL or conninfo (else DATABASE_URL, PG* variables, else the private cluster).")
    var database: String?

    @OptionGroup var waitOption: WaitOption
    @OptionGroup var quietOption: QuietOption

    @Option(name: .long, help: "Pipeline file for the warehouse settings (default: pipelines/movielens.toml when present).")
    var pipeline: String?

    @Option(name: .long, help: "Seconds publishing may wait for analyst sessions holding locks on the current views before the run fails (overrides publish.lock_deadline_seconds; default 300).")
    var publishLockDeadline: Double?

    @Flag(name: .long, help: "At the publish lock deadline, end the sessions holding locks on the current views (pg_terminate_backend; their transactions roll back) and publish, instead of failing.")
    var terminateBlockers = false

    @OptionGroup var output: FormatOption

    func run() throws {
        quietOption.apply()
        do {
            InterruptHandling.install()
            let (loaded, file) = try loadPipelineConfig(pipeline)
            var config = loaded
            if let publishLockDeadline { config.publish.deadlineSeconds = publishLockDeadline }
            if terminateBlockers { config.publish.terminateBlockers = true }
            try config.publish.validate(source: "--publish-lock-deadline")
            let path = URL(fileURLWithPath: dir).standardizedFileURL.path
            var options = RunOptions(source: path, pipelineFile: file, config: config, database: database)
            waitOption.apply(to: &options)
            let result = try LoadFolderTask.run(dir: path, options: options, progress: renderProgress)
            try printRunResult(result, format: output.format)
            if !result.reconciled { throw LensError.check(name: "reconciliation", message: "some input file does not reconcile; see the summary") }
        } catch {
            exitWith(error)
        }
    }
}
