import Foundation
import PGClient
import XCTest
@testable import LensCore

/// Protects the analyst views of sql/views on ml-latest-small, or on the clean synthetic drop
/// when ../shared lacks it (and the genome views on data/sample): every view's rows equal an
/// independent computation by DuckDB over the drop's CSV files (or the run's Parquet where the
/// split is needed), plus a few pinned numbers per drop (the synthetic ones computed by DuckDB
/// over `lens synth --scale sample --dirty 0`'s CSVs).
final class AnalystViewTests: MainFixtureTestCase {

    func pg(_ sql: String, _ params: [String?] = []) throws -> [[String?]] {
        try conn.query(sql, params).rows
    }

    /// DuckDB over the CSV folder; `{out}` is the run's Parquet folder.
    func oracle(_ sql: String) throws -> [[Any]] {
        try DuckDB.rows(sql.replacingOccurrences(of: "{out}", with: loaded.out), cwd: csv)
    }

    /// The ratings of the run's Parquet with split and batch.
    static let parquetRatings = "read_parquet('{out}/ratings/*/*.parquet', hive_partitioning = true)"

    // MARK: - Distributions

    func testRatingDistributionCountsEveryHalfStarBySplit() throws {
        let actual = try pg("select rating::text, n_ratings, share, n_train, n_test, n_buffer from movielens.rating_distribution order by rating")
        let expected = try oracle("""
            select printf('%.1f', rating), count(*), count(*) / sum(count(*)) over (),
                   count(*) filter (where split = 'train'), count(*) filter (where split = 'test'),
                   count(*) filter (where split = 'buffer')
            from \(Self.parquetRatings) group by rating order by rating
            """)
        assertRows(actual, expected, "rating_distribution")
        // the CSV itself: 26,818 ratings of 4.0 and 1,370 of 0.5 (synthetic: 2,592 and 39)
        let csvCounts = try oracle("select count(*) filter (where rating = 4.0), count(*) filter (where rating = 0.5) from read_csv_auto('ratings.csv')")
        assertRows([[actual[7][1], actual[0][1]]], csvCounts, "against ratings.csv")
        XCTAssertEqual(actual[7][1], loaded.pick(small: "26818", synth: "2592"))
    }

    func testRatingsPerMonthMatchesTheRatingsMonthByMonth() throws {
        let actual = try pg("""
            select to_char(month, 'YYYY-MM'), n_ratings, n_users, n_movies, mean_rating, n_train, n_test, n_buffer
            from movielens.ratings_per_month order by month
            """)
        let expected = try oracle("""
            select strftime(date_trunc('month', rated_at), '%Y-%m') as m, count(*), count(distinct user_id), count(distinct movie_id),
                   avg(rating::double), count(*) filter (where split = 'train'), count(*) filter (where split = 'test'),
                   count(*) filter (where split = 'buffer')
            from \(Self.parquetRatings) group by m order by m
            """)
        assertRows(actual, expected, "ratings_per_month")
        XCTAssertEqual(actual.first?[0], loaded.pick(small: "1996-03", synth: "1995-01"))
        XCTAssertEqual(actual.last?[0], loaded.pick(small: "2018-09", synth: "2019-11"))
    }

    func testFilmsPerYearMatchesTheTitlesYears() throws {
        let actual = try pg("select year, n_movies, n_rated, n_ratings, mean_rating from movielens.films_per_year order by year")
        let expected = try oracle("""
            with movies as (
                select movieId, try_cast(regexp_extract(trim(title), '\\((\\d{4})\\)$', 1) as integer) as year
                from read_csv_auto('movies.csv') where regexp_matches(trim(title), '\\(\\d{4}\\)$')
            ),
            per_movie as (select movieId, count(*) as n, sum(rating) as s from read_csv_auto('ratings.csv') group by movieId)
            select year, count(*), count(p.movieId), coalesce(sum(p.n), 0), sum(p.s) / sum(p.n)
            from movies left join per_movie p using (movieId) group by year order by year
            """)
        assertRows(actual, expected, "films_per_year")
        let byYear = Dictionary(uniqueKeysWithValues: actual.map { ($0[0]!, $0[1]!) })
        XCTAssertEqual(byYear["1995"], loaded.pick(small: "259", synth: "18"))
        XCTAssertEqual(byYear["2000"], loaded.pick(small: "283", synth: "20"))
        XCTAssertEqual(byYear["2015"], loaded.pick(small: "274", synth: "24"))
    }

    func testGenreFrequencyCountsMoviesAndRatingsPerGenre() throws {
        let actual = try pg("select genre, n_movies, share_of_movies, n_ratings, mean_rating from movielens.genre_frequency order by genre collate \"C\"")
        let expected = try oracle("""
            with mg as (
                select movieId, unnest(string_split(genres, '|')) as genre from read_csv_auto('movies.csv')
                where genres <> '(no genres listed)'
            ),
            per_movie as (select movieId, count(*) as n, sum(rating) as s from read_csv_auto('ratings.csv') group by movieId)
            select genre, count(*), count(*) / (select count(*) from read_csv_auto('movies.csv')),
                   coalesce(sum(p.n), 0), sum(p.s) / sum(p.n)
            from mg left join per_movie p using (movieId) group by genre order by genre
            """)
        assertRows(actual, expected, "genre_frequency")
        let byGenre = Dictionary(uniqueKeysWithValues: actual.map { ($0[0]!, $0) })
        XCTAssertEqual(byGenre["Drama"]?[1], loaded.pick(small: "4361", synth: "143"))
        XCTAssertEqual(byGenre["Drama"]?[3], loaded.pick(small: "41928", synth: "1881"))
        XCTAssertEqual(byGenre["Comedy"]?[1], loaded.pick(small: "3756", synth: "129"))
        XCTAssertEqual(byGenre["Comedy"]?[3], loaded.pick(small: "39053", synth: "1743"))
    }

    func testGenreCooccurrenceCountsPairsOnceWithJaccardAndLift() throws {
        let actual = try pg("select genre_a, genre_b, n_movies, jaccard, lift from movielens.genre_cooccurrence order by genre_a collate \"C\", genre_b collate \"C\"")
        let expected = try oracle("""
            with mg as (
                select movieId, unnest(string_split(genres, '|')) as genre from read_csv_auto('movies.csv')
                where genres <> '(no genres listed)'
            ),
            per as (select genre, count(*) as n from mg group by genre),
            pairs as (select a.genre as ga, b.genre as gb, count(*) as n from mg a join mg b on a.movieId = b.movieId and a.genre < b.genre group by 1, 2)
            select ga, gb, pairs.n, pairs.n / (pa.n + pb.n - pairs.n),
                   pairs.n * (select count(*) from read_csv_auto('movies.csv')) / (pa.n * pb.n)
            from pairs join per pa on pa.genre = ga join per pb on pb.genre = gb order by ga, gb
            """)
        assertRows(actual, expected, "genre_cooccurrence")
        XCTAssertTrue(actual.contains { $0[0] == "Comedy" && $0[1] == "Drama" && $0[2] == loaded.pick(small: "1013", synth: "11") })
    }

    // MARK: - Movies and users

    /// The weighted rating recomputed from the train ratings: v/(v+m) R + m/(v+m) C.
    static let weightedOracle = """
        with train as (select movie_id, rating::double as rating from \(AnalystViewTests.parquetRatings) where split = 'train'),
        per as (select movie_id, count(*) as v, avg(rating) as r from train group by movie_id),
        consts as (select (select avg(rating) from train) as c, quantile_cont(v, 0.9) as m from per),
        wr as (select movie_id, v, r, v / (v + m) * r + m / (v + m) * c as w from per, consts)
        """

    func testTopRatedRanksByTheWeightedRatingOfTrain() throws {
        let actual = try pg("""
            select movie_id, title, n_ratings, mean_rating, weighted_rating from movielens.top_rated
            where n_ratings >= 50 order by weighted_rating desc, movie_id limit 5
            """)
        let expected = try oracle(Self.weightedOracle + """
            select movie_id, title, v, r, w from wr join read_parquet('{out}/movies/*.parquet') using (movie_id)
            where v >= 50 order by w desc, movie_id limit 5
            """)
        assertRows(actual, expected, "top_rated")
        XCTAssertEqual(actual.map { $0[1]! }, loaded.pick(small: [
            "Shawshank Redemption, The (1994)", "Star Wars: Episode IV - A New Hope (1977)",
            "Raiders of the Lost Ark (Indiana Jones and the Raiders of the Lost Ark) (1981)", "Schindler's List (1993)",
            "Godfather, The (1972)",
        ], synth: ["Light Lost (1961)", "Shadow Sun Dawn (2008)", "Song (2011)", "Amber (1935)", "Valley Last (1991)"]))
        XCTAssertEqual(try pg("select rank from movielens.top_rated where movie_id = $1", [loaded.pick(small: "318", synth: "559")]), [["1"]])
        XCTAssertEqual(try pg("select count(*) from movielens.top_rated"), [[loaded.pick(small: "7056", synth: "1191")]],
                       "every movie rated in train")
    }

    func testUserActivityBucketsUsersAndTheShareOfHeavyUsers() throws {
        let actual = try pg("""
            select activity, min_ratings, max_ratings, n_users, n_ratings, share_of_users, share_of_ratings, share_of_ratings_at_least
            from movielens.user_activity order by min_ratings
            """)
        let expected = try oracle("""
            with per_user as (select userId, count(*) as n from read_csv_auto('ratings.csv') group by userId),
            buckets as (select * from (values ('1-19', 1, 19), ('20-49', 20, 49), ('50-99', 50, 99), ('100-199', 100, 199),
                                              ('200-499', 200, 499), ('500-999', 500, 999), ('1000+', 1000, null)) t(a, lo, hi)),
            b as (
                select a, lo, hi, count(u.userId) as users, coalesce(sum(u.n), 0) as ratings
                from buckets left join per_user u on u.n >= lo and (hi is null or u.n <= hi) group by a, lo, hi
            )
            select a, lo, hi, users, ratings, users / sum(users) over (), ratings / sum(ratings) over (),
                   sum(ratings) over (order by lo desc) / sum(ratings) over ()
            from b order by lo
            """)
        assertRows(actual, expected, "user_activity")
        // the share of ratings from users with 200+ ratings, read off the 200-499 row
        let heavy = try oracle("""
            with per_user as (select userId, count(*) as n from read_csv_auto('ratings.csv') group by userId)
            select sum(n) filter (where n >= 200) / sum(n) from per_user
            """)
        assertRows([[actual[4][7]]], heavy, "share of ratings from 200+ users")
        XCTAssertEqual(actual[4][0], "200-499")
    }

    func testTagCountsCountUsesMoviesAndUsersPerLowerCaseTag() throws {
        let actual = try pg("""
            select tag, n_uses, n_movies, n_users, extract(epoch from first_tagged_at)::bigint, extract(epoch from last_tagged_at)::bigint
            from movielens.tag_counts order by n_uses desc, tag collate "C" limit 20
            """)
        let expected = try oracle("""
            select lower(trim(tag)) as t, count(*), count(distinct movieId), count(distinct userId), min(timestamp), max(timestamp)
            from read_csv_auto('tags.csv') group by t order by 2 desc, t limit 20
            """)
        assertRows(actual, expected, "tag_counts")
        XCTAssertEqual(actual.first?[0], loaded.pick(small: "in netflix queue", synth: "space"))
        XCTAssertEqual(actual.first?[1], loaded.pick(small: "131", synth: "22"))
    }

    // MARK: - The split

    func testSplitSummaryGivesRowsAndTimeBoundsPerSplitAndBatch() throws {
        let actual = try pg("""
            select split, batch, n_ratings, n_users, n_movies, extract(epoch from first_rated_at)::bigint,
                   extract(epoch from last_rated_at)::bigint, held_back, seq
            from movielens.split_summary order by seq
            """)
        // The split recomputed from ratings.csv: order by (timestamp, user, movie); 70% / 20% / rest
        // in 5 equal batches, the last taking the remainder.
        let expected = try oracle("""
            with o as (select *, row_number() over (order by timestamp, userId, movieId) as rn, count(*) over () as n
                       from read_csv_auto('ratings.csv')),
            b as (select *, floor(0.7 * n) as n_train, floor(0.2 * n) as n_test from o),
            s as (
                select *, case when rn <= n_train then 'train' when rn <= n_train + n_test then 'test' else 'buffer' end as split,
                       case when rn > n_train + n_test
                            then least(5, floor((rn - n_train - n_test - 1) / floor((n - n_train - n_test) / 5)) + 1) end as batch
                from b
            )
            select split, batch, count(*), count(distinct userId), count(distinct movieId), min(timestamp), max(timestamp), 'f',
                   row_number() over (order by min(rn))
            from s group by split, batch order by min(rn)
            """)
        assertRows(actual, expected, "split_summary")
        XCTAssertEqual(actual.map { $0[2]! }, loaded.pick(small: ["70585", "20167", "2016", "2016", "2016", "2016", "2020"],
                                                          synth: ["10500", "3000", "300", "300", "300", "300", "300"]))
    }

    // MARK: - Association rules

    func testMoviePairLiftEqualsASelfJoinOverTrainBaskets() throws {
        let actual = try pg("""
            select antecedent_id, consequent_id, n_users, support, confidence, lift, antecedent_support, consequent_support
            from movielens.movie_pair_lift order by antecedent_id, consequent_id
            """)
        let expected = try oracle("""
            with train as (select user_id, movie_id from \(Self.parquetRatings) where split = 'train'),
            nb as (select count(distinct user_id)::double as n from train),
            th as (select ceil(0.05 * n) as min_users from nb),
            per as (select movie_id, count(*) as c from train group by movie_id),
            frequent as (select t.* from train t join per using (movie_id) where per.c >= (select min_users from th)),
            pairs as (
                select a.movie_id as x, b.movie_id as y, count(*) as c
                from frequent a join frequent b on a.user_id = b.user_id and a.movie_id <> b.movie_id
                group by 1, 2 having count(*) >= (select min_users from th)
            )
            select x, y, pairs.c, pairs.c / n, pairs.c / px.c, pairs.c * n / (px.c * py.c), px.c / n, py.c / n
            from pairs join per px on px.movie_id = x join per py on py.movie_id = y, nb order by x, y
            """)
        XCTAssertEqual(actual.count, loaded.pick(small: 84_328, synth: 70_180))
        assertRows(actual, expected, "movie_pair_lift")
        let titled = try pg("""
            select antecedent_title, consequent_title from movielens.movie_pair_lift
            where antecedent_id = $1 and consequent_id = $2
            """, loaded.pick(small: ["40815", "41566"], synth: ["2023", "2146"]))
        XCTAssertEqual(titled, loaded.pick(small: [["Harry Potter and the Goblet of Fire (2005)",
                                                    "Chronicles of Narnia: The Lion, the Witch and the Wardrobe, The (2005)"]],
                                           synth: [["Song (2011)", "Rain Dawn Moon (2009)"]]))
    }

    func testMoviePairLiftIsMaterialisedOncePerVersion() throws {
        let before = try pg("select 'lens_v1.movie_pair_lift'::regclass::oid")
        let comment = try pg("select obj_description('lens_v1.movie_pair_lift'::regclass)")
        let prefix = loaded.pick(small: "association rules over 453 train baskets (users): pairs co-rated by >= 23 users",
                                 synth: "association rules over 109 train baskets (users): pairs co-rated by >= 6 users")
        XCTAssertEqual(comment.first?.first??.hasPrefix(prefix), true, "\(comment)")
        try AnalystLayer.republish(conn: conn, sql: SQLFixture.sql, schema: loaded.schema, current: "movielens", catalog: "lens_catalog")
        XCTAssertEqual(try pg("select 'lens_v1.movie_pair_lift'::regclass::oid"), before, "a republish reuses the table")
        XCTAssertEqual(try pg("select count(*) from movielens.movie_pair_lift"), [[loaded.pick(small: "84328", synth: "70180")]])
    }

    /// Protects the two builds of movie_pair_lift: the table the load COPYs from the features
    /// stage (MoviePairLift.swift) equals, value for value, the one the SQL file builds when a
    /// version comes without it (the bitmap DO block of sql/views/materialized/movie_pair_lift.sql).
    func testMoviePairLiftFromTheFeaturesStageEqualsTheSQLBuild() throws {
        let schema = loaded.schema
        XCTAssertEqual(try pg("select obj_description('\(schema).movie_pair_lift'::regclass) like '%computed by lens%'"), [["t"]],
                       "the load brought the table computed in the features stage")
        try conn.execute("begin")
        defer { try? conn.execute("rollback") }
        try conn.execute("alter table \(schema).movie_pair_lift rename to movie_pair_lift_features")
        // the SQL build, with its view in a scratch schema (movielens already has one)
        try conn.execute("create schema pair_lift_scratch")
        try conn.execute("create view pair_lift_scratch.movies as select * from \(schema).movies")
        try conn.execute(try SQLFixture.sql.text("views/materialized/movie_pair_lift.sql",
                                                 ["schema": schema, "current": "pair_lift_scratch", "catalog": "lens_catalog"]))
        XCTAssertEqual(try pg("select obj_description('\(schema).movie_pair_lift'::regclass) like '%computed by lens%'"), [["f"]],
                       "the republish built the table in SQL")
        let columns = "antecedent_id, consequent_id, n_users, support, confidence, lift, antecedent_support, consequent_support"
        XCTAssertEqual(try pg("select count(*) from \(schema).movie_pair_lift"), [[loaded.pick(small: "84328", synth: "70180")]])
        XCTAssertEqual(try pg("""
            select count(*) from (
                (select \(columns) from \(schema).movie_pair_lift except all select \(columns) from \(schema).movie_pair_lift_features)
                union all
                (select \(columns) from \(schema).movie_pair_lift_features except all select \(columns) from \(schema).movie_pair_lift)
            ) as differing
            """), [["0"]], "every row and value equal (doubles compared exactly)")
    }

    // MARK: - Catalog views

    func testCatalogFactsAreExposedAsViews() throws {
        let versions = try pg("select version, is_current, drop_date::text, n_ratings, is_pruned from movielens.versions")
        XCTAssertEqual(versions, [loaded.pick(small: ["1", "t", "2018-09-26", "100836", "f"], synth: ["1", "t", "2019-11-21", "15000", "f"])])
        let checks = try pg("select check_name, passed from movielens.check_results order by check_name")
        XCTAssertTrue(checks.contains(["reconciled", "t"]), "\(checks)")
        XCTAssertEqual(try pg("select count(*) from movielens.drift_alerts where batch < 0"), [["0"]])
    }

    // MARK: - Similarity

    func testCosineSimilarityOfSmallVectors() throws {
        let rows = try pg("""
            select movielens.cosine_similarity('{1,0}', '{0,1}'), movielens.cosine_similarity('{1,2,3}', '{2,4,6}'),
                   movielens.cosine_similarity('{1,0}', '{-1,0}'), movielens.cosine_similarity('{1,2}', '{1,2,3}'),
                   movielens.cosine_similarity('{0,0}', '{1,1}'), round(movielens.cosine_similarity('{1,1}', '{1,0}')::numeric, 12)
            """)
        XCTAssertEqual(rows, [["0", "1", "-1", nil, nil, "0.707106781187"]])
    }

    func testMovieByTitleTriesExactNormalizedPrefixThenSubstring() throws {
        if !loaded.isMlLatestSmall {
            // the synthetic titles: only 559 is "Light Lost (1961)", only 3536 starts "Shadow Sun"
            let rows = try pg("""
                select movielens.movie_by_title('Light Lost (1961)'), movielens.movie_by_title(' light lost '),
                       movielens.movie_by_title('shadow sun d'), movielens.movie_by_title('no such film, surely'),
                       movielens.movie_by_title('')
                """)
            XCTAssertEqual(rows, [["559", "559", "3536", nil, nil]])
            return
        }
        let rows = try pg("""
            select movielens.movie_by_title('Matrix, The (1999)'), movielens.movie_by_title('the matrix'),
                   movielens.movie_by_title('Toy Story'), movielens.movie_by_title('  toy story 2 '),
                   movielens.movie_by_title('Shawshank'), movielens.movie_by_title('no such film, surely'),
                   movielens.movie_by_title('')
            """)
        XCTAssertEqual(rows, [["2571", "2571", "1", "3114", "318", nil, nil]])
    }
}

/// Protects movies_like on data/sample, whose drop has a tag genome: the nearest movies equal a
/// brute-force cosine over the run's movie_embeddings Parquet computed by numpy.
final class MoviesLikeTests: XCTestCase {
    var conn: PGConnection!
    var loaded: SQLFixture.Loaded!

    override func setUpWithError() throws {
        loaded = try SQLFixture.sample()
        conn = try SQLFixture.connect(loaded)
    }

    override func tearDown() {
        conn?.close()
    }

    /// numpy's top k by cosine for `movieId`: [[movie_id, similarity]].
    func numpyNearest(_ movieId: Int, k: Int) throws -> [[Any]] {
        try DuckDB.python("""
            import duckdb, json, sys, numpy as np
            rows = duckdb.connect().execute("select movie_id, embedding from read_parquet('movie_embeddings/*.parquet')").fetchall()
            ids = np.array([r[0] for r in rows])
            E = np.array([np.array(r[1], dtype=np.float32) for r in rows], dtype=np.float64)
            seed = int(sys.argv[1]); k = int(sys.argv[2])
            e = E[ids == seed][0]
            sims = E @ e / (np.linalg.norm(E, axis=1) * np.linalg.norm(e))
            order = sorted((i for i in range(len(ids)) if ids[i] != seed), key=lambda i: (-sims[i], ids[i]))[:k]
            print(json.dumps([[int(ids[i]), float(sims[i])] for i in order]))
            """, args: [String(movieId), String(k)], cwd: loaded.out)
    }

    func testMoviesLikeEqualsBruteForceNumpyCosineTop10() throws {
        let seeds = try conn.query("select movie_id from movielens.movie_embeddings order by movie_id limit 3").rows.map { Int($0[0]!)! }
        XCTAssertEqual(seeds.count, 3, "data/sample has a genome")
        for seed in seeds {
            let actual = try conn.query("select movie_id, similarity from movielens.movies_like($1, 10) order by rank", [String(seed)]).rows
            assertRows(actual, try numpyNearest(seed, k: 10), tolerance: 1e-9, "movies_like(\(seed))")
            let ranks = try conn.query("select rank from movielens.movies_like($1) order by rank", [String(seed)]).rows
            XCTAssertEqual(ranks.map { $0[0]! }, (1...10).map(String.init), "k defaults to 10")
        }
    }

    func testMoviesLikeIsEmptyWithoutAnEmbeddingAndHonoursK() throws {
        XCTAssertEqual(try conn.query("select count(*) from movielens.movies_like(-1)").rows, [["0"]])
        let withoutGenome = try conn.query("""
            select m.movie_id from movielens.movies m where not exists (select from movielens.movie_embeddings e where e.movie_id = m.movie_id) limit 1
            """).rows[0][0]!
        XCTAssertEqual(try conn.query("select count(*) from movielens.movies_like($1, 5)", [withoutGenome]).rows, [["0"]])
        let some = try conn.query("select movie_id from movielens.movie_embeddings limit 1").rows[0][0]!
        XCTAssertEqual(try conn.query("select count(*) from movielens.movies_like($1, 3)", [some]).rows, [["3"]])
        XCTAssertEqual(try conn.query("select count(*) from movielens.movies_like($1, 0)", [some]).rows, [["0"]])
    }

    func testMoviesLikeTitleResolvesTheTitleFirst() throws {
        let seed = try conn.query("""
            select m.movie_id, m.title from movielens.movies m join movielens.movie_embeddings e using (movie_id) order by m.movie_id desc limit 1
            """).rows[0]
        let byTitle = try conn.query("select movie_id, similarity from movielens.movies_like_title($1, 7)", [seed[1]!.uppercased()]).rows
        let byId = try conn.query("select movie_id, similarity from movielens.movies_like($1, 7)", [seed[0]!]).rows
        XCTAssertEqual(byTitle, byId)
        XCTAssertEqual(byTitle.count, 7)
        assertRows(byTitle, try numpyNearest(Int(seed[0]!)!, k: 7), "movies_like_title")
    }
}
