import ArgumentParser
import Foundation
import LensCore

/// `lens run`: the whole pipeline on one drop.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Clean a MovieLens drop, write Parquet, load PostgreSQL as a new version.",
        discussion: "Flags override the pipeline file's values."
    )

    @Option(name: .long, help: "A MovieLens drop: a folder or a GroupLens .zip (CSV layout).")
    var source: String

    @Option(name: .long, help: "Pipeline file (default: pipelines/movielens.toml when present).")
    var pipeline: String?

    @Option(name: .long, help: "Output folder for the Parquet datasets (overrides parquet.out).")
    var out: String?

    @Option(name: .long, help: "PostgreSQL URL or conninfo (else DATABASE_URL, PG* variables, else the private cluster).")
    var database: String?

    @OptionGroup var waitOption: WaitOption
    @OptionGroup var quietOption: QuietOption

    @Option(name: .long, help: "Drop date YYYY-MM-DD for capping timestamps (overrides ingest.drop_date).")
    var dropDate: String?

    @Flag(name: .long, help: "Hold the buffer batches back from the load (append later).")
    var holdBackBuffer = false

    @Flag(name: .long, help: "Stop after writing Parquet; do not load PostgreSQL.")
    var noLoad = false

    @Flag(name: .long, help: "Recompute every stage, whatever the fingerprints say (e.g. a drop edited in place).")
    var force = false

    @Flag(name: .long, help: "Publish although a file's rejected + orphaned share is over guards.max_rejected_share.")
    var acceptRejects = false

    @Flag(name: .long, help: "Publish although the ratings shrink below guards.min_ratings_share_of_current of the current version's.")
    var allowShrink = false

    @Flag(name: .long, help: "Publish a drop with no clean ratings.")
    var allowEmpty = false
    @Option(name: .long, help: "Seconds publishing may wait for analyst sessions holding locks on the current views before the run fails (overrides publish.lock_deadline_seconds; default 300).")
    var publishLockDeadline: Double?

    @Flag(name: .long, help: "At the publish lock deadline, end the sessions holding locks on the current views (pg_terminate_backend; their transactions roll back) and publish, instead of failing.")
    var terminateBlockers = false

    @Flag(name: .long, help: "Run even when the estimated peak memory exceeds the memory available.")
    var ignoreMemoryCheck = false

    @OptionGroup var output: FormatOption

    func run() throws {
        quietOption.apply()
        do {
            let (config, file) = try loadPipelineConfig(pipeline)
            var c = config
            if let out { c.outDir = out }
            if let dropDate { c.dropDate = dropDate }
            if holdBackBuffer { c.holdBackBuffer = true }
            if let publishLockDeadline { c.publish.deadlineSeconds = publishLockDeadline }
            if terminateBlockers { c.publish.terminateBlockers = true }
            try c.publish.validate(source: "--publish-lock-deadline")
            var overrides = Set<GuardOverride>()
            if acceptRejects { overrides.insert(.acceptRejects) }
            if allowShrink { overrides.insert(.allowShrink) }
            if allowEmpty { overrides.insert(.allowEmpty) }
            var options = RunOptions(source: URL(fileURLWithPath: source).standardizedFileURL.path, pipelineFile: file, config: c,
                                     database: database, skipLoad: noLoad, force: force, guardOverrides: overrides)
            options.ignoreMemoryCheck = ignoreMemoryCheck
            waitOption.apply(to: &options)
            InterruptHandling.install()
            let result = try RunPipeline.run(options, progress: renderProgress)
            try printRunResult(result, format: output.format)
            if !result.reconciled { throw LensError.check(name: "reconciliation", message: "some input file does not reconcile; see the summary") }
        } catch {
            exitWith(error)
        }
    }
}

/// Reads `--pipeline FILE`, else `pipelines/movielens.toml` if it exists, else the defaults.
func loadPipelineConfig(_ path: String?) throws -> (PipelineConfig, String?) {
    if let path { return (try PipelineConfig.load(path: path), path) }
    let fallback = "pipelines/movielens.toml"
    if FileManager.default.fileExists(atPath: fallback) { return (try PipelineConfig.load(path: fallback), fallback) }
    return (PipelineConfig(), nil)
}

/// The per-table summary and reconciliation as an aligned text table.
func renderSummary(_ r: RunResult) -> String {
    var lines: [String] = []
    if r.nothingChanged { lines.append("nothing changed: the drop and the parameters are those of the current version") }
    lines.append("source \(r.source) (drop date \(r.dropDate))" + (r.version.map { (r.nothingChanged ? ", current version \($0)" : ", loaded as version \($0)") + " (run \(r.runId ?? 0))" } ?? ""))
    func row(_ cells: [String]) -> String {
        cells[0].padding(toLength: 18, withPad: " ", startingAt: 0)
            + cells.dropFirst().map { String(repeating: " ", count: max(0, 12 - $0.count)) + $0 }.joined(separator: " ")
    }
    lines.append(row(["table", "read", "clean", "quarantined", "loaded"]))
    for t in r.tables {
        lines.append(row([t.table, String(t.read), String(t.clean), String(t.quarantined), t.loaded.map { String($0) } ?? "-"]))
    }
    lines.append("")
    lines.append("reconciliation (lines read = clean + rejected + duplicates + superseded + orphans):")
    for f in r.reconciliation {
        lines.append("  \(f.file): \(f.linesRead) = \(f.clean) + \(f.rejected) + \(f.duplicates) + \(f.superseded) + \(f.orphans)  \(f.reconciled ? "ok" : "MISMATCH")")
    }
    lines.append("split: train \(r.split.train), test \(r.split.test), buffer \(r.split.buffer) in batches \(r.split.batchSizes.map(String.init).joined(separator: " + "))")
    if let ratio = r.pcaExplainedVarianceRatio {
        lines.append(String(format: "genome PCA: %d components explain %.4f of the variance", ratio.count, ratio.reduce(0, +))
                     + (r.genomeMissingCells.map { "; \($0) missing genome cells taken as 0" } ?? ""))
    }
    if !r.guardOverrides.isEmpty {
        lines.append("published past the guards: " + r.guardOverrides.map(\.flag).joined(separator: ", "))
    }
    if !r.warnings.isEmpty {
        lines.append("warnings:")
        for w in r.warnings { lines.append("  \(w.file): \(w.message)") }
    }
    let stages = r.stageSeconds.sorted { $0.key < $1.key }.map { String(format: "%@ %.2f s", $0.key, $0.value) }
    lines.append("seconds: " + stages.joined(separator: ", "))
    if !r.stagePeakRSSMB.isEmpty {
        let peaks = r.stagePeakRSSMB.sorted { $0.key < $1.key }.map { String(format: "%@ %.0f MB", $0.key, $0.value) }
        lines.append("peak memory: " + peaks.joined(separator: ", "))
    }
    return lines.joined(separator: "\n")
}

/// The result of `lens run` and `lens load` on stdout: the summary (text), the RunResult
/// (json), or its per-table rows (csv, markdown).
func printRunResult(_ r: RunResult, format: OutputFormat) throws {
    switch format {
    case .json:
        try Output.printJSON(r)
    case .text:
        print(renderSummary(r))
    case .csv, .markdown:
        let rows = r.tables.map { t -> [String?] in [t.table, String(t.read), String(t.clean), String(t.quarantined), t.loaded.map(String.init)] }
        print(QueryRunner.render(QueryResult(columns: ["table", "read", "clean", "quarantined", "loaded"], rows: rows,
                                             columnTypes: [25, 20, 20, 20, 20]), format: format))
    }
}
