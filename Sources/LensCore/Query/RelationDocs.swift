import Foundation

/// The documentation of one table or view: its COMMENT and its columns' COMMENTs, and its
/// section of docs/tables.md. Made from a `TableSpec` (the version tables), from the header of
/// an analyst view's file in sql/views, or from the COMMENT statements of the catalog's SQL.
public struct RelationDoc: Sendable, Equatable {
    public struct Column: Sendable, Equatable {
        public var name: String
        public var doc: String
    }

    public var name: String
    public var doc: String
    public var columns: [Column]

    /// `comment on <kind> schema.name is '...'` and one `comment on column` per column.
    public func commentStatements(schema: String, kind: String, includeRelation: Bool = true) -> String {
        var out = includeRelation ? "comment on \(kind) \(schema).\(name) is \(sqlLiteral(doc));\n" : ""
        for c in columns {
            out += "comment on column \(schema).\(name).\(c.name) is \(sqlLiteral(c.doc));\n"
        }
        return out
    }
}

/// A SQL string literal (standard_conforming_strings: only the quote is doubled).
func sqlLiteral(_ s: String) -> String {
    "'" + s.replacingOccurrences(of: "'", with: "''") + "'"
}

/// Where the documentation of every relation analysts see comes from, one source each:
/// - the version tables (`lens_vN.*` and their `movielens` views): `LensTableSpecs`;
/// - the analyst views (`sql/views/**/*.sql`): the header of each file, its first paragraph the
///   view's doc and its `-- columns:` block (`--   name[, name]   doc`) the columns';
/// - the catalog (`lens_catalog.*`): the `comment on` statements of sql/catalog/catalog_schema.sql
///   and drift_schema.sql.
/// The loader turns the first two into COMMENTs at publish time; docs/tables.md is rendered
/// from all three (`markdown`), and a test holds the committed file to it.
public enum RelationDocs {
    /// The view an analyst-view file creates and its header's docs; nil for a file that creates
    /// no view (functions, types). Throws `LensError.internal` for a view whose header lacks a
    /// description or a column line without one.
    public static func viewDoc(file: String, text: String) throws -> RelationDoc? {
        guard let name = text.firstMatch(of: #/create (?:or replace )?view [a-z_{}]+\.([a-z_]+)/#)?.1 else { return nil }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        func bad(_ what: String) -> LensError {
            LensError.internal(message: "sql/\(file): \(what); its header documents the view as `-- name: what it is`, then `-- columns:` and one `--   column[, column]   description` line each")
        }
        guard let columnsAt = lines.firstIndex(where: { $0.hasPrefix("-- columns") }) else { throw bad("no `-- columns:` block") }
        let intro = lines[..<columnsAt].prefix { $0 != "--" && $0.hasPrefix("--") }
        var doc = intro.map { $0.dropFirst(2).trimmingCharacters(in: .whitespaces) }.joined(separator: " ")
        if doc.hasPrefix(name + ": ") { doc.removeFirst(name.count + 2) }
        doc = doc.replacing(#/\s+/#, with: " ")
        guard !doc.isEmpty else { throw bad("no description before its columns") }
        var columns: [RelationDoc.Column] = []
        for line in lines[(columnsAt + 1)...] {
            guard line.hasPrefix("--   ") else { break }
            let entry = line.dropFirst(2).trimmingCharacters(in: .whitespaces)
            guard let m = entry.firstMatch(of: #/^(\S.*?)\s{2,}(\S.*)$/#) else { throw bad("the column line '\(entry)' has no description") }
            for column in m.1.split(separator: ",") {
                columns.append(.init(name: column.trimmingCharacters(in: .whitespaces), doc: String(m.2)))
            }
        }
        return RelationDoc(name: String(name), doc: doc, columns: columns)
    }

    /// The analyst views of sql/views, views/materialized and views/catalog, in publish order,
    /// with `identifiers` filled in their text.
    public static func analystViews(_ sql: SQLFiles, _ identifiers: [String: String]) throws -> [RelationDoc] {
        try (sql.files(in: "views") + sql.files(in: "views/materialized") + sql.files(in: "views/catalog")).compactMap { file in
            try viewDoc(file: file, text: try sql.text(file, identifiers))
        }
    }

    /// The catalog's tables as the `comment on` statements of its SQL files document them.
    public static func catalogTables(_ sql: SQLFiles) throws -> [RelationDoc] {
        var tables: [RelationDoc] = []
        for file in ["catalog/catalog_schema.sql", "catalog/drift_schema.sql"] {
            let text = try sql.text(file, ["catalog": "lens_catalog"])
            for m in text.matches(of: #/comment on (table|column) lens_catalog\.([a-z_]+)(?:\.([a-z_]+))? is '((?:[^']|'')*)';/#) {
                let doc = String(m.4).replacingOccurrences(of: "''", with: "'")
                if m.1 == "table" {
                    tables.append(RelationDoc(name: String(m.2), doc: doc, columns: []))
                } else if let column = m.3, let i = tables.lastIndex(where: { $0.name == m.2 }) {
                    tables[i].columns.append(.init(name: String(column), doc: doc))
                } else {
                    throw LensError.internal(message: "sql/\(file): the comment on column \(m.2).\(m.3 ?? "") comes before the comment on its table")
                }
            }
        }
        return tables
    }

    /// The COMMENTs `AnalystLayer.publish` sets: the `current` views over the version tables
    /// (from the specs), the analyst views (from their headers), and the columns of
    /// `schema`.movie_pair_lift, which sql/views/materialized builds when the load brought none.
    /// `server`: what the version was loaded with (its views have the optional columns it has).
    public static func publishComments(_ sql: SQLFiles, schema: String, current: String, catalog: String,
                                       server: ServerFeatures = .plain) throws -> String {
        var out = LensTableSpecs.all.map { $0.on(server).relationDoc.commentStatements(schema: current, kind: "view") }.joined()
        out += LensTableSpecs.moviePairLift.relationDoc.commentStatements(schema: schema, kind: "table", includeRelation: false)
        for view in try analystViews(sql, ["schema": schema, "current": current, "catalog": catalog]) {
            out += view.commentStatements(schema: current, kind: "view")
        }
        return out
    }

    /// docs/tables.md: every table and view of the warehouse and its columns, rendered from the
    /// three sources above (never edited by hand; `LENS_UPDATE_DOCS=1 swift test --filter
    /// RelationDocsTests` rewrites it).
    public static func markdown(_ sql: SQLFiles) throws -> String {
        func cell(_ s: String) -> String { s.replacingOccurrences(of: "|", with: "\\|") }
        var out = """
        # Tables and views

        Generated from `LensTableSpecs` (Sources/LensCore/Model/TableSpec.swift), the headers of
        `sql/views/**/*.sql` and the `comment on` statements of `sql/catalog/*.sql` (the same text is
        each relation's and column's COMMENT in the database: `\\d+ movielens.movies` in psql);
        do not edit by hand: `LENS_UPDATE_DOCS=1 swift test --filter TableSpecTests` rewrites it.

        ## Version tables (`lens_vN`, and `movielens` views over them)

        Also the Parquet datasets of `lens run --out` (those marked Parquet), with the same columns.

        """
        for spec in LensTableSpecs.all {
            out += "\n### `\(spec.name)`\n\n\(cell(spec.doc)).\(spec.inParquet ? "" : " PostgreSQL only.")\n\n"
            if !spec.primaryKey.isEmpty { out += "Key: (\(spec.primaryKey.joined(separator: ", "))).\n\n" }
            out += "| column | PostgreSQL | Parquet | null | what |\n| --- | --- | --- | --- | --- |\n"
            for c in spec.columns {
                // a column that needs a server feature is listed with its type; its doc says when it exists
                let parquet = spec.inParquet && c.inParquet ? "\(c.type.parquetType)" : "-"
                out += "| `\(c.name)` | \(c.type.pgType) | \(parquet) | \(c.nullable ? "yes" : "") | \(cell(c.doc)) |\n"
            }
        }
        out += "\n## Analyst views (`movielens`)\n"
        let config = PipelineConfig()
        let identifiers = ["schema": config.versionSchemaPrefix + "n", "current": config.currentSchema, "catalog": config.catalogSchema]
        for view in try analystViews(sql, identifiers) {
            out += "\n### `\(view.name)`\n\n\(cell(view.doc))\n\n| column | what |\n| --- | --- |\n"
            for c in view.columns { out += "| `\(c.name)` | \(cell(c.doc)) |\n" }
        }
        out += "\n## Catalog (`\(config.catalogSchema)`)\n"
        for table in try catalogTables(sql) {
            out += "\n### `\(table.name)`\n\n\(cell(table.doc))\n\n| column | what |\n| --- | --- |\n"
            for c in table.columns { out += "| `\(c.name)` | \(cell(c.doc)) |\n" }
        }
        return out
    }
}
