import Foundation

/// The stages of one `lens run`, each path a plan can take: what they share (the options, the
/// fingerprints, the stopwatch, the warehouse session when there is a database).
struct RunStages {
    let options: RunOptions
    let progress: (ProgressEvent) -> Void
    let stopwatch: Stopwatch
    let session: WarehouseSession?
    let fingerprints: RunFingerprints
    var config: PipelineConfig { options.config }
    var out: String { options.config.outDir }

    /// Nothing changed: no stage runs, no file or row is written (a moved-but-identical drop only
    /// refreshes the manifest's quick fingerprint).
    func nothingChanged(_ export: Manifest) throws -> RunResult {
        var manifest = export
        stopwatch.skip(.ingestClean, .split, .features, .parquet, .load)
        if manifest.quickFingerprint != fingerprints.quick {
            manifest.quickFingerprint = fingerprints.quick
            try ParquetExport.saveManifest(manifest, in: out)
        }
        let current = try session?.finishSkipped(manifest: manifest, stageSeconds: stopwatch.stageSeconds)
        return RunResult(manifest: manifest, out: out, stageSeconds: stopwatch.stageSeconds, runId: session?.runId,
                         version: current ?? nil, nothingChanged: true)
    }

    /// The export is current but the database lacks it: redo only what is missing, loading from
    /// the Parquet files.
    func loadFromExport(_ export: Manifest) throws -> RunResult {
        guard let session else { throw LensError.internal(message: "the plan loads the export without a database") }
        var manifest = export
        stopwatch.skip(.ingestClean, .split, .features, .parquet)
        let (tables, stored) = try stopwatch.time(.readParquet) {
            try ParquetImport.read(from: out, countQuantile: config.movieCountQuantile)
        }
        manifest.rowCounts = stored.rowCounts
        let load = try self.load(tables, manifest: manifest, into: session)
        return result(manifest, load: load)
    }

    /// Stages 1-4 from the drop, then stage 5 as the plan says.
    func full(source: DropSource, load: RunPlan.Load) throws -> RunResult {
        var cleaned = try ingestClean(source)
        let manifestNotes = try guardsAndNotes(cleaned)
        let (split, splitReport) = stopwatch.time(.split, { (s: (SplitRatings, TemporalSplit.Report)) in
            "train \(s.1.train), test \(s.1.test), buffer \(s.1.buffer)"
        }) {
            // The split takes the only reference to the ratings, so it can free each column
            // as it sorts it (nothing after the split reads the unsorted table).
            TemporalSplit.run(take(&cleaned.ratings), config: config)
        }
        let tables = try stopwatch.time(.features, { (t: LensTables) in t.pca.map { "PCA k=\($0.k)" } ?? "no genome" }) {
            try Features.compute(cleaned: cleaned, split: split, config: config)
        }
        var manifest = Manifest(
            lensVersion: lensVersion, source: options.source, sourceSHA256: fingerprints.content, dropDate: cleaned.dropDate,
            pipeline: RunPipeline.pipelineFacts(options), files: [], parquetBytes: 0,
            reconciliation: cleaned.reconciliation, caps: cleaned.caps, split: splitReport,
            unknownGenres: cleaned.unknownGenres, pcaExplainedVarianceRatio: tables.pca?.explainedVarianceRatio,
            rawFiles: fingerprints.rawFiles, quickFingerprint: fingerprints.quick, runFingerprint: fingerprints.run,
            rowCounts: tables.rowCounts, layout: cleaned.layout.rawValue, genreAliasesApplied: cleaned.genreAliasesApplied)
        manifest.genomeMissingCells = tables.pca?.missingCells
        manifest.warnings = manifestNotes.warnings
        manifest.guardOverrides = manifestNotes.guardOverrides
        manifest = try export(tables, manifest: manifest)
        switch (load, session) {
        case (.newVersion, let session?):
            return result(manifest, load: try self.load(tables, manifest: manifest, into: session))
        case (.alreadyCurrent, let session?):
            stopwatch.skip(.load)
            let current = try session.finishSkipped(manifest: manifest, stageSeconds: stopwatch.stageSeconds)
            return RunResult(manifest: manifest, out: out, stageSeconds: stopwatch.stageSeconds,
                             stagePeakMB: stopwatch.stagePeakMB, runId: session.runId, version: current)
        default:
            return result(manifest, load: nil)
        }
    }

    /// Stage 1: reads, checks and cleans the drop.
    private func ingestClean(_ source: DropSource) throws -> CleanedDrop {
        let inputBytes = source.fileNames.compactMap { source.size(of: $0) }.reduce(0, +)
        let ingestStart = ContinuousClock.now
        return try stopwatch.time(.ingestClean, { (c: CleanedDrop) in
            let seconds = max((ContinuousClock.now - ingestStart).seconds, 1e-9)
            let mb = Double(inputBytes) / 1_000_000
            let lines = c.reconciliation.reduce(0) { $0 + $1.linesRead }
            return String(format: "%d lines, %d clean ratings, %d quarantined; %.1f MB at %.0f MB/s",
                          lines, c.ratings.count, c.quarantine.count, mb, mb / seconds)
        }) {
            try CleanDrop.run(source: source, config: config)
        }
    }

    /// The publish guards, before anything is written: a refused drop changes neither the current
    /// version nor the export in --out. Returns the run's warnings and the guards overridden
    /// (both recorded on the catalog run).
    private func guardsAndNotes(_ cleaned: CleanedDrop) throws -> (warnings: [DropWarning], guardOverrides: [GuardOverride]) {
        let ratingsFile = cleaned.reconciliation.first { ["ratings.csv", "u.data", "ratings.dat"].contains($0.file) }?.file
        let warnings = cleaned.warnings + DropWarning.caps(cleaned.caps, config: config, ratingsFile: ratingsFile ?? "ratings.csv")
        let currentRatings = try session.map { try $0.currentRatingsRows() } ?? fingerprints.previous?.rowCounts["ratings"]
        let guardOverrides: [GuardOverride]
        do {
            guardOverrides = try config.guards.enforce(
                reconciliation: cleaned.reconciliation, quarantine: cleaned.quarantine, cleanRatings: cleaned.ratings.count,
                currentRatings: currentRatings, overrides: options.guardOverrides)
        } catch let refusal as LensError {
            session?.finishRefused(refusal, reconciliation: cleaned.reconciliation, quarantine: cleaned.quarantine,
                                   stageSeconds: stopwatch.stageSeconds, sourceSHA256: fingerprints.content)
            throw refusal
        }
        try session?.recordNotes(guardOverrides: guardOverrides, warnings: warnings)
        return (warnings, guardOverrides)
    }

    /// Stage 4: the Parquet files and the manifest, committed to --out.
    private func export(_ tables: LensTables, manifest: Manifest) throws -> Manifest {
        try stopwatch.time(.parquet, { (m: Manifest) in "\(m.files.count) files, \(m.parquetBytes) bytes" }) {
            var m = manifest
            m.files = try ParquetExport.write(tables, to: out, config: config, progress: progress)
            m.parquetBytes = m.files.reduce(0) { $0 + $1.bytes }
            try ParquetExport.commit(m, to: out)
            return m
        }
    }

    /// Stage 5: `tables` as a new version.
    private func load(_ tables: LensTables, manifest: Manifest, into session: WarehouseSession) throws -> LoadOutcome {
        try stopwatch.time(.load, { (r: LoadOutcome) in "version \(r.version) in \(r.schema)" }) {
            try session.load(tables, manifest: manifest, stageSeconds: stopwatch.stageSeconds, progress: progress)
        }
    }

    /// The result once the last stage ran: every stage's timings and peaks, the load's run and version.
    private func result(_ manifest: Manifest, load: LoadOutcome?) -> RunResult {
        RunResult(manifest: manifest, out: out, stageSeconds: stopwatch.stageSeconds, stagePeakMB: stopwatch.stagePeakMB,
                  runId: load?.runId, version: load?.version, loaded: load?.rows, loadWarnings: load?.warnings ?? [])
    }
}
