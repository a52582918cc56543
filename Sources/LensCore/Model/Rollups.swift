/// The rollup tables of one version (RollupTableSpecs.swift), as columns: what the slow analyst
/// views read instead of the 25M ratings. Computed from the split in memory
/// (`Rollups.compute(_:)`, Features/RollupsCompute.swift) by the load, beside the ratings' COPY,
/// in `lens run` and `lens load DIR` alike.
///
/// Parts: index 0 is train, 1 test, 1 + b buffer batch b (`Rollups.split(ofPart:)`,
/// `batch(ofPart:)`). Every table but `tags` has one entry per (part, key) with at least one
/// rating; a view sums over the parts in `ratings`.
public struct Rollups: Sendable {
    /// rollup_parts: one entry per part with ratings.
    public struct Parts: Sendable, Equatable {
        public var part: [Int16] = []
        public var nRatings: [Int64] = []
        public var nUsers: [Int64] = []
        public var nMovies: [Int64] = []
        /// Epoch seconds (UTC).
        public var firstRatedAt: [Int64] = []
        public var lastRatedAt: [Int64] = []
    }

    /// rollup_ratings: ratings per (part, value).
    public struct Ratings: Sendable, Equatable {
        public var part: [Int16] = []
        public var rating: [Float] = []
        public var nRatings: [Int64] = []
    }

    /// rollup_months: per (part, UTC month).
    public struct Months: Sendable, Equatable {
        public var part: [Int16] = []
        /// The month's first second (epoch seconds, UTC).
        public var monthStart: [Int64] = []
        public var nRatings: [Int64] = []
        public var sumRating: [Double] = []
        public var nUsers: [Int64] = []
        public var nMovies: [Int64] = []
    }

    /// rollup_month_users / rollup_month_movies: the distinct ids of a part in a month that
    /// two or more parts share.
    public struct MonthMembers: Sendable, Equatable {
        public var part: [Int16] = []
        public var monthStart: [Int64] = []
        public var id: [Int32] = []
    }

    /// rollup_movies: per (part, movie).
    public struct Movies: Sendable, Equatable {
        public var part: [Int16] = []
        public var movieId: [Int32] = []
        public var nRatings: [Int32] = []
        public var sumRating: [Double] = []
    }

    /// rollup_genre_years: per (part, UTC year of rated_at, genre of the movie).
    public struct GenreYears: Sendable, Equatable {
        public var part: [Int16] = []
        public var year: [Int16] = []
        public var genre: [String] = []
        public var nRatings: [Int64] = []
        public var sumRating: [Double] = []
    }

    /// rollup_genres: per (part, genre as listed: a movie listing a genre twice counts twice).
    public struct Genres: Sendable, Equatable {
        public var part: [Int16] = []
        public var genre: [String] = []
        public var nRatings: [Int64] = []
        public var sumRating: [Double] = []
    }

    /// rollup_genre_pairs: movies per (genre_a, genre_b), genre_a <= genre_b in byte order.
    public struct GenrePairs: Sendable, Equatable {
        public var genreA: [String] = []
        public var genreB: [String] = []
        public var nMovies: [Int64] = []
    }

    /// rollup_users: per (part, user).
    public struct Users: Sendable, Equatable {
        public var part: [Int16] = []
        public var userId: [Int32] = []
        public var nRatings: [Int32] = []
    }

    /// rollup_tags: per tag_normalized (compared byte for byte, as PostgreSQL compares text).
    public struct Tags: Sendable, Equatable {
        public var tag: [String] = []
        public var nUses: [Int64] = []
        public var nMovies: [Int64] = []
        public var nUsers: [Int64] = []
        /// Epoch seconds (UTC).
        public var firstTaggedAt: [Int64] = []
        public var lastTaggedAt: [Int64] = []
    }

    public var parts = Parts()
    public var ratings = Ratings()
    public var months = Months()
    public var monthUsers = MonthMembers()
    public var monthMovies = MonthMembers()
    public var movies = Movies()
    public var genreYears = GenreYears()
    public var genres = Genres()
    public var genrePairs = GenrePairs()
    public var users = Users()
    public var tags = Tags()

    public init() {}

    /// The split of part `p`: train, test or buffer.
    public static func split(ofPart p: Int16) -> String { p == 0 ? "train" : p == 1 ? "test" : "buffer" }

    /// The buffer batch of part `p`; nil for train and test.
    public static func batch(ofPart p: Int16) -> Int16? { p >= 2 ? p - 1 : nil }
}
