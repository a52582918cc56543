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
    /// Seconds per stage: ingest_clean, split, features, parquet, load.
    public var stageSeconds: [String: Double]
    /// Peak resident memory (MB) of the process during each stage, sampled (see ResidentMemorySampler).
    public var stagePeakRSSMB: [String: Double] = [:]
    public var parquetBytes: Int
    /// True when the drop and parameters were unchanged and no stage ran.
    public var nothingChanged = false
    /// What the user should know although nothing failed (missing optional files, caps, ...).
    public var warnings: [RunWarning] = []
    /// Guards that tripped and were overridden by a flag (the drop was published anyway).
    public var guardOverrides: [GuardOverride] = []
    enum CodingKeys: String, CodingKey {
        case runId = "run_id", version, source, out, dropDate = "drop_date", reconciled, reconciliation, caps, split
        case unknownGenres = "unknown_genres", pcaExplainedVarianceRatio = "pca_explained_variance_ratio", tables
        case genomeMissingCells = "genome_missing_cells"
        case stageSeconds = "stage_seconds", stagePeakRSSMB = "stage_peak_rss_mb", parquetBytes = "parquet_bytes", nothingChanged = "nothing_changed"
        case warnings, guardOverrides = "guard_overrides"
    }

    /// The facts a manifest holds (tables from its row counts; nothing loaded yet).
    init(manifest m: Manifest, out: String, stageSeconds: [String: Double]) {
        runId = nil
        version = nil
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
        tables = RunPipeline.summaries(reconciliation: m.reconciliation, rowCounts: m.rowCounts, loaded: nil)
        self.stageSeconds = stageSeconds
        parquetBytes = m.parquetBytes
        warnings = m.warnings ?? []
        guardOverrides = m.guardOverrides ?? []
    }
}

/// Progress events for the terminal (the core never prints; the CLI renders these on stderr).
public enum ProgressEvent: Sendable {
    case stageStarted(String)
    case stageFinished(String, seconds: Double, detail: String)
    /// The stage's inputs and parameters are unchanged: its outputs are already there.
    case stageSkipped(String)
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

    /// The stages of `run`, once the output folder is known to be safe to write.
    private static func runStages(_ options: RunOptions, progress: @escaping (ProgressEvent) -> Void) throws -> RunResult {
        let config = options.config
        var stageSeconds: [String: Double] = [:]
        var stagePeakMB: [String: Double] = [:]
        func timed<T>(_ stage: String, _ detail: (T) -> String = { _ in "" }, _ body: () throws -> T) rethrows -> T {
            KillPoint.check("before_" + stage)
            progress(.stageStarted(stage))
            let start = ContinuousClock.now
            let memory = ResidentMemorySampler()
            let value: T
            do { value = try body() } catch { _ = memory.stop(); throw error }
            stagePeakMB[stage] = (Double(memory.stop()) / 1_048_576).rounded()
            let d = ContinuousClock.now - start
            let s = Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
            stageSeconds[stage] = s
            progress(.stageFinished(stage, seconds: s, detail: detail(value)))
            return value
        }

        let source = try DropSource.open(path: options.source)
        source.onRead = { progress(.progress(step: $0, done: $1, total: $2, unit: .bytes)) }
        try MemoryBudget.check(source, ignore: options.ignoreMemoryCheck)
        let out = config.outDir
        if source.kind == .zip {
            try timed("verify_md5") { try PublishedChecksum.verify(zipPath: options.source) }
        }
        // Content addressing: an untouched drop (same sizes and mtimes) reuses the checksums the
        // last export recorded; otherwise every CSV is hashed.
        let quick = Fingerprint.quick(source)
        let previous = ParquetExport.readManifest(in: out)
        let rawFiles = try timed("checksum") {
            if !options.force, let previous, previous.quickFingerprint == quick { return previous.rawFiles }
            return try rawFileChecksums(source: source)
        }
        let content = Fingerprint.content(rawFiles: rawFiles)
        let runFingerprint = Fingerprint.run(content: content, config: config)
        // --force: every stage runs, whatever the fingerprints say.
        let exportIsCurrent = !options.force
            && (previous.map { $0.runFingerprint == runFingerprint && ParquetExport.filesPresent($0, in: out) } ?? false)

        let session = options.skipLoad ? nil : try WarehouseSession(options: options, command: "run")
        do {
            let loadIsCurrent = try session.map { try !options.force && $0.currentFingerprint() == runFingerprint } ?? true
            if exportIsCurrent && loadIsCurrent, var manifest = previous {
                // Nothing changed: no stage runs, no file or row is written (a moved-but-identical
                // drop only refreshes the manifest's quick fingerprint).
                for stage in ["ingest_clean", "split", "features", "parquet", "load"] { progress(.stageSkipped(stage)) }
                if manifest.quickFingerprint != quick {
                    manifest.quickFingerprint = quick
                    try ParquetExport.saveManifest(manifest, in: out)
                }
                let current = try session?.finishSkipped(manifest: manifest, stageSeconds: stageSeconds)
                var result = RunResult(manifest: manifest, out: out, stageSeconds: stageSeconds)
                result.runId = session?.runId
                result.version = current ?? nil
                result.nothingChanged = true
                return result
            }
            if exportIsCurrent, let session, var manifest = previous {
                // The export is complete and current but the database lacks it (a killed load, a new
                // server): redo only what is missing, loading from the Parquet files.
                for stage in ["ingest_clean", "split", "features", "parquet"] { progress(.stageSkipped(stage)) }
                let (tables, stored) = try timed("read_parquet") { try ParquetImport.read(from: out, countQuantile: config.movieCountQuantile) }
                manifest.rowCounts = stored.rowCounts
                let load = try timed("load", { (r: LoadOutcome) in "version \(r.version) in \(r.schema)" }) {
                    try session.load(tables, manifest: manifest, stageSeconds: stageSeconds, progress: progress)
                }
                var result = RunResult(manifest: manifest, out: out, stageSeconds: stageSeconds)
                result.runId = load.runId
                result.version = load.version
                result.stagePeakRSSMB = stagePeakMB
                result.tables = summaries(reconciliation: manifest.reconciliation, rowCounts: manifest.rowCounts,
                                          loaded: load.rows)
                return result
            }
            let inputBytes = source.fileNames.compactMap { source.size(of: $0) }.reduce(0, +)
            let ingestStart = ContinuousClock.now
            var cleaned = try timed("ingest_clean", { (c: CleanedDrop) in
                let d = ContinuousClock.now - ingestStart
                let seconds = max(Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18, 1e-9)
                let mb = Double(inputBytes) / 1_000_000
                let lines = c.reconciliation.reduce(0) { $0 + $1.linesRead }
                return String(format: "%d lines, %d clean ratings, %d quarantined; %.1f MB at %.0f MB/s",
                              lines, c.ratings.count, c.quarantine.count, mb, mb / seconds)
            }) {
                try CleanDrop.run(source: source, config: config)
            }
            let ratingsFile = cleaned.reconciliation.first { ["ratings.csv", "u.data", "ratings.dat"].contains($0.file) }?.file
            let warnings = cleaned.warnings.map { RunWarning(kind: $0.kind.rawValue, file: $0.file, message: $0.message) }
                + RunWarning.caps(cleaned.caps, config: config, ratingsFile: ratingsFile ?? "ratings.csv")
            // The publish guards, before anything is written: a refused drop changes neither the
            // current version nor the export in --out.
            let currentRatings = try session.map { try $0.currentRatingsRows() } ?? previous?.rowCounts["ratings"]
            let guardOverrides: [GuardOverride]
            do {
                guardOverrides = try config.guards.enforce(
                    reconciliation: cleaned.reconciliation, quarantine: cleaned.quarantine, cleanRatings: cleaned.ratings.count,
                    currentRatings: currentRatings, overrides: options.guardOverrides)
            } catch let refusal as LensError {
                session?.finishRefused(refusal, reconciliation: cleaned.reconciliation, quarantine: cleaned.quarantine,
                                       stageSeconds: stageSeconds, sourceSHA256: content)
                throw refusal
            }
            try session?.recordNotes(guardOverrides: guardOverrides, warnings: warnings)
            let (split, splitReport) = timed("split", { (s: (SplitRatings, TemporalSplit.Report)) in
                "train \(s.1.train), test \(s.1.test), buffer \(s.1.buffer)"
            }) {
                // The split takes the only reference to the ratings, so it can free each column
                // as it sorts it (nothing after the split reads the unsorted table).
                TemporalSplit.run(take(&cleaned.ratings), config: config)
            }
            let tables = try timed("features", { (t: LensTables) in t.pca.map { "PCA k=\($0.k)" } ?? "no genome" }) {
                try Features.compute(cleaned: cleaned, split: split, config: config)
            }
            var manifest = Manifest(
                lensVersion: lensVersion, source: options.source, sourceSHA256: content, dropDate: cleaned.dropDate,
                pipeline: pipelineFacts(options), files: [], parquetBytes: 0,
                reconciliation: cleaned.reconciliation, caps: cleaned.caps, split: splitReport,
                unknownGenres: cleaned.unknownGenres, pcaExplainedVarianceRatio: tables.pca?.explainedVarianceRatio,
                rawFiles: rawFiles, quickFingerprint: quick, runFingerprint: runFingerprint, rowCounts: tables.rowCounts,
                layout: cleaned.layout.rawValue, genreAliasesApplied: cleaned.genreAliasesApplied)
            manifest.genomeMissingCells = tables.pca?.missingCells
            manifest.warnings = warnings
            manifest.guardOverrides = guardOverrides
            if exportIsCurrent, let previous {
                // Same inputs, same parameters: the files on disk are byte for byte what stage 4 would write.
                progress(.stageSkipped("parquet"))
                manifest.files = previous.files
                manifest.parquetBytes = previous.parquetBytes
            } else {
                manifest = try timed("parquet", { (m: Manifest) in "\(m.files.count) files, \(m.parquetBytes) bytes" }) {
                    var m = manifest
                    m.files = try ParquetExport.write(tables, to: out, config: config, progress: progress)
                    m.parquetBytes = m.files.reduce(0) { $0 + $1.bytes }
                    try ParquetExport.commit(m, to: out)
                    return m
                }
            }
            var result = RunResult(manifest: manifest, out: out, stageSeconds: stageSeconds)
            result.tables = summaries(reconciliation: cleaned.reconciliation, rowCounts: tables.rowCounts, loaded: nil)
            result.stagePeakRSSMB = stagePeakMB
            guard let session else { return result }
            if loadIsCurrent {
                progress(.stageSkipped("load"))
                result.version = try session.finishSkipped(manifest: manifest, stageSeconds: stageSeconds)
                result.runId = session.runId
                return result
            }
            let load = try timed("load", { (r: LoadOutcome) in "version \(r.version) in \(r.schema)" }) {
                try session.load(tables, manifest: manifest, stageSeconds: stageSeconds, progress: progress)
            }
            result.stageSeconds = stageSeconds
            result.stagePeakRSSMB = stagePeakMB
            result.runId = load.runId
            result.version = load.version
            result.tables = summaries(reconciliation: cleaned.reconciliation, rowCounts: tables.rowCounts, loaded: load.rows)
            return result
        } catch {
            session?.finishFailed(error, stageSeconds: stageSeconds)
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
            "buffer_batches": "\(c.bufferBatches)", "pca_components": "\(c.pcaComponents)", "codec": c.codec,
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
