import ArgumentParser
import Foundation
import LensCore

/// `lens append --batch N`: append a held-back buffer batch to the current version.
struct AppendCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "append",
        abstract: "Append held-back buffer batch N to the current version's ratings (idempotent)."
    )

    @Option(name: .long, help: "The buffer batch to append (1...buffer_batches).")
    var batch: Int

    @Option(name: .long, help: "Pipeline file (default: pipelines/movielens.toml when present).")
    var pipeline: String?

    @Option(name: .long, help: "PostgreSQL URL or conninfo.")
    var database: String?

    func run() throws {
        do {
            let (config, file) = try loadPipelineConfig(pipeline)
            let options = RunOptions(source: "append", pipelineFile: file, config: config, database: database)
            let r = try AppendTask.run(batch: batch, options: options)
            if let earlier = r.alreadyAppendedByRun {
                say("lens: batch \(r.batch) was appended to version \(r.version) by run \(earlier); nothing changed")
            } else {
                say("lens: appended batch \(r.batch) to version \(r.version): \(r.rowsAppended) ratings (run \(r.runId))")
            }
        } catch {
            exitWith(error)
        }
    }
}
