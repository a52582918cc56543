/// Every table one pipeline run produces, as columns: the stage boundary between the
/// computing stages (clean, split, features) and the writing stages (Parquet, PostgreSQL).
/// `lens run` builds it in memory; `lens load DIR` rebuilds it from the Parquet files, so both
/// load exactly the same values.
public struct LensTables: Sendable {
    public var movies: MoviesTable
    public var links: LinksTable
    public var tags: TagsTable
    /// Ratings sorted by (rated_at, user, movie) with their split.
    public var ratings: SplitRatings
    public var genomeTags: GenomeTagsTable?
    public var genomeScores: GenomeScoresTable?
    /// Present when the drop has a genome.
    public var pca: GenomePCA?
    public var movieStats: MovieStats
    public var userStats: UserStats
    public var quarantine: [QuarantineRow]
    /// Demographics, for the drops that have them (ml-100k, ml-1m).
    public var users: UsersTable?
    /// Association rules over train (the movie_pair_lift table); nil when not computed (tables
    /// read back from a Parquet export), and then the load builds them in SQL.
    public var pairLift: MoviePairLift?
    /// The rollups the analyst views read (RollupTableSpecs.swift); computed in the features
    /// stage, or by the load from the ratings when nil (tables read back from a Parquet export).
    public var rollups: Rollups?

    public init(movies: MoviesTable, links: LinksTable, tags: TagsTable, ratings: SplitRatings,
                genomeTags: GenomeTagsTable?, genomeScores: GenomeScoresTable?, pca: GenomePCA?,
                movieStats: MovieStats, userStats: UserStats, quarantine: [QuarantineRow], users: UsersTable? = nil) {
        self.users = users
        self.movies = movies
        self.links = links
        self.tags = tags
        self.ratings = ratings
        self.genomeTags = genomeTags
        self.genomeScores = genomeScores
        self.pca = pca
        self.movieStats = movieStats
        self.userStats = userStats
        self.quarantine = quarantine
    }

    /// Row count per table name (the names used in Parquet folders and PostgreSQL).
    public var rowCounts: [String: Int] {
        var c: [String: Int] = [
            "movies": movies.count, "links": links.count, "tags": tags.count, "ratings": ratings.rows.count,
            "movie_stats": movieStats.count, "user_stats": userStats.count, "quarantine": quarantine.count,
            "genome_tags": genomeTags?.count ?? 0, "genome_scores": genomeScores?.count ?? 0,
            "movie_embeddings": pca?.movieIds.count ?? 0, "genome_pca": pca?.k ?? 0,
        ]
        if let users { c["users"] = users.count }
        return c
    }
}
