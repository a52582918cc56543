extension Rollups {
    /// Every rollup of `tables`: the ratings' (one counting pass and one grouped pass over the
    /// split), the tags' and the genre pairs of the movies. About 0.85 CPU-seconds at 25m; the
    /// load runs it beside the ratings' COPY (`WarehouseLoader.load`'s `rollups`).
    public static func compute(_ tables: LensTables) -> Rollups {
        var r = RatingRollups.compute(tables.ratings, movies: tables.movies)
        r.tags = TagRollup.compute(tables.tags)
        r.genrePairs = GenreRollups.pairs(tables.movies)
        return r
    }
}
