import Foundation
import Parquet

/// One file the export wrote, as the manifest lists it.
public struct ManifestFile: Codable, Sendable, Equatable {
    public var path: String
    public var dataset: String
    public var rows: Int
    public var rowGroups: Int
    public var bytes: Int
    public var sha256: String
    public var schema: [[String: String]]
    enum CodingKeys: String, CodingKey {
        case path, dataset, rows, rowGroups = "row_groups", bytes, sha256, schema
    }
}

/// `manifest.json` beside the Parquet files: every file with rows, bytes, sha256 and schema, and
/// the facts of the run that made them, so a folder of Parquet describes itself without the database.
public struct Manifest: Codable, Sendable {
    public var lensVersion: String
    public var source: String
    public var sourceSHA256: String
    public var dropDate: String
    public var pipeline: [String: String]
    public var files: [ManifestFile]
    public var parquetBytes: Int
    public var reconciliation: [FileReconciliation]
    public var caps: CapCounts
    public var split: TemporalSplit.Report
    public var unknownGenres: [String: Int]
    /// Explained-variance ratio per PCA component, when the drop has a genome.
    public var pcaExplainedVarianceRatio: [Double]?
    /// (movie, tag) cells of the genome matrix absent from genome-scores.csv (taken as 0), when
    /// the drop has a genome. GroupLens genomes are complete: anything else here is worth a look.
    public var genomeMissingCells: Int?
    /// Raw input files: name -> sha256 (of the file's bytes as stored in the drop).
    public var rawFiles: [String: String]
    /// Sizes and mtimes of the drop (`Fingerprint.quick`), to recognise an untouched drop cheaply.
    public var quickFingerprint: String
    /// Drop content + data parameters + lens version (`Fingerprint.run`).
    public var runFingerprint: String
    /// Rows per table.
    public var rowCounts: [String: Int]
    /// The drop's layout (csv, ml-100k, ml-1m, ml-10m).
    public var layout: String = DropLayout.csv.rawValue
    /// Older genre names mapped onto the vocabulary, per name: movies affected.
    public var genreAliasesApplied: [String: Int] = [:]
    /// What the user should know although nothing failed (optional: manifests before lens 0.x lack it).
    public var warnings: [DropWarning]?
    /// Publish guards that tripped and were overridden by a flag.
    public var guardOverrides: [GuardOverride]?
    enum CodingKeys: String, CodingKey {
        case lensVersion = "lens_version", source, sourceSHA256 = "source_sha256", dropDate = "drop_date", pipeline, files
        case parquetBytes = "parquet_bytes", reconciliation, caps, split, unknownGenres = "unknown_genres"
        case pcaExplainedVarianceRatio = "pca_explained_variance_ratio", rawFiles = "raw_files"
        case genomeMissingCells = "genome_missing_cells"
        case quickFingerprint = "quick_fingerprint", runFingerprint = "run_fingerprint", rowCounts = "row_counts"
        case layout, genreAliasesApplied = "genre_aliases_applied", warnings, guardOverrides = "guard_overrides"
    }
}

/// PIPELINE.md stage 4: writes `LensTables` as Parquet datasets, one folder each
/// (`ratings/split=train/part-00000.parquet`, Hive-style), and `manifest.json`.
///
/// The export is built in `<out>.partial` and swapped in at the end, so a killed run never
/// leaves a half-written folder where the last good one was. Files contain no timestamps or
/// random ids: identical tables give byte-identical files.
public enum ParquetExport {
    /// Writes everything; returns the manifest files (the caller completes and saves the manifest).
    /// `progress` hears the rows written of the large files, a row group at a time, from both lanes.
    public static func write(_ t: LensTables, to out: String, config: PipelineConfig,
                             progress: @escaping (ProgressEvent) -> Void = { _ in }) throws -> [ManifestFile] {
        let fm = FileManager.default
        let partial = out + ".partial"
        // Only lens's own leftover is deleted (ExportFolderGuard.check refused anything else
        // before the run started; this re-checks, as the folder may have changed since).
        if fm.fileExists(atPath: partial) {
            guard ExportFolderGuard.partialIsOwn(partial) else {
                throw LensError.config(file: partial, line: nil, message: "refusing to write the export here: it holds files that are not lens's; remove it or choose another --out")
            }
            try? fm.removeItem(atPath: partial)
        }
        do {
            try fm.createDirectory(atPath: partial, withIntermediateDirectories: true)
            // First file in: marks the folder as lens's, so a leftover after a kill may be deleted.
            try Data().write(to: URL(fileURLWithPath: partial + "/" + ExportFolderGuard.partialMarker))
        } catch {
            throw LensError.output(path: partial, message: "cannot create the output folder (\(error.localizedDescription)); check --out and free space")
        }
        KillPoint.check("parquet_partial_created")
        var options = ParquetWriterOptions()
        switch config.codec {
        case .none: options.codec = .uncompressed
        case .zstd: options.codec = .zstd(level: Int32(config.zstdLevel))
        }
        options.maxRowGroupRows = config.rowGroupRows
        options.createdBy = "lens version \(lensVersion)"
        // Dictionary or PLAIN, except the columns where DELTA_BINARY_PACKED or BYTE_STREAM_SPLIT
        // measured smaller (`pinnedEncodings`). The writer's `.auto` measures every column of
        // every file at write time, which doubled the Parquet stage at 1M (docs/performance.md,
        // "Parquet size"): the choices are measured once and pinned here instead.
        options.defaultEncoding = .dictionaryOrPlain
        var files: [ManifestFile] = []
        let filesLock = NSLock()

        /// Writes the one file of `spec` from its columns by name (checked against the spec).
        func emit(_ spec: TableSpec, _ columns: [(String, ParquetColumnValues)]) throws {
            let values = try LensTableSpecs.ordered(columns, for: spec, parquet: true, what: "the Parquet export")
            try emit("\(spec.name)/part-00000.parquet", spec.name, spec.parquetSchema) { try $0.write(columns: values) }
        }
        func emit(_ rel: String, _ dataset: String, _ schema: ParquetSchema, _ write: (ParquetFileWriter) throws -> Void) throws {
            let path = partial + "/" + rel
            try? fm.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            do {
                var fileOptions = options
                fileOptions.columnEncodings = Self.pinnedEncodings[dataset] ?? [:]
                let writer = try ParquetFileWriter(path: path, schema: schema, options: fileOptions)
                try write(writer)
                let summary = try writer.close()
                let file = ManifestFile(path: rel, dataset: dataset, rows: summary.rows, rowGroups: summary.rowGroups,
                                        bytes: summary.bytes, sha256: try fileSHA256(path),
                                        schema: schema.fields.map { ["name": $0.name, "type": "\($0.type)"] })
                filesLock.lock()
                files.append(file)
                filesLock.unlock()
            } catch let e as ParquetError {
                throw LensError.output(path: path, message: e.description)
            }
        }

        // Two lanes on two cores: the train ratings (the largest file) on one, every other file
        // on the other. Each file is written by one thread, so the bytes do not depend on it.
        let s = t.ratings
        let r = s.rows
        let bufferStart = s.trainCount + s.testCount
        let hasLines = r.sourceLine.count == r.count
        let userMovieOrder = s.userMovieOrder ?? TemporalSplit.userMovieOrder(of: r)
        func emitRatings(_ name: String, _ range: Range<Int>) throws {
            // One row group at a time, gathered in the file's order (`RatingsFileOrder`): only a
            // row group's worth of values exists at once, where whole-table copies cost 250 MB at
            // ml-25m.
            let spec = LensTableSpecs.ratings
            try emit("ratings/split=\(name)/part-00000.parquet", spec.name, spec.parquetSchema) { writer in
                var written = 0
                try RatingsFileOrder.forEachRowGroup(of: range, in: s, userMovieOrder: userMovieOrder,
                                                     rowGroupRows: config.rowGroupRows) { group in
                    let g = RatingsFileOrder.gather(r, group, hasLines: hasLines)
                    let inBuffer = range.lowerBound >= bufferStart
                    let batch = inBuffer ? group.map { Int8(s.batch(ofBufferPosition: Int($0) - bufferStart)) }
                                         : [Int8](repeating: 0, count: group.count)
                    try writer.write(columns: try LensTableSpecs.ordered([
                        ("user_id", .int32(g.userId)), ("movie_id", .int32(g.movieId)), ("rating", .float(g.rating)),
                        ("rated_at", .int64(g.ratedAtMicros)),
                        ("batch", .int8(batch, validity: [Bool](repeating: inBuffer, count: group.count))),
                        ("source_line", .int32(g.sourceLine)),
                    ], for: spec, parquet: true, what: "the Parquet export"))
                    written += group.count
                    progress(.progress(step: "ratings/split=\(name)", done: Int64(written), total: Int64(range.count), unit: .rows))
                }
            }
        }
        try runLanes([{ try emitRatings("train", 0..<s.trainCount) }, { try writeTheRest() }])
        return files.sorted { $0.path < $1.path }

        func writeTheRest() throws {
        try emitRatings("test", s.trainCount..<bufferStart)
        try emitRatings("buffer", bufferStart..<r.count)
        let m = t.movies
        try emit(LensTableSpecs.movies, [
            ("movie_id", .int32(m.movieId)), ("title", .string(m.title)), ("title_normalized", .string(m.titleNormalized)),
            ("year", .int16(m.year, validity: m.yearPresent)), ("genres", .stringList(m.genres)),
        ] + zip(GenreVocabulary.oneHotColumns, m.oneHot).map { ($0, .bool($1)) } + [("source_line", .int32(m.sourceLine))])
        let l = t.links
        try emit(LensTableSpecs.links, [
            ("movie_id", .int32(l.movieId)), ("imdb_id", .string(l.imdbId)), ("tmdb_id", .int32(l.tmdbId, validity: l.tmdbPresent)),
            ("source_line", .int32(l.sourceLine)),
        ])
        let g = t.tags
        try emit(LensTableSpecs.tags, [
            ("user_id", .int32(g.userId)), ("movie_id", .int32(g.movieId)), ("tag", .string(g.tag)),
            ("tag_normalized", .string(g.tagNormalized)), ("tagged_at", .int64(g.taggedAt.map { $0 * 1_000_000 })),
            ("source_line", .int32(g.sourceLine)),
        ])
        if let gt = t.genomeTags {
            try emit(LensTableSpecs.genomeTags, [("tag_id", .int32(gt.tagId)), ("tag", .string(gt.tag))])
        }
        if let gs = t.genomeScores {
            // One row group at a time, as for the ratings: a grid table materializes only that
            // row group's ids, where whole id columns would cost 125 MB at ml-25m. The row groups
            // are the same as one write of whole columns, so the file is too.
            let spec = LensTableSpecs.genomeScores
            try emit("genome_scores/part-00000.parquet", spec.name, spec.parquetSchema) { writer in
                let step = max(config.rowGroupRows, 1)
                for start in stride(from: 0, to: gs.count, by: step) {
                    let group = start..<min(start + step, gs.count)
                    let ids = gs.idColumns(in: group)
                    try writer.write(columns: try LensTableSpecs.ordered([
                        ("movie_id", .int32(ids.movieId)), ("tag_id", .int32(ids.tagId)), ("relevance", .float(Array(gs.relevance[group]))),
                    ], for: spec, parquet: true, what: "the Parquet export"))
                    progress(.progress(step: "genome_scores", done: Int64(group.upperBound), total: Int64(gs.count), unit: .rows))
                }
            }
        }
        if let pca = t.pca {
            let offsets = (0...pca.movieIds.count).map { $0 * pca.k }
            try emit(LensTableSpecs.movieEmbeddings, [
                ("movie_id", .int32(pca.movieIds)), ("embedding", .floatList(values: pca.embeddings, offsets: offsets)),
            ])
            let tags = pca.tagIds.count
            try emit(LensTableSpecs.genomePCA, [
                ("component", .int16((0..<pca.k).map { Int16($0 + 1) })), ("explained_variance", .double(pca.explainedVariance)),
                ("explained_variance_ratio", .double(pca.explainedVarianceRatio)),
                ("loadings", .floatList(values: pca.components.map { Float($0) }, offsets: (0...pca.k).map { $0 * tags })),
            ])
        }
        let ms = t.movieStats
        try emit(LensTableSpecs.movieStats, [
            ("movie_id", .int32(ms.movieId)), ("n_ratings", .int32(ms.nRatings)), ("mean_rating", .double(ms.meanRating)),
            ("first_rated_at", .int64(ms.firstRatedAt.map { $0 * 1_000_000 })),
            ("last_rated_at", .int64(ms.lastRatedAt.map { $0 * 1_000_000 })), ("weighted_rating", .double(ms.weightedRating)),
        ])
        let us = t.userStats
        try emit(LensTableSpecs.userStats, [
            ("user_id", .int32(us.userId)), ("n_ratings", .int32(us.nRatings)), ("mean_rating", .double(us.meanRating)),
            ("n_ratings_winsorized", .double(us.nRatingsWinsorized)),
        ])
        if let u = t.users {
            try emit(LensTableSpecs.users, [
                ("user_id", .int32(u.userId)), ("gender", .string(u.gender)), ("age", .int16(u.age)),
                ("occupation", .string(u.occupation)), ("zip_code", .string(u.zipCode)), ("source_line", .int32(u.sourceLine)),
            ])
        }
        let q = t.quarantine
        try emit(LensTableSpecs.quarantine, [
            ("file", .string(q.map(\.file))), ("line", .int64(q.map(\.line))), ("raw", .string(q.map(\.raw))),
            ("reason", .string(q.map(\.reason.rawValue))),
        ])
        }
    }

    /// The encodings `.auto` chose per dataset and column on the synthetic 1M and 25m drops
    /// (docs/pipeline.md, Stage 4; docs/performance.md, "Session 6"), pinned so that the export
    /// does not measure every column at write time: ids in key order, line numbers and times as
    /// deltas (in the ratings files' (user, movie) order, `movie_id` climbs within each user and
    /// `rated_at` stays within a user's active years), floats that a dictionary does not shrink as
    /// PLAIN, embeddings and loadings split by byte. Every other column stays dictionary-or-PLAIN.
    static let pinnedEncodings: [String: [String: ParquetColumnEncoding]] = {
        let delta = ParquetColumnEncoding.deltaBinaryPacked
        return [
            "ratings": ["user_id": delta, "movie_id": delta, "rated_at": delta, "source_line": delta],
            "movies": ["movie_id": delta, "source_line": delta],
            "links": ["movie_id": delta, "tmdb_id": delta, "source_line": delta],
            "tags": ["user_id": delta, "movie_id": delta, "tagged_at": delta, "source_line": delta],
            "genome_tags": ["tag_id": delta],
            "genome_scores": ["movie_id": .plain, "tag_id": delta],
            "movie_embeddings": ["movie_id": delta, "embedding": .byteStreamSplit],
            "genome_pca": ["component": delta, "explained_variance": .byteStreamSplit,
                           "explained_variance_ratio": .byteStreamSplit, "loadings": .byteStreamSplit],
            "movie_stats": ["movie_id": delta, "mean_rating": .plain, "first_rated_at": delta, "last_rated_at": delta,
                            "weighted_rating": .plain],
            "user_stats": ["user_id": delta, "mean_rating": .plain],
        ]
    }()

    /// The manifest of a previous export in `out`, nil when there is none or it is unreadable.
    public static func readManifest(in out: String) -> Manifest? {
        guard let data = FileManager.default.contents(atPath: out + "/manifest.json") else { return nil }
        return try? JSONDecoder().decode(Manifest.self, from: data)
    }

    /// True when every file the manifest lists is in `out` with its recorded size (a cheap check;
    /// the sha256 are checked by `lens load`).
    public static func filesPresent(_ manifest: Manifest, in out: String) -> Bool {
        let fm = FileManager.default
        return manifest.files.allSatisfy { f in
            let size = (try? fm.attributesOfItem(atPath: out + "/" + f.path))?[.size] as? NSNumber
            return size?.intValue == f.bytes
        }
    }

    /// Rewrites `out/manifest.json` in place (atomically), e.g. to refresh its quick fingerprint.
    public static func saveManifest(_ manifest: Manifest, in out: String) throws {
        do {
            try encodeManifest(manifest).write(to: URL(fileURLWithPath: out + "/manifest.json"), options: .atomic)
        } catch {
            throw LensError.output(path: out + "/manifest.json", message: "cannot write the manifest (\(error.localizedDescription))")
        }
    }

    /// The manifest as pretty, key-sorted JSON (stable bytes for identical content).
    static func encodeManifest(_ manifest: Manifest) throws -> Data {
        let enc = JSONEncoder()
        enc.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try enc.encode(manifest)
    }

    /// Saves the manifest into the partial folder and swaps it in place of `out`.
    public static func commit(_ manifest: Manifest, to out: String) throws {
        let fm = FileManager.default
        let partial = out + ".partial"
        do {
            let data = try encodeManifest(manifest)
            let manifestPath = partial + "/manifest.json"
            try data.write(to: URL(fileURLWithPath: manifestPath), options: .atomic)
            let old = out + ".old"
            // Checked again at the last moment: only lens's own exports are moved aside and deleted.
            for path in [out, old] where !ExportFolderGuard.isReplaceable(path) {
                throw LensError.config(file: path, line: nil, message: "refusing to replace it: it is not a lens export (no lens manifest.json); nothing was changed there")
            }
            try? fm.removeItem(atPath: old)
            try? fm.removeItem(atPath: partial + "/" + ExportFolderGuard.partialMarker)
            if fm.fileExists(atPath: out) { try fm.moveItem(atPath: out, toPath: old) }
            try fm.moveItem(atPath: partial, toPath: out)
            try? fm.removeItem(atPath: old)
        } catch let e as LensError {
            throw e
        } catch {
            throw LensError.output(path: out, message: "cannot write the manifest or move the export in place (\(error.localizedDescription)); check free space and permissions")
        }
    }
}
