import PGClient

/// pgvector where the server has it: whether a load gives movie_embeddings its `embedding_vector`
/// column and HNSW index (docs/pipeline.md, "pgvector"). Everything works without it; with it,
/// movies_like searches the index instead of scoring every movie.
enum VectorSupport {
    /// The first pgvector release with HNSW indexes.
    static let minimumVersion = [0, 5, 0]
    /// The most dimensions an HNSW index over `vector` accepts.
    static let maximumDimensions = 2000

    /// What the load may use, and the warnings for a pgvector it cannot use.
    struct Decision: Equatable {
        var server: ServerFeatures
        var warnings: [DropWarning]
    }

    /// Asks the server (sql/warehouse/vector_extension.sql) and, when pgvector is available but
    /// not installed, installs it (create_vector_extension.sql; outside any transaction, on
    /// `conn`, which holds the warehouse lock). No pgvector on the server: plain, no warning.
    /// pgvector that cannot be used (not permitted to create it, a version without HNSW, too many
    /// dimensions): plain, with a warning saying what to do.
    static func prepare(conn: PGConnection, sql: SQLFiles, dimensions: Int, mayCreate: Bool = true) throws -> Decision {
        let row = try conn.query(try sql.text("warehouse/vector_extension.sql")).rows.first ?? []
        let installedVersion = row.count > 0 ? row[0] : nil
        let installedSchema = row.count > 1 ? row[1] : nil
        let availableVersion = row.count > 2 ? row[2] : nil
        func plain(_ message: String) -> Decision {
            Decision(server: .plain, warnings: [DropWarning(kind: .pgvectorUnused, file: "movie_embeddings", message: message)])
        }
        guard dimensions <= maximumDimensions else {
            return plain("pgvector's HNSW index takes at most \(maximumDimensions) dimensions and the PCA has \(dimensions): embedding_vector was not made; movies_like scores every movie (use fewer PCA components for the index)")
        }
        if let installedVersion, let installedSchema {
            guard supportsHNSW(installedVersion) else {
                return plain("pgvector \(installedVersion) is installed but has no HNSW index (0.5.0 or later has): embedding_vector was not made; movies_like scores every movie (a superuser can run `alter extension vector update`)")
            }
            return Decision(server: ServerFeatures(vector: .init(schema: installedSchema, dimensions: dimensions)), warnings: [])
        }
        guard let availableVersion, mayCreate else { return Decision(server: .plain, warnings: []) }
        guard supportsHNSW(availableVersion) else {
            return plain("the server's pgvector \(availableVersion) has no HNSW index (0.5.0 or later has): embedding_vector was not made; movies_like scores every movie")
        }
        do {
            try conn.execute(try sql.text("warehouse/create_vector_extension.sql"))
        } catch let e as PGError {
            return plain("the server has pgvector \(availableVersion) but lens may not create the extension (\(e.message.trimmingCharacters(in: .whitespacesAndNewlines))): embedding_vector was not made; movies_like scores every movie (a superuser can run `create extension vector` in this database once)")
        }
        return try prepare(conn: conn, sql: sql, dimensions: dimensions, mayCreate: false)
    }

    /// Whether pgvector `version` ("0.8.0", "0.5.1") has HNSW.
    static func supportsHNSW(_ version: String) -> Bool {
        var parts = version.split(separator: ".").map { Int($0.prefix { $0.isNumber }) ?? 0 }
        while parts.count < minimumVersion.count { parts.append(0) }
        return !parts.lexicographicallyPrecedes(minimumVersion)
    }

    /// The pgvector use of version schema `schema` as it was loaded (sql/warehouse/version_vector.sql):
    /// what the analyst layer and its COMMENTs follow.
    static func ofVersion(_ schema: String, conn: PGConnection, sql: SQLFiles) throws -> ServerFeatures {
        guard let row = try conn.query(try sql.text("warehouse/version_vector.sql"), [schema]).rows.first,
              let vectorSchema = row[0], let dims = row[1].flatMap({ Int($0) }) else { return .plain }
        return ServerFeatures(vector: .init(schema: vectorSchema, dimensions: dims))
    }
}
