import Foundation

/// `lens synth`: a deterministic generator of CSV-layout MovieLens drops (the project's own
/// equivalent of the benchmark's `gen_movielens.py`), so that every stage can be tested and
/// timed at ml-25m size without GroupLens data.
///
/// The drop: `movies.csv`, `links.csv`, `ratings.csv`, `tags.csv`, `genome-tags.csv`,
/// `genome-scores.csv`, a `README.txt` that declares a fixed drop date (November 21, 2019, the
/// date of ml-25m) and `dirty.json`, which lists exactly what dirt was injected into ratings.csv.
/// The bytes are a function of the size, the seed and the dirt rate only: every random number
/// comes from a named `SynthRNG` stream and is shaped with IEEE arithmetic alone.
///
/// Structure (what a real drop has): users rate at least 20 movies, with heavy-tailed
/// (lognormal) activity; movies have Zipf-like popularity; ratings are half stars from user bias
/// + movie bias + noise, clipped to [0.5, 5]; each user rates within a window of time between
/// 1995-01-09 and 2019-11-21; ratings.csv is sorted by userId then movieId (dirt aside); titles
/// carry years, trailing articles, commas and quotes; the tag genome has low-rank structure.
public enum Synth {
    /// The date README.txt declares and the newest timestamp: ml-25m's.
    public static let dropDate = "2019-11-21"
    static let dropDateText = "November 21, 2019"
    /// 1995-01-09 00:46:49 and 2019-11-21 09:15:03 UTC, the span of ml-25m's ratings.
    static let firstTime: Int64 = 789_652_009
    static let lastTime: Int64 = 1_574_327_703
    /// Tags start when MovieLens introduced them (2005-12-20).
    static let firstTagTime: Int64 = 1_135_036_800
    /// Genome tags and the rank of the genome's structure.
    static let genomeTagCount = 1_128
    static let genomeRank = 40
    /// Users per ratings chunk and movies per genome chunk: the unit of parallel work and of
    /// random streams (fixed, so that the output does not depend on the number of threads).
    static let usersPerChunk = 256
    static let genomeMoviesPerChunk = 64

    static let genres = ["Action", "Adventure", "Animation", "Children", "Comedy", "Crime", "Documentary", "Drama",
                         "Fantasy", "Film-Noir", "Horror", "IMAX", "Musical", "Mystery", "Romance", "Sci-Fi",
                         "Thriller", "War", "Western"]

    /// One line of progress: a file written, its data rows and the seconds it took.
    public struct Progress: Sendable {
        public var file: String
        public var rows: Int
        public var seconds: Double
    }

    /// Writes a drop into `out` (created if missing; the seven files are overwritten).
    /// - Returns: the counts, the injected dirt, bytes per file and timings.
    /// - Throws: `LensError.config` for sizes that cannot be honoured, `LensError.output` when a
    ///   file cannot be written.
    public static func run(out: String, options: SynthOptions,
                           progress: ((Progress) -> Void)? = nil) throws -> SynthSummary {
        try options.validate()
        let started = Date()
        do {
            try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        } catch {
            throw LensError.output(path: out, message: "cannot create the folder: \(error.localizedDescription)")
        }
        func path(_ name: String) -> String { (out as NSString).appendingPathComponent(name) }
        var bytes: [String: Int64] = [:]
        var stageSeconds: [String: Double] = [:]
        let size = options.size
        let seed = options.seed

        func timed<T>(_ stage: String, _ file: String, rows: (T) -> Int, _ body: () throws -> T) rethrows -> T {
            let t0 = Date()
            let r = try body()
            let s = Date().timeIntervalSince(t0)
            stageSeconds[stage, default: 0] += s
            progress?(Progress(file: file, rows: rows(r), seconds: s))
            return r
        }

        // movies.csv, links.csv
        let movieIds = try timed("movies", "movies.csv", rows: { $0.count }) { () throws -> [Int32] in
            let ids = drawMovieIds(count: size.movies, seed: seed)
            bytes["movies.csv"] = try SynthFile.write(moviesCSV(ids, seed: seed), to: path("movies.csv"))
            return ids
        }
        _ = try timed("movies", "links.csv", rows: { $0 }) { () throws -> Int in
            bytes["links.csv"] = try SynthFile.write(linksCSV(movieIds, seed: seed), to: path("links.csv"))
            return movieIds.count
        }

        // ratings.csv
        let model = RatingsModel(size: size, movieIds: movieIds, seed: seed, dirtyRate: options.dirtyRate)
        let ratings = try timed("ratings", "ratings.csv", rows: { $0.lines }) {
            try writeRatings(model, workers: options.workers, to: path("ratings.csv"))
        }
        bytes["ratings.csv"] = ratings.bytes

        // tags.csv
        _ = try timed("tags", "tags.csv", rows: { $0 }) { () throws -> Int in
            bytes["tags.csv"] = try SynthFile.write(tagsCSV(model: model, count: size.tags), to: path("tags.csv"))
            return size.tags
        }

        // genome-tags.csv, genome-scores.csv
        let genomeMovies = topMovies(ratings.movieCounts, count: size.genomeMovies)
        let genome = try timed("genome", "genome-scores.csv", rows: { $0.rows }) {
            let tagsBuffer = SynthBuffer()
            tagsBuffer.bytes("tagId,tag\n")
            for t in 1...genomeTagCount {
                tagsBuffer.reserve(32)
                tagsBuffer.uint(UInt64(t))
                tagsBuffer.bytes(",tag ")
                tagsBuffer.uint(UInt64(t))
                tagsBuffer.byte(0x0A)
            }
            bytes["genome-tags.csv"] = try SynthFile.write(tagsBuffer, to: path("genome-tags.csv"))
            return try writeGenome(movieIds: genomeMovies.map { movieIds[$0] }, seed: seed, workers: options.workers,
                                   to: path("genome-scores.csv"))
        }
        bytes["genome-scores.csv"] = genome.bytes

        var summary = SynthSummary(
            out: out, scale: options.scaleName, seed: seed, dirtyRate: options.dirtyRate, movies: movieIds.count,
            links: movieIds.count, users: size.users, ratings: ratings.clean, ratingLines: ratings.lines, tags: size.tags,
            genomeMovies: genomeMovies.count, genomeTags: genomeTagCount, genomeScores: genome.rows, dirty: ratings.dirty,
            dropDate: dropDate, bytes: [:], stageSeconds: [:], seconds: 0)
        bytes["README.txt"] = try SynthFile.write(readme(summary), to: path("README.txt"))
        bytes["dirty.json"] = try SynthFile.write(dirtyJSON(summary), to: path("dirty.json"))
        summary.bytes = bytes
        summary.stageSeconds = stageSeconds
        summary.seconds = Date().timeIntervalSince(started)
        return summary
    }

    // MARK: - movies and links

    /// `count` distinct movieIds from 1..<3*count, ascending (selection sampling, Knuth's
    /// Algorithm S), so ids have gaps as GroupLens ids do.
    static func drawMovieIds(count: Int, seed: UInt64) -> [Int32] {
        var rng = SynthRNG(seed: seed, stream: .movies)
        let pool = 3 * count - 1
        var ids: [Int32] = []
        ids.reserveCapacity(count)
        var candidate = 1
        while ids.count < count {
            let need = count - ids.count
            let left = pool - (candidate - 1)
            if Double(left) * rng.uniform() < Double(need) { ids.append(Int32(candidate)) }
            candidate += 1
        }
        return ids
    }

    static let words = [
        "Amber", "Angel", "Autumn", "Blue", "Broken", "City", "Crimson", "Dance", "Dark", "Dawn", "Desert", "Dream",
        "Echo", "Edge", "Empire", "Falcon", "Fire", "Forest", "Ghost", "Glass", "Gold", "Harbor", "Heart", "Hidden",
        "Highway", "Horizon", "House", "Hunter", "Iron", "Island", "Jungle", "King", "Lake", "Last", "Light", "Lost",
        "Machine", "Midnight", "Mirror", "Moon", "Mountain", "Night", "Ocean", "Paper", "Queen", "Rain", "River",
        "Road", "Secret", "Shadow", "Silver", "Sky", "Snow", "Song", "Star", "Stone", "Storm", "Summer", "Sun",
        "Thunder", "Tiger", "Tomorrow", "Valley", "Velvet", "War", "Whisper", "Wild", "Wind", "Winter", "Wolf",
    ]
    static let foreignArticles = ["La", "Le", "Les", "L'", "Il", "Das", "Der", "Die", "El", "Los", "Las"]

    /// A title: one to three words, sometimes with a trailing article ("Storm, The"), a comma
    /// ("Fire, Ice & Stone"), quotes ("\"Silver Moon\" Live"), a sequel number; a year in
    /// parentheses except for about 0.5% of the movies.
    static func title(_ rng: inout SynthRNG) -> String {
        func phrase(_ rng: inout SynthRNG, _ n: Int) -> String {
            (0..<n).map { _ in words[rng.below(words.count)] }.joined(separator: " ")
        }
        var name = phrase(&rng, rng.int(1, 3))
        let r = rng.uniform()
        if r < 0.04 {
            name += ", The"
        } else if r < 0.05 {
            name += ", A"
        } else if r < 0.06 {
            name += ", " + foreignArticles[rng.below(foreignArticles.count)]
        } else if r < 0.09 {
            name = "\(phrase(&rng, 1)), \(phrase(&rng, 1)) & \(name)"
        } else if r < 0.10 {
            name = "\"\(name)\" \(phrase(&rng, 1))"
        } else if r < 0.13 {
            name += " \(rng.int(2, 4))"
        }
        if rng.uniform() < 0.005 { return name }
        let year = 1902 + Int(117.0 * rng.uniform().squareRoot())
        return "\(name) (\(year))"
    }

    /// movies.csv: `movieId,title,genres`; genres from the 19-genre vocabulary in its order,
    /// or "(no genres listed)" for about 2% of the movies.
    static func moviesCSV(_ ids: [Int32], seed: UInt64) -> SynthBuffer {
        var rng = SynthRNG(seed: seed, stream: .movies, index: 1)
        let b = SynthBuffer(capacity: ids.count * 48 + 64)
        b.bytes("movieId,title,genres\n")
        // P(0..5 genres) = .02 .30 .33 .22 .10 .03
        let cumulative = [0.02, 0.32, 0.65, 0.87, 0.97, 1.0]
        var chosen = [Bool](repeating: false, count: genres.count)
        for id in ids {
            b.reserve(16)
            b.uint(UInt64(id))
            b.byte(0x2C)
            b.csvField(title(&rng))
            b.byte(0x2C)
            let u = rng.uniform()
            let n = cumulative.firstIndex { u < $0 } ?? 1
            if n == 0 {
                b.bytes("(no genres listed)")
            } else {
                for i in chosen.indices { chosen[i] = false }
                var picked = 0
                while picked < n {
                    let g = rng.below(genres.count)
                    if !chosen[g] {
                        chosen[g] = true
                        picked += 1
                    }
                }
                var first = true
                for g in chosen.indices where chosen[g] {
                    if !first { b.byte(UInt8(ascii: "|")) }
                    b.bytes(genres[g])
                    first = false
                }
            }
            b.byte(0x0A)
        }
        return b
    }

    /// links.csv: `movieId,imdbId,tmdbId`; imdbId zero-padded to 7 digits, tmdbId empty for
    /// about 0.5% of the movies.
    static func linksCSV(_ ids: [Int32], seed: UInt64) -> SynthBuffer {
        var rng = SynthRNG(seed: seed, stream: .links)
        let b = SynthBuffer(capacity: ids.count * 24 + 64)
        b.bytes("movieId,imdbId,tmdbId\n")
        for id in ids {
            let imdb = rng.int(1, 9_999_999)
            let tmdb = rng.int(2, 899_999)
            let missing = rng.uniform() < 0.005
            b.reserve(40)
            b.uint(UInt64(id))
            b.byte(0x2C)
            b.uint(UInt64(imdb), zeroPaddedTo: 7)
            b.byte(0x2C)
            if !missing { b.uint(UInt64(tmdb)) }
            b.byte(0x0A)
        }
        return b
    }

    // MARK: - tags

    static let tagWords = [
        "funny", "atmospheric", "dark comedy", "twist ending", "based on a book", "visually stunning",
        "thought-provoking", "quirky", "violent", "classic", "great cinematography", "slow", "soundtrack",
        "predictable", "romantic", "dystopia", "space", "time travel", "surreal", "witty dialogue", "cult film",
        "overrated", "so bad it's good", "long, but worth it", "\"quotable\" lines", "Oscar (Best Actor)",
        "boring, predictable", "BD-R", "Criterion", "netflix",
    ]

    /// tags.csv: `userId,movieId,tag,timestamp`, sorted by user then movie; popular movies are
    /// tagged more; some tags hold commas or quotes (CSV-quoted).
    static func tagsCSV(model: RatingsModel, count: Int) -> SynthBuffer {
        var rng = SynthRNG(seed: model.seed, stream: .tags)
        var keys = [UInt64](repeating: 0, count: count)
        for i in 0..<count {
            let user = UInt64(rng.below(model.users.count) + 1)
            let movie = UInt64(model.popularity.draw(&rng))
            keys[i] = user << 32 | movie
        }
        keys.sort()
        let b = SynthBuffer(capacity: count * 36 + 64)
        b.bytes("userId,movieId,tag,timestamp\n")
        for key in keys {
            b.reserve(40)
            b.uint(key >> 32)
            b.byte(0x2C)
            b.uint(UInt64(model.movieIds[Int(key & 0xFFFF_FFFF)]))
            b.byte(0x2C)
            b.csvField(tagWords[rng.below(tagWords.count)])
            b.reserve(16)
            b.byte(0x2C)
            b.uint(UInt64(firstTagTime) + UInt64(rng.below(Int(lastTime - firstTagTime) + 1)))
            b.byte(0x0A)
        }
        return b
    }

    // MARK: - README.txt and dirty.json

    static func readme(_ s: SynthSummary) -> SynthBuffer {
        let b = SynthBuffer()
        b.bytes("""
            Summary
            =======

            This is a synthetic MovieLens drop in the CSV layout of ml-25m, made by `lens synth` \
            (scale \(s.scale), seed \(s.seed), dirty rate \(s.dirtyRate)). It contains \(s.ratingLines) rating lines \
            and \(s.tags) tag applications across \(s.movies) movies, by \(s.users) users.
            This dataset was generated on \(dropDateText).

            It holds no GroupLens data: titles, users, ratings, tags and the genome tag names ("tag 1" ... \
            "tag \(genomeTagCount)") are generated. Every user rated at least 20 movies (before the injected dirt, \
            which dirty.json lists). The same options always give the same bytes.

            Files: movies.csv, links.csv, ratings.csv, tags.csv, genome-tags.csv, genome-scores.csv, dirty.json.

            """)
        return b
    }

    /// dirty.json, with the keys of the benchmark generator's (`seconds` left out, so that the
    /// file is as reproducible as the rest of the drop).
    static func dirtyJSON(_ s: SynthSummary) -> SynthBuffer {
        let d = s.dirty
        let b = SynthBuffer()
        b.bytes("""
            {
             "scale": "\(s.scale)",
             "seed": \(s.seed),
             "dirty_rate": \(s.dirtyRate),
             "movies": \(s.movies),
             "rating_lines": \(s.ratingLines),
             "users": \(s.users),
             "tags": \(s.tags),
             "genome_scores": \(s.genomeScores),
             "dirty": {
              "exact_duplicate": \(d.exactDuplicate),
              "key_duplicate_later": \(d.keyDuplicateLater),
              "rating_out_of_range": \(d.ratingOutOfRange),
              "blank_field": \(d.blankField),
              "truncated_line": \(d.truncatedLine),
              "unknown_movie": \(d.unknownMovie)
             }
            }

            """)
        return b
    }
}
