import ArgumentParser
import Foundation
import LensCore

/// `lens append --next | --batch N`: append a held-back buffer batch to the current version.
struct AppendCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "append",
        abstract: "Append a held-back buffer batch to the current version's ratings (idempotent).",
        discussion: """
            Batches go in time order: --next appends the earliest batch still held back (exit 0 with \
            "all N batches are appended" when none is left); --batch N is refused (exit 64) while an \
            earlier batch is held back, unless --out-of-order, which the catalog records.
            """
    )

    @Flag(name: .long, help: "Append the earliest batch still held back (what a scheduler should run).")
    var next = false

    @Option(name: .long, help: "The buffer batch to append (1...buffer_batches).")
    var batch: Int?

    @Flag(name: .long, help: "With --batch: append it even though an earlier batch is still held back.")
    var outOfOrder = false

    @Option(name: .long, help: "Pipeline file (default: pipelines/movielens.toml when present).")
    var pipeline: String?

    @Option(name: .long, help: "PostgreSQL URL or conninfo.")
    var database: String?

    @OptionGroup var waitOption: WaitOption
    @OptionGroup var quietOption: QuietOption

    @OptionGroup var output: FormatOption

    func validate() throws {
        guard next != (batch != nil) else { throw ValidationError("give exactly one of --next and --batch N") }
        if outOfOrder && next { throw ValidationError("--out-of-order goes with --batch N, not --next") }
    }

    func run() throws {
        quietOption.apply()
        do {
            InterruptHandling.install()
            let (config, file) = try loadPipelineConfig(pipeline)
            var options = RunOptions(source: "append", pipelineFile: file, config: config, database: database)
            waitOption.apply(to: &options)
            let request: AppendRequest = batch.map { .batch($0, outOfOrder: outOfOrder) } ?? .next
            try output.requireNotTabular("lens append", use: "")
            let r = try AppendTask.run(request, options: options)
            if output.format == .json { return try Output.printJSON(r) }
            guard let appended = r.batch else {
                print("all \(r.batchCount) batches are appended to version \(r.version); nothing to do")
                return
            }
            if let earlier = r.alreadyAppendedByRun {
                print("batch \(appended) was appended to version \(r.version) by run \(earlier); nothing changed")
            } else {
                let left = r.heldBack.isEmpty ? "none held back" : "held back: \(r.heldBack.map(String.init).joined(separator: ", "))"
                print("appended batch \(appended) to version \(r.version)\(r.outOfOrder ? " out of order" : ""): "
                    + "\(r.rowsAppended) ratings (run \(r.runId)); \(left)")
            }
        } catch {
            exitWith(error)
        }
    }
}
