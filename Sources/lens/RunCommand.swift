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

    @Option(name: .long, help: "Drop date YYYY-MM-DD for capping timestamps (overrides ingest.drop_date).")
    var dropDate: String?

    @Flag(name: .long, help: "Hold the buffer batches back from the load (append later).")
    var holdBackBuffer = false

    @Flag(name: .long, help: "Stop after writing Parquet; do not load PostgreSQL.")
    var noLoad = false

    @Flag(name: .long, help: "Run even when the estimated peak memory exceeds the memory available.")
    var ignoreMemoryCheck = false

    @Option(name: .long, help: "Output format of the summary: text or json (json goes to stdout).")
    var format: String = "text"

    func run() throws {
        do {
            let (config, file) = try loadPipelineConfig(pipeline)
            var c = config
            if let out { c.outDir = out }
            if let dropDate { c.dropDate = dropDate }
            if holdBackBuffer { c.holdBackBuffer = true }
            guard format == "text" || format == "json" else {
                throw LensError.config(file: "--format", line: nil, message: "must be text or json")
            }
            var options = RunOptions(source: URL(fileURLWithPath: source).standardizedFileURL.path, pipelineFile: file, config: c, database: database, skipLoad: noLoad)
            options.ignoreMemoryCheck = ignoreMemoryCheck
            let result = try RunPipeline.run(options, progress: renderProgress)
            if format == "json" {
                let enc = JSONEncoder()
                enc.outputFormatting = [.prettyPrinted, .sortedKeys]
                print(String(decoding: try enc.encode(result), as: UTF8.self))
            } else {
                say(renderSummary(result))
            }
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

/// Progress per stage on stderr.
func renderProgress(_ event: ProgressEvent) {
    switch event {
    case .stageStarted(let stage):
        say("lens: \(stage) ...")
    case .stageFinished(let stage, let seconds, let detail):
        say(String(format: "lens: %@ done in %.2f s%@", stage, seconds, detail.isEmpty ? "" : " (\(detail))"))
    case .stageSkipped(let stage):
        say("lens: \(stage) skipped (inputs and parameters unchanged)")
    case .tableLoaded(let table, let rows):
        say("lens:   copied \(rows) rows into \(table)")
    }
}

/// The per-table summary and reconciliation as an aligned text table.
func renderSummary(_ r: RunResult) -> String {
    var lines: [String] = []
    lines.append("")
    if r.nothingChanged { lines.append("nothing changed: the drop and the parameters are those of the current version") }
    lines.append("source \(r.source) (drop date \(r.dropDate))" + (r.version.map { ", loaded as version \($0) (run \(r.runId ?? 0))" } ?? ""))
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
    let stages = r.stageSeconds.sorted { $0.key < $1.key }.map { String(format: "%@ %.2f s", $0.key, $0.value) }
    lines.append("seconds: " + stages.joined(separator: ", "))
    if !r.stagePeakRSSMB.isEmpty {
        let peaks = r.stagePeakRSSMB.sorted { $0.key < $1.key }.map { String(format: "%@ %.0f MB", $0.key, $0.value) }
        lines.append("peak memory: " + peaks.joined(separator: ", "))
    }
    return lines.joined(separator: "\n")
}
