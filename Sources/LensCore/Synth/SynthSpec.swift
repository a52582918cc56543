import Foundation

/// How big a synthetic drop is: rating rows (before dirt), users, movies, tag rows, and how many
/// of the most-rated movies get a genome row for each of the 1,128 genome tags.
public struct SynthSize: Codable, Sendable, Equatable {
    public var ratings: Int
    public var users: Int
    public var movies: Int
    public var tags: Int
    public var genomeMovies: Int

    public init(ratings: Int, users: Int, movies: Int, tags: Int, genomeMovies: Int) {
        self.ratings = ratings
        self.users = users
        self.movies = movies
        self.tags = tags
        self.genomeMovies = genomeMovies
    }

    enum CodingKeys: String, CodingKey {
        case ratings, users, movies, tags, genomeMovies = "genome_movies"
    }

    /// The most ratings one user may have: 60% of the movies (and at least the 20 every user has).
    var maxRatingsPerUser: Int { min(movies, max(20, movies * 3 / 5)) }
}

/// The preset sizes of `lens synth --scale`.
public enum SynthScale: String, CaseIterable, Codable, Sendable {
    /// The size of data/sample: quick, for tests and demos.
    case sample
    /// About a million ratings.
    case oneMillion = "1m"
    /// The size of ml-25m (same counts of ratings, users, movies, tags and genome movies).
    case twentyFiveMillion = "25m"

    public var size: SynthSize {
        switch self {
        case .sample: return SynthSize(ratings: 15_000, users: 150, movies: 1_200, tags: 400, genomeMovies: 70)
        case .oneMillion: return SynthSize(ratings: 1_000_000, users: 6_000, movies: 20_000, tags: 40_000, genomeMovies: 3_000)
        case .twentyFiveMillion:
            return SynthSize(ratings: 25_000_095, users: 162_541, movies: 62_423, tags: 1_093_360, genomeMovies: 13_816)
        }
    }
}

/// What to generate. The output is a function of `size`, `seed` and `dirtyRate` only (not of
/// `workers`, the machine or the time).
public struct SynthOptions: Sendable, Equatable {
    /// The name recorded in dirty.json and the summary ("sample", "1m", "25m" or "custom").
    public var scaleName: String
    public var size: SynthSize
    public var seed: UInt64
    /// Fraction of rating rows made dirty, in [0, 0.5].
    public var dirtyRate: Double
    /// Threads that generate rows (default: the number of cores). Does not change the output.
    public var workers: Int

    public static let defaultSeed: UInt64 = 20_191_121

    public init(scale: SynthScale = .sample, seed: UInt64 = SynthOptions.defaultSeed, dirtyRate: Double = 0,
                workers: Int = ProcessInfo.processInfo.activeProcessorCount) {
        self.init(size: scale.size, scaleName: scale.rawValue, seed: seed, dirtyRate: dirtyRate, workers: workers)
    }

    public init(size: SynthSize, scaleName: String = "custom", seed: UInt64 = SynthOptions.defaultSeed,
                dirtyRate: Double = 0, workers: Int = ProcessInfo.processInfo.activeProcessorCount) {
        self.scaleName = scaleName
        self.size = size
        self.seed = seed
        self.dirtyRate = dirtyRate
        self.workers = workers
    }

    /// Throws `LensError.config` when the sizes cannot be honoured.
    func validate() throws {
        func bad(_ flag: String, _ message: String) -> LensError { .config(file: flag, line: nil, message: message) }
        guard dirtyRate >= 0 && dirtyRate <= 0.5 else { throw bad("--dirty", "must be between 0 and 0.5 (a fraction of the rating rows), got \(dirtyRate)") }
        let s = size
        guard s.users >= 1 else { throw bad("users", "must be at least 1") }
        guard s.movies >= 20 && s.movies <= 100_000_000 else { throw bad("movies", "must be between 20 and 100,000,000 (every user rates at least 20 movies)") }
        guard s.ratings >= 20 * s.users else {
            throw bad("ratings", "\(s.ratings) ratings cannot give each of \(s.users) users the 20 ratings every MovieLens user has; use at least \(20 * s.users)")
        }
        guard s.ratings <= s.users * s.maxRatingsPerUser else {
            throw bad("ratings", "\(s.ratings) ratings do not fit \(s.users) users who rate at most \(s.maxRatingsPerUser) of \(s.movies) movies each")
        }
        guard s.tags >= 0, s.genomeMovies >= 0, s.genomeMovies <= s.movies else {
            throw bad("tags/genome", "tags must be >= 0 and genome movies between 0 and the number of movies")
        }
    }
}

/// What each kind of injected dirt did, as dirty.json lists it (same keys as the benchmark
/// generator `gen_movielens.py`). Where each one lands in stage 1's reconciliation:
/// `exactDuplicate` -> duplicates, `keyDuplicateLater` -> superseded, `unknownMovie` -> orphans,
/// `blankField` + `truncatedLine` -> rejected, `ratingOutOfRange` -> caps.rating_out_of_range.
public struct SynthDirtyCounts: Codable, Sendable, Equatable {
    /// A rating row written twice, byte for byte.
    public var exactDuplicate = 0
    /// After a row, the same (user, movie) again an hour later with half a star more (capped at 5).
    public var keyDuplicateLater = 0
    /// A row whose rating is replaced by 7.0, -1.0, 50.0 or 0.0.
    public var ratingOutOfRange = 0
    /// A row whose rating field is emptied.
    public var blankField = 0
    /// A row cut after its movieId.
    public var truncatedLine = 0
    /// After a row, a rating of a movieId that movies.csv lacks.
    public var unknownMovie = 0
    public init() {}

    enum CodingKeys: String, CodingKey {
        case exactDuplicate = "exact_duplicate", keyDuplicateLater = "key_duplicate_later"
        case ratingOutOfRange = "rating_out_of_range", blankField = "blank_field"
        case truncatedLine = "truncated_line", unknownMovie = "unknown_movie"
    }

    /// Rows added to ratings.csv by the dirt (the others replace a row).
    public var addedLines: Int { exactDuplicate + keyDuplicateLater + unknownMovie }
    public var total: Int { exactDuplicate + keyDuplicateLater + ratingOutOfRange + blankField + truncatedLine + unknownMovie }

    static func + (a: SynthDirtyCounts, b: SynthDirtyCounts) -> SynthDirtyCounts {
        var c = a
        c.exactDuplicate += b.exactDuplicate
        c.keyDuplicateLater += b.keyDuplicateLater
        c.ratingOutOfRange += b.ratingOutOfRange
        c.blankField += b.blankField
        c.truncatedLine += b.truncatedLine
        c.unknownMovie += b.unknownMovie
        return c
    }
}

/// What `Synth.run` wrote.
public struct SynthSummary: Codable, Sendable, Equatable {
    public var out: String
    public var scale: String
    public var seed: UInt64
    public var dirtyRate: Double
    /// Rows of movies.csv and links.csv.
    public var movies: Int
    public var links: Int
    public var users: Int
    /// Rating rows before dirt (every user has at least 20 of them).
    public var ratings: Int
    /// Data lines of ratings.csv, dirt included.
    public var ratingLines: Int
    public var tags: Int
    public var genomeMovies: Int
    public var genomeTags: Int
    public var genomeScores: Int
    public var dirty: SynthDirtyCounts
    /// The drop date README.txt declares (YYYY-MM-DD).
    public var dropDate: String
    /// Bytes of each file written, by file name.
    public var bytes: [String: Int64]
    /// Wall-clock seconds per part ("movies", "ratings", "tags", "genome") and in all.
    public var stageSeconds: [String: Double]
    public var seconds: Double

    enum CodingKeys: String, CodingKey {
        case out, scale, seed, dirtyRate = "dirty_rate", movies, links, users, ratings, ratingLines = "rating_lines", tags
        case genomeMovies = "genome_movies", genomeTags = "genome_tags", genomeScores = "genome_scores", dirty
        case dropDate = "drop_date", bytes, stageSeconds = "stage_seconds", seconds
    }
}
