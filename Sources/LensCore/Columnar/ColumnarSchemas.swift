import Parquet

/// The Parquet schema of every lens dataset, derived from its `TableSpec` (`LensTableSpecs`):
/// names and order match the PostgreSQL columns, so a query reads the same on both.
/// Times are TIMESTAMP(MICROS, UTC); the embedding is a list<float> of k values, which pyarrow
/// shows as `list<element: float>`, DuckDB as `FLOAT[]` and pandas as one array per row: one
/// column to hand to a model instead of k columns to reassemble.
public enum ColumnarSchemas {
    public static let movies = LensTableSpecs.movies.parquetSchema
    public static let links = LensTableSpecs.links.parquetSchema
    public static let tags = LensTableSpecs.tags.parquetSchema
    /// The split is the Hive partition (`split=train`), not a column in the file.
    public static let ratings = LensTableSpecs.ratings.parquetSchema
    public static let genomeTags = LensTableSpecs.genomeTags.parquetSchema
    public static let genomeScores = LensTableSpecs.genomeScores.parquetSchema
    public static let movieEmbeddings = LensTableSpecs.movieEmbeddings.parquetSchema
    public static let genomePCA = LensTableSpecs.genomePCA.parquetSchema
    public static let movieStats = LensTableSpecs.movieStats.parquetSchema
    public static let userStats = LensTableSpecs.userStats.parquetSchema
    public static let users = LensTableSpecs.users.parquetSchema
    public static let quarantine = LensTableSpecs.quarantine.parquetSchema
}
