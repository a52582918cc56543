import Foundation
import PGClient
import XCTest
@testable import LensCore

/// Protects the documentation in the database and the tables the specs make: after a load of
/// data/sample, every table, view and column of `movielens`, the version schema and
/// `lens_catalog` carries a COMMENT, and each version table has exactly its spec's columns
/// (names, types, not null, order; on a server with pgvector, embedding_vector too) and keys.
final class CommentsTests: XCTestCase {
    /// No relation and no column without a COMMENT (the composite type of movies_like aside: it
    /// is not a table or view).
    func testEveryRelationAndColumnHasAComment() throws {
        let loaded = try SQLFixture.sample()
        let conn = try SQLFixture.connect(loaded)
        defer { conn.close() }
        let schemas = ["movielens", loaded.schema, "lens_catalog"]
        let undocumentedRelations = try conn.query("""
            select n.nspname || '.' || c.relname from pg_class as c join pg_namespace as n on n.oid = c.relnamespace
            where n.nspname = any($1::text[]) and c.relkind in ('r', 'v', 'm', 'p')
              and coalesce(obj_description(c.oid, 'pg_class'), '') = '' order by 1
            """, ["{\(schemas.joined(separator: ","))}"]).rows
        XCTAssertEqual(undocumentedRelations, [])
        let undocumentedColumns = try conn.query("""
            select n.nspname || '.' || c.relname || '.' || a.attname
            from pg_class as c join pg_namespace as n on n.oid = c.relnamespace
            join pg_attribute as a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
            where n.nspname = any($1::text[]) and c.relkind in ('r', 'v', 'm', 'p')
              and coalesce(col_description(c.oid, a.attnum), '') = '' order by 1
            """, ["{\(schemas.joined(separator: ","))}"]).rows
        XCTAssertEqual(undocumentedColumns, [])
        let counted = try conn.query("""
            select count(*) from pg_class as c join pg_namespace as n on n.oid = c.relnamespace
            join pg_attribute as a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
            where n.nspname = 'movielens' and c.relkind = 'v'
            """).rows
        XCTAssertGreaterThan(Int(counted[0][0] ?? "0") ?? 0, 150, "the check looked at the views' columns (177 when written)")
        XCTAssertEqual(try conn.query("select col_description('movielens.movies'::regclass, 4)").rows,
                       [["release year from the title's trailing (YYYY); null when absent"]])
        XCTAssertEqual(try conn.query("select col_description('movielens.top_rated'::regclass, 1)").rows,
                       [["1 = best weighted rating (ties share a rank)"]])
    }

    /// The loaded tables are the specs': columns (name, type, not null, order), primary and
    /// foreign keys, as the former hand-written DDL made them.
    func testVersionTablesAreTheSpecs() throws {
        let loaded = try SQLFixture.sample()
        let conn = try SQLFixture.connect(loaded)
        defer { conn.close() }
        // the optional columns as the version was loaded (pgvector: movie_embeddings.embedding_vector)
        let server = try VectorSupport.ofVersion(loaded.schema, conn: conn, sql: SQLFixture.sql)
        for spec in LensTableSpecs.all.map({ $0.on(server) }) {
            let columns = try conn.query("""
                select a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull from pg_attribute as a
                where a.attrelid = $1::regclass and a.attnum > 0 and not a.attisdropped order by a.attnum
                """, ["\(loaded.schema).\(spec.name)"]).rows
            // format_type spells timestamptz out
            let types = spec.columns.map { c in
                c.type == .timestamp ? "timestamp with time zone" : c.type == .vector ? "vector(\(server.vector?.dimensions ?? 0))" : c.type.pgType
            }
            XCTAssertEqual(columns, zip(spec.columns, types).map { [$0.name, $1, $0.nullable ? "f" : "t"] }, spec.name)
            let keys = try conn.query("""
                select pg_get_constraintdef(oid) from pg_constraint where conrelid = $1::regclass and contype in ('p', 'f')
                order by contype desc, 1
                """, ["\(loaded.schema).\(spec.name)"]).rows.map { $0[0] ?? "" }
            let expected = (spec.primaryKey.isEmpty ? [] : ["PRIMARY KEY (\(spec.primaryKey.joined(separator: ", ")))"])
                + spec.foreignKeys.map { "FOREIGN KEY (\($0.columns.joined(separator: ", "))) REFERENCES \(loaded.schema).\($0.table)(\($0.references.joined(separator: ", ")))" }
            XCTAssertEqual(keys, expected, spec.name)
        }
    }
}
