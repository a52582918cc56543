import Foundation
import Parquet
import XCTest
@testable import LensCore

/// Protects the single definition of each lens table (`LensTableSpecs`): the DDL, the Parquet
/// schemas and docs/tables.md derived from it, and the check that makes a column added to a
/// spec without the code computing it fail instead of shifting the columns.
final class TableSpecTests: XCTestCase {
    /// The DDL of a table with a nullable column and the ratings' smallint batch, as PostgreSQL
    /// gets it (column order, types, not null), and the keys of a table with a foreign key and an index.
    func testDDLIsDerivedFromTheSpec() {
        XCTAssertEqual(LensTableSpecs.links.createStatement(schema: "s"), """
            create table s.links (
                movie_id    integer not null,
                imdb_id     text not null,
                tmdb_id     integer,
                source_line integer not null
            );

            """)
        XCTAssertEqual(LensTableSpecs.ratings.columns.map { "\($0.name) \($0.type.pgType)\($0.nullable ? "" : " not null")" }, [
            "user_id integer not null", "movie_id integer not null", "rating real not null", "rated_at timestamptz not null",
            "split text not null", "batch smallint", "source_line integer not null",
        ])
        XCTAssertEqual(LensTableSpecs.tags.keyStatements(schema: "s"), """
            alter table s.tags add foreign key (movie_id) references s.movies (movie_id);
            create index on s.tags (movie_id);

            """)
        XCTAssertEqual(LensTableSpecs.movies.columns.count, 5 + 20 + 1)
        XCTAssertEqual(LensTableSpecs.all.map(\.name), [
            "movies", "links", "tags", "ratings", "ratings_buffer", "genome_tags", "genome_scores", "movie_embeddings",
            "genome_pca", "movie_stats", "user_stats", "users", "quarantine", "movie_pair_lift",
            "rollup_parts", "rollup_ratings", "rollup_months", "rollup_month_users", "rollup_month_movies", "rollup_movies",
            "rollup_genre_years", "rollup_genres", "rollup_genre_pairs", "rollup_users", "rollup_tags",
        ])
    }

    /// A doc with a quote is a valid SQL literal in the COMMENTs.
    func testCommentsQuoteTheirText() {
        let doc = RelationDoc(name: "t", doc: "it's", columns: [.init(name: "c", doc: "the title's year")])
        XCTAssertEqual(doc.commentStatements(schema: "s", kind: "view"), """
            comment on view s.t is 'it''s';
            comment on column s.t.c is 'the title''s year';

            """)
    }

    /// The Parquet schemas are the ones lens wrote before the specs (the files must not change):
    /// the ratings without their split (the Hive partition), batch as a nullable int8.
    func testParquetSchemasAreTheFormerOnes() {
        XCTAssertEqual(LensTableSpecs.ratings.parquetSchema.fields, [
            ParquetField("user_id", .int32), ParquetField("movie_id", .int32), ParquetField("rating", .float),
            ParquetField("rated_at", .timestampMicrosUTC), ParquetField("batch", .int8, nullable: true),
            ParquetField("source_line", .int32),
        ])
        XCTAssertEqual(LensTableSpecs.movies.parquetSchema.fields.map(\.name),
                       ["movie_id", "title", "title_normalized", "year", "genres"] + GenreVocabulary.oneHotColumns + ["source_line"])
        XCTAssertEqual(LensTableSpecs.movies.parquetSchema.fields[3], ParquetField("year", .int16, nullable: true))
        XCTAssertEqual(LensTableSpecs.genomePCA.parquetSchema.fields, [
            ParquetField("component", .int16), ParquetField("explained_variance", .double),
            ParquetField("explained_variance_ratio", .double), ParquetField("loadings", .floatList),
        ])
        XCTAssertEqual(LensTableSpecs.quarantine.parquetSchema.fields, [
            ParquetField("file", .string), ParquetField("line", .int64), ParquetField("raw", .string), ParquetField("reason", .string),
        ])
    }

    /// Code providing other columns than the spec's (a new column without its values) is an
    /// internal error naming what is missing, never a file with shifted columns.
    func testProvidersMustMatchTheSpec() throws {
        XCTAssertEqual(try LensTableSpecs.ordered([("tag_id", 1), ("tag", 2)], for: LensTableSpecs.genomeTags, parquet: true, what: "x"), [1, 2])
        XCTAssertThrowsError(try LensTableSpecs.ordered([("tag_id", 1)], for: LensTableSpecs.genomeTags, parquet: true, what: "the Parquet export")) {
            XCTAssertEqual("\($0)", "internal error (a bug in lens, please report it): the Parquet export of genome_tags provides [tag_id] but its TableSpec has [tag_id, tag] (missing: [\"tag\"], not in the spec: []); update LensTableSpecs and the code computing the column together")
        }
        // The split is not a Parquet column but is a COPY column.
        XCTAssertNoThrow(try LensTableSpecs.checkColumns(TableCopy.ratingsColumns, of: LensTableSpecs.ratings, parquet: false, what: "x"))
        XCTAssertThrowsError(try LensTableSpecs.checkColumns(TableCopy.ratingsColumns, of: LensTableSpecs.ratings, parquet: true, what: "x"))
    }

    /// Every COPY encoder list matches its spec, for a drop with every optional table
    /// (genome, PCA) and the users of an old layout absent.
    func testCopyEncodersMatchTheSpecs() throws {
        let (tables, _) = try ParquetImport.read(from: try sampleExport())
        let encoders = TableCopy.columnEncoders(tables)
        XCTAssertEqual(encoders.map(\.spec.name), ["movies", "links", "tags", "genome_tags", "movie_embeddings", "genome_pca",
                                                   "movie_stats", "user_stats", "quarantine"])
        for (spec, _, columns) in encoders {
            XCTAssertEqual(try LensTableSpecs.ordered(columns, for: spec, parquet: false, what: "the COPY").count, spec.columns.count)
        }
    }

    /// embedding_vector exists only on a server with pgvector (as `schema.vector(k)`, k the
    /// PCA's components), is COPYed there, and is never a Parquet column.
    func testVectorColumnOnlyWithPgvector() throws {
        let server = ServerFeatures(vector: .init(schema: "public", dimensions: 64))
        XCTAssertEqual(LensTableSpecs.movieEmbeddings.on(.plain).columnNames, ["movie_id", "embedding"])
        XCTAssertEqual(LensTableSpecs.movieEmbeddings.on(server).createStatement(schema: "s", server: server), """
            create table s.movie_embeddings (
                movie_id         integer not null,
                embedding        real[] not null,
                embedding_vector public.vector(64) not null
            );

            """)
        XCTAssertEqual(LensTableSpecs.movieEmbeddings.parquetSchema.fields.map(\.name), ["movie_id", "embedding"])
        let (tables, _) = try ParquetImport.read(from: try sampleExport())
        for (plain, vector) in zip(TableCopy.columnEncoders(tables), TableCopy.columnEncoders(tables, server: server)) {
            XCTAssertEqual(vector.columns.map(\.0), vector.spec.columnNames)
            XCTAssertEqual(vector.columns.map(\.0), plain.columns.map(\.0) + (plain.spec.name == "movie_embeddings" ? ["embedding_vector"] : []))
        }
        XCTAssertEqual(WarehouseSession.warehouseOnlyColumns("movie_embeddings", server: server), [["name": "embedding_vector", "type": "vector(64)"]])
        XCTAssertEqual(WarehouseSession.warehouseOnlyColumns("movie_embeddings", server: .plain), [])
        XCTAssertEqual(["0.4.4", "0.5.0", "0.5", "0.8.5", "1.0.0"].map(VectorSupport.supportsHNSW), [false, true, true, true, true])
    }

    /// docs/tables.md is the rendering of the specs, the view headers and the catalog COMMENTs.
    /// `LENS_UPDATE_DOCS=1` rewrites it (then review and commit the diff).
    func testDocsTablesMatchesTheSources() throws {
        let sql = SQLFiles(root: TestPaths.repo + "/sql")
        let rendered = try RelationDocs.markdown(sql)
        let path = TestPaths.repo + "/docs/tables.md"
        if ProcessInfo.processInfo.environment["LENS_UPDATE_DOCS"] == "1" {
            try rendered.write(toFile: path, atomically: true, encoding: .utf8)
        }
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), rendered,
                       "docs/tables.md is stale: run LENS_UPDATE_DOCS=1 swift test --filter TableSpecTests/testDocsTablesMatchesTheSources")
    }

    /// A view header is parsed into the view's doc and one doc per column (shared docs split).
    func testViewHeaderParsing() throws {
        let doc = try RelationDocs.viewDoc(file: "views/x.sql", text: """
            -- x: what it is,
            -- over two lines.
            -- columns:
            --   a, b   the pair
            --   c      one
            -- Only some rows.
            create view {{current}}.x as select 1;
            """)
        XCTAssertEqual(doc, RelationDoc(name: "x", doc: "what it is, over two lines.", columns: [
            .init(name: "a", doc: "the pair"), .init(name: "b", doc: "the pair"), .init(name: "c", doc: "one"),
        ]))
        XCTAssertNil(try RelationDocs.viewDoc(file: "views/f.sql", text: "-- f(a): a function\ncreate function {{current}}.f(a int)"))
        XCTAssertThrowsError(try RelationDocs.viewDoc(file: "views/y.sql", text: "-- y: it\n-- columns:\n--   a\ncreate view s.y as select 1 as a;"))
    }

    /// The data/sample export, written once per process.
    private func sampleExport() throws -> String {
        let out = TestPaths.tempDir("tablespec") + "/out"
        var config = PipelineConfig()
        config.outDir = out
        _ = try RunPipeline.run(RunOptions(source: TestPaths.repo + "/data/sample", pipelineFile: nil, config: config, database: nil, skipLoad: true))
        return out
    }
}
