import Foundation
import PGClient

/// The analyst layer of a version: what `sql/views` puts in the current schema (`movielens`)
/// on top of the per-table views of `sql/warehouse/publish_current.sql`.
///
/// Layout of `sql/views`, run in this order (each folder sorted by file name):
/// 1. `views/*.sql` — views and functions over `{{current}}` only (rating_distribution, ...,
///    movies_like);
///    then `views/pgvector/*.sql` when the version's movie_embeddings has embedding_vector
///    (loaded on a server with pgvector): they replace functions of step 1 with ones that search
///    its HNSW index (movies_like), same signatures and results; `{{vector}}` is pgvector's schema;
/// 2. `views/materialized/*.sql` — relations too costly to compute per query, materialised once
///    per version as a table in the version schema `{{schema}}` plus a view in `{{current}}`
///    (movie_pair_lift);
/// 3. `views/catalog/*.sql` — catalog facts exposed to analysts as views (`{{catalog}}`:
///    versions, check_results, drift_alerts);
/// then `catalog/drift_schema.sql` runs first so drift_alerts has its table, and
/// `roles/grant_current.sql` last so lens_analyst (when it exists) can read the new views;
/// then the COMMENTs of every view and its columns (`RelationDocs.publishComments`).
public enum AnalystLayer {
    /// The files `publish` runs, in order (relative to the sql folder), for a version loaded on
    /// `server`.
    public static func files(_ sql: SQLFiles, server: ServerFeatures = .plain) -> [String] {
        ["catalog/drift_schema.sql"] + sql.files(in: "views")
            + (server.vector == nil ? [] : sql.files(in: "views/pgvector")) + sql.files(in: "views/materialized")
            + sql.files(in: "views/catalog") + ["roles/grant_current.sql"]
    }

    /// Creates the analyst views and functions of version schema `schema` in `current` (which
    /// `publish_current.sql` has just recreated), materialises what needs it in `schema`, and
    /// re-grants lens_analyst. Call it inside the loading transaction, after publish_current.sql
    /// and after the catalog rows of the version are written (so the catalog views see them),
    /// before COMMIT. Throws `LensError.database` naming the file that failed.
    public static func publish(conn: PGConnection, sql: SQLFiles, schema: String, current: String, catalog: String) throws {
        // What the version was loaded with (pgvector or not) decides the variant, not what the
        // server has now: a republished older version keeps the functions its tables support.
        let server = try VectorSupport.ofVersion(schema, conn: conn, sql: sql)
        var identifiers = ["schema": schema, "current": current, "catalog": catalog]
        if let v = server.vector { identifiers["vector"] = v.schema }
        for file in files(sql, server: server) {
            let text = try sql.text(file, identifiers)
            do {
                try conn.execute(text)
            } catch let e as PGError where e.sqlState == "55P03" {
                throw e  // lock_timeout: the publisher rolls back and retries (PublishLocks.swift)
            } catch {
                throw LensError.database(message: "sql/\(file) failed while publishing \(schema) as \(current): \(error)")
            }
        }
        // COMMENTs on every view and column analysts see (RelationDocs: one source each).
        let comments = try RelationDocs.publishComments(sql, schema: schema, current: current, catalog: catalog,
                                                        server: server)
        do {
            try conn.execute(comments)
        } catch let e as PGError where e.sqlState == "55P03" {
            throw e
        } catch {
            throw LensError.database(message: "commenting the views of \(current) failed while publishing \(schema): \(error)")
        }
    }

    /// Re-points `current` at version schema `schema` and rebuilds the whole analyst layer in one
    /// transaction: publish_current.sql, then `publish`. For a warehouse whose sql folder
    /// changed (new or edited views) without loading a new version, and for tests. Readers see
    /// the old layer until COMMIT. Throws `LensError.database` (rolled back) when a file fails.
    public static func republish(conn: PGConnection, sql: SQLFiles, schema: String, current: String, catalog: String) throws {
        do {
            try conn.transaction {
                try conn.execute(try sql.text("warehouse/publish_current.sql", ["schema": schema, "current": current]))
                try publish(conn: conn, sql: sql, schema: schema, current: current, catalog: catalog)
            }
        } catch {
            if error is LensError { throw error }
            throw LensError.database(message: "republishing \(schema) as \(current) failed: \(error)")
        }
    }
}
