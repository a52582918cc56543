import CLapack

/// LAPACKE's `lapack_int` (a C macro, so not imported): 32-bit in Debian's liblapacke.
private typealias LapackInt = Int32

/// The genome embeddings of PIPELINE.md stage 3: an exact PCA of the tag-genome matrix
/// (movies x tags, relevance), computed the way the peers' `_common.genome_pca` does and
/// agreeing with `sklearn.decomposition.PCA(n_components=k, svd_solver="full")` up to sign.
///
/// Steps, all in double precision:
/// 1. the dense matrix X: one row per distinct movieId with any score (ascending), one column
///    per genome tag id (ascending); a cell without a score is 0 and is counted in
///    `missingCells`;
/// 2. columns centred on their mean;
/// 3. covariance C = X'X / (n - 1) (`cblas_dsyrk`, one triangle);
/// 4. the top `k` eigenpairs of C (`LAPACKE_dsyevr`, index range only), largest first;
/// 5. sign rule: each component's largest-|loading| entry is made positive (on a tie in
///    magnitude, the first such entry decides, as numpy's `argmax`);
/// 6. embeddings = X · componentsᵀ (`cblas_dgemm`), stored as Float.
///
/// The explained-variance ratio divides by the trace of C (the total variance over *all*
/// components), as sklearn and the peers do. Memory: the dense matrix (huge-page scratch,
/// freed before returning), the covariance and the outputs; no other full-size copy (ml-25m:
/// 13,816 x 1,128 doubles = 125 MB, C = 10 MB). Duplicate cells are caught without a bitmap:
/// unscored cells hold NaN until the centring pass sets them to 0. OpenBLAS uses its default
/// thread count.
public struct GenomePCA: Sendable, Equatable {
    /// PIPELINE.md's default number of components.
    public static let defaultK = 64

    /// The matrix rows: distinct movieIds with any genome score, ascending.
    public let movieIds: [Int32]
    /// The matrix columns: the genome tag ids, ascending (as passed in).
    public let tagIds: [Int32]
    /// Number of components kept.
    public let k: Int
    /// Row-major `movieIds.count` x `k`: row r is the embedding of `movieIds[r]`.
    public let embeddings: [Float]
    /// Row-major `k` x `tagIds.count`: row c is the unit-length loadings of component c
    /// (c = 0 explains the most variance), sign-fixed.
    public let components: [Double]
    /// Eigenvalue of each kept component (variance along it, divisor n - 1), descending.
    public let explainedVariance: [Double]
    /// `explainedVariance / totalVariance`.
    public let explainedVarianceRatio: [Double]
    /// Trace of the covariance: the variance summed over all tags (the ratio's denominator).
    public let totalVariance: Double
    /// Cells of the movies x tags matrix without a score (set to 0 before centring).
    public let missingCells: Int

    /// The embedding of row `row` (the movie `movieIds[row]`): `k` floats.
    public func embedding(ofRow row: Int) -> ArraySlice<Float> {
        embeddings[row * k..<(row + 1) * k]
    }

    /// The loadings of component `component` (0-based): one per tag of `tagIds`.
    public func loadings(ofComponent component: Int) -> ArraySlice<Double> {
        components[component * tagIds.count..<(component + 1) * tagIds.count]
    }

    /// Computes the PCA of genome scores given as three columns.
    ///
    /// - Parameters:
    ///   - movieId, tagId, relevance: the genome-scores columns, one entry per (movie, tag)
    ///     score, in any order. Relevance is used as given (stage 1 caps it to [0, 1]).
    ///   - genomeTagIds: every genome tag id (the `genome-tags` table), strictly ascending;
    ///     these are the columns, whether or not a tag has scores.
    ///   - k: components to keep, 1 ... min(tags, movies - 1).
    /// - Throws: `GenomePCAError` when the columns differ in length, the tag ids are not
    ///   ascending, a score names a tag outside `genomeTagIds`, a (movie, tag) cell is scored
    ///   twice, a relevance is not finite, `k` is out of range, or LAPACK reports a failure.
    public init(
        movieId: [Int32], tagId: [Int32], relevance: [Float], genomeTagIds: [Int32], k: Int = GenomePCA.defaultK
    ) throws(GenomePCAError) {
        guard tagId.count == movieId.count, relevance.count == movieId.count else {
            throw .columnLengthsDiffer(movieId: movieId.count, tagId: tagId.count, relevance: relevance.count)
        }
        try self.init(scores: GenomeScoresTable(movieId: movieId, tagId: tagId, relevance: relevance),
                      genomeTagIds: genomeTagIds, k: k)
    }

    /// Computes the PCA of a cleaned genome-scores table: the same result, and the same errors
    /// for the same rows, whether its ids are a grid or columns.
    /// - Throws: as `init(movieId:tagId:relevance:genomeTagIds:k:)` (the columns of a table
    ///   cannot differ in length).
    public init(scores: GenomeScoresTable, genomeTagIds: [Int32], k: Int = GenomePCA.defaultK) throws(GenomePCAError) {
        let count = scores.count
        let tags = genomeTagIds.count
        for i in genomeTagIds.indices.dropFirst() where genomeTagIds[i] <= genomeTagIds[i - 1] {
            throw .genomeTagIdsNotAscending(position: i, previous: genomeTagIds[i - 1], tagId: genomeTagIds[i])
        }

        // Columns = the genome tags (every score's tag checked); rows = distinct movies ascending.
        // A grid's tags are all in its cycle, and the cycle's rows are the first block, whose
        // movie is the first: row j of the table is (blockMovieIds[0], tagCycle[j]).
        let columns: IdLookup
        let rows: IdLookup
        switch scores.ids {
        case .explicit(let movieId, let tagId):
            columns = try GenomePCA.columnLookup(genomeTagIds: genomeTagIds, tagId: tagId) { movieId[$0] }
            rows = GenomePCA.rowLookup(movieId: movieId)
        case .grid(let blockMovieIds, let tagCycle):
            columns = try GenomePCA.columnLookup(genomeTagIds: genomeTagIds, tagId: tagCycle) { _ in blockMovieIds[0] }
            rows = GenomePCA.rowLookup(movieId: blockMovieIds)
        }
        let n = rows.ids.count
        guard k >= 1, k <= tags, k <= n - 1 else {
            throw .invalidComponentCount(k: k, movies: n, tags: tags)
        }

        // 1. Dense matrix. NaN marks "not scored yet", so a second score of a cell is caught
        // without a bitmap; the centring pass turns the remaining NaNs into 0.
        guard let matrix = FeatureScratchBuffer(count: n * tags, fill: .nan) else {
            throw .outOfMemory(movies: n, tags: tags)
        }
        let xp = matrix.buffer
        try GenomePCA.fill(xp, tags: tags, scores: scores, rows: rows, columns: columns)
        let missing = n * tags - count

        // 2. Centre the columns (numpy: M - M.mean(axis=0), the mean a plain sum over rows / n).
        var mean = [Double](repeating: 0, count: tags)
        mean.withUnsafeMutableBufferPointer { mu in
            for r in 0..<n {
                let row = r &* tags
                for c in 0..<tags {
                    var v = xp[row &+ c]
                    if v.isNaN {
                        v = 0
                        xp[row &+ c] = 0
                    }
                    mu[c] += v
                }
            }
            let dn = Double(n)
            for c in 0..<tags { mu[c] /= dn }
            for r in 0..<n {
                let row = r &* tags
                for c in 0..<tags { xp[row &+ c] -= mu[c] }
            }
        }

        // 3. C = X'X / (n - 1): dsyrk fills the upper triangle in row-major order, which is the
        // lower triangle of the same buffer read column-major (C is symmetric).
        var cov = [Double](repeating: 0, count: tags * tags)
        cov.withUnsafeMutableBufferPointer { cp in
            cblas_dsyrk(
                CblasRowMajor, CblasUpper, CblasTrans, blasint(tags), blasint(n),
                1.0, xp.baseAddress, blasint(tags), 0.0, cp.baseAddress, blasint(tags))
        }
        let dof = Double(n - 1)
        var trace = 0.0
        cov.withUnsafeMutableBufferPointer { cp in
            for i in 0..<tags {
                for j in i..<tags { cp[i &* tags &+ j] /= dof }
                trace += cp[i &* tags &+ i]
            }
        }

        // 4. Top-k eigenpairs (ascending from LAPACK). Column-major 'L' = the triangle written.
        var w = [Double](repeating: 0, count: tags)
        var z = [Double](repeating: 0, count: tags * k)
        var isuppz = [LapackInt](repeating: 0, count: 2 * k)
        var found: LapackInt = 0
        let info = cov.withUnsafeMutableBufferPointer { cp in
            LAPACKE_dsyevr(
                LAPACK_COL_MAJOR, CChar(UInt8(ascii: "V")), CChar(UInt8(ascii: "I")), CChar(UInt8(ascii: "L")),
                LapackInt(tags), cp.baseAddress, LapackInt(tags), 0, 0,
                LapackInt(tags - k + 1), LapackInt(tags), LAPACKE_dlamch(CChar(UInt8(ascii: "S"))),
                &found, &w, &z, LapackInt(tags), &isuppz)
        }
        guard info == 0, Int(found) == k else {
            throw .lapackFailure(routine: "LAPACKE_dsyevr", info: Int(info), found: Int(found), expected: k)
        }
        cov = []  // the covariance is no longer needed; free it before the outputs

        // 5. Descending order, component c = eigenvector k-1-c; then the sign rule.
        var comps = [Double](repeating: 0, count: k * tags)
        for c in 0..<k {
            let src = (k - 1 - c) * tags
            for j in 0..<tags { comps[c * tags + j] = z[src + j] }
        }
        z = []
        GenomePCA.applySignRule(&comps, k: k, tags: tags)
        var variance = [Double](repeating: 0, count: k)
        for c in 0..<k { variance[c] = w[k - 1 - c] }

        // 6. Embeddings = X · compsᵀ (n x k), then Float.
        var emb = [Double](repeating: 0, count: n * k)
        comps.withUnsafeBufferPointer { vp in
            emb.withUnsafeMutableBufferPointer { ep in
                cblas_dgemm(
                    CblasRowMajor, CblasNoTrans, CblasTrans, blasint(n), blasint(k), blasint(tags),
                    1.0, xp.baseAddress, blasint(tags), vp.baseAddress, blasint(tags),
                    0.0, ep.baseAddress, blasint(k))
            }
        }
        _ = consume matrix  // free the matrix before the Float copy of the embeddings

        self.movieIds = rows.ids
        self.tagIds = genomeTagIds
        self.k = k
        self.embeddings = emb.map { Float($0) }
        self.components = comps
        self.explainedVariance = variance
        self.explainedVarianceRatio = variance.map { $0 / trace }
        self.totalVariance = trace
        self.missingCells = missing
    }

    // MARK: - Pieces (internal for the tests)

    /// Makes each component's largest-magnitude loading positive: `components` is row-major
    /// `k` x `tags`; a row whose first maximal |loading| is negative is negated (numpy:
    /// `argmax(abs(row))` takes the first maximum, `sign` of it multiplies the row).
    static func applySignRule(_ components: inout [Double], k: Int, tags: Int) {
        for c in 0..<k {
            let row = c * tags
            var best = 0
            var bestAbs = -1.0
            for j in 0..<tags where abs(components[row + j]) > bestAbs {
                bestAbs = abs(components[row + j])
                best = j
            }
            if components[row + best] < 0 {
                for j in 0..<tags { components[row + j] = -components[row + j] }
            }
        }
    }

    /// Maps an id (movie or tag) to its index among sorted distinct ids: the matrix row of a
    /// movie, the column of a tag.
    struct IdLookup {
        /// The distinct ids, ascending: `ids[index]` is the id of row/column `index`.
        let ids: [Int32]
        /// `table[id - base]` = index (or -1 for an id not in `ids`); empty when the id range
        /// is too sparse for a table, and the index is found by binary search in `ids`.
        let table: [Int32]
        /// Smallest id (table offset).
        let base: Int32

        /// The lookup over raw buffers, for the hot loop (no array bounds or ownership checks).
        struct Resolver {
            /// `ids` (binary search when `table` is empty).
            let ids: UnsafeBufferPointer<Int32>
            /// `table`.
            let table: UnsafeBufferPointer<Int32>
            /// `base`.
            let base: Int
            /// The index of an id known to be present.
            @inline(__always) func index(of id: Int32) -> Int {
                if !table.isEmpty { return Int(table[Int(id) &- base]) }
                var lo = 0
                var hi = ids.count
                while lo < hi {
                    let mid = (lo &+ hi) >> 1
                    if ids[mid] < id { lo = mid &+ 1 } else { hi = mid }
                }
                return lo
            }
        }

        /// Calls `body` with a `Resolver` valid for the duration of the call.
        @inline(__always)
        func withResolver<R, E: Error>(_ body: (Resolver) throws(E) -> R) throws(E) -> R {
            try ids.withUnsafeBufferPointer { (ip) throws(E) in
                try table.withUnsafeBufferPointer { (tp) throws(E) in
                    try body(Resolver(ids: ip, table: tp, base: Int(base)))
                }
            }
        }
    }

    /// Writes the scores into the NaN-filled row-major matrix `xp` (`tags` columns), in table
    /// order. Throws `.nonFiniteRelevance` or `.duplicateScore` for the first row that has one,
    /// checked in that order.
    static func fill(
        _ xp: UnsafeMutableBufferPointer<Double>, tags: Int, scores: GenomeScoresTable, rows: IdLookup, columns: IdLookup
    ) throws(GenomePCAError) {
        try rows.withResolver { (rowOf) throws(GenomePCAError) in
            try columns.withResolver { (columnOf) throws(GenomePCAError) in
                var row = 0
                try scores.forEachRow { (movie, tag, relevance) throws(GenomePCAError) in
                    let v = Double(relevance)
                    guard v.isFinite else { throw .nonFiniteRelevance(movieId: movie, tagId: tag, row: row) }
                    let cell = rowOf.index(of: movie) &* tags &+ columnOf.index(of: tag)
                    guard xp[cell].isNaN else { throw .duplicateScore(movieId: movie, tagId: tag) }
                    xp[cell] = v
                    row &+= 1
                }
            }
        }
    }

    /// The tag -> column lookup; checks that every score's tag is a genome tag.
    /// Throws `.unknownTagId` for the first score whose tag is not in `genomeTagIds`, with the
    /// movie id `movieIdOfRow` gives for its row.
    static func columnLookup(
        genomeTagIds: [Int32], tagId: [Int32], movieIdOfRow: (Int) -> Int32
    ) throws(GenomePCAError) -> IdLookup {
        func unknown(_ row: Int) -> GenomePCAError {
            .unknownTagId(tagId: tagId[row], movieId: movieIdOfRow(row), row: row)
        }
        guard let lo = genomeTagIds.first, let hi = genomeTagIds.last else {
            if !tagId.isEmpty { throw unknown(0) }
            return IdLookup(ids: [], table: [], base: 0)
        }
        let span = Int(hi) - Int(lo) + 1
        if span <= max(1 << 21, 4 * genomeTagIds.count) {
            var table = [Int32](repeating: -1, count: span)
            for (c, t) in genomeTagIds.enumerated() { table[Int(t) - Int(lo)] = Int32(c) }
            let bad: Int? = table.withUnsafeBufferPointer { tp in
                tagId.withUnsafeBufferPointer { ip in
                    for i in 0..<ip.count {
                        let off = Int(ip[i]) &- Int(lo)
                        if off < 0 || off >= span || tp[off] < 0 { return i }
                    }
                    return nil
                }
            }
            if let bad { throw unknown(bad) }
            return IdLookup(ids: genomeTagIds, table: table, base: lo)
        }
        let lookup = IdLookup(ids: genomeTagIds, table: [], base: lo)
        let bad: Int? = lookup.withResolver { r in
            for i in tagId.indices {
                let c = r.index(of: tagId[i])
                if c >= genomeTagIds.count || genomeTagIds[c] != tagId[i] { return i }
            }
            return nil
        }
        if let bad { throw unknown(bad) }
        return lookup
    }

    /// The movie -> row lookup: the distinct movie ids of the scores, ascending.
    static func rowLookup(movieId: [Int32]) -> IdLookup {
        movieId.withUnsafeBufferPointer { mp in
            guard let r = FeatureIdPlan.range(mp) else { return IdLookup(ids: [], table: [], base: 0) }
            switch FeatureIdPlan.plan(mp, min: r.min, max: r.max, directBudget: mp.count / 4) {
            case .direct(let slots):
                var table = [Int32](repeating: -1, count: slots.slotCount)
                table.withUnsafeMutableBufferPointer { tp in
                    for v in mp { tp[slots.slot(v)] = 0 }
                }
                var ids: [Int32] = []
                var next: Int32 = 0
                for s in 0..<table.count where table[s] == 0 {
                    table[s] = next
                    next += 1
                    ids.append(slots.id(ofSlot: s))
                }
                return IdLookup(ids: ids, table: table, base: slots.base)
            case .sorted(let slots):
                return IdLookup(ids: slots.ids, table: [], base: 0)
            }
        }
    }
}

/// Why the genome PCA could not be computed. Each message says what to change.
public enum GenomePCAError: Error, Equatable, CustomStringConvertible {
    /// The three genome-score columns have different lengths.
    case columnLengthsDiffer(movieId: Int, tagId: Int, relevance: Int)
    /// `genomeTagIds` is not strictly ascending at `position`.
    case genomeTagIdsNotAscending(position: Int, previous: Int32, tagId: Int32)
    /// A score (0-based `row` of the columns) names a tag that `genomeTagIds` lacks.
    case unknownTagId(tagId: Int32, movieId: Int32, row: Int)
    /// The same (movieId, tagId) cell is scored more than once.
    case duplicateScore(movieId: Int32, tagId: Int32)
    /// A relevance is NaN or infinite (0-based `row` of the columns).
    case nonFiniteRelevance(movieId: Int32, tagId: Int32, row: Int)
    /// `k` is not in 1 ... min(tags, movies - 1).
    case invalidComponentCount(k: Int, movies: Int, tags: Int)
    /// The movies x tags matrix (8 bytes a cell) could not be allocated.
    case outOfMemory(movies: Int, tags: Int)
    /// LAPACK returned an error code, or fewer eigenpairs than asked (an internal failure).
    case lapackFailure(routine: String, info: Int, found: Int, expected: Int)

    /// The message shown to the user: what happened and how to fix it.
    public var description: String {
        switch self {
        case .columnLengthsDiffer(let m, let t, let r):
            return "genome PCA: the genome-score columns differ in length (movieId \(m), tagId \(t), relevance \(r)); "
                + "pass the three columns of one cleaned genome-scores table"
        case .genomeTagIdsNotAscending(let p, let prev, let t):
            return "genome PCA: genome tag ids must be strictly ascending, "
                + "but tag id \(t) at position \(p) follows \(prev); "
                + "sort the genome-tags ids and drop repeats before the PCA"
        case .unknownTagId(let t, let m, let r):
            return "genome PCA: the score of movie \(m) (row \(r)) names tag id \(t), which is not a genome tag; "
                + "stage 1 must quarantine genome scores whose tagId is not in genome-tags"
        case .duplicateScore(let m, let t):
            return "genome PCA: movie \(m), tag \(t) is scored more than once; "
                + "keep one score per (movieId, tagId) before the PCA"
        case .nonFiniteRelevance(let m, let t, let r):
            return "genome PCA: the relevance of movie \(m), tag \(t) (row \(r)) is not a finite number; "
                + "stage 1 must reject or cap it to [0, 1]"
        case .invalidComponentCount(let k, let movies, let tags):
            return "genome PCA: cannot keep k = \(k) components of \(movies) movies x \(tags) tags "
                + "(k must be 1 ... min(tags, movies - 1) = \(max(0, min(tags, movies - 1)))); pass a smaller k (--k)"
        case .outOfMemory(let movies, let tags):
            return "genome PCA: cannot allocate the \(movies) x \(tags) genome matrix "
                + "(\(movies * tags * 8 / 1_000_000) MB of doubles); free memory or run on a larger machine"
        case .lapackFailure(let routine, let info, let found, let expected):
            return "genome PCA: internal error: \(routine) returned info = \(info) "
                + "with \(found) of \(expected) eigenpairs; "
                + "please report it with the genome files"
        }
    }
}
