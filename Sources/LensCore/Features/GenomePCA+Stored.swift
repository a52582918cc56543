/// A `GenomePCA` rebuilt from stored values (the `genome_pca` and `movie_embeddings` datasets of
/// a Parquet export), for `lens load DIR`: nothing is recomputed.
extension GenomePCA {
    /// Assembles a PCA from its stored parts. Shapes are the caller's to check:
    /// `embeddings.count == movieIds.count * k`, `components.count == k * tagIds.count`,
    /// `explainedVariance.count == explainedVarianceRatio.count == k`.
    public init(movieIds: [Int32], tagIds: [Int32], k: Int, embeddings: [Float], components: [Double],
                explainedVariance: [Double], explainedVarianceRatio: [Double], totalVariance: Double, missingCells: Int) {
        self.movieIds = movieIds
        self.tagIds = tagIds
        self.k = k
        self.embeddings = embeddings
        self.components = components
        self.explainedVariance = explainedVariance
        self.explainedVarianceRatio = explainedVarianceRatio
        self.totalVariance = totalVariance
        self.missingCells = missingCells
    }
}
