import Foundation
import Parquet

/// The logical type of a lens column, from which its PostgreSQL and Parquet types follow.
public enum ColumnType: Sendable, Equatable {
    case bool, int8, int16, int32, int64, float, double, text, timestamp, textArray, floatArray
    /// pgvector's `vector(k)`: only in PostgreSQL, only on a server with pgvector
    /// (`ServerFeatures`), never in Parquet.
    case vector

    /// The PostgreSQL type. PostgreSQL has no one-byte integer: `.int8` is a smallint there.
    /// `.vector` reads `vector(k)` here (docs/tables.md); the DDL names its schema and dimension
    /// (`ColumnSpec.pgType(on:)`).
    public var pgType: String {
        switch self {
        case .bool: return "boolean"
        case .int8, .int16: return "smallint"
        case .int32: return "integer"
        case .int64: return "bigint"
        case .float: return "real"
        case .double: return "double precision"
        case .text: return "text"
        case .timestamp: return "timestamptz"
        case .textArray: return "text[]"
        case .floatArray: return "real[]"
        case .vector: return "vector(k)"
        }
    }

    /// The Parquet type. Times are TIMESTAMP(MICROS, UTC); arrays are 3-level lists.
    public var parquetType: ParquetColumnType {
        switch self {
        case .bool: return .bool
        case .int8: return .int8
        case .int16: return .int16
        case .int32: return .int32
        case .int64: return .int64
        case .float: return .float
        case .double: return .double
        case .text: return .string
        case .timestamp: return .timestampMicrosUTC
        case .textArray: return .stringList
        case .floatArray: return .floatList
        case .vector: return .floatList  // never written: a vector column is not in Parquet
        }
    }
}

/// One column of a lens table: what the DDL, the COMMENT, the Parquet field and the COPY
/// column list are made of.
public struct ColumnSpec: Sendable, Equatable {
    public var name: String
    public var type: ColumnType
    public var nullable: Bool
    /// One line for analysts: becomes the column's COMMENT and its line in docs/tables.md.
    public var doc: String
    /// False for a column only PostgreSQL holds (the ratings' `split`, which the Parquet
    /// export writes as its Hive partition, `split=train/`).
    public var inParquet: Bool
    /// The server feature the column needs; the table has the column only on a server with it
    /// (`TableSpec.on(_:)`). nil for every column of plain PostgreSQL.
    public var requires: ServerFeature?

    public init(_ name: String, _ type: ColumnType, nullable: Bool = false, inParquet: Bool = true,
                requires: ServerFeature? = nil, _ doc: String) {
        self.name = name
        self.type = type
        self.nullable = nullable
        self.inParquet = inParquet
        self.requires = requires
        self.doc = doc
    }

    /// The column's type in the DDL on `server`: `.vector` as `schema.vector(k)`.
    public func pgType(on server: ServerFeatures) -> String {
        if type == .vector, let v = server.vector { return "\(v.schema).vector(\(v.dimensions))" }
        return type.pgType
    }
}

/// An optional server capability a column can need.
public enum ServerFeature: String, Sendable, Equatable {
    /// pgvector 0.5.0 or later (HNSW indexes), installed in the database.
    case pgvector
}

/// What the server of one load offers beyond plain PostgreSQL, as the version's tables use it
/// (`VectorSupport` finds it out; docs/pipeline.md, "pgvector").
public struct ServerFeatures: Sendable, Equatable, Codable {
    /// pgvector as movie_embeddings uses it: the schema of the extension (its type, operators
    /// and operator classes are named with it, so that no search_path matters) and the
    /// dimension of embedding_vector (the PCA component count).
    public struct Vector: Sendable, Equatable, Codable {
        public var schema: String
        public var dimensions: Int
        public init(schema: String, dimensions: Int) {
            self.schema = schema
            self.dimensions = dimensions
        }
    }
    public var vector: Vector?

    public init(vector: Vector? = nil) { self.vector = vector }

    /// Plain PostgreSQL: no optional column.
    public static let plain = ServerFeatures()

    func has(_ feature: ServerFeature) -> Bool {
        switch feature {
        case .pgvector: return vector != nil
        }
    }
}

/// A foreign key of a lens table.
public struct ForeignKeySpec: Sendable, Equatable {
    public var columns: [String]
    public var table: String
    public var references: [String]
}

/// One lens dataset: the single definition its PostgreSQL table (DDL, keys, COMMENTs), its
/// Parquet schema, the export, the import and the COPY column lists are derived from.
/// docs/pipeline.md, "Adding a column", says what else a new column needs.
public struct TableSpec: Sendable, Equatable {
    public var name: String
    /// One paragraph for analysts: the table's COMMENT.
    public var doc: String
    public var columns: [ColumnSpec]
    public var primaryKey: [String]
    public var foreignKeys: [ForeignKeySpec]
    /// Plain (unnamed) indexes, each a column list.
    public var indexes: [[String]]
    /// False for a table the Parquet export does not write (movie_pair_lift, ratings_buffer).
    public var inParquet: Bool

    public init(_ name: String, _ doc: String, columns: [ColumnSpec], primaryKey: [String] = [],
                foreignKeys: [ForeignKeySpec] = [], indexes: [[String]] = [], inParquet: Bool = true) {
        self.name = name
        self.doc = doc
        self.columns = columns
        self.primaryKey = primaryKey
        self.foreignKeys = foreignKeys
        self.indexes = indexes
        self.inParquet = inParquet
    }

    public var columnNames: [String] { columns.map(\.name) }

    /// The table as it is on `server`: without the columns that need a feature it lacks.
    public func on(_ server: ServerFeatures) -> TableSpec {
        var spec = self
        spec.columns = columns.filter { $0.requires.map(server.has) ?? true }
        return spec
    }

    /// The column list of the COPY into this table, in table order.
    public var copyColumnList: String { columnNames.joined(separator: ", ") }

    /// The Parquet schema of the dataset: the columns Parquet holds, in table order.
    public var parquetSchema: ParquetSchema {
        ParquetSchema(columns.filter(\.inParquet).map { ParquetField($0.name, $0.type.parquetType, nullable: $0.nullable) })
    }

    /// `create table schema.name (...)`, columns in spec order (call it on the spec `on(server)`
    /// made; `server` names the types of the optional columns).
    public func createStatement(schema: String, server: ServerFeatures = .plain) -> String {
        let width = columns.map(\.name.count).max() ?? 0
        let lines = columns.map { c in
            "    " + c.name.padding(toLength: width, withPad: " ", startingAt: 0) + " " + c.pgType(on: server)
                + (c.nullable ? "" : " not null")
        }
        return "create table \(schema).\(name) (\n" + lines.joined(separator: ",\n") + "\n);\n"
    }

    /// Primary key, foreign keys and indexes, in that order (a foreign key's target must be keyed
    /// first: LensTableSpecs lists movies before the tables referencing it).
    public func keyStatements(schema: String) -> String {
        var out = ""
        if !primaryKey.isEmpty {
            out += "alter table \(schema).\(name) add primary key (\(primaryKey.joined(separator: ", ")));\n"
        }
        for fk in foreignKeys {
            out += "alter table \(schema).\(name) add foreign key (\(fk.columns.joined(separator: ", "))) references \(schema).\(fk.table) (\(fk.references.joined(separator: ", ")));\n"
        }
        for index in indexes {
            out += "create index on \(schema).\(name) (\(index.joined(separator: ", ")));\n"
        }
        return out
    }

    /// `create table` and the COMMENTs of the table and its columns: what the loader runs in the
    /// transaction that COPYs the table.
    public func ddl(schema: String, server: ServerFeatures = .plain) -> String {
        let spec = on(server)
        return spec.createStatement(schema: schema, server: server) + spec.relationDoc.commentStatements(schema: schema, kind: "table")
    }

    /// The documentation of the table as a relation (table or view over it).
    public var relationDoc: RelationDoc {
        RelationDoc(name: name, doc: doc, columns: columns.map { RelationDoc.Column(name: $0.name, doc: $0.doc) })
    }
}

/// Every lens dataset, in load and key order. The ratings come first in the export and on
/// their own connection in the load (`ratings`, `ratingsBuffer`); `others` are the tables loaded
/// together in one transaction on the second connection, keyed by `keyStatements`.
public enum LensTableSpecs {
    static let source = "line in the source file (header = 1), for lineage"

    public static let movies = TableSpec(
        "movies", "one row per movie of the drop; genres as a list and as one boolean column per MovieLens genre",
        columns: [
            ColumnSpec("movie_id", .int32, "MovieLens movieId"),
            ColumnSpec("title", .text, "the title as given, trimmed, e.g. \"Matrix, The (1999)\""),
            ColumnSpec("title_normalized", .text, "the title without its year, a trailing article moved to the front (\"The Matrix\")"),
            ColumnSpec("year", .int16, nullable: true, "release year from the title's trailing (YYYY); null when absent"),
            ColumnSpec("genres", .textArray, "the genre list as MovieLens writes it; empty for \"(no genres listed)\""),
        ] + GenreVocabulary.genres.map { ColumnSpec($0.column, .bool, "true when the movie lists the genre \($0.name)") }
          + [
            ColumnSpec("no_genres", .bool, "true when the movie lists no genre (\"(no genres listed)\")"),
            ColumnSpec("source_line", .int32, "line in movies.csv (header = 1), for lineage"),
          ],
        primaryKey: ["movie_id"])

    public static let links = TableSpec(
        "links", "external ids per movie (IMDb, TMDb)",
        columns: [
            ColumnSpec("movie_id", .int32, "MovieLens movieId"),
            ColumnSpec("imdb_id", .text, "IMDb id as text, leading zeros kept (https://www.imdb.com/title/tt<imdb_id>)"),
            ColumnSpec("tmdb_id", .int32, nullable: true, "TMDb id; null when the drop has none"),
            ColumnSpec("source_line", .int32, "line in links.csv (header = 1), for lineage"),
        ],
        primaryKey: ["movie_id"],
        foreignKeys: [ForeignKeySpec(columns: ["movie_id"], table: "movies", references: ["movie_id"])])

    public static let tags = TableSpec(
        "tags", "free-text tags as users applied them, one row per application",
        columns: [
            ColumnSpec("user_id", .int32, "MovieLens userId of the tagger"),
            ColumnSpec("movie_id", .int32, "MovieLens movieId"),
            ColumnSpec("tag", .text, "the tag as given, trimmed"),
            ColumnSpec("tag_normalized", .text, "the tag in lower case, for grouping"),
            ColumnSpec("tagged_at", .timestamp, "when it was applied (UTC)"),
            ColumnSpec("source_line", .int32, "line in tags.csv (header = 1), for lineage"),
        ],
        foreignKeys: [ForeignKeySpec(columns: ["movie_id"], table: "movies", references: ["movie_id"])],
        indexes: [["movie_id"]])

    static let ratingColumns: [ColumnSpec] = [
        ColumnSpec("user_id", .int32, "MovieLens userId"),
        ColumnSpec("movie_id", .int32, "MovieLens movieId"),
        ColumnSpec("rating", .float, "0.5 .. 5.0 in half stars (capped to that range)"),
        ColumnSpec("rated_at", .timestamp, "when it was rated (UTC), capped to [1995-01-01, drop date + 1 day]"),
        ColumnSpec("split", .text, inParquet: false, "temporal split: train | test | buffer (in Parquet, the split=... folder)"),
        ColumnSpec("batch", .int8, nullable: true, "buffer batch 1..N in time order; null for train and test"),
        ColumnSpec("source_line", .int32, "line in ratings.csv (header = 1) of the row kept after dedup, for lineage"),
    ]

    /// Keyed by sql/warehouse/ratings_unique_index.sql, ratings_indexes.sql and ratings_keys.sql
    /// (two index builds at once on two connections), which LensTableSpecTests hold to this spec.
    public static let ratings = TableSpec(
        "ratings", "one row per (user, movie) after dedup, with its temporal split (train, test, buffer batches)",
        columns: ratingColumns, primaryKey: ["user_id", "movie_id"],
        foreignKeys: [ForeignKeySpec(columns: ["movie_id"], table: "movies", references: ["movie_id"])],
        indexes: [["movie_id"]])

    public static let ratingsBuffer = TableSpec(
        "ratings_buffer",
        "buffer ratings held back from ratings (warehouse.hold_back_buffer), waiting for `lens append`; empty when the buffer is loaded at once",
        columns: ratingColumns, primaryKey: ["user_id", "movie_id"],
        foreignKeys: [ForeignKeySpec(columns: ["movie_id"], table: "movies", references: ["movie_id"])],
        inParquet: false)

    public static let genomeTags = TableSpec(
        "genome_tags", "the tag genome's tags, when the drop has a genome",
        columns: [
            ColumnSpec("tag_id", .int32, "genome tag id"),
            ColumnSpec("tag", .text, "the tag"),
        ],
        primaryKey: ["tag_id"])

    public static let genomeScores = TableSpec(
        "genome_scores", "the tag genome: relevance of every genome tag to every genome movie",
        columns: [
            ColumnSpec("movie_id", .int32, "MovieLens movieId"),
            ColumnSpec("tag_id", .int32, "genome tag id (genome_tags)"),
            ColumnSpec("relevance", .float, "relevance of the tag to the movie, capped to [0, 1]"),
        ],
        primaryKey: ["movie_id", "tag_id"])

    public static let movieEmbeddings = TableSpec(
        "movie_embeddings", "k principal components of the tag genome per genome movie (the PCA in genome_pca)",
        columns: [
            ColumnSpec("movie_id", .int32, "MovieLens movieId"),
            ColumnSpec("embedding", .floatArray, "the movie's k principal-component scores, component 1 first"),
            ColumnSpec("embedding_vector", .vector, inParquet: false, requires: .pgvector,
                       "embedding as a pgvector vector(k) with an HNSW index (cosine), which movies_like searches; only when the server has pgvector 0.5 or later (else the column is absent)"),
        ],
        primaryKey: ["movie_id"])

    public static let genomePCA = TableSpec(
        "genome_pca", "the PCA of the tag genome: per component, its explained variance and its loadings over the genome tags",
        columns: [
            ColumnSpec("component", .int16, "component number 1..k"),
            ColumnSpec("explained_variance", .double, "variance the component explains"),
            ColumnSpec("explained_variance_ratio", .double, "its share of the genome's total variance"),
            ColumnSpec("loadings", .floatArray, "one loading per genome tag, in tag_id order"),
        ],
        primaryKey: ["component"])

    public static let movieStats = TableSpec(
        "movie_stats", "per movie rated in train: counts, mean, first and last rating, weighted rating (train split only)",
        columns: [
            ColumnSpec("movie_id", .int32, "MovieLens movieId"),
            ColumnSpec("n_ratings", .int32, "train ratings of the movie (v)"),
            ColumnSpec("mean_rating", .double, "their mean (R)"),
            ColumnSpec("first_rated_at", .timestamp, "earliest train rating (UTC)"),
            ColumnSpec("last_rated_at", .timestamp, "latest train rating (UTC)"),
            ColumnSpec("weighted_rating", .double, "v/(v+m) R + m/(v+m) C, m the 0.90 quantile of the counts, C the mean of all train ratings"),
        ],
        primaryKey: ["movie_id"])

    public static let userStats = TableSpec(
        "user_stats", "per user who rated in train: counts and mean (train split only)",
        columns: [
            ColumnSpec("user_id", .int32, "MovieLens userId"),
            ColumnSpec("n_ratings", .int32, "train ratings of the user"),
            ColumnSpec("mean_rating", .double, "their mean"),
            ColumnSpec("n_ratings_winsorized", .double, "min(n_ratings, the 0.99 quantile of the counts)"),
        ],
        primaryKey: ["user_id"])

    public static let users = TableSpec(
        "users", "demographics, for the drops that have them (ml-100k u.user, ml-1m users.dat); else empty",
        columns: [
            ColumnSpec("user_id", .int32, "MovieLens userId"),
            ColumnSpec("gender", .text, "M | F"),
            ColumnSpec("age", .int16, "ml-100k: years; ml-1m: its README's age-group code"),
            ColumnSpec("occupation", .text, "ml-100k: a name; ml-1m: its README's occupation code"),
            ColumnSpec("zip_code", .text, "zip code as given"),
            ColumnSpec("source_line", .int32, "line in the users file (first line = 1), for lineage"),
        ],
        primaryKey: ["user_id"])

    public static let quarantine = TableSpec(
        "quarantine", "every rejected or orphan input row, with where it came from and why it was set aside",
        columns: [
            ColumnSpec("file", .text, "the drop's file, e.g. ratings.csv"),
            ColumnSpec("line", .int64, "line in that file (header = 1)"),
            ColumnSpec("raw", .text, "the line's text as read"),
            ColumnSpec("reason", .text, "why it was set aside: field_count, blank_field, unparseable, nonpositive_id, empty_tag, bad_quote, invalid_utf8 or orphan (an id no movie has)"),
        ])

    /// Created and keyed only when the features stage computed the rules
    /// (sql/warehouse/movie_pair_lift_key.sql); otherwise sql/views/materialized/movie_pair_lift.sql
    /// builds the same table in SQL at publish time.
    public static let moviePairLift = TableSpec(
        "movie_pair_lift",
        "association rules \"users who rated A also rated B\" over the train split, for pairs co-rated by at least 5% of train users; one row per direction",
        columns: [
            ColumnSpec("antecedent_id", .int32, "movie A"),
            ColumnSpec("consequent_id", .int32, "movie B"),
            ColumnSpec("n_users", .int32, "train users who rated both"),
            ColumnSpec("support", .double, "support(A, B): baskets (train users) holding both / all baskets"),
            ColumnSpec("confidence", .double, "confidence(A->B) = support(A, B) / support(A)"),
            ColumnSpec("lift", .double, "lift(A->B) = support(A, B) / (support(A) support(B)); above 1 = together more than by chance"),
            ColumnSpec("antecedent_support", .double, "support(A)"),
            ColumnSpec("consequent_support", .double, "support(B)"),
        ],
        primaryKey: ["antecedent_id", "consequent_id"], inParquet: false)

    /// The tables of the drop and its features loaded in one transaction beside the ratings, in
    /// creation and key order.
    static let dropTables: [TableSpec] = [
        movies, links, tags, genomeTags, genomeScores, movieEmbeddings, genomePCA, movieStats, userStats, users, quarantine,
    ]

    /// The tables loaded in one transaction beside the ratings, in creation and key order: the
    /// drop's and the rollups (RollupTableSpecs.swift).
    public static let others: [TableSpec] = dropTables + rollups

    /// Every table of a version schema, each also a view in `movielens`.
    public static let all: [TableSpec] = [movies, links, tags, ratings, ratingsBuffer] + Array(dropTables.dropFirst(3)) + [moviePairLift]
        + rollups

    /// The spec named `name`.
    public static func named(_ name: String) -> TableSpec? { all.first { $0.name == name } }

    /// Checks that `provided` names exactly the columns of `spec` that `inParquet` (or every column,
    /// for COPY) selects, in spec order, and returns the provided values in that order. Throws
    /// `LensError.internal` naming the difference: a column added to the spec without the code
    /// computing it (or the reverse) fails the first test that exports or loads.
    static func ordered<T>(_ provided: [(String, T)], for spec: TableSpec, parquet: Bool, what: String) throws -> [T] {
        let expected = spec.columns.filter { !parquet || $0.inParquet }.map(\.name)
        let names = provided.map(\.0)
        guard names == expected else {
            let missing = expected.filter { !names.contains($0) }, extra = names.filter { !expected.contains($0) }
            throw LensError.internal(message: "\(what) of \(spec.name) provides [\(names.joined(separator: ", "))] but its TableSpec has [\(expected.joined(separator: ", "))] (missing: \(missing), not in the spec: \(extra)); update LensTableSpecs and the code computing the column together")
        }
        return provided.map(\.1)
    }

    /// `ordered` for code that encodes the columns itself, in a loop of its own: `names` are the
    /// columns it writes, in its order.
    static func checkColumns(_ names: [String], of spec: TableSpec, parquet: Bool, what: String) throws {
        _ = try ordered(names.map { ($0, ()) }, for: spec, parquet: parquet, what: what)
    }
}
