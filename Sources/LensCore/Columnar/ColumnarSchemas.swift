import Parquet

/// The Parquet schema of every lens dataset. Names match the PostgreSQL columns
/// (`sql/warehouse/create_version_tables.sql`), so a query reads the same on both.
/// Times are TIMESTAMP(MICROS, UTC); the embedding is a list<float> of k values, which pyarrow
/// shows as `list<element: float>`, DuckDB as `FLOAT[]` and pandas as one array per row: one
/// column to hand to a model instead of k columns to reassemble.
public enum ColumnarSchemas {
    public static let movies = ParquetSchema(
        [ParquetField("movie_id", .int32), ParquetField("title", .string), ParquetField("title_normalized", .string),
         ParquetField("year", .int16, nullable: true), ParquetField("genres", .stringList)]
            + GenreVocabulary.oneHotColumns.map { ParquetField($0, .bool) } + [ParquetField("source_line", .int32)])
    public static let links = ParquetSchema([
        ParquetField("movie_id", .int32), ParquetField("imdb_id", .string), ParquetField("tmdb_id", .int32, nullable: true),
        ParquetField("source_line", .int32),
    ])
    public static let tags = ParquetSchema([
        ParquetField("user_id", .int32), ParquetField("movie_id", .int32), ParquetField("tag", .string),
        ParquetField("tag_normalized", .string), ParquetField("tagged_at", .timestampMicrosUTC),
        ParquetField("source_line", .int32),
    ])
    /// The split is the Hive partition (`split=train`), not a column in the file.
    public static let ratings = ParquetSchema([
        ParquetField("user_id", .int32), ParquetField("movie_id", .int32), ParquetField("rating", .float),
        ParquetField("rated_at", .timestampMicrosUTC), ParquetField("batch", .int8, nullable: true),
        ParquetField("source_line", .int32),
    ])
    public static let genomeTags = ParquetSchema([ParquetField("tag_id", .int32), ParquetField("tag", .string)])
    public static let genomeScores = ParquetSchema([
        ParquetField("movie_id", .int32), ParquetField("tag_id", .int32), ParquetField("relevance", .float),
    ])
    public static let movieEmbeddings = ParquetSchema([
        ParquetField("movie_id", .int32), ParquetField("embedding", .floatList),
    ])
    public static let genomePCA = ParquetSchema([
        ParquetField("component", .int16), ParquetField("explained_variance", .double),
        ParquetField("explained_variance_ratio", .double), ParquetField("loadings", .floatList),
    ])
    public static let movieStats = ParquetSchema([
        ParquetField("movie_id", .int32), ParquetField("n_ratings", .int32), ParquetField("mean_rating", .double),
        ParquetField("first_rated_at", .timestampMicrosUTC), ParquetField("last_rated_at", .timestampMicrosUTC),
        ParquetField("weighted_rating", .double),
    ])
    public static let userStats = ParquetSchema([
        ParquetField("user_id", .int32), ParquetField("n_ratings", .int32), ParquetField("mean_rating", .double),
        ParquetField("n_ratings_winsorized", .double),
    ])
    public static let users = ParquetSchema([
        ParquetField("user_id", .int32), ParquetField("gender", .string), ParquetField("age", .int16),
        ParquetField("occupation", .string), ParquetField("zip_code", .string), ParquetField("source_line", .int32),
    ])
    public static let quarantine = ParquetSchema([
        ParquetField("file", .string), ParquetField("line", .int64), ParquetField("raw", .string),
        ParquetField("reason", .string),
    ])
}
