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
    public init(source: String, pipelineFile: String?, config: PipelineConfig, database: String?, skipLoad: Bool = false) {
        self.source = source
        self.pipelineFile = pipelineFile
        self.config = config
        self.database = database
        self.skipLoad = skipLoad
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
    public var tables: [TableSummary]
    /// Seconds per stage: ingest_clean, split, features, parquet, load.
    public var stageSeconds: [String: Double]
    public var parquetBytes: Int
    enum CodingKeys: String, CodingKey {
        case runId = "run_id", version, source, out, dropDate = "drop_date", reconciled, reconciliation, caps, split
        case unknownGenres = "unknown_genres", pcaExplainedVarianceRatio = "pca_explained_variance_ratio", tables
        case stageSeconds = "stage_seconds", parquetBytes = "parquet_bytes"
    }
}

/// Progress events for the terminal (the core never prints; the CLI renders these on stderr).
public enum ProgressEvent: Sendable {
    case stageStarted(String)
    case stageFinished(String, seconds: Double, detail: String)
    case tableLoaded(String, rows: Int)
}

/// The whole pipeline: drop -> clean -> split -> features -> Parquet -> PostgreSQL + catalog.
public enum RunPipeline {
    /// Runs every stage. Throws `LensError` for fatal problems (after recording a failed run in the
    /// catalog when the database was reachable); row-level problems only show in the result.
    public static func run(_ options: RunOptions, progress: @escaping (ProgressEvent) -> Void = { _ in }) throws -> RunResult {
        let config = options.config
        try config.validate()
        var stageSeconds: [String: Double] = [:]
        func timed<T>(_ stage: String, _ detail: (T) -> String = { _ in "" }, _ body: () throws -> T) rethrows -> T {
            progress(.stageStarted(stage))
            let start = ContinuousClock.now
            let value = try body()
            let d = ContinuousClock.now - start
            let s = Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
            stageSeconds[stage] = s
            progress(.stageFinished(stage, seconds: s, detail: detail(value)))
            return value
        }

        let source = try DropSource.open(path: options.source)
        let cleaned = try timed("ingest_clean", { (c: CleanedDrop) in "\(c.ratings.count) clean ratings, \(c.quarantine.count) quarantined" }) {
            try CleanDrop.run(source: source, config: config)
        }
        let (split, splitReport) = timed("split", { (s: (SplitRatings, TemporalSplit.Report)) in
            "train \(s.1.train), test \(s.1.test), buffer \(s.1.buffer)"
        }) {
            TemporalSplit.run(cleaned.ratings, config: config)
        }
        let tables = try timed("features", { (t: LensTables) in t.pca.map { "PCA k=\($0.k)" } ?? "no genome" }) {
            try Features.compute(cleaned: cleaned, split: split, config: config)
        }
        let rawFiles = try rawFileChecksums(source: source)
        let sourceSHA = combinedSHA256(rawFiles.keys.sorted().map { "\($0)=\(rawFiles[$0]!)" })
        let out = config.outDir
        let manifest = try timed("parquet", { (m: Manifest) in "\(m.files.count) files, \(m.parquetBytes) bytes" }) {
            let files = try ParquetExport.write(tables, to: out, config: config)
            let manifest = Manifest(
                lensVersion: lensVersion, source: options.source, sourceSHA256: sourceSHA, dropDate: cleaned.dropDate,
                pipeline: pipelineFacts(options), files: files, parquetBytes: files.reduce(0) { $0 + $1.bytes },
                reconciliation: cleaned.reconciliation, caps: cleaned.caps, split: splitReport,
                unknownGenres: cleaned.unknownGenres, pcaExplainedVarianceRatio: tables.pca?.explainedVarianceRatio,
                rawFiles: rawFiles)
            try ParquetExport.commit(manifest, to: out)
            return manifest
        }

        var result = RunResult(
            runId: nil, version: nil, source: options.source, out: out, dropDate: cleaned.dropDate,
            reconciled: cleaned.reconciled, reconciliation: cleaned.reconciliation, caps: cleaned.caps, split: splitReport,
            unknownGenres: cleaned.unknownGenres, pcaExplainedVarianceRatio: tables.pca?.explainedVarianceRatio,
            tables: summaries(cleaned: cleaned, tables: tables, loaded: nil), stageSeconds: stageSeconds,
            parquetBytes: manifest.parquetBytes)
        if options.skipLoad { return result }

        let load = try timed("load", { (r: LoadOutcome) in "version \(r.version) in \(r.schema)" }) {
            try LoadTask.load(tables, manifest: manifest, command: "run", options: options, stageSeconds: stageSeconds,
                              progress: progress)
        }
        result.stageSeconds = stageSeconds
        result.runId = load.runId
        result.version = load.version
        result.tables = summaries(cleaned: cleaned, tables: tables, loaded: load.rows)
        return result
    }

    /// sha256 of every raw CSV file of the drop (as decompressed from a zip).
    static func rawFileChecksums(source: DropSource) throws -> [String: String] {
        var sums: [String: String] = [:]
        for name in source.fileNames where name.hasSuffix(".csv") {
            sums[name] = Hex.encode(try SHA256Hasher.digest(of: try source.open(name)))
        }
        return sums
    }

    /// The pipeline facts recorded in the manifest.
    static func pipelineFacts(_ options: RunOptions) -> [String: String] {
        let c = options.config
        var facts = [
            "name": c.name, "train_fraction": "\(c.trainFraction)", "test_fraction": "\(c.testFraction)",
            "buffer_batches": "\(c.bufferBatches)", "pca_components": "\(c.pcaComponents)", "codec": c.codec,
            "zstd_level": "\(c.zstdLevel)", "row_group_rows": "\(c.rowGroupRows)",
        ]
        if let f = options.pipelineFile { facts["file"] = f }
        return facts
    }

    /// Per-table summary lines.
    static func summaries(cleaned: CleanedDrop, tables: LensTables, loaded: [String: Int]?) -> [TableSummary] {
        let byFile = Dictionary(uniqueKeysWithValues: cleaned.reconciliation.map { ($0.file, $0) })
        let fileOf = ["movies": "movies.csv", "links": "links.csv", "tags": "tags.csv", "ratings": "ratings.csv",
                      "genome_tags": "genome-tags.csv", "genome_scores": "genome-scores.csv"]
        var out: [TableSummary] = []
        for (table, rows) in tables.rowCounts.sorted(by: { $0.key < $1.key }) {
            let r = fileOf[table].flatMap { byFile[$0] }
            out.append(TableSummary(table: table, read: r?.linesRead ?? 0, clean: rows,
                                    quarantined: (r?.rejected ?? 0) + (r?.orphans ?? 0), loaded: loaded?[table]))
        }
        return out
    }
}
