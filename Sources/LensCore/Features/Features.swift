/// PIPELINE.md stage 3 over a cleaned drop: the genome PCA (when the drop has a genome), the
/// train-only movie and user stats and the pair lift, assembled with the cleaned tables into
/// `LensTables`. The rollups (`Rollups`, warehouse-only) are not computed here but by the load,
/// beside the ratings' COPY: a run without a load (`--no-load`) has no use for them, and stages
/// 1-4 do not pay for them (0.85 s at 25m).
public enum Features {
    /// Computes the features. Throws `LensError.input` when the genome cannot be decomposed
    /// (e.g. fewer movies than components) and `LensError.internal` for numeric failures.
    public static func compute(cleaned: CleanedDrop, split: SplitRatings, config: PipelineConfig) throws -> LensTables {
        // The PCA on one thread and the rating stats on the other: each is mostly one core's
        // work (the PCA's BLAS calls take both for a moment), and they share nothing.
        var pca: GenomePCA?
        var movieStats: MovieStats?
        var userStats: UserStats?
        var pairLift: MoviePairLift?
        try runLanes([
            {
                guard let gt = cleaned.genomeTags, let gs = cleaned.genomeScores, gs.count > 0 else { return }
                do {
                    pca = try GenomePCA(scores: gs, genomeTagIds: gt.tagId, k: config.pcaComponents)
                } catch {
                    throw LensError.input(file: "genome-scores.csv", line: nil,
                                          message: "the genome PCA failed: \(error) (lower features.pca_components or check the genome files)")
                }
            },
            {
                do {
                    movieStats = try MovieStats(split: split, countQuantile: config.movieCountQuantile)
                    userStats = try UserStats(split: split, winsorQuantile: config.userCountQuantile)
                } catch {
                    throw LensError.internal(message: "movie/user stats failed: \(error)")
                }
                // the pair lift here, beside the PCA (25m: PCA about 0.6 s; stats 0.1 s + pair lift 0.2 s)
                pairLift = MoviePairLift(split: split)
            },
        ])
        var tables = LensTables(movies: cleaned.movies, links: cleaned.links, tags: cleaned.tags, ratings: split,
                                genomeTags: cleaned.genomeTags, genomeScores: cleaned.genomeScores, pca: pca,
                                movieStats: movieStats!, userStats: userStats!, quarantine: cleaned.quarantine,
                                users: cleaned.users)
        tables.pairLift = pairLift
        return tables
    }
}
