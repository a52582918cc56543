import Foundation
import PGClient

/// One table's differences between two versions (`lens catalog diff`).
public struct TableDiff: Codable, Sendable, Equatable {
    public var table: String
    /// The columns rows are matched on.
    public var key: [String]
    /// Rows whose key is only in the newer version.
    public var added: Int
    /// Rows whose key is only in the older version.
    public var removed: Int
    /// Rows in both whose own values differ (in at least one of `compared`).
    public var changed: Int
    /// The value columns compared, in table order.
    public var compared: [String]
    /// Per compared column, the matched rows whose value in it differs (a row may count in several).
    public var changedColumns: [String: Int]
    /// Columns left out: lineage (source_line: where the row sat in its file, so a moved line is
    /// no change) and columns derived from other columns or from the whole drop (title_normalized,
    /// the genre flags, split, batch), plus value columns one version lacks or types differently
    /// (those are listed under schema changes). A column a server feature adds
    /// (movie_embeddings.embedding_vector, with pgvector) is in neither list: it repeats another
    /// column, and whether it exists depends on the server, not on the data.
    public var notCompared: [String]

    enum CodingKeys: String, CodingKey {
        case table, key, added, removed, changed, compared
        case changedColumns = "changed_columns", notCompared = "not_compared"
    }
}

/// One column that differs between two versions' schemas.
public struct ColumnChange: Codable, Sendable, Equatable {
    public var table: String
    public var column: String
    /// added | removed | type changed
    public var change: String
    public var typeInA: String?
    public var typeInB: String?

    enum CodingKeys: String, CodingKey {
        case table, column, change
        case typeInA = "type_in_a", typeInB = "type_in_b"
    }
}

/// What changed from version `from` to version `to`: rows per table, and columns.
public struct CatalogDiff: Codable, Sendable, Equatable {
    public var from: Int
    public var to: Int
    public var tables: [TableDiff]
    public var schemaChanges: [ColumnChange]

    enum CodingKeys: String, CodingKey {
        case from, to, tables
        case schemaChanges = "schema_changes"
    }
}

/// `lens catalog`: list, diff and prune versions.
public enum CatalogTasks {
    /// How `lens catalog diff` reads a loaded table: the key its rows are matched on and the
    /// columns that are the row's own values. Every other column is lineage or derived and is not
    /// compared (see `TableDiff.notCompared`). `multiset`: the key is not unique (tags may repeat,
    /// quarantined lines too), so rows are counted per key and a change is a removal plus an addition.
    struct DiffColumns: Sendable {
        var key: [String]
        var values: [String] = []
        var multiset = false
    }

    static let diffColumns: [String: DiffColumns] = [
        // title_normalized and the genre flags derive from title and genres
        "movies": DiffColumns(key: ["movie_id"], values: ["title", "year", "genres"]),
        "links": DiffColumns(key: ["movie_id"], values: ["imdb_id", "tmdb_id"]),
        // split and batch derive from the whole drop (later ratings move them)
        "ratings": DiffColumns(key: ["user_id", "movie_id"], values: ["rating", "rated_at"]),
        "ratings_buffer": DiffColumns(key: ["user_id", "movie_id"], values: ["rating", "rated_at"]),
        // tag_normalized derives from tag
        "tags": DiffColumns(key: ["user_id", "movie_id", "tag", "tagged_at"], multiset: true),
        // line is where the rejected line sat
        "quarantine": DiffColumns(key: ["file", "raw", "reason"], multiset: true),
        "users": DiffColumns(key: ["user_id"], values: ["gender", "age", "occupation", "zip_code"]),
        "genome_tags": DiffColumns(key: ["tag_id"], values: ["tag"]),
        "genome_scores": DiffColumns(key: ["movie_id", "tag_id"], values: ["relevance"]),
        // the feature tables are derived as a whole; their values are what they hold
        "movie_embeddings": DiffColumns(key: ["movie_id"], values: ["embedding"]),
        "genome_pca": DiffColumns(key: ["component"], values: ["explained_variance", "explained_variance_ratio", "loadings"]),
        "movie_stats": DiffColumns(key: ["movie_id"],
                                   values: ["n_ratings", "mean_rating", "first_rated_at", "last_rated_at", "weighted_rating"]),
        "user_stats": DiffColumns(key: ["user_id"], values: ["n_ratings", "mean_rating", "n_ratings_winsorized"]),
    ]

    /// Versions and recent runs, as query results.
    public static func list(conn: PGConnection, sql: SQLFiles, config: PipelineConfig) throws -> (versions: PGRows, runs: PGRows) {
        let store = CatalogStore(conn: conn, sql: sql, schema: config.catalogSchema)
        try store.ensureSchema()
        // A run left 'running' by a process that died shows as interrupted (best effort: a
        // read-only role may not update the catalog).
        try? store.markInterruptedRuns()
        return (try store.versions(), try store.runs())
    }

    /// Rows added, removed and changed per table from version `a` to version `b` (with per-column
    /// change counts), and column changes. Each table costs one join of its two versions on the
    /// key, comparing typed values (`sql/catalog/diff_table.sql`). Tables only one version has
    /// show under schema changes. Throws `LensError.config` when a version is unknown or was pruned.
    public static func diff(_ a: Int, _ b: Int, conn: PGConnection, sql: SQLFiles, config: PipelineConfig) throws -> CatalogDiff {
        let catalog = config.catalogSchema
        func schema(_ v: Int) throws -> String {
            let rows = try conn.query(try sql.text("catalog/version_schema.sql", ["catalog": catalog]), [String(v)])
            guard let s = rows.rows.first?.first.flatMap({ $0 }) else {
                throw LensError.config(file: "lens catalog diff", line: nil, message: "version \(v) is not loaded (see `lens catalog`)")
            }
            return s
        }
        let sa = try schema(a), sb = try schema(b)
        let columnRows = try conn.query(try sql.text("catalog/diff_columns.sql"), [sa, sb])
        let schemaChanges = columnRows.rows.map {
            ColumnChange(table: $0[0] ?? "", column: $0[1] ?? "", change: $0[2] ?? "", typeInA: $0[3], typeInB: $0[4])
        }
        /// table -> its columns and their types, in table order
        func columns(_ schema: String) throws -> [String: [(name: String, type: String)]] {
            var out: [String: [(name: String, type: String)]] = [:]
            for row in try conn.query(try sql.text("catalog/table_columns.sql"), [schema]).rows {
                guard let t = row[0], let c = row[1], let type = row[2] else { continue }
                out[t, default: []].append((c, type))
            }
            return out
        }
        let inA = try columns(sa), inB = try columns(sb)
        try conn.execute(try sql.text("catalog/diff_table.sql"))
        var tables: [TableDiff] = []
        for table in diffColumns.keys.sorted() {
            guard let spec = diffColumns[table], let colsA = inA[table], let colsB = inB[table] else { continue }
            let typeInB = Dictionary(colsB.map { ($0.name, $0.type) }, uniquingKeysWith: { x, _ in x })
            let typeInA = Dictionary(colsA.map { ($0.name, $0.type) }, uniquingKeysWith: { x, _ in x })
            guard spec.key.allSatisfy({ typeInA[$0] != nil && typeInA[$0] == typeInB[$0] }) else {
                // a key column gone or retyped: rows cannot be matched (the schema changes say why)
                continue
            }
            let compared = colsA.map(\.name).filter { spec.values.contains($0) && typeInA[$0] == typeInB[$0] }
            let serverColumns = Set(LensTableSpecs.named(table)?.columns.filter { $0.requires != nil }.map(\.name) ?? [])
            let notCompared = colsA.map(\.name).filter { !spec.key.contains($0) && !compared.contains($0) && !serverColumns.contains($0) }
            let r = try conn.query("select pg_temp.lens_diff_table($1, $2, $3, $4::text[], $5::text[], $6::boolean)",
                                   [sa, sb, table, pgArray(spec.key), pgArray(compared), spec.multiset ? "true" : "false"])
            let counts = parseBigintArray(r.rows.first?.first ?? nil)
            guard counts.count == 3 + compared.count else {
                throw LensError.internal(message: "lens_diff_table returned \(counts.count) counts for \(table), not \(3 + compared.count)")
            }
            var perColumn: [String: Int] = [:]
            for (i, c) in compared.enumerated() { perColumn[c] = counts[3 + i] }
            tables.append(TableDiff(table: table, key: spec.key, added: counts[0], removed: counts[1], changed: counts[2],
                                    compared: compared, changedColumns: perColumn, notCompared: notCompared))
        }
        return CatalogDiff(from: a, to: b, tables: tables, schemaChanges: schemaChanges)
    }

    /// A text[] literal of plain column names (bound as a parameter, so no quoting beyond this).
    private static func pgArray(_ names: [String]) -> String { "{" + names.joined(separator: ",") + "}" }

    /// The integers of a bigint[] in text form ("{1,2,3}").
    private static func parseBigintArray(_ text: String?) -> [Int] {
        guard let text else { return [] }
        return text.trimmingCharacters(in: CharacterSet(charactersIn: "{}")).split(separator: ",").compactMap { Int($0) }
    }
}
