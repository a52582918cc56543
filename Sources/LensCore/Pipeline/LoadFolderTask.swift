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
        let stopwatch = Stopwatch(progress: progress)

        // The manifest alone decides whether there is anything to do.
        let manifest = try ParquetImport.readManifest(dir)
        let session = try WarehouseSession(options: options, command: .load)
        do {
            if try session.currentFingerprint() == manifest.runFingerprint {
                stopwatch.skip(.readParquet, .load)
                let current = try session.finishSkipped(manifest: manifest, stageSeconds: stopwatch.stageSeconds)
                return RunResult(manifest: manifest, out: dir, stageSeconds: stopwatch.stageSeconds, runId: session.runId,
                                 version: current, nothingChanged: true)
            }
            let (tables, verified) = try stopwatch.time(.readParquet, { (r: (LensTables, Manifest)) in
                "\(r.1.files.count) files verified, \(r.0.ratings.rows.count) ratings"
            }) {
                try ParquetImport.read(from: dir, countQuantile: config.movieCountQuantile)
            }
            let load = try stopwatch.time(.load, { (r: LoadOutcome) in "version \(r.version) in \(r.schema)" }) {
                try session.load(tables, manifest: verified, stageSeconds: stopwatch.stageSeconds, progress: progress)
            }
            // ParquetImport checked that the tables hold the manifest's row counts.
            return RunResult(manifest: verified, out: dir, stageSeconds: stopwatch.stageSeconds, runId: load.runId,
                             version: load.version, loaded: load.rows, loadWarnings: load.warnings)
        } catch {
            session.finishFailed(error, stageSeconds: stopwatch.stageSeconds)
            throw error
        }
    }
}
