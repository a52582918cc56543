import CLapack
import Foundation
nonisolated(unsafe) var _t0 = Date().timeIntervalSince1970
func _lap(_ s: String) { let t = Date().timeIntervalSince1970; fputs("  \(s) \(t - _t0)\n", stderr); _t0 = t }

/// LAPACKE's `lapack_int` (a C macro, so not imported): 32-bit in Debian's liblapacke.
private typealias LapackInt = Int32

/// The genome embeddings of PIPELINE.md stage 3: an exact PCA of the tag-genome matrix
/// (movies x tags, relevance), computed the way the peers' `_common.genome_pca` does and
/// agreeing with `sklearn.decomposition.PCA(n_components: k, svd_solver: "full")` up to sign.
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
/// components), as sklearn and the peers do. Memory: the dense matrix, the covariance and the
/// outputs; no other full-size copy (ml-25m: 13,816 x 1,128 doubles = 125 MB, C = 10 MB).
/// OpenBLAS uses its default thread count.
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
        embeddings[row * k ..< (row + 1) * k]
    }

    /// The loadings of component `component` (0-based): one per tag of `tagIds`.
    public func loadings(ofComponent component: Int) -> ArraySlice<Double> {
        components[component * tagIds.count ..< (component + 1) * tagIds.count]
    }

    /// Computes the PCA of the cleaned genome scores.
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
        _lap("start")
        let count = movieId.count
        guard tagId.count == count, relevance.count == count else {
            throw .columnLengthsDiffer(movieId: count, tagId: tagId.count, relevance: relevance.count)
        }
        let tags = genomeTagIds.count
        for i in genomeTagIds.indices.dropFirst() where genomeTagIds[i] <= genomeTagIds[i - 1] {
            throw .genomeTagIdsNotAscending(position: i, previous: genomeTagIds[i - 1], tagId: genomeTagIds[i])
        }

        // Column of every score (tag slot -> column), rows = distinct movies ascending.
        let columnOfTag = try GenomePCA.columnTable(genomeTagIds: genomeTagIds, tagId: tagId, movieId: movieId)
        let rows = GenomePCA.rowTable(movieId: movieId)
        _lap('let rows = GenomePCA')
        let n = rows.movieIds.count
        guard k >= 1, k <= tags, k <= n - 1 else {
            throw .invalidComponentCount(k: k, movies: n, tags: tags)
        }

        // 1. Dense matrix. NaN marks "not scored yet", so a second score of a cell is caught
        // without a bitmap; the centring pass turns the remaining NaNs into 0.
        var x = [Double](repeating: .nan, count: n * tags)
        try x.withUnsafeMutableBufferPointer { (xp) throws(GenomePCAError) in
            try movieId.withUnsafeBufferPointer { (mp) throws(GenomePCAError) in
                try tagId.withUnsafeBufferPointer { (tp) throws(GenomePCAError) in
                    try relevance.withUnsafeBufferPointer { (rp) throws(GenomePCAError) in
                        for i in 0 ..< count {
                            let r = rows.row(of: mp[i])
                            let c = columnOfTag.column(of: tp[i])
                            let v = Double(rp[i])
                            guard v.isFinite else {
                                throw .nonFiniteRelevance(movieId: mp[i], tagId: tp[i], row: i)
                            }
                            let cell = r &* tags &+ c
                            guard xp[cell].isNaN else { throw .duplicateScore(movieId: mp[i], tagId: tp[i]) }
                            xp[cell] = v
                        }
                    }
                }
            }
        }
        let missing = n * tags - count
        _lap('let missing = n * ta')

        // 2. Centre the columns (numpy: M - M.mean(axis=0), the mean a plain sum over rows / n).
        var mean = [Double](repeating: 0, count: tags)
        x.withUnsafeMutableBufferPointer { xp in
            mean.withUnsafeMutableBufferPointer { mu in
                for r in 0 ..< n {
                    let row = r &* tags
                    for c in 0 ..< tags {
                        var v = xp[row &+ c]
                        if v.isNaN {
                            v = 0
                            xp[row &+ c] = 0
                        }
                        mu[c] += v
                    }
                }
                let dn = Double(n)
                for c in 0 ..< tags { mu[c] /= dn }
                for r in 0 ..< n {
                    let row = r &* tags
                    for c in 0 ..< tags { xp[row &+ c] -= mu[c] }
                }
            }
        }

        // 3. C = X'X        _lap("// 3. C = X'X")
 / (n - 1): dsyrk fills the upper triangle in row-major order, which is the
        // lower triangle of the same buffer read column-major (C is symmetric).
        var cov = [Double](repeating: 0, count: tags * tags)
        x.withUnsafeBufferPointer { xp in
            cov.withUnsafeMutableBufferPointer { cp in
                cblas_dsyrk(
                    CblasRowMajor, CblasUpper, CblasTrans, blasint(tags), blasint(n),
                    1.0, xp.baseAddress, blasint(tags), 0.0, cp.baseAddress, blasint(tags))
            }
        }
        let dof = Double(n - 1)
        _lap('let dof = Double(n -')
        var trace = 0.0
        cov.withUnsafeMutableBufferPointer { cp in
            for i in 0 ..< tags {
                for j in i ..< tags { cp[i &* tags &+ j] /= dof }
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
        cov = []  // the        _lap('cov = []  // the')
 covariance is no longer needed; free it before the outputs

        // Descending order, component c = eigenvector k-1-c; then the sign rule.
        var comps = [Double](repeating: 0, count: k * tags)
        for c in 0 ..< k {
            let src = (k - 1 - c) * tags
            for j in 0 ..< tags { comps[c * tags + j] = z[src + j] }
        }
        z = []
        GenomePCA.applySignRule(&comps, k: k, tags: tags)
        var variance = [Double](repeating: 0, count: k)
        for c in 0 ..< k { variance[c] = w[k - 1 - c] }

        // 6. Embeddings        _lap('// 6. Embeddings')
 = X · compsᵀ (n x k), then Float.
        var emb = [Double](repeating: 0, count: n * k)
        x.withUnsafeBufferPointer { xp in
            comps.withUnsafeBufferPointer { vp in
                emb.withUnsafeMutableBufferPointer { ep in
                    cblas_dgemm(
                        CblasRowMajor, CblasNoTrans, CblasTrans, blasint(n), blasint(k), blasint(tags),
                        1.0, xp.baseAddress, blasint(tags), vp.baseAddress, blasint(tags),
                        0.0, ep.baseAddress, blasint(k))
                }
            }
        }
        x = []
        _lap('x = []')

        self.movieIds = rows.movieIds
        self.tagIds = genomeTagIds
        self.k = k
        self.embeddings = emb.map { Float($0) }
        self.components = comps
        self.explainedVariance = variance
        self.explainedVarianceRatio = variance.map { $0 / trace }
        self.totalVariance = trace
        self.missingCells = missing
        _lap('self.missingCells = ')
    }

    // MARK: - Pieces (internal for the tests)

    /// Makes each component's largest-magnitude loading positive: `components` is row-major
    /// `k` x `tags`; a row whose first maximal |loading| is negative is negated (numpy:
    /// `argmax(abs(row))` takes the first maximum, `sign` of it multiplies the row).
    static func applySignRule(_ components: inout [Double], k: Int, tags: Int) {
        for c in 0 ..< k {
            let row = c * tags
            var best = 0
            var bestAbs = -1.0
            for j in 0 ..< tags where abs(components[row + j]) > bestAbs {
                bestAbs = abs(components[row + j])
                best = j
            }
            if components[row + best] < 0 {
                for j in 0 ..< tags { components[row + j] = -components[row + j] }
            }
        }
    }

    /// Maps a tag id to its column (position in the ascending `genomeTagIds`).
    struct ColumnTable {
        /// `table[tagId - base]` = column, or -1; empty when the ids are searched instead.
        let table: [Int32]
        /// Smallest genome tag id (table offset).
        let base: Int32
        /// The genome tag ids, for the binary-search fallback.
        let tagIds: [Int32]
        /// The column of a tag id already validated by `columnTable`.
        @inline(__always) func column(of tagId: Int32) -> Int {
            if !table.isEmpty { return Int(table[Int(tagId) &- Int(base)]) }
            return FeatureSortedSlots(ids: tagIds).slot(tagId)
        }
    }

    /// Builds the tag -> column map and checks that every score's tag is a genome tag.
    /// Throws `.unknownTagId` for the first score whose tag is not in `genomeTagIds`.
    static func columnTable(genomeTagIds: [Int32], tagId: [Int32], movieId: [Int32]) throws(GenomePCAError) -> ColumnTable {
        let unknown: (Int) -> GenomePCAError = { .unknownTagId(tagId: tagId[$0], movieId: movieId[$0], row: $0) }
        guard let lo = genomeTagIds.first, let hi = genomeTagIds.last else {
            if !tagId.isEmpty { throw unknown(0) }
            return ColumnTable(table: [], base: 0, tagIds: [])
        }
        let span = Int(hi) - Int(lo) + 1
        if span <= max(1 << 21, 4 * genomeTagIds.count) {
            var table = [Int32](repeating: -1, count: span)
            for (c, t) in genomeTagIds.enumerated() { table[Int(t) - Int(lo)] = Int32(c) }
            let bad: Int? = table.withUnsafeBufferPointer { tp in
                tagId.withUnsafeBufferPointer { ip in
                    for i in 0 ..< ip.count {
                        let off = Int(ip[i]) &- Int(lo)
                        if off < 0 || off >= span || tp[off] < 0 { return i }
                    }
                    return nil
                }
            }
            if let bad { throw unknown(bad) }
            return ColumnTable(table: table, base: lo, tagIds: genomeTagIds)
        }
        let slots = FeatureSortedSlots(ids: genomeTagIds)
        for i in tagId.indices {
            let s = slots.slot(tagId[i])
            if s >= genomeTagIds.count || genomeTagIds[s] != tagId[i] { throw unknown(i) }
        }
        return ColumnTable(table: [], base: lo, tagIds: genomeTagIds)
    }

    /// Maps a movie id to its matrix row (rank among the distinct movie ids).
    struct RowTable {
        /// The distinct movie ids, ascending: the matrix rows.
        let movieIds: [Int32]
        /// `table[movieId - base]` = row; empty when the ids are searched instead.
        let table: [Int32]
        /// Smallest movie id (table offset).
        let base: Int32
        /// The row of a movie id that occurs in the scores.
        @inline(__always) func row(of movieId: Int32) -> Int {
            if !table.isEmpty { return Int(table[Int(movieId) &- Int(base)]) }
            return FeatureSortedSlots(ids: movieIds).slot(movieId)
        }
    }

    /// The distinct movie ids of the scores, ascending, and their row map.
    static func rowTable(movieId: [Int32]) -> RowTable {
        movieId.withUnsafeBufferPointer { mp in
            guard let r = FeatureIdPlan.range(mp) else { return RowTable(movieIds: [], table: [], base: 0) }
            switch FeatureIdPlan.plan(mp, min: r.min, max: r.max, directBudget: mp.count / 4) {
            case .direct(let slots):
                var table = [Int32](repeating: -1, count: slots.slotCount)
                table.withUnsafeMutableBufferPointer { tp in
                    for v in mp { tp[slots.slot(v)] = 0 }
                }
                var ids: [Int32] = []
                var next: Int32 = 0
                for s in 0 ..< table.count where table[s] == 0 {
                    table[s] = next
                    next += 1
                    ids.append(slots.id(ofSlot: s))
                }
                return RowTable(movieIds: ids, table: table, base: slots.base)
            case .sorted(let slots):
                return RowTable(movieIds: slots.ids, table: [], base: 0)
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
    /// LAPACK returned an error code, or fewer eigenpairs than asked (an internal failure).
    case lapackFailure(routine: String, info: Int, found: Int, expected: Int)

    /// The message shown to the user: what happened and how to fix it.
    public var description: String {
        switch self {
        case let .columnLengthsDiffer(m, t, r):
            return "genome PCA: the genome-score columns differ in length (movieId \(m), tagId \(t), relevance \(r)); "
                + "pass the three columns of one cleaned genome-scores table"
        case let .genomeTagIdsNotAscending(p, prev, t):
            return "genome PCA: genome tag ids must be strictly ascending, but tag id \(t) at position \(p) follows \(prev); "
                + "sort the genome-tags ids and drop repeats before the PCA"
        case let .unknownTagId(t, m, r):
            return "genome PCA: the score of movie \(m) (row \(r)) names tag id \(t), which is not a genome tag; "
                + "stage 1 must quarantine genome scores whose tagId is not in genome-tags"
        case let .duplicateScore(m, t):
            return "genome PCA: movie \(m), tag \(t) is scored more than once; "
                + "keep one score per (movieId, tagId) before the PCA"
        case let .nonFiniteRelevance(m, t, r):
            return "genome PCA: the relevance of movie \(m), tag \(t) (row \(r)) is not a finite number; "
                + "stage 1 must reject or cap it to [0, 1]"
        case let .invalidComponentCount(k, movies, tags):
            return "genome PCA: cannot keep k = \(k) components of \(movies) movies x \(tags) tags "
                + "(k must be 1 ... min(tags, movies - 1) = \(max(0, min(tags, movies - 1)))); pass a smaller k (--k)"
        case let .lapackFailure(routine, info, found, expected):
            return "genome PCA: internal error: \(routine) returned info = \(info) with \(found) of \(expected) eigenpairs; "
                + "please report it with the genome files"
        }
    }
}
