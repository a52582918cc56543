import Foundation

/// `lens load DIR`: loads a Parquet folder written by `lens run` (its `manifest.json` and
/// datasets) into PostgreSQL as a new version, without the drop: the same warehouse session,
/// load and catalog bookkeeping as `lens run`'s stage 5, fed by `ParquetImport` instead of the
/// computing stages. When the current version was made from the same run fingerprint, nothing
/// is read or loaded (the run is recorded as skipped), as `lens run` does.
public enum LoadFolderTask {
    /// Verifies and reads `dir`, then loads it. `options.source` is recorded as the run's source;
    /// the datasets' catalog locations point into `dir`. Throws `LensError.input` when the folder
    /// does not match its manifest (nothing is loaded; the previous version stays current).
    public static func run(dir: String, options: RunOptions, progress: @escaping (ProgressEvent) -> Void = { _ in }) throws -> RunResult {
        var options = options
        let dir = URL(fileURLWithPath: dir).standardizedFileURL.path
        options.config.outDir = dir
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

        // The manifest alone decides whether there is anything to do.
        let manifest = try ParquetImport.readManifest(dir)
        let session = try WarehouseSession(options: options, command: "load")
        do {
            if try session.currentFingerprint() == manifest.runFingerprint {
                for stage in ["read_parquet", "load"] { progress(.stageSkipped(stage)) }
                let current = try session.finishSkipped(manifest: manifest, stageSeconds: stageSeconds)
                var result = RunResult(manifest: manifest, out: dir, stageSeconds: stageSeconds)
                result.runId = session.runId
                result.version = current
                result.nothingChanged = true
                return result
            }
            let (tables, verified) = try timed("read_parquet", { (r: (LensTables, Manifest)) in
                "\(r.1.files.count) files verified, \(r.0.ratings.rows.count) ratings"
            }) {
                try ParquetImport.read(from: dir, countQuantile: config.movieCountQuantile)
            }
            var result = RunResult(manifest: verified, out: dir, stageSeconds: stageSeconds)
            let load = try timed("load", { (r: LoadOutcome) in "version \(r.version) in \(r.schema)" }) {
                try session.load(tables, manifest: verified, stageSeconds: stageSeconds, progress: progress)
            }
            result.stageSeconds = stageSeconds
            result.runId = load.runId
            result.version = load.version
            result.tables = RunPipeline.summaries(reconciliation: verified.reconciliation, rowCounts: tables.rowCounts, loaded: load.rows)
            return result
        } catch {
            session.finishFailed(error, stageSeconds: stageSeconds)
            throw error
        }
    }
}
