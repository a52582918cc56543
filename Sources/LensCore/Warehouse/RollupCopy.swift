import PGClient

/// The COPY column encoders of the rollups (RollupTableSpecs.swift), by column name, as
/// `TableCopy.columnEncoders` gives them for the other tables. A part is written as its split
/// and batch (`Rollups.split(ofPart:)`, `batch(ofPart:)`).
extension TableCopy {
    static func rollupEncoders(_ r: Rollups) -> [(spec: TableSpec, rows: Int, columns: [(String, CellEncoder)])] {
        typealias Encoders = [(String, CellEncoder)]
        func part(_ parts: [Int16]) -> Encoders {
            [
                ("split", { $0.text(Rollups.split(ofPart: parts[$1])) }),
                ("batch", { if let b = Rollups.batch(ofPart: parts[$1]) { $0.int16(b) } else { $0.null() } }),
            ]
        }
        func time(_ seconds: [Int64]) -> CellEncoder { { $0.timestamptz(epochMicros: seconds[$1] * 1_000_000) } }
        let p = r.parts, ra = r.ratings, mo = r.months, mu = r.monthUsers, mm = r.monthMovies, mv = r.movies
        let gy = r.genreYears, ge = r.genres, gp = r.genrePairs, us = r.users, t = r.tags
        return [
            (LensTableSpecs.rollupParts, p.part.count, part(p.part) + [
                ("n_ratings", { $0.int64(p.nRatings[$1]) }),
                ("n_users", { $0.int64(p.nUsers[$1]) }),
                ("n_movies", { $0.int64(p.nMovies[$1]) }),
                ("first_rated_at", time(p.firstRatedAt)),
                ("last_rated_at", time(p.lastRatedAt)),
            ]),
            (LensTableSpecs.rollupRatings, ra.part.count, part(ra.part) + [
                ("rating", { $0.float4(ra.rating[$1]) }),
                ("n_ratings", { $0.int64(ra.nRatings[$1]) }),
            ]),
            (LensTableSpecs.rollupMonths, mo.part.count, part(mo.part) + [
                ("month_start", time(mo.monthStart)),
                ("n_ratings", { $0.int64(mo.nRatings[$1]) }),
                ("sum_rating", { $0.float8(mo.sumRating[$1]) }),
                ("n_users", { $0.int64(mo.nUsers[$1]) }),
                ("n_movies", { $0.int64(mo.nMovies[$1]) }),
            ]),
            (LensTableSpecs.rollupMonthUsers, mu.part.count, part(mu.part) + [
                ("month_start", time(mu.monthStart)),
                ("user_id", { $0.int32(mu.id[$1]) }),
            ]),
            (LensTableSpecs.rollupMonthMovies, mm.part.count, part(mm.part) + [
                ("month_start", time(mm.monthStart)),
                ("movie_id", { $0.int32(mm.id[$1]) }),
            ]),
            (LensTableSpecs.rollupMovies, mv.part.count, part(mv.part) + [
                ("movie_id", { $0.int32(mv.movieId[$1]) }),
                ("n_ratings", { $0.int32(mv.nRatings[$1]) }),
                ("sum_rating", { $0.float8(mv.sumRating[$1]) }),
            ]),
            (LensTableSpecs.rollupGenreYears, gy.part.count, part(gy.part) + [
                ("year", { $0.int16(gy.year[$1]) }),
                ("genre", { $0.text(gy.genre[$1]) }),
                ("n_ratings", { $0.int64(gy.nRatings[$1]) }),
                ("sum_rating", { $0.float8(gy.sumRating[$1]) }),
            ]),
            (LensTableSpecs.rollupGenres, ge.part.count, part(ge.part) + [
                ("genre", { $0.text(ge.genre[$1]) }),
                ("n_ratings", { $0.int64(ge.nRatings[$1]) }),
                ("sum_rating", { $0.float8(ge.sumRating[$1]) }),
            ]),
            (LensTableSpecs.rollupGenrePairs, gp.genreA.count, [
                ("genre_a", { $0.text(gp.genreA[$1]) }),
                ("genre_b", { $0.text(gp.genreB[$1]) }),
                ("n_movies", { $0.int64(gp.nMovies[$1]) }),
            ]),
            (LensTableSpecs.rollupUsers, us.part.count, part(us.part) + [
                ("user_id", { $0.int32(us.userId[$1]) }),
                ("n_ratings", { $0.int32(us.nRatings[$1]) }),
            ]),
            (LensTableSpecs.rollupTags, t.tag.count, [
                ("tag", { $0.text(t.tag[$1]) }),
                ("n_uses", { $0.int64(t.nUses[$1]) }),
                ("n_movies", { $0.int64(t.nMovies[$1]) }),
                ("n_users", { $0.int64(t.nUsers[$1]) }),
                ("first_tagged_at", time(t.firstTaggedAt)),
                ("last_tagged_at", time(t.lastTaggedAt)),
            ]),
        ]
    }
}
