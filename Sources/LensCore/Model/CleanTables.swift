/// The cleaned small tables, column by column (see PIPELINE.md stage 1).

/// The MovieLens genre vocabulary and its one-hot column names, in column order.
public enum GenreVocabulary {
    /// (genre as MovieLens writes it, one-hot column name).
    public static let genres: [(name: String, column: String)] = [
        ("Action", "action"), ("Adventure", "adventure"), ("Animation", "animation"),
        ("Children", "children"), ("Comedy", "comedy"), ("Crime", "crime"),
        ("Documentary", "documentary"), ("Drama", "drama"), ("Fantasy", "fantasy"),
        ("Film-Noir", "film_noir"), ("Horror", "horror"), ("IMAX", "imax"),
        ("Musical", "musical"), ("Mystery", "mystery"), ("Romance", "romance"),
        ("Sci-Fi", "sci_fi"), ("Thriller", "thriller"), ("War", "war"), ("Western", "western"),
    ]
    /// The one-hot column names: the 19 genres, then `no_genres`.
    public static let oneHotColumns: [String] = genres.map(\.column) + ["no_genres"]
    /// The marker MovieLens uses for a movie without genres.
    public static let noGenresMarker = "(no genres listed)"
    /// Genre names of older drops and what they become: ml-100k and ml-1m write "Children's"
    /// where the newer drops write "Children"; ml-100k's "unknown" means no genre.
    public static let aliases: [String: String?] = ["Children's": "Children", "Childrens": "Children", "unknown": nil]
}

/// Cleaned `movies`, sorted by movie id.
public struct MoviesTable: Sendable {
    public var movieId: [Int32] = []
    /// The title as given, trimmed.
    public var title: [String] = []
    /// The title without its year, with a trailing article moved to the front.
    public var titleNormalized: [String] = []
    /// Year from a trailing `(YYYY)`; valid only where `yearPresent` is true.
    public var year: [Int16] = []
    public var yearPresent: [Bool] = []
    /// The genre list (empty for "(no genres listed)"); unknown genres stay in it.
    public var genres: [[String]] = []
    /// One column per `GenreVocabulary.oneHotColumns` entry, each with one Bool per movie.
    public var oneHot: [[Bool]] = Array(repeating: [], count: GenreVocabulary.oneHotColumns.count)
    /// Physical line in movies.csv (header = 1).
    public var sourceLine: [Int32] = []
    public init() {}
    public var count: Int { movieId.count }
}

/// Cleaned `links`, sorted by movie id.
public struct LinksTable: Sendable {
    public var movieId: [Int32] = []
    /// IMDb id as text, leading zeros kept.
    public var imdbId: [String] = []
    /// TMDb id; valid only where `tmdbPresent` is true.
    public var tmdbId: [Int32] = []
    public var tmdbPresent: [Bool] = []
    /// Physical line in links.csv (header = 1).
    public var sourceLine: [Int32] = []
    public init() {}
    public var count: Int { movieId.count }
}

/// Cleaned `tags`, in file order.
public struct TagsTable: Sendable {
    public var userId: [Int32] = []
    public var movieId: [Int32] = []
    public var tag: [String] = []
    /// The tag in lower case.
    public var tagNormalized: [String] = []
    /// Epoch seconds (UTC), as given.
    public var taggedAt: [Int64] = []
    /// Physical line in tags.csv (header = 1).
    public var sourceLine: [Int32] = []
    public init() {}
    public var count: Int { userId.count }
}

/// Cleaned `genome-tags`, sorted by tag id.
public struct GenomeTagsTable: Sendable {
    public var tagId: [Int32] = []
    public var tag: [String] = []
    public init() {}
    public var count: Int { tagId.count }
}

// `GenomeScoresTable` has its own file: its ids are stored as a grid when they form one.

/// Cleaned `users`, for the drops that have demographics (ml-100k `u.user`, ml-1m `users.dat`),
/// sorted by user id.
public struct UsersTable: Sendable {
    public var userId: [Int32] = []
    /// "M" or "F" as given.
    public var gender: [String] = []
    /// Age (ml-100k: years; ml-1m: the age-group code of its README).
    public var age: [Int16] = []
    /// Occupation as given (ml-100k: a name; ml-1m: the code of its README).
    public var occupation: [String] = []
    public var zipCode: [String] = []
    /// Physical line in the users file.
    public var sourceLine: [Int32] = []
    public init() {}
    public var count: Int { userId.count }
}
