import Foundation
import Parquet

/// The inverse of `ParquetExport`: rebuilds `LensTables` from a Parquet folder that `lens run`
/// wrote, after checking it against its `manifest.json`, so `lens load DIR` loads exactly what a
/// direct `lens run` would have loaded.
///
/// Checks, in this order, before anything is decoded: every file the manifest lists exists, has
/// the recorded size and sha256; then each file's row count and schema match the manifest and
/// its `TableSpec` (`LensTableSpecs.<table>.parquetSchema`). Any mismatch throws `LensError.input` naming the file and saying what to do.
///
/// What is not stored is derived: the split counts from the split files' rows, `batchCount` from
/// the manifest's split report (`batchSize = max(buffer / batches, 1)`, checked against the
/// stored `batch` column); the PCA's tag ids from `genome_tags`, its total variance as
/// `explained_variance[0] / explained_variance_ratio[0]` and its missing cells as
/// movies x tags - scores; `MovieStats.globalMeanRating` from the train ratings (exact: they are
/// on the half-star grid), `countThreshold` as the `countQuantile` quantile of `n_ratings`, kept
/// only if it reproduces every stored weighted rating bit for bit (else NaN), and
/// `UserStats.winsorCap` as the largest winsorised count (exact, since the cap never exceeds the
/// largest count). None of these three is loaded into PostgreSQL.
public enum ParquetImport {
    /// Reads `dir/manifest.json` and the datasets it lists.
    /// - Parameter countQuantile: the quantile the export's movie stats used for m (only to
    ///   restore `MovieStats.countThreshold`; a wrong value gives NaN there, nothing else).
    public static func read(from dir: String, countQuantile: Double = MovieStats.defaultCountQuantile) throws -> (LensTables, Manifest) {
        let manifest = try readManifest(dir)
        let rewrite = "rerun `lens run --source \(manifest.source) --out \(dir) --no-load` to rewrite the export"
        try verifyFiles(manifest, dir: dir, rewrite: rewrite)
        var reader = DatasetReader(dir: dir, manifest: manifest, rewrite: rewrite)

        // movies, links, tags
        let mv = try reader.single("movies", LensTableSpecs.movies.parquetSchema)
        var movies = MoviesTable()
        movies.movieId = try mv.int32("movie_id")
        movies.title = try mv.string("title")
        movies.titleNormalized = try mv.string("title_normalized")
        (movies.year, movies.yearPresent) = try mv.int16Nullable("year")
        movies.genres = try mv.stringList("genres")
        movies.oneHot = try GenreVocabulary.oneHotColumns.map { try mv.bool($0) }
        movies.sourceLine = try mv.int32("source_line", orZeros: true)

        let ln = try reader.single("links", LensTableSpecs.links.parquetSchema)
        var links = LinksTable()
        links.movieId = try ln.int32("movie_id")
        links.imdbId = try ln.string("imdb_id")
        (links.tmdbId, links.tmdbPresent) = try ln.int32Nullable("tmdb_id")
        links.sourceLine = try ln.int32("source_line", orZeros: true)

        let tg = try reader.single("tags", LensTableSpecs.tags.parquetSchema)
        var tags = TagsTable()
        tags.userId = try tg.int32("user_id")
        tags.movieId = try tg.int32("movie_id")
        tags.tag = try tg.string("tag")
        tags.tagNormalized = try tg.string("tag_normalized")
        tags.taggedAt = try tg.seconds("tagged_at")
        tags.sourceLine = try tg.int32("source_line", orZeros: true)

        // ratings: train, test, buffer in that order (each file is already in split order).
        let ratings = try readRatings(&reader, manifest: manifest, dir: dir, rewrite: rewrite)

        // genome
        var genomeTags: GenomeTagsTable?
        if let gt = try reader.optional("genome_tags", LensTableSpecs.genomeTags.parquetSchema) {
            var t = GenomeTagsTable()
            t.tagId = try gt.int32("tag_id")
            t.tag = try gt.string("tag")
            genomeTags = t
        }
        var genomeScores: GenomeScoresTable?
        if let gs = try reader.optional("genome_scores", LensTableSpecs.genomeScores.parquetSchema) {
            let movieId = try gs.int32("movie_id"), tagId = try gs.int32("tag_id"), relevance = try gs.float("relevance")
            guard movieId.count == relevance.count, tagId.count == relevance.count else {
                throw gs.error("its columns differ in length (movie_id \(movieId.count), tag_id \(tagId.count), relevance \(relevance.count))")
            }
            // Compacted like a cleaned table: a grid's id columns are dropped here.
            genomeScores = GenomeScoresTable(movieId: movieId, tagId: tagId, relevance: relevance)
        }
        let pca = try readPCA(&reader, genomeTags: genomeTags, genomeScores: genomeScores, dir: dir, rewrite: rewrite)

        // features
        let ms = try reader.single("movie_stats", LensTableSpecs.movieStats.parquetSchema)
        let movieStats = try restoreMovieStats(ms, ratings: ratings, countQuantile: countQuantile)
        let us = try reader.single("user_stats", LensTableSpecs.userStats.parquetSchema)
        let winsorized = try us.double("n_ratings_winsorized")
        let userStats = UserStats(userId: try us.int32("user_id"), nRatings: try us.int32("n_ratings"),
                                  meanRating: try us.double("mean_rating"), nRatingsWinsorized: winsorized,
                                  winsorCap: winsorized.max() ?? .nan)

        var users: UsersTable?
        if let u = try reader.optional("users", LensTableSpecs.users.parquetSchema) {
            var t = UsersTable()
            t.userId = try u.int32("user_id")
            t.gender = try u.string("gender")
            t.age = try u.int16("age")
            t.occupation = try u.string("occupation")
            t.zipCode = try u.string("zip_code")
            t.sourceLine = try u.int32("source_line", orZeros: true)
            users = t
        }

        let qt = try reader.single("quarantine", LensTableSpecs.quarantine.parquetSchema)
        let qFile = try qt.string("file"), qLine = try qt.int64("line"), qRaw = try qt.string("raw"), qReason = try qt.string("reason")
        var quarantine: [QuarantineRow] = []
        quarantine.reserveCapacity(qFile.count)
        for i in 0..<qFile.count {
            guard let reason = RejectReason(rawValue: qReason[i]) else {
                throw qt.error("row \(i) has the unknown reject reason '\(qReason[i])'")
            }
            quarantine.append(QuarantineRow(file: qFile[i], line: qLine[i], raw: qRaw[i], reason: reason))
        }

        try reader.checkNothingElse()
        let tables = LensTables(movies: movies, links: links, tags: tags, ratings: ratings, genomeTags: genomeTags,
                                genomeScores: genomeScores, pca: pca, movieStats: movieStats, userStats: userStats,
                                quarantine: quarantine, users: users)
        let counts = tables.rowCounts
        for table in Set(counts.keys).union(manifest.rowCounts.keys).sorted() where counts[table] != manifest.rowCounts[table] {
            throw LensError.input(file: dir + "/manifest.json", line: nil,
                                  message: "row_counts says \(manifest.rowCounts[table].map(String.init) ?? "nothing") for '\(table)' but the Parquet files hold \(counts[table].map(String.init) ?? "no such table"); \(rewrite)")
        }
        return (tables, manifest)
    }

    // MARK: manifest and files

    static func readManifest(_ dir: String) throws -> Manifest {
        let path = dir + "/manifest.json"
        guard let data = FileManager.default.contents(atPath: path) else {
            let what = FileManager.default.fileExists(atPath: dir) ? "there is no readable manifest.json in \(dir)" : "the folder \(dir) does not exist"
            throw LensError.input(file: path, line: nil,
                                  message: "\(what); give `lens load` a folder written by `lens run --out DIR` (it holds manifest.json)")
        }
        do {
            return try JSONDecoder().decode(Manifest.self, from: data)
        } catch {
            throw LensError.input(file: path, line: nil,
                                  message: "cannot parse the manifest (\(error)); rerun `lens run --out \(dir) --no-load` to rewrite the export")
        }
    }

    /// Every listed file exists with its recorded size and sha256.
    static func verifyFiles(_ manifest: Manifest, dir: String, rewrite: String) throws {
        let fm = FileManager.default
        for f in manifest.files {
            let path = dir + "/" + f.path
            guard let attributes = try? fm.attributesOfItem(atPath: path) else {
                throw LensError.input(file: path, line: nil, message: "listed in manifest.json but missing; \(rewrite)")
            }
            let size = (attributes[.size] as? NSNumber)?.intValue ?? -1
            guard size == f.bytes else {
                throw LensError.input(file: path, line: nil,
                                      message: "has \(size) bytes but manifest.json says \(f.bytes): the file was changed after the export; \(rewrite)")
            }
            let sum: String
            do {
                sum = try fileSHA256(path)
            } catch {
                throw LensError.input(file: path, line: nil, message: "cannot read it to check its sha256 (\(error)); check permissions")
            }
            guard sum == f.sha256 else {
                throw LensError.input(file: path, line: nil,
                                      message: "sha256 is \(sum) but manifest.json says \(f.sha256): the file was changed or damaged after the export; \(rewrite)")
            }
        }
    }

    // MARK: ratings

    private static func readRatings(_ reader: inout DatasetReader, manifest: Manifest, dir: String, rewrite: String) throws -> SplitRatings {
        let parts = try reader.files("ratings", LensTableSpecs.ratings.parquetSchema)
        var bySplit: [String: [DatasetFile]] = [:]
        for p in parts {
            guard let split = p.file.path.split(separator: "/").first(where: { $0.hasPrefix("split=") })?.dropFirst(6) else {
                throw p.error("is not in a split=train|test|buffer folder")
            }
            bySplit[String(split), default: []].append(p)
        }
        for name in bySplit.keys where !["train", "test", "buffer"].contains(name) {
            throw LensError.input(file: dir + "/ratings/split=\(name)", line: nil, message: "is not a split lens writes (train, test, buffer); \(rewrite)")
        }
        var rows = RatingsTable()
        let total = parts.reduce(0) { $0 + $1.rows }
        rows.userId.reserveCapacity(total)
        rows.movieId.reserveCapacity(total)
        rows.rating.reserveCapacity(total)
        var times: [(file: DatasetFile, seconds: [Int64])] = []
        rows.sourceLine.reserveCapacity(total)
        var counts: [String: Int] = [:]
        // Per row, in file order: its split (0 train, 1 test, 2 buffer) and batch, checked
        // against where the row lands once the rows are back in time order.
        var rowSplit: [UInt8] = []
        var batches: [Int8] = []
        var batchPresent: [Bool] = []
        rowSplit.reserveCapacity(total)
        batches.reserveCapacity(total)
        batchPresent.reserveCapacity(total)
        for (code, split) in ["train", "test", "buffer"].enumerated() {
            guard let files = bySplit[split] else {
                throw LensError.input(file: dir + "/ratings/split=\(split)", line: nil, message: "manifest.json lists no file of the \(split) split; \(rewrite)")
            }
            for f in files {
                rows.userId += try f.int32("user_id")
                rows.movieId += try f.int32("movie_id")
                rows.rating += try f.float("rating")
                times.append((f, try f.seconds("rated_at")))
                rows.sourceLine += try f.int32("source_line", orZeros: true)
                let (b, present) = try f.int8Nullable("batch")
                if split != "buffer", present.contains(true) {
                    throw f.error("has a batch number on a \(split) rating (only buffer ratings have one)")
                }
                batches += b
                batchPresent += present
                rowSplit += repeatElement(UInt8(code), count: f.rows)
                counts[split, default: 0] += f.rows
            }
        }
        rows.ratedAt = try ratedAtColumn(times, total: total)
        let train = counts["train"] ?? 0, test = counts["test"] ?? 0, buffer = counts["buffer"] ?? 0
        let report = manifest.split
        guard report.train == train, report.test == test, report.buffer == buffer else {
            throw LensError.input(file: dir + "/manifest.json", line: nil,
                                  message: "the split report says train \(report.train), test \(report.test), buffer \(report.buffer) but the split files hold \(train), \(test), \(buffer); \(rewrite)")
        }
        let batchCount = report.batchSizes.count
        guard batchCount >= 1 else {
            throw LensError.input(file: dir + "/manifest.json", line: nil, message: "the split report has no buffer batches; \(rewrite)")
        }
        // The files hold each split in (user, movie) order, the buffer batch by batch
        // (`RatingsFileOrder`; exports before it hold them in time order): each such run sorted
        // stably by time alone is in (rated_at, user_id, movie_id) order, and the runs follow one
        // another in that order, since the split cuts it. So the rows go back where the split
        // left them without sorting the whole table by its ids (400 MB of scratch at 25M).
        let perm = timeOrder(rows, runs: fileRuns(split: rowSplit, batches: batches))
        rows.userId = TemporalSplit.gather(rows.userId, perm)
        rows.movieId = TemporalSplit.gather(rows.movieId, perm)
        rows.rating = TemporalSplit.gather(rows.rating, perm)
        rows.ratedAt = EpochSecondsColumn(base: rows.ratedAt.base, offsets: TemporalSplit.gather(rows.ratedAt.offsets, perm))
        rows.sourceLine = TemporalSplit.gather(rows.sourceLine, perm)
        rowSplit = TemporalSplit.gather(rowSplit, perm)
        batches = TemporalSplit.gather(batches, perm)
        batchPresent = TemporalSplit.gather(batchPresent, perm)
        let split = SplitRatings(rows: rows, trainCount: train, testCount: test, batchCount: batchCount,
                                 batchSize: max(buffer / batchCount, 1))
        let names = ["train", "test", "buffer"]
        for p in 0..<rows.count {
            let expected: UInt8 = p < train ? 0 : p < train + test ? 1 : 2
            if rowSplit[p] != expected {
                throw LensError.input(file: dir + "/ratings/split=\(names[Int(rowSplit[p])])", line: nil,
                                      message: "holds the rating of user \(rows.userId[p]) for movie \(rows.movieId[p]) at \(rows.ratedAt[p]), which the time order puts in \(names[Int(expected)]): the split is not temporal; \(rewrite)")
            }
            guard expected == 2 else { continue }
            let b = split.batch(ofBufferPosition: p - train - test)
            if !batchPresent[p] || Int(batches[p]) != b {
                throw LensError.input(file: dir + "/" + (bySplit["buffer"]?.first?.file.path ?? "ratings"), line: nil,
                                      message: "buffer row \(p - train - test) (in time order) has batch \(batchPresent[p] ? String(batches[p]) : "null") but \(batchCount) batches of \(split.batchSize) give \(b); \(rewrite)")
            }
        }
        return split
    }

    /// The runs of rows (in file order) that are each one split, or one buffer batch: where
    /// `RatingsFileOrder` keeps (user, movie) order. A file whose runs are not in time order
    /// among themselves (not lens's) ends in the split and batch check that follows the sort.
    static func fileRuns(split: [UInt8], batches: [Int8]) -> [Range<Int>] {
        var runs: [Range<Int>] = []
        var start = 0
        for i in split.indices.dropFirst() where split[i] != split[i - 1] || (split[i] == 2 && batches[i] != batches[i - 1]) {
            runs.append(start..<i)
            start = i
        }
        if start < split.count { runs.append(start..<split.count) }
        return runs
    }

    /// The permutation putting `rows` in (rated_at, user_id, movie_id) order, run by run: a
    /// run in (user, movie) order takes the stable sort by time alone, any other the full sort
    /// (`TemporalSplit.timeOrder`) of a copy of its rows. Runs must be in that order among
    /// themselves (each split after the one before in time, as the split cuts them).
    static func timeOrder(_ rows: RatingsTable, runs: [Range<Int>]) -> [UInt32] {
        var perm: [UInt32] = []
        perm.reserveCapacity(rows.count)
        let span = rows.ratedAt.offsetRange ?? 0...0
        for run in runs {
            let offset = UInt32(truncatingIfNeeded: run.lowerBound)
            let local: [UInt32]
            if rows.isOrderedByUserThenMovie(in: run) {
                local = rows.ratedAt.offsets.withUnsafeBufferPointer { t in
                    TimeBucketOrder.permutation(UnsafeBufferPointer(rebasing: t[run]), span: span)
                }
            } else {
                var sub = RatingsTable()
                sub.userId = Array(rows.userId[run])
                sub.movieId = Array(rows.movieId[run])
                sub.ratedAt = EpochSecondsColumn(base: rows.ratedAt.base, offsets: Array(rows.ratedAt.offsets[run]))
                local = TemporalSplit.timeOrder(sub).0
            }
            perm += local.lazy.map { $0 + offset }
        }
        return perm
    }

    // MARK: genome PCA

    private static func readPCA(_ reader: inout DatasetReader, genomeTags: GenomeTagsTable?, genomeScores: GenomeScoresTable?,
                                dir: String, rewrite: String) throws -> GenomePCA? {
        let embeddingsFile = try reader.optional("movie_embeddings", LensTableSpecs.movieEmbeddings.parquetSchema)
        let pcaFile = try reader.optional("genome_pca", LensTableSpecs.genomePCA.parquetSchema)
        guard let ef = embeddingsFile, let pf = pcaFile else {
            if let lone = embeddingsFile ?? pcaFile {
                throw lone.error("is listed without its companion (movie_embeddings and genome_pca come together)")
            }
            return nil
        }
        guard let tagIds = genomeTags?.tagId else {
            throw pf.error("needs the genome_tags dataset (its loadings are by tag id) but manifest.json lists none")
        }
        let component = try pf.int16("component")
        let k = component.count
        guard component == (0..<k).map({ Int16($0 + 1) }) else {
            throw pf.error("its components are not numbered 1...\(k) in order")
        }
        let variance = try pf.double("explained_variance")
        let ratio = try pf.double("explained_variance_ratio")
        let (loadings, loadingOffsets) = try pf.floatList("loadings")
        for c in 0..<k where loadingOffsets[c + 1] - loadingOffsets[c] != tagIds.count {
            throw pf.error("component \(c + 1) has \(loadingOffsets[c + 1] - loadingOffsets[c]) loadings but genome_tags has \(tagIds.count) tags")
        }
        let movieIds = try ef.int32("movie_id")
        let (embeddings, embeddingOffsets) = try ef.floatList("embedding")
        for r in 0..<movieIds.count where embeddingOffsets[r + 1] - embeddingOffsets[r] != k {
            throw ef.error("row \(r) has an embedding of \(embeddingOffsets[r + 1] - embeddingOffsets[r]) values but genome_pca has \(k) components")
        }
        return GenomePCA(
            movieIds: movieIds, tagIds: tagIds, k: k, embeddings: embeddings,
            components: loadings.map { Double($0) }, explainedVariance: variance, explainedVarianceRatio: ratio,
            totalVariance: k > 0 ? variance[0] / ratio[0] : .nan,
            missingCells: movieIds.count * tagIds.count - (genomeScores?.count ?? 0))
    }

    // MARK: stats

    private static func restoreMovieStats(_ f: DatasetFile, ratings: SplitRatings, countQuantile: Double) throws -> MovieStats {
        let nRatings = try f.int32("n_ratings")
        let mean = try f.double("mean_rating")
        let weighted = try f.double("weighted_rating")
        // C: exact whatever the order of summation (half-star ratings, sums far below 2^53).
        var total = 0.0
        for i in 0..<ratings.trainCount { total += Double(ratings.rows.rating[i]) }
        let c = ratings.trainCount == 0 ? Double.nan : total / Double(ratings.trainCount)
        // m: recomputed, and kept only if it reproduces every stored weighted rating.
        let counts = nRatings.map { Double($0) }
        var m = quantileLinear(counts.sorted(), countQuantile)
        for i in 0..<counts.count {
            let v = counts[i]
            let wr = v / (v + m) * mean[i] + m / (v + m) * c
            if wr.bitPattern != weighted[i].bitPattern && !(wr.isNaN && weighted[i].isNaN) {
                m = .nan
                break
            }
        }
        return MovieStats(movieId: try f.int32("movie_id"), nRatings: nRatings, meanRating: mean,
                          firstRatedAt: try f.seconds("first_rated_at"), lastRatedAt: try f.seconds("last_rated_at"),
                          weightedRating: weighted, globalMeanRating: c, countThreshold: m)
    }
}

/// The split files' `rated_at` values as one column, based at the earliest; a time more than
/// 136 years from the earliest is an error naming its file (lens never writes one: it caps times
/// to a shorter window).
private func ratedAtColumn(_ pieces: [(file: DatasetFile, seconds: [Int64])], total: Int) throws -> EpochSecondsColumn {
    let base = pieces.compactMap { $0.seconds.min() }.min() ?? 0
    var column = EpochSecondsColumn(base: base)
    column.reserveCapacity(total)
    for (file, seconds) in pieces {
        for t in seconds {
            guard column.holds(t) else {
                throw file.error("has rated_at \(t) (epoch seconds), over 136 years after the earliest rating (\(base)); ratings must span less than 2^32 seconds")
            }
            column.append(t)
        }
    }
    return column
}

/// One Parquet file of a dataset, decoded, with typed column access whose errors name the file.
struct DatasetFile {
    let file: ManifestFile
    let path: String
    let rows: Int
    let rewrite: String
    let expected: ParquetSchema
    private let columns: [String: ParquetColumnValues]
    /// The columns read so far: `DatasetReader.checkNothingElse` requires every column of the
    /// schema read, so a column added to a TableSpec without its import fails loudly.
    private let read = ReadColumns()

    init(file: ManifestFile, dir: String, expected: ParquetSchema, rewrite: String) throws {
        self.file = file
        path = dir + "/" + file.path
        self.rewrite = rewrite
        self.expected = expected
        let reader: ParquetFileReader
        let values: [ParquetColumnValues]
        do {
            reader = try ParquetFileReader(path: path)
            values = try reader.readColumns()
        } catch let e as ParquetReadError {
            throw LensError.input(file: path, line: nil, message: "cannot read it as Parquet: \(e); \(rewrite)")
        }
        rows = reader.rowCount
        guard rows == file.rows else {
            throw LensError.input(file: path, line: nil, message: "has \(rows) rows but manifest.json says \(file.rows); \(rewrite)")
        }
        let actual = Dictionary(reader.schema.fields.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        for field in expected.fields {
            guard let got = actual[field.name] else {
                // Exports before lineage columns have no source_line: read as zeros.
                if field.name == "source_line" { continue }
                throw LensError.input(file: path, line: nil, message: "has no column '\(field.name)' (\(field.type)); \(rewrite)")
            }
            guard got.type == field.type, got.nullable == field.nullable else {
                throw LensError.input(file: path, line: nil,
                                      message: "column '\(field.name)' is \(got.nullable ? "nullable " : "")\(got.type) but lens writes \(field.nullable ? "nullable " : "")\(field.type); \(rewrite)")
            }
        }
        let known = Set(expected.fields.map(\.name))
        if let extra = reader.schema.fields.first(where: { !known.contains($0.name) }) {
            throw LensError.input(file: path, line: nil, message: "has the column '\(extra.name)', which lens does not write; \(rewrite)")
        }
        columns = Dictionary(zip(reader.schema.fields.map(\.name), values), uniquingKeysWith: { a, _ in a })
    }

    func error(_ message: String) -> LensError {
        LensError.input(file: path, line: nil, message: "\(message); \(rewrite)")
    }

    /// The schema's columns no accessor has read.
    var unread: [String] { expected.fields.map(\.name).filter { !read.names.contains($0) } }

    private func column(_ name: String) throws -> ParquetColumnValues {
        read.names.insert(name)
        guard let c = columns[name] else { throw error("has no column '\(name)'") }
        return c
    }

    private func noNulls(_ name: String, _ validity: [Bool]?) throws {
        if let validity, let r = validity.firstIndex(of: false) {
            throw error("column '\(name)' is null in row \(r) but lens never writes a null there")
        }
    }

    func int32(_ name: String, orZeros: Bool = false) throws -> [Int32] {
        if orZeros && columns[name] == nil {
            read.names.insert(name)
            return [Int32](repeating: 0, count: rows)
        }
        guard case .int32(let v, let validity) = try column(name) else { throw error("column '\(name)' is not int32") }
        try noNulls(name, validity)
        return v
    }

    func int32Nullable(_ name: String) throws -> ([Int32], [Bool]) {
        guard case .int32(let v, let validity) = try column(name) else { throw error("column '\(name)' is not int32") }
        return (v, validity ?? [Bool](repeating: true, count: v.count))
    }

    func int16(_ name: String) throws -> [Int16] {
        guard case .int16(let v, let validity) = try column(name) else { throw error("column '\(name)' is not int16") }
        try noNulls(name, validity)
        return v
    }

    func int16Nullable(_ name: String) throws -> ([Int16], [Bool]) {
        guard case .int16(let v, let validity) = try column(name) else { throw error("column '\(name)' is not int16") }
        return (v, validity ?? [Bool](repeating: true, count: v.count))
    }

    func int8Nullable(_ name: String) throws -> ([Int8], [Bool]) {
        guard case .int8(let v, let validity) = try column(name) else { throw error("column '\(name)' is not int8") }
        return (v, validity ?? [Bool](repeating: true, count: v.count))
    }

    func int64(_ name: String) throws -> [Int64] {
        guard case .int64(let v, let validity) = try column(name) else { throw error("column '\(name)' is not int64") }
        try noNulls(name, validity)
        return v
    }

    /// A TIMESTAMP(MICROS) column as the epoch seconds lens keeps (exact: lens writes whole seconds).
    func seconds(_ name: String) throws -> [Int64] {
        let micros = try int64(name)
        var out = [Int64](repeating: 0, count: micros.count)
        var inexact = -1
        micros.withUnsafeBufferPointer { m in
            out.withUnsafeMutableBufferPointer { o in
                for i in 0..<m.count {
                    let (q, r) = m[i].quotientAndRemainder(dividingBy: 1_000_000)
                    o[i] = q
                    if r != 0 && inexact < 0 { inexact = i }
                }
            }
        }
        if inexact >= 0 {
            throw error("column '\(name)' holds \(micros[inexact]) µs in row \(inexact), not a whole second as lens writes")
        }
        return out
    }

    func float(_ name: String) throws -> [Float] {
        guard case .float(let v, let validity) = try column(name) else { throw error("column '\(name)' is not float") }
        try noNulls(name, validity)
        return v
    }

    func double(_ name: String) throws -> [Double] {
        guard case .double(let v, let validity) = try column(name) else { throw error("column '\(name)' is not double") }
        try noNulls(name, validity)
        return v
    }

    func bool(_ name: String) throws -> [Bool] {
        guard case .bool(let v, let validity) = try column(name) else { throw error("column '\(name)' is not bool") }
        try noNulls(name, validity)
        return v
    }

    func string(_ name: String) throws -> [String] {
        guard case .string(let v, let validity) = try column(name) else { throw error("column '\(name)' is not string") }
        try noNulls(name, validity)
        return v
    }

    func stringList(_ name: String) throws -> [[String]] {
        guard case .stringList(let v, let validity) = try column(name) else { throw error("column '\(name)' is not a list of strings") }
        try noNulls(name, validity)
        return v
    }

    func floatList(_ name: String) throws -> ([Float], [Int]) {
        guard case .floatList(let v, let offsets, let validity) = try column(name) else {
            throw error("column '\(name)' is not a list of floats")
        }
        try noNulls(name, validity)
        return (v, offsets)
    }
}

/// Hands out the manifest's files by dataset and remembers which were used.
struct DatasetReader {
    let dir: String
    let manifest: Manifest
    let rewrite: String
    private var used: Set<String> = []
    private var handedOut: [DatasetFile] = []

    init(dir: String, manifest: Manifest, rewrite: String) {
        self.dir = dir
        self.manifest = manifest
        self.rewrite = rewrite
    }

    /// Every file of `dataset`, in path order (may be empty).
    mutating func files(_ dataset: String, _ schema: ParquetSchema) throws -> [DatasetFile] {
        used.insert(dataset)
        let files = try manifest.files.filter { $0.dataset == dataset }.sorted { $0.path < $1.path }
            .map { try DatasetFile(file: $0, dir: dir, expected: schema, rewrite: rewrite) }
        handedOut += files
        return files
    }

    /// The one file of `dataset`, nil when the manifest lists none.
    mutating func optional(_ dataset: String, _ schema: ParquetSchema) throws -> DatasetFile? {
        let all = try files(dataset, schema)
        guard all.count <= 1 else {
            throw LensError.input(file: dir + "/manifest.json", line: nil,
                                  message: "lists \(all.count) files for '\(dataset)' but lens writes one; \(rewrite)")
        }
        return all.first
    }

    /// The one file of a dataset every export has.
    mutating func single(_ dataset: String, _ schema: ParquetSchema) throws -> DatasetFile {
        guard let f = try optional(dataset, schema) else {
            throw LensError.input(file: dir + "/manifest.json", line: nil, message: "lists no file for '\(dataset)'; \(rewrite)")
        }
        return f
    }

    /// Refuses datasets this version of lens does not know (they would be silently dropped).
    /// Also refuses to return tables that would silently lack a column: every column of every
    /// file must have been read (an internal error: the import misses a column of its TableSpec).
    func checkNothingElse() throws {
        if let f = handedOut.first(where: { !$0.unread.isEmpty }) {
            throw LensError.internal(message: "ParquetImport.read does not read the column(s) \(f.unread) of \(f.file.dataset) that its TableSpec has; read them where the table is rebuilt")
        }
        if let f = manifest.files.first(where: { !used.contains($0.dataset) }) {
            throw LensError.input(file: dir + "/" + f.path, line: nil,
                                  message: "belongs to the dataset '\(f.dataset)', which this lens cannot load; load it with the lens version that wrote it (\(manifest.lensVersion))")
        }
    }
}

/// The names of the columns a `DatasetFile` has handed out (a reference, as the file is a value).
final class ReadColumns {
    var names: Set<String> = []
}
