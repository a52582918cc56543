import Foundation
import PGClient

/// What `lens run` is asked to do.
public struct RunOptions: Sendable {
    /// A drop folder or GroupLens .zip.
    public var source: String
    /// The pipeline file the config came from (recorded with its sha256), if any.
    public var pipelineFile: String?
    public var config: PipelineConfig
    /// `--database`; nil = DATABASE_URL, PG* variables, else the private cluster.
    public var database: String?
    /// Stop after the Parquet files (no PostgreSQL).
    public var skipLoad: Bool
    /// `--ignore-memory-check`: run even when the estimated peak exceeds the memory available.
    public var ignoreMemoryCheck = false
    /// `--force`: recompute every stage whatever the fingerprints say.
    public var force: Bool
    /// Guards the user overrode (`--accept-rejects`, `--allow-shrink`, `--allow-empty`).
    public var guardOverrides: Set<GuardOverride>
    /// `--wait [SECONDS]`: how long a writer waits for another to release the warehouse lock.
    public var lockWaitSeconds: Double = 0
    /// Hears each wait for the warehouse lock (the CLI says so on stderr).
    public var onLockWait: (@Sendable (LockWait) -> Void)?
    public init(source: String, pipelineFile: String?, config: PipelineConfig, database: String?, skipLoad: Bool = false,
                force: Bool = false, guardOverrides: Set<GuardOverride> = []) {
        self.source = source
        self.pipelineFile = pipelineFile
        self.config = config
        self.database = database
        self.skipLoad = skipLoad
        self.force = force
        self.guardOverrides = guardOverrides
    }
}

/// One line of the end-of-run summary.
public struct TableSummary: Codable, Sendable, Equatable {
    public var table: String
    /// Data lines read from the input file(s) behind the table (0 for derived tables).
    public var read: Int
    public var clean: Int
    public var quarantined: Int
    /// Rows in PostgreSQL (nil when not loaded).
    public var loaded: Int?
}

/// What a run did: the value `lens run` renders as text or JSON.
public struct RunResult: Codable, Sendable {
    public var runId: Int64?
    /// The version loaded, or the current version when nothing changed; nil with --no-load.
    public var version: Int?
    public var source: String
    public var out: String
    public var dropDate: String
    public var reconciled: Bool
    public var reconciliation: [FileReconciliation]
    public var caps: CapCounts
    public var split: TemporalSplit.Report
    public var unknownGenres: [String: Int]
    public var pcaExplainedVarianceRatio: [Double]?
    /// Genome (movie, tag) cells missing from genome-scores.csv (taken as 0); nil without a genome.
    public var genomeMissingCells: Int?
    public var tables: [TableSummary]
    /// Seconds per stage, by `Stage` raw value: ingest_clean, split, features, parquet, load, ...
    public var stageSeconds: [String: Double]
    /// Peak resident memory (MB) of the process during each stage, sampled (see ResidentMemorySampler).
    public var stagePeakRSSMB: [String: Double] = [:]
    public var parquetBytes: Int
    /// True when the drop and parameters were unchanged and no stage ran.
    public var nothingChanged = false
    /// What the user should know although nothing failed (missing optional files, caps, ...).
    public var warnings: [DropWarning] = []
    /// Guards that tripped and were overridden by a flag (the drop was published anyway).
    public var guardOverrides: [GuardOverride] = []
    enum CodingKeys: String, CodingKey {
        case runId = "run_id", version, source, out, dropDate = "drop_date", reconciled, reconciliation, caps, split
        case unknownGenres = "unknown_genres", pcaExplainedVarianceRatio = "pca_explained_variance_ratio", tables
        case genomeMissingCells = "genome_missing_cells"
        case stageSeconds = "stage_seconds", stagePeakRSSMB = "stage_peak_rss_mb", parquetBytes = "parquet_bytes", nothingChanged = "nothing_changed"
        case warnings, guardOverrides = "guard_overrides"
    }

    /// How every exit of `lens run` and `lens load` reports: the facts `manifest` holds, the stages
    /// timed so far, the tables with the rows stage 5 loaded (nil when it did not run), and the
    /// catalog run and version.
    /// `loadWarnings`: what stage 5 noticed, after the drop's warnings.
    init(manifest m: Manifest, out: String, stageSeconds: [String: Double], stagePeakMB: [String: Double] = [:],
         runId: Int64? = nil, version: Int? = nil, loaded: [String: Int]? = nil, nothingChanged: Bool = false,
         loadWarnings: [DropWarning] = []) {
        self.runId = runId
        self.version = version
        source = m.source
        self.out = out
        dropDate = m.dropDate
        reconciled = m.reconciliation.allSatisfy(\.reconciled)
        reconciliation = m.reconciliation
        caps = m.caps
        split = m.split
        unknownGenres = m.unknownGenres
        pcaExplainedVarianceRatio = m.pcaExplainedVarianceRatio
        genomeMissingCells = m.genomeMissingCells
        tables = RunPipeline.summaries(reconciliation: m.reconciliation, rowCounts: m.rowCounts, loaded: loaded)
        self.stageSeconds = stageSeconds
        stagePeakRSSMB = stagePeakMB
        parquetBytes = m.parquetBytes
        self.nothingChanged = nothingChanged
        warnings = (m.warnings ?? []) + loadWarnings
        guardOverrides = m.guardOverrides ?? []
    }
}

/// Progress events for the terminal (the core never prints; the CLI renders these on stderr).
public enum ProgressEvent: Sendable {
    case stageStarted(Stage)
    case stageFinished(Stage, seconds: Double, detail: String)
    /// The stage's inputs and parameters are unchanged: its outputs are already there.
    case stageSkipped(Stage)
    case tableLoaded(String, rows: Int)
    /// Publishing waits for analyst sessions holding locks on the current views (it retries).
    case publishWaiting(PublishWait)
    /// How far a step of the current stage is (a file read, a table copied, an index built);
    /// reported every so many rows or bytes, or every half second, never per row.
    case progress(step: String, done: Int64, total: Int64?, unit: ProgressUnit)
    /// The step is over (its phase of the load ended) although its count did not reach a total.
    case stepFinished(String)
}

/// The whole pipeline: drop -> clean -> split -> features -> Parquet -> PostgreSQL + catalog.
public enum RunPipeline {
    /// Runs every stage. Throws `LensError` for fatal problems (after recording a failed run in the
    /// catalog when the database was reachable); row-level problems only show in the result.
    public static func run(_ options: RunOptions, progress: @escaping (ProgressEvent) -> Void = { _ in }) throws -> RunResult {
        try options.config.validate()
        let out = options.config.outDir
        // Before any work: the export may replace only what is lens's own.
        try ExportFolderGuard.check(out: out, source: options.source)
        InterruptCleanup.shared.addExport(out: out)
        do {
            return try runStages(options, progress: progress)
        } catch {
            // A failed run leaves no half-written export behind (only lens's own `.partial` goes).
            ExportFolderGuard.removeOwnPartial(out: out)
            throw error
        }
    }

    /// The stages of `run`, once the output folder is known to be safe to write: the checks on the
    /// drop, its fingerprints, the plan they give, then the stages the plan needs.
    private static func runStages(_ options: RunOptions, progress: @escaping (ProgressEvent) -> Void) throws -> RunResult {
        let stopwatch = Stopwatch(progress: progress, samplesMemory: true, killPoints: true)
        let source = try DropSource.open(path: options.source)
        source.onRead = { progress(.progress(step: $0, done: $1, total: $2, unit: .bytes)) }
        try MemoryBudget.check(source, ignore: options.ignoreMemoryCheck)
        if source.kind == .zip {
            _ = try stopwatch.time(.verifyMD5) { try PublishedChecksum.verify(zipPath: options.source) }
        }
        let fingerprints = try RunFingerprints.compute(source: source, options: options, stopwatch: stopwatch)
        // The database is needed to plan (its current version's fingerprint) unless --no-load.
        let session = options.skipLoad ? nil : try WarehouseSession(options: options, command: .run)
        let stages = RunStages(options: options, progress: progress, stopwatch: stopwatch, session: session,
                               fingerprints: fingerprints)
        do {
            let loadIsCurrent = try session.map { try !options.force && $0.currentFingerprint() == fingerprints.run }
            switch RunPlan.decide(currentExport: fingerprints.currentExport, loadIsCurrent: loadIsCurrent) {
            case .nothingChanged(let export): return try stages.nothingChanged(export)
            case .loadFromExport(let export): return try stages.loadFromExport(export)
            case .full(let load): return try stages.full(source: source, load: load)
            }
        } catch {
            session?.finishFailed(error, stageSeconds: stopwatch.stageSeconds)
            throw error
        }
    }

    /// The sha256 of every recognised file of the drop (as decompressed from a zip), on two threads: the files go largest
    /// first to the thread with fewer bytes so far (25m: ratings.csv on one, the rest on the
    /// other), since one file's digest cannot be split.
    static func rawFileChecksums(source: DropSource) throws -> [String: String] {
        let names = source.fileNames.filter { DropSource.recognisedFileNames.contains($0) }
            .sorted { (source.size(of: $0) ?? 0, $0) > (source.size(of: $1) ?? 0, $1) }
        var laneFiles: [[String]] = [[], []]
        var laneBytes: [Int64] = [0, 0]
        for name in names {
            let lane = laneBytes[0] <= laneBytes[1] ? 0 : 1
            laneFiles[lane].append(name)
            laneBytes[lane] += source.size(of: name) ?? 0
        }
        var sums: [String: String] = [:]
        let lock = NSLock()
        try runLanes(laneFiles.map { files in
            {
                for name in files {
                    let sum = Hex.encode(try SHA256Hasher.digest(of: try source.open(name)))
                    lock.withLock { sums[name] = sum }
                }
            }
        })
        return sums
    }

    /// The pipeline facts recorded in the manifest.
    static func pipelineFacts(_ options: RunOptions) -> [String: String] {
        let c = options.config
        var facts = [
            "name": c.name, "train_fraction": "\(c.trainFraction)", "test_fraction": "\(c.testFraction)",
            "buffer_batches": "\(c.bufferBatches)", "pca_components": "\(c.pcaComponents)", "codec": c.codec.rawValue,
            "zstd_level": "\(c.zstdLevel)", "row_group_rows": "\(c.rowGroupRows)",
            "hold_back_buffer": "\(c.holdBackBuffer)",
        ]
        if let f = options.pipelineFile { facts["file"] = f }
        return facts
    }

    /// Per-table summary lines.
    static func summaries(reconciliation: [FileReconciliation], rowCounts: [String: Int], loaded: [String: Int]?) -> [TableSummary] {
        let byFile = Dictionary(uniqueKeysWithValues: reconciliation.map { ($0.file, $0) })
        let filesOf = ["movies": ["movies.csv", "u.item", "movies.dat"], "links": ["links.csv"],
                       "tags": ["tags.csv", "tags.dat"], "ratings": ["ratings.csv", "u.data", "ratings.dat"],
                       "genome_tags": ["genome-tags.csv"], "genome_scores": ["genome-scores.csv"],
                       "users": ["u.user", "users.dat"]]
        var out: [TableSummary] = []
        for (table, rows) in rowCounts.sorted(by: { $0.key < $1.key }) {
            let r = filesOf[table]?.lazy.compactMap { byFile[$0] }.first
            out.append(TableSummary(table: table, read: r?.linesRead ?? 0, clean: rows,
                                    quarantined: (r?.rejected ?? 0) + (r?.orphans ?? 0), loaded: loaded?[table]))
        }
        return out
    }
}

/// `value`, leaving an empty value in its place: hands the only reference to a consumer.
func take(_ value: inout RatingsTable) -> RatingsTable {
    var taken = RatingsTable()
    swap(&taken, &value)
    return taken
}
