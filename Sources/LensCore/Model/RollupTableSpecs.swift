/// The rollups: small tables summarising the ratings and tags per part of the split, which the
/// slow analyst views and named queries read instead of rescanning 25M ratings (issue 16).
///
/// A part is train, test, or one buffer batch. Every rollup but `rollup_tags` is keyed by part,
/// so a view sums the parts that are in `ratings` (train and test always; a buffer batch once
/// it is there: at once, or after `lens append` moves it from ratings_buffer) and an append
/// needs no refresh. They are computed in Swift from the in-memory split (`Rollups`) and COPYed
/// with the other tables; not exported to Parquet (`lens load DIR` recomputes them from the
/// ratings it reads). docs/analysts.md ("Rollups") says which view reads which.
extension LensTableSpecs {
    static let partSplit = ColumnSpec("split", .text, "the part's split: train | test | buffer")
    static let partBatch = ColumnSpec("batch", .int8, nullable: true, "buffer batch 1..N; null for train and test")
    static let partNote = "; per part of the split (train, test, each buffer batch), held-back batches included: sum the parts in ratings"

    public static let rollupParts = TableSpec(
        "rollup_parts", "ratings, users, movies and time bounds per part of the split (train, test, each buffer batch, held back or not); what split_summary reads",
        columns: [
            partSplit, partBatch,
            ColumnSpec("n_ratings", .int64, "ratings of the part"),
            ColumnSpec("n_users", .int64, "distinct users in the part"),
            ColumnSpec("n_movies", .int64, "distinct movies in the part"),
            ColumnSpec("first_rated_at", .timestamp, "earliest rated_at of the part"),
            ColumnSpec("last_rated_at", .timestamp, "latest rated_at of the part"),
        ],
        inParquet: false)

    public static let rollupRatings = TableSpec(
        "rollup_ratings", "ratings per rating value" + partNote + " (rating_distribution)",
        columns: [
            partSplit, partBatch,
            ColumnSpec("rating", .float, "the rating value"),
            ColumnSpec("n_ratings", .int64, "ratings of the part with that value"),
        ],
        inParquet: false)

    public static let rollupMonths = TableSpec(
        "rollup_months", "ratings per calendar month (UTC)" + partNote + " (ratings_per_month, genre_trend)",
        columns: [
            partSplit, partBatch,
            ColumnSpec("month_start", .timestamp, "the month's first instant (UTC)"),
            ColumnSpec("n_ratings", .int64, "ratings of the part that month"),
            ColumnSpec("sum_rating", .double, "their sum (exact: half stars)"),
            ColumnSpec("n_users", .int64, "distinct users of the part that month"),
            ColumnSpec("n_movies", .int64, "distinct movies of the part that month"),
        ],
        inParquet: false)

    public static let rollupMonthUsers = TableSpec(
        "rollup_month_users",
        "the distinct users of each part in each month that two or more parts share (a month holding a split or batch boundary), so that a month's distinct users over several parts can be counted; months of one part need only rollup_months",
        columns: [
            partSplit, partBatch,
            ColumnSpec("month_start", .timestamp, "the month's first instant (UTC)"),
            ColumnSpec("user_id", .int32, "a user who rated in the part that month"),
        ],
        inParquet: false)

    public static let rollupMonthMovies = TableSpec(
        "rollup_month_movies", "the distinct movies of each part in each month that two or more parts share (as rollup_month_users)",
        columns: [
            partSplit, partBatch,
            ColumnSpec("month_start", .timestamp, "the month's first instant (UTC)"),
            ColumnSpec("movie_id", .int32, "a movie rated in the part that month"),
        ],
        inParquet: false)

    public static let rollupMovies = TableSpec(
        "rollup_movies", "ratings per movie" + partNote + " (films_per_year, genre_frequency)",
        columns: [
            partSplit, partBatch,
            ColumnSpec("movie_id", .int32, "MovieLens movieId"),
            ColumnSpec("n_ratings", .int32, "ratings of the movie in the part"),
            ColumnSpec("sum_rating", .double, "their sum (exact: half stars)"),
        ],
        inParquet: false)

    public static let rollupGenreYears = TableSpec(
        "rollup_genre_years",
        "ratings per calendar year (UTC) of rated_at and genre of the rated movie (a rating counts once per distinct genre of its movie)" + partNote + " (genre_trend)",
        columns: [
            partSplit, partBatch,
            ColumnSpec("year", .int16, "calendar year (UTC) of rated_at"),
            ColumnSpec("genre", .text, "a genre as movies.genres lists it"),
            ColumnSpec("n_ratings", .int64, "ratings of the part that year of movies listing the genre"),
            ColumnSpec("sum_rating", .double, "their sum (exact: half stars)"),
        ],
        inParquet: false)

    public static let rollupGenres = TableSpec(
        "rollup_genres",
        "ratings per genre of the rated movie, a rating counting once per listing of the genre in movies.genres" + partNote + " (genre_frequency)",
        columns: [
            partSplit, partBatch,
            ColumnSpec("genre", .text, "a genre as movies.genres lists it"),
            ColumnSpec("n_ratings", .int64, "ratings of the part of movies listing the genre"),
            ColumnSpec("sum_rating", .double, "their sum (exact: half stars)"),
        ],
        inParquet: false)

    public static let rollupGenrePairs = TableSpec(
        "rollup_genre_pairs",
        "movies per pair of genres listed on the same movie, genre_a <= genre_b in byte order; genre_a = genre_b gives the movies listing that genre (genre_cooccurrence)",
        columns: [
            ColumnSpec("genre_a", .text, "a genre"),
            ColumnSpec("genre_b", .text, "a genre, genre_a <= genre_b in byte order"),
            ColumnSpec("n_movies", .int64, "movies listing both (each movie once)"),
        ],
        inParquet: false)

    public static let rollupUsers = TableSpec(
        "rollup_users", "ratings per user" + partNote + " (user_activity, heavy_user_share)",
        columns: [
            partSplit, partBatch,
            ColumnSpec("user_id", .int32, "MovieLens userId"),
            ColumnSpec("n_ratings", .int32, "ratings of the user in the part"),
        ],
        inParquet: false)

    public static let rollupTags = TableSpec(
        "rollup_tags", "uses, movies, users and time bounds per lower-case tag (tag_normalized); what tag_counts reads",
        columns: [
            ColumnSpec("tag", .text, "tag_normalized"),
            ColumnSpec("n_uses", .int64, "rows of tags with it"),
            ColumnSpec("n_movies", .int64, "distinct movies it was applied to"),
            ColumnSpec("n_users", .int64, "distinct users who applied it"),
            ColumnSpec("first_tagged_at", .timestamp, "earliest use"),
            ColumnSpec("last_tagged_at", .timestamp, "latest use"),
        ],
        inParquet: false)

    /// Every rollup, in load order (loaded with `others`, unkeyed: the views read them whole).
    public static let rollups: [TableSpec] = [
        rollupParts, rollupRatings, rollupMonths, rollupMonthUsers, rollupMonthMovies, rollupMovies, rollupGenreYears,
        rollupGenres, rollupGenrePairs, rollupUsers, rollupTags,
    ]
}
