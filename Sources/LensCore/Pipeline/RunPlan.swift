import Foundation

/// What a run has to do, decided from the fingerprints before any computing stage runs.
enum RunPlan {
    /// The export and the current version are both this run's already: no stage runs.
    case nothingChanged(export: Manifest)
    /// The export is complete and current but the database lacks it (a killed load, a new
    /// server): only the load runs, from the Parquet files.
    case loadFromExport(Manifest)
    /// Stages 1-4 run; stage 5 as `load` says.
    case full(load: Load)

    /// Stage 5 of a full run.
    enum Load: Equatable {
        /// `--no-load`: no database.
        case none
        /// The current version already has this run fingerprint: the load is skipped.
        case alreadyCurrent
        /// A new version is loaded.
        case newVersion
    }

    /// `currentExport`: the manifest in --out when this run fingerprint made it and its files are
    /// all there (nil otherwise, and under --force); `loadIsCurrent`: whether the current version
    /// has this run fingerprint (false under --force), nil without a database (--no-load).
    static func decide(currentExport: Manifest?, loadIsCurrent: Bool?) -> RunPlan {
        guard let export = currentExport else {
            switch loadIsCurrent {
            case nil: return .full(load: .none)
            case true?: return .full(load: .alreadyCurrent)
            case false?: return .full(load: .newVersion)
            }
        }
        return loadIsCurrent == false ? .loadFromExport(export) : .nothingChanged(export: export)
    }
}

/// The fingerprints a run is planned from (see Fingerprint).
struct RunFingerprints {
    /// Sizes and mtimes of the drop's files.
    let quick: String
    /// The manifest of the export in --out, if any.
    let previous: Manifest?
    /// sha256 per drop file.
    let rawFiles: [String: String]
    /// The drop's content checksum.
    let content: String
    /// Drop content + data parameters + lens version.
    let run: String
    /// `previous` when this run fingerprint made it and its files are all there; nil under --force.
    let currentExport: Manifest?

    /// Content addressing: an untouched drop (same sizes and mtimes) reuses the checksums the
    /// last export recorded; otherwise every file is hashed (stage `checksum`).
    static func compute(source: DropSource, options: RunOptions, stopwatch: Stopwatch) throws -> RunFingerprints {
        let out = options.config.outDir
        let quick = Fingerprint.quick(source)
        let previous = ParquetExport.readManifest(in: out)
        let rawFiles = try stopwatch.time(.checksum) {
            if !options.force, let previous, previous.quickFingerprint == quick { return previous.rawFiles }
            return try RunPipeline.rawFileChecksums(source: source)
        }
        let content = Fingerprint.content(rawFiles: rawFiles)
        let run = Fingerprint.run(content: content, config: options.config)
        // --force: every stage runs, whatever the fingerprints say.
        let currentExport = options.force ? nil
            : previous.flatMap { $0.runFingerprint == run && ParquetExport.filesPresent($0, in: out) ? $0 : nil }
        return RunFingerprints(quick: quick, previous: previous, rawFiles: rawFiles, content: content, run: run,
                               currentExport: currentExport)
    }
}
