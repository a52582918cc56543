import Foundation
import PGClient
import XCTest
@testable import LensCore

/// Protects the named queries of sql/queries: each one's rows on database `lens` (ml-latest-small
/// when ../shared has it, else the clean `lens synth` drop; movies_like on data/sample) equal an
/// independent DuckDB/numpy computation over the drop's CSV files; parameters are typed and bound
/// by the server, so a value like `1; drop table movielens.ratings; --` is inert. The pinned
/// numbers of the synthetic drop were computed by DuckDB over its CSV files.
final class NamedQueryTests: MainFixtureTestCase {

    func run(_ name: String, _ params: [String: String] = [:], on c: PGConnection? = nil) throws -> QueryResult {
        try QueryRunner.named(try NamedQuery.named(name, in: SQLFixture.sql), params: params, files: SQLFixture.sql,
                              current: "movielens", catalog: "lens_catalog", conn: c ?? conn)
    }

    func oracle(_ sql: String) throws -> [[Any]] {
        try DuckDB.rows(sql.replacingOccurrences(of: "{out}", with: loaded.out), cwd: csv)
    }

    // MARK: - The queries

    func testTopRatedWithMinVotes50() throws {
        let r = try run("top_rated", ["min_votes": "50", "limit": "5"])
        XCTAssertEqual(r.columns, ["movie_id", "title", "year", "n_ratings", "mean_rating", "weighted_rating"])
        let expected = try oracle(AnalystViewTests.weightedOracle + """
            select movie_id, title, year, v, round(r, 3), round(w, 3) from wr join read_parquet('{out}/movies/*.parquet') using (movie_id)
            where v >= 50 order by w desc, movie_id limit 5
            """)
        assertRows(r.rows, expected, "top_rated")
        XCTAssertEqual(r.rows.count, 5)
        if loaded.isMlLatestSmall {
            XCTAssertEqual(r.rows[0], ["318", "Shawshank Redemption, The (1994)", "1994", "212", "4.472", "4.366"])
        }
        // the default is min_votes 50, limit 15
        XCTAssertEqual(try run("top_rated").rows.prefix(5).map { $0 }, r.rows)
        XCTAssertEqual(try run("top_rated").rows.count, 15)
    }

    func testRatingsForUserNewestFirst() throws {
        let user = loaded.pick(small: 414, synth: 1)
        let r = try run("ratings_for_user", ["user_id": "\(user)", "limit": "12"])
        XCTAssertEqual(r.columns, ["rated_at", "movie_id", "title", "rating", "split", "batch"])
        let expected = try oracle("""
            select strftime(to_timestamp(r.timestamp), '%Y-%m-%d %H:%M:%S') || '+00', r.movieId, m.title, r.rating, p.split, p.batch
            from read_csv_auto('ratings.csv') r join read_csv_auto('movies.csv') m using (movieId)
            join read_parquet('{out}/ratings/*/*.parquet', hive_partitioning = true) p on p.user_id = r.userId and p.movie_id = r.movieId
            where r.userId = \(user) order by r.timestamp desc, r.movieId limit 12
            """)
        assertRows(r.rows, expected, "ratings_for_user")
        XCTAssertEqual(r.rows.count, 12)
    }

    func testGenreTrendYearByYear() throws {
        let r = try run("genre_trend", ["genre": "Comedy"])
        let expected = try oracle("""
            with r as (select year(to_timestamp(timestamp)) as y, rating, 'Comedy' = any(string_split(genres, '|')) as is_g
                       from read_csv_auto('ratings.csv') join read_csv_auto('movies.csv') using (movieId))
            select y, count(*) filter (where is_g), round(count(*) filter (where is_g) / count(*), 4),
                   round(avg(rating) filter (where is_g), 3)
            from r group by y order by y
            """)
        assertRows(r.rows, expected, "genre_trend")
        XCTAssertEqual(try run("genre_trend").rows.count, r.rows.count, "default Drama, same years")
    }

    func testHeavyUserShareForAnyThreshold() throws {
        for threshold in ["200", "1000"] {
            let r = try run("heavy_user_share", ["min_ratings": threshold])
            let expected = try oracle("""
                with u as (select userId, count(*) as n from read_csv_auto('ratings.csv') group by userId)
                select \(threshold), count(*) filter (where n >= \(threshold)), coalesce(sum(n) filter (where n >= \(threshold)), 0),
                       round(count(*) filter (where n >= \(threshold)) / count(*), 4), round(coalesce(sum(n) filter (where n >= \(threshold)), 0) / sum(n), 4)
                from u
                """)
            assertRows(r.rows, expected, "heavy_user_share \(threshold)")
        }
        XCTAssertEqual(try run("heavy_user_share").rows, loaded.pick(small: [["200", "134", "68484", "0.2197", "0.6792"]],
                                                                      synth: [["200", "15", "6901", "0.1000", "0.4601"]]))
    }

    func testSearchMoviesMostRatedFirst() throws {
        let title = loaded.pick(small: "star wars", synth: "light")
        let r = try run("search_movies", ["title": title.uppercased(), "limit": "4"])
        let expected = try oracle("""
            with train as (select movie_id, count(*) as n, avg(rating::double) as m from read_parquet('{out}/ratings/*/*.parquet', hive_partitioning = true)
                           where split = 'train' group by movie_id)
            select movieId, title, try_cast(regexp_extract(trim(title), '\\((\\d{4})\\)$', 1) as integer), genres, coalesce(n, 0), round(m, 3)
            from read_csv_auto('movies.csv') left join train on movie_id = movieId
            where lower(title) like '%\(title)%' order by coalesce(n, 0) desc, movieId limit 4
            """)
        assertRows(r.rows, expected, "search_movies")
        XCTAssertEqual(r.rows.count, 4)
    }

    func testGenrePopularityRanksGenresByRatings() throws {
        let minMovies = loaded.pick(small: 500, synth: 140)
        let r = try run("genre_popularity", ["min_movies": "\(minMovies)"])
        let expected = try oracle("""
            with mg as (select movieId, unnest(string_split(genres, '|')) as genre from read_csv_auto('movies.csv') where genres <> '(no genres listed)'),
            per_movie as (select movieId, count(*) as n, sum(rating) as s from read_csv_auto('ratings.csv') group by movieId)
            select genre, count(*), coalesce(sum(p.n), 0), round(sum(p.s) / sum(p.n), 3)
            from mg left join per_movie p using (movieId) group by genre having count(*) >= \(minMovies) order by 3 desc, genre
            """)
        assertRows(r.rows, expected, "genre_popularity")
        XCTAssertEqual(r.rows.count, loaded.pick(small: 13, synth: 12))
    }

    func testAlsoRatedFollowsTheRulesFromAMovie() throws {
        let movie = loaded.pick(small: 260, synth: 1608)  // synth: 71 train ratings, 43 rules past lift 1.5
        let r = try run("also_rated", ["movie_id": "\(movie)", "min_lift": "1.5", "limit": "5"])
        let expected = try oracle("""
            with train as (select user_id, movie_id from read_parquet('{out}/ratings/*/*.parquet', hive_partitioning = true) where split = 'train'),
            nb as (select count(distinct user_id)::double as n from train),
            per as (select movie_id, count(*) as c from train group by movie_id),
            pairs as (select b.movie_id as y, count(*) as c from train a join train b on a.user_id = b.user_id and a.movie_id <> b.movie_id
                      where a.movie_id = \(movie) group by 1 having count(*) >= (select ceil(0.05 * n) from nb))
            select y, m.title, pairs.c, round(pairs.c / n, 4), round(pairs.c / (select c from per where movie_id = \(movie)), 4),
                   round(pairs.c * n / ((select c from per where movie_id = \(movie)) * py.c), 3)
            from pairs join per py on py.movie_id = y join read_csv_auto('movies.csv') m on m.movieId = y, nb
            where pairs.c * n / ((select c from per where movie_id = \(movie)) * py.c) >= 1.5
            order by pairs.c / (select c from per where movie_id = \(movie)) desc, y limit 5
            """)
        assertRows(r.rows, expected, "also_rated")
        XCTAssertEqual(r.rows.count, 5)
    }

    func testMoviesLikeQueriesOnAGenomeDrop() throws {
        let sample = try SQLFixture.sample()
        let c = try SQLFixture.connect(sample)
        defer { c.close() }
        let seed = try c.query("select e.movie_id, m.title from movielens.movie_embeddings e join movielens.movies m using (movie_id) order by movie_id limit 1").rows[0]
        let byId = try run("movies_like", ["movie_id": seed[0]!, "k": "10"], on: c)
        XCTAssertEqual(byId.columns, ["rank", "movie_id", "title", "year", "genres", "similarity"])
        let numpy = try DuckDB.python("""
            import duckdb, json, sys, numpy as np
            rows = duckdb.connect().execute("select movie_id, embedding from read_parquet('movie_embeddings/*.parquet')").fetchall()
            ids = np.array([r[0] for r in rows]); E = np.array([np.array(r[1], dtype=np.float32) for r in rows], dtype=np.float64)
            seed = int(sys.argv[1]); e = E[ids == seed][0]
            sims = E @ e / (np.linalg.norm(E, axis=1) * np.linalg.norm(e))
            order = sorted((i for i in range(len(ids)) if ids[i] != seed), key=lambda i: (-sims[i], ids[i]))[:10]
            print(json.dumps([[n + 1, int(ids[i]), round(float(sims[i]), 4)] for n, i in enumerate(order)]))
            """, args: [seed[0]!], cwd: sample.out)
        assertRows(byId.rows.map { [$0[0], $0[1], $0[5]] }, numpy, tolerance: 1e-12, "movies_like")
        let byTitle = try run("movies_like_title", ["title": seed[1]!, "k": "10"], on: c)
        XCTAssertEqual(byTitle.columns.prefix(2), ["seed_movie_id", "seed_title"])
        XCTAssertEqual(byTitle.rows.map { Array($0.dropFirst(2)) }, byId.rows)
        XCTAssertEqual(Set(byTitle.rows.map { $0[0]! }), [seed[0]!])
        XCTAssertEqual(try run("movies_like_title", ["title": "no such title anywhere"], on: c).rows.count, 0)
        XCTAssertEqual(try run("movies_like", ["movie_id": "1"]).rows.count, 0, "database lens has no genome")
    }

    // MARK: - Parameters

    func testAnInjectionAttemptIsATypeErrorAndChangesNothing() throws {
        let attack = "1; drop table movielens.ratings; --"
        XCTAssertThrowsError(try run("top_rated", ["min_votes": attack])) { error in
            XCTAssertEqual(error as? LensError, .config(file: "queries/top_rated.sql", line: nil,
                message: "parameter 'min_votes' must be integer, got '1; drop table movielens.ratings; --'; the value is bound by the server, never pasted into SQL"))
        }
        // Past the client-side check, the server refuses it as a value of the wrong type.
        let sql = try SQLFixture.sql.text("queries/top_rated.sql", ["current": "movielens"])
        XCTAssertThrowsError(try conn.query(sql, [attack, "15"])) { error in
            XCTAssertEqual(sqlState(error), "22P02")
            XCTAssertTrue("\(error)".contains("invalid input syntax for type integer: \"1; drop table movielens.ratings; --\""), "\(error)")
        }
        // A text parameter holding SQL is just text to match.
        let r = try run("search_movies", ["title": "'); drop table movielens.ratings; --"])
        XCTAssertEqual(r.rows.count, 0)
        let count = loaded.pick(small: "100836", synth: "15000")
        XCTAssertEqual(try conn.query("select count(*) from movielens.ratings").rows, [[count]])
        XCTAssertEqual(try conn.query("select count(*) from lens_v1.ratings").rows, [[count]])
    }

    func testUnknownParametersAndBadValuesAreConfigErrors() throws {
        XCTAssertThrowsError(try run("top_rated", ["min_vote": "5"])) { error in
            XCTAssertEqual(error as? LensError, .config(file: "queries/top_rated.sql", line: nil,
                                                        message: "unknown parameter 'min_vote'; top_rated takes min_votes, limit"))
        }
        XCTAssertThrowsError(try run("also_rated", ["min_lift": "nan"]))
        XCTAssertThrowsError(try run("top_rated", ["min_votes": "99999999999"]), "outside integer")
        XCTAssertThrowsError(try NamedQuery.named("no_such_query", in: SQLFixture.sql)) { error in
            XCTAssertTrue("\(error)".contains("no named query 'no_such_query'; there are: also_rated, "), "\(error)")
        }
    }

    // MARK: - Headers and rendering (no database)

    func testEveryNamedQueryHasASummaryAndDocumentedColumns() throws {
        let all = try NamedQuery.all(in: SQLFixture.sql)
        XCTAssertEqual(all.map(\.name), ["also_rated", "genre_popularity", "genre_trend", "heavy_user_share", "movies_like",
                                         "movies_like_title", "ratings_for_user", "search_movies", "top_rated"])
        for q in all {
            XCTAssertFalse(q.summary.isEmpty, q.name)
            XCTAssertFalse(q.columns.isEmpty, q.name)
        }
        let top = all.first { $0.name == "top_rated" }!
        XCTAssertEqual(top.summary, "the best movies by weighted rating (IMDb-style, from the train split), with at least min_votes train ratings (the view top_rated has every movie).")
        XCTAssertEqual(top.parameters, [.init(name: "min_votes", type: "integer", defaultValue: "50"),
                                        .init(name: "limit", type: "integer", defaultValue: "15")])
        let title = all.first { $0.name == "movies_like_title" }!
        XCTAssertEqual(title.parameters.first, .init(name: "title", type: "text", defaultValue: "Toy Story"))
    }

    func testListShowsNamesParametersAndSummaries() throws {
        let text = QueryRunner.renderList(try NamedQuery.all(in: SQLFixture.sql), format: .text)
        XCTAssertTrue(text.contains("""
            top_rated: the best movies by weighted rating (IMDb-style, from the train split), with at least min_votes train ratings (the view top_rated has every movie).
                --param min_votes=<integer>   default 50
                --param limit=<integer>   default 15
                columns: movie_id, title, year, n_ratings, mean_rating, weighted_rating
            """), text)
        let json = QueryRunner.renderList(try NamedQuery.all(in: SQLFixture.sql), format: .json)
        let parsed = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [[String: Any]]
        XCTAssertEqual(parsed?.count, 9)
    }

    func testRenderFormats() {
        let r = QueryResult(columns: ["id", "title", "note"], rows: [["1", "Heat, The | Part 2", nil], ["2", "say \"hi\"", "a,b"]])
        XCTAssertEqual(QueryRunner.render(r, format: .markdown), """
            | id | title | note |
            | --- | --- | --- |
            | 1 | Heat, The \\| Part 2 |  |
            | 2 | say "hi" | a,b |
            """)
        XCTAssertEqual(QueryRunner.render(r, format: .csv), """
            id,title,note
            1,"Heat, The | Part 2",
            2,"say ""hi""\","a,b"
            """)
        XCTAssertEqual(QueryRunner.render(r, format: .json), """
            [{"id":"1","title":"Heat, The | Part 2","note":null},
            {"id":"2","title":"say \\"hi\\"","note":"a,b"}]
            """)
        XCTAssertEqual(QueryRunner.render(r, format: .text), [
            "id | title              | note",
            "---+--------------------+-----",
            "1  | Heat, The | Part 2 |     ",
            "2  | say \"hi\"           | a,b ",
            "(2 rows)",
        ].joined(separator: "\n"))
    }

    /// JSON values are typed from the column type OIDs: integers, numbers (NaN as a string),
    /// booleans, ISO 8601 timestamps in UTC, json embedded, arrays (quoted elements, NULL,
    /// nested) as JSON arrays; other types and untyped rows as strings, NULL as null.
    func testJSONValuesAreTypedByColumnType() {
        let r = QueryResult(
            columns: ["i", "n", "f", "b", "z", "t", "ts", "d", "a", "s", "m", "j", "iv"],
            rows: [["318", "4.472", "NaN", "t", nil, "2018-09-24 14:27:30+00", "2001-02-03 04:05:06.5", "2020-01-02",
                    "{1,2,NULL}", #"{"a b","c\"d",NULL,"NULL",x}"#, "{{1,2},{3,4}}", #"{"k": [1]}"#, "1 day"]],
            columnTypes: [23, 1700, 701, 16, 25, 1184, 1114, 1082, 1007, 1009, 1007, 3802, 1186])
        XCTAssertEqual(QueryRunner.render(r, format: .json), #"""
            [{"i":318,"n":4.472,"f":"NaN","b":true,"z":null,"t":"2018-09-24T14:27:30Z","ts":"2001-02-03T04:05:06.5","d":"2020-01-02","a":[1,2,null],"s":["a b","c\"d",null,"NULL","x"],"m":[[1,2],[3,4]],"j":{"k": [1]},"iv":"1 day"}]
            """#)
        XCTAssertEqual(TypedJSON.value("2001-02-03 04:05:06+05:30", type: 1184), #""2001-02-03T04:05:06+05:30""#)
        XCTAssertEqual(TypedJSON.value("2001-02-03 04:05:06-08", type: 1184), #""2001-02-03T04:05:06-08:00""#)
        XCTAssertEqual(TypedJSON.value("infinity", type: 1184), #""infinity""#)
        XCTAssertEqual(TypedJSON.value("f", type: 16), "false")
        XCTAssertEqual(TypedJSON.value("{}", type: 1009), "[]")
        XCTAssertEqual(TypedJSON.value("[0:1]={5,6}", type: 1005), "[5,6]")
        XCTAssertEqual(TypedJSON.value("-Infinity", type: 700), #""-Infinity""#)
    }

    func testParameterTypesAreCheckedBeforeTheRoundTrip() {
        XCTAssertTrue(NamedQuery.isValid("-12", type: "integer"))
        XCTAssertFalse(NamedQuery.isValid("1.5", type: "integer"))
        XCTAssertFalse(NamedQuery.isValid("3000000000", type: "integer"))
        XCTAssertTrue(NamedQuery.isValid("3000000000", type: "bigint"))
        XCTAssertTrue(NamedQuery.isValid("1.5e3", type: "numeric"))
        XCTAssertFalse(NamedQuery.isValid("inf", type: "numeric"))
        XCTAssertTrue(NamedQuery.isValid("2018-09-26", type: "date"))
        XCTAssertFalse(NamedQuery.isValid("2018-9-26", type: "date"))
        XCTAssertTrue(NamedQuery.isValid("on", type: "boolean"))
        XCTAssertTrue(NamedQuery.isValid("anything; at all", type: "text"))
    }
}
