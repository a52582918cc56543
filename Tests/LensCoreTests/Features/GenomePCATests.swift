import Foundation
import XCTest

@testable import LensCore

/// The genome PCA (PIPELINE.md stage 3) against sklearn, its sign rule, its matrix layout and
/// its errors.
final class GenomePCATests: XCTestCase {
    typealias Support = FeaturesTestSupport

    /// A deterministic genome with low-rank structure: `movies` x `tags` relevances
    /// sigmoid(U·diag(scales)·V + noise), ids not contiguous, the cells in shuffled order,
    /// `missingRate` of the cells left out, and the last tag with no score at all.
    static func syntheticGenome(
        movies: Int = 300, tags: Int = 60, scales: [Double] = [3, 2, 1.4, 1, 0.7], missingRate: Double = 0.03,
        seed: UInt64 = 42
    ) -> (scores: Support.GenomeScores, tagIds: [Int32], missing: Int) {
        var rng = Support.Random(state: seed)
        let rank = scales.count
        let v = (0..<rank * tags).map { _ in rng.normal() }
        let bias = (0..<tags).map { _ in rng.normal() * 0.8 - 1 }
        let movieIds = (0..<movies).map { Int32(3 + 7 * $0) }
        let tagIds = (0..<tags).map { Int32(2 * $0 + 5) }
        var s = Support.GenomeScores()
        var missing = 0
        for i in 0..<movies {
            let u = (0..<rank).map { _ in rng.normal() }
            for j in 0..<tags {
                // The first cell of a movie is always kept, so every movie is a row.
                if j == tags - 1 || (j > 0 && rng.uniform() < missingRate) {
                    missing += 1
                    continue
                }
                var z = bias[j] + 0.05 * rng.normal()
                for r in 0..<rank { z += u[r] * scales[r] * v[r * tags + j] / Double(rank).squareRoot() }
                s.movieId.append(movieIds[i])
                s.tagId.append(tagIds[j])
                s.relevance.append(Float(min(max(1 / (1 + exp(-z)), 0), 1)))
            }
        }
        // Any order: shuffle the cells.
        for i in stride(from: s.movieId.count - 1, to: 0, by: -1) {
            let j = rng.below(i + 1)
            s.movieId.swapAt(i, j)
            s.tagId.swapAt(i, j)
            s.relevance.swapAt(i, j)
        }
        return (s, tagIds, missing)
    }

    /// Writes the scores and the tag ids as the CSV files the sklearn script reads.
    static func writeFixture(_ s: Support.GenomeScores, tagIds: [Int32], dir: URL) throws -> (scores: URL, tags: URL) {
        let scores = dir.appendingPathComponent("genome-scores.csv")
        let tags = dir.appendingPathComponent("genome-tags.csv")
        try Support.writeScoresCSV(s, to: scores)
        try ("tagId,tag\n" + tagIds.map { "\($0),tag \($0)\n" }.joined()).write(
            to: tags, atomically: false, encoding: .utf8)
        return (scores, tags)
    }

    /// Protects the contract "agrees with sklearn PCA(svd_solver='full') up to sign within
    /// 1e-4": ratio, loadings and embeddings (= transform) on a small genome with missing cells
    /// (counted, as 0), a tag without scores and scores in shuffled order.
    func testMatchesSklearnOnSyntheticGenomeWithMissingCells() throws {
        let (s, tagIds, missing) = Self.syntheticGenome()
        let k = 10
        let pca = try GenomePCA(movieId: s.movieId, tagId: s.tagId, relevance: s.relevance, genomeTagIds: tagIds, k: k)
        XCTAssertEqual(pca.missingCells, missing)
        XCTAssertEqual(pca.movieIds, (0..<300).map { Int32(3 + 7 * $0) })
        XCTAssertEqual(pca.tagIds, tagIds)

        let dir = try Support.temporaryDirectory(self)
        let files = try Self.writeFixture(s, tagIds: tagIds, dir: dir)
        let ref = try Support.sklearnPCA(
            scores: files.scores, tags: files.tags, k: k, roundThroughFloat32: true, dir: dir)
        XCTAssertEqual(ref.movieIds, pca.movieIds)
        let d = Support.differences(pca, ref)
        print("[features] sklearn 300x60 k=10: \(d)")
        XCTAssertGreaterThanOrEqual(d.separated, 5, "the 5 structured components must be separated")
        XCTAssertLessThan(d.ratio, 1e-4)
        XCTAssertLessThan(d.varianceRelative, 1e-4)
        XCTAssertLessThan(d.loadingsSeparated, 1e-4)
        XCTAssertLessThan(d.embeddingsSeparated, 1e-4)
    }

    /// Protects the ml-scale case: the genome of `lens synth --scale 1m` (3,000 movies x 1,128
    /// tags, the core `Synth.run`) at k = 64 agrees with sklearn within 1e-4 on the separated
    /// components, as `_common.check_sklearn` checks the peers.
    func testMatchesSklearnOnGeneratedMovieLensGenome() throws {
        let dir = try Support.temporaryDirectory(self)
        // Few ratings and no tags: only the genome matters here, and its shape is that of 1m.
        var size = SynthScale.oneMillion.size
        size.ratings = 20_000
        size.users = 500
        size.tags = 0
        _ = try Synth.run(out: dir.path, options: SynthOptions(size: size))
        let scoresURL = dir.appendingPathComponent("genome-scores.csv")
        let tagsURL = dir.appendingPathComponent("genome-tags.csv")
        let s = try Support.readScoresCSV(scoresURL)
        let tagIds = try Support.readFirstColumnIds(tagsURL)
        XCTAssertEqual(tagIds.count, 1128)

        let pca = try GenomePCA(movieId: s.movieId, tagId: s.tagId, relevance: s.relevance, genomeTagIds: tagIds, k: 64)
        XCTAssertEqual(pca.movieIds.count, 3000)
        XCTAssertEqual(pca.missingCells, 0)
        let ref = try Support.sklearnPCA(scores: scoresURL, tags: tagsURL, k: 64, roundThroughFloat32: false, dir: dir)
        XCTAssertEqual(ref.movieIds, pca.movieIds)
        let d = Support.differences(pca, ref)
        print("[features] sklearn lens synth 1m genome 3000x1128 k=64: \(d)")
        XCTAssertGreaterThan(d.separated, 0)
        XCTAssertLessThan(d.ratio, 1e-4)
        XCTAssertLessThan(d.loadingsSeparated, 1e-4)
        XCTAssertLessThan(d.embeddingsSeparated, 1e-4)
    }

    /// Protects the sign rule: every component's largest-|loading| is positive, and the
    /// components are orthonormal and ordered by decreasing variance.
    func testComponentsAreSignFixedOrthonormalAndDescending() throws {
        let (s, tagIds, _) = Self.syntheticGenome(movies: 120, tags: 30, seed: 7)
        let pca = try GenomePCA(movieId: s.movieId, tagId: s.tagId, relevance: s.relevance, genomeTagIds: tagIds, k: 8)
        let t = tagIds.count
        for c in 0..<pca.k {
            let row = Array(pca.loadings(ofComponent: c))
            let big = row.indices.max(by: { abs(row[$0]) < abs(row[$1]) })!
            XCTAssertGreaterThan(row[big], 0, "component \(c)")
            for c2 in 0..<pca.k {
                var dot = 0.0
                for j in 0..<t { dot += pca.components[c * t + j] * pca.components[c2 * t + j] }
                XCTAssertEqual(dot, c == c2 ? 1 : 0, accuracy: 1e-10, "components \(c), \(c2)")
            }
            if c > 0 { XCTAssertGreaterThanOrEqual(pca.explainedVariance[c - 1], pca.explainedVariance[c]) }
        }
        XCTAssertEqual(pca.explainedVarianceRatio[0], pca.explainedVariance[0] / pca.totalVariance)
        XCTAssertLessThanOrEqual(pca.explainedVarianceRatio.reduce(0, +), 1 + 1e-12)
        XCTAssertEqual(pca.embeddings.count, pca.movieIds.count * pca.k)
    }

    /// Protects the tie case of the sign rule: when two loadings share the largest magnitude,
    /// the first decides (numpy's argmax), so (-a, a) becomes (a, -a) and (a, -a) stays.
    func testSignRuleTieIsDecidedByTheFirstLargestLoading() {
        var comps: [Double] = [-0.5, 0.5, 0.1, 0.5, -0.5, 0.1, 0.2, -0.9, 0.3]
        GenomePCA.applySignRule(&comps, k: 3, tags: 3)
        XCTAssertEqual(comps, [0.5, -0.5, -0.1, 0.5, -0.5, 0.1, -0.2, 0.9, -0.3])
    }

    /// Protects "rows = distinct movies ascending, in any input order": the same cells in
    /// another order give the identical result.
    func testResultDoesNotDependOnTheOrderOfTheScores() throws {
        let (s, tagIds, _) = Self.syntheticGenome(movies: 80, tags: 20, seed: 3)
        let a = try GenomePCA(movieId: s.movieId, tagId: s.tagId, relevance: s.relevance, genomeTagIds: tagIds, k: 5)
        let order = s.movieId.indices.sorted { (s.movieId[$0], s.tagId[$0]) < (s.movieId[$1], s.tagId[$1]) }
        let b = try GenomePCA(
            movieId: order.map { s.movieId[$0] }, tagId: order.map { s.tagId[$0] },
            relevance: order.map { s.relevance[$0] }, genomeTagIds: tagIds, k: 5)
        XCTAssertEqual(a, b)
    }

    /// Protects the sparse-id path (an id range far larger than the data, e.g. an id near
    /// 2^31): the rows and columns map by binary search and give the same PCA as small ids.
    func testHugeIdsGiveTheSamePCAAsSmallIds() throws {
        let (s, tagIds, _) = Self.syntheticGenome(movies: 60, tags: 12, seed: 5)
        let small = try GenomePCA(
            movieId: s.movieId, tagId: s.tagId, relevance: s.relevance, genomeTagIds: tagIds, k: 4)
        // Same order of ids, spread up to ~2^31.
        let bigMovie: (Int32) -> Int32 = { $0 == small.movieIds.last! ? Int32.max : $0 }
        let bigTag: (Int32) -> Int32 = { $0 == tagIds.last! ? 2_000_000_000 : $0 }
        let big = try GenomePCA(
            movieId: s.movieId.map(bigMovie), tagId: s.tagId.map(bigTag), relevance: s.relevance,
            genomeTagIds: tagIds.map(bigTag), k: 4)
        XCTAssertEqual(big.movieIds, small.movieIds.map(bigMovie))
        XCTAssertEqual(big.components, small.components)
        XCTAssertEqual(big.embeddings, small.embeddings)
        XCTAssertEqual(big.explainedVarianceRatio, small.explainedVarianceRatio)
    }

    /// Protects the exact numbers on a matrix small enough to do by hand: 3 movies x 2 tags,
    /// two missing cells (0). X = [[1, 0], [0, 1], [1, 1]] (movie 1 lacks tag 20, movie 2 tag
    /// 10); column means (2/3, 2/3); C = [[1/3, -1/6], [-1/6, 1/3]]; eigenvalues 1/2 and 1/6
    /// with vectors ±(1, -1)/√2 and ±(1, 1)/√2; trace 2/3, so the ratio of the first is 3/4.
    func testHandComputedTwoTagPCA() throws {
        let pca = try GenomePCA(
            movieId: [3, 1, 3, 2], tagId: [20, 10, 10, 20], relevance: [1, 1, 1, 1], genomeTagIds: [10, 20], k: 1)
        XCTAssertEqual(pca.movieIds, [1, 2, 3])
        XCTAssertEqual(pca.missingCells, 2)
        XCTAssertEqual(pca.explainedVariance[0], 0.5, accuracy: 1e-15)
        XCTAssertEqual(pca.totalVariance, 2.0 / 3.0, accuracy: 1e-15)
        XCTAssertEqual(pca.explainedVarianceRatio[0], 0.75, accuracy: 1e-15)
        // ±(1, -1)/√2 ties in magnitude up to rounding, so the rounding picks the sign here;
        // the tie rule itself is pinned by testSignRuleTieIsDecidedByTheFirstLargestLoading.
        let r = 0.5.squareRoot()
        let s: Double = pca.components[0] > 0 ? 1 : -1
        XCTAssertEqual(pca.components[0], s * r, accuracy: 1e-12)
        XCTAssertEqual(pca.components[1], -s * r, accuracy: 1e-12)
        // Centred rows (1/3, -2/3), (-2/3, 1/3), (1/3, 1/3) projected on s(1, -1)/√2.
        XCTAssertEqual(Double(pca.embeddings[0]), s * r, accuracy: 1e-6)
        XCTAssertEqual(Double(pca.embeddings[1]), -s * r, accuracy: 1e-6)
        XCTAssertEqual(Double(pca.embeddings[2]), 0, accuracy: 1e-6)
    }

    // MARK: - Errors (texts pinned)

    /// Protects the k bounds and their message: 1 ... min(tags, movies - 1).
    func testComponentCountOutOfRangeIsRejected() {
        let ids: [Int32] = [1, 1, 2, 2, 3, 3]
        let tags: [Int32] = [1, 2, 1, 2, 1, 2]
        let rel: [Float] = [0.1, 0.2, 0.3, 0.4, 0.5, 0.7]
        for k in [0, 3] {
            XCTAssertThrowsError(try GenomePCA(movieId: ids, tagId: tags, relevance: rel, genomeTagIds: [1, 2], k: k)) {
                XCTAssertEqual($0 as? GenomePCAError, .invalidComponentCount(k: k, movies: 3, tags: 2))
            }
        }
        XCTAssertEqual(
            GenomePCAError.invalidComponentCount(k: 64, movies: 10, tags: 1128).description,
            "genome PCA: cannot keep k = 64 components of 10 movies x 1128 tags "
                + "(k must be 1 ... min(tags, movies - 1) = 9); pass a smaller k (--k)")
        // k = movies - 1 is the largest allowed.
        XCTAssertNoThrow(try GenomePCA(movieId: ids, tagId: tags, relevance: rel, genomeTagIds: [1, 2], k: 2))
        XCTAssertThrowsError(try GenomePCA(movieId: [], tagId: [], relevance: [], genomeTagIds: [1, 2], k: 1)) {
            XCTAssertEqual($0 as? GenomePCAError, .invalidComponentCount(k: 1, movies: 0, tags: 2))
        }
    }

    /// Protects the input checks and their messages: lengths, tag order, unknown tag,
    /// duplicate cell, non-finite relevance.
    func testInvalidInputsAreRejectedWithWhatToDo() {
        func pcaError(_ m: [Int32], _ t: [Int32], _ r: [Float], _ tags: [Int32]) -> GenomePCAError? {
            do {
                _ = try GenomePCA(movieId: m, tagId: t, relevance: r, genomeTagIds: tags, k: 1)
                return nil
            } catch { return error }
        }
        XCTAssertEqual(
            pcaError([1, 2], [1], [0.5, 0.5], [1]), .columnLengthsDiffer(movieId: 2, tagId: 1, relevance: 2))
        XCTAssertEqual(
            pcaError([1], [1], [0.5], [1, 3, 2]), .genomeTagIdsNotAscending(position: 2, previous: 3, tagId: 2))
        XCTAssertEqual(
            pcaError([1, 2, 2], [1, 1, 9], [0.5, 0.5, 0.5], [1, 2]), .unknownTagId(tagId: 9, movieId: 2, row: 2))
        XCTAssertEqual(
            pcaError([1, 2, 3, 2], [1, 1, 1, 1], [0.5, 0.4, 0.3, 0.2], [1]), .duplicateScore(movieId: 2, tagId: 1))
        XCTAssertEqual(
            pcaError([1, 2, 3], [1, 1, 1], [0.5, .nan, 0.3], [1]), .nonFiniteRelevance(movieId: 2, tagId: 1, row: 1))
        XCTAssertEqual(
            GenomePCAError.unknownTagId(tagId: 9, movieId: 2, row: 2).description,
            "genome PCA: the score of movie 2 (row 2) names tag id 9, which is not a genome tag; "
                + "stage 1 must quarantine genome scores whose tagId is not in genome-tags")
        XCTAssertEqual(
            GenomePCAError.duplicateScore(movieId: 2, tagId: 1).description,
            "genome PCA: movie 2, tag 1 is scored more than once; keep one score per (movieId, tagId) before the PCA")
    }

    // MARK: - Genome-scores tables stored as a grid

    /// The rows of `syntheticGenome` without missing cells, in file order (movie-major,
    /// tag-minor): a grid (its cycle lacks the genome's last tag, which has no score).
    static func gridGenome(movies: Int, tags: Int, seed: UInt64) -> (scores: Support.GenomeScores, tagIds: [Int32]) {
        let (s, tagIds, _) = syntheticGenome(movies: movies, tags: tags, missingRate: 0, seed: seed)
        let order = s.movieId.indices.sorted { (s.movieId[$0], s.tagId[$0]) < (s.movieId[$1], s.tagId[$1]) }
        var g = Support.GenomeScores()
        g.movieId = order.map { s.movieId[$0] }
        g.tagId = order.map { s.tagId[$0] }
        g.relevance = order.map { s.relevance[$0] }
        return (g, tagIds)
    }

    /// Protects the memory-saving path of stage 3: a table stored as a grid (complete, or with a
    /// partial last block) gives bit for bit the PCA of the same rows as columns, and so does a
    /// table that fell back to explicit columns.
    func testGridTableGivesTheSamePCAAsColumns() throws {
        let (g, tagIds) = Self.gridGenome(movies: 90, tags: 25, seed: 11)
        for cut in [0, 7] {
            let m = Array(g.movieId.dropLast(cut)), t = Array(g.tagId.dropLast(cut)), r = Array(g.relevance.dropLast(cut))
            var appended = GenomeScoresTable()
            for i in m.indices { appended.append(movieId: m[i], tagId: t[i], relevance: r[i]) }
            let built = GenomeScoresTable(movieId: m, tagId: t, relevance: r)
            XCTAssertTrue(appended.isGrid && built.isGrid, "cut \(cut)")
            let want = try GenomePCA(movieId: m, tagId: t, relevance: r, genomeTagIds: tagIds, k: 6)
            XCTAssertEqual(try GenomePCA(scores: appended, genomeTagIds: tagIds, k: 6), want, "cut \(cut)")
            XCTAssertEqual(try GenomePCA(scores: built, genomeTagIds: tagIds, k: 6), want, "cut \(cut)")
            XCTAssertEqual(want.missingCells, 90 * 25 - m.count)
        }
        let (s, shuffledTagIds, _) = Self.syntheticGenome(movies: 90, tags: 25, seed: 11)
        let explicit = GenomeScoresTable(movieId: s.movieId, tagId: s.tagId, relevance: s.relevance)
        XCTAssertFalse(explicit.isGrid)
        XCTAssertEqual(
            try GenomePCA(scores: explicit, genomeTagIds: shuffledTagIds, k: 6),
            try GenomePCA(movieId: s.movieId, tagId: s.tagId, relevance: s.relevance, genomeTagIds: shuffledTagIds, k: 6))
    }

    /// Protects the input checks on a grid: the same error, for the same first bad row, as the
    /// same rows given as columns (unknown tag, duplicate block, tag twice in the cycle,
    /// non-finite relevance, and a duplicate that comes before a non-finite value).
    func testGridTableReportsTheSameErrorsAsColumns() {
        func errors(_ m: [Int32], _ t: [Int32], _ r: [Float], _ tags: [Int32]) -> (GenomePCAError?, GenomePCAError?) {
            let table = GenomeScoresTable(movieId: m, tagId: t, relevance: r)
            XCTAssertTrue(table.isGrid, "\(m) \(t)")
            func run(_ body: () throws(GenomePCAError) -> GenomePCA) -> GenomePCAError? {
                do {
                    _ = try body()
                    return nil
                } catch { return error }
            }
            return (run { () throws(GenomePCAError) in try GenomePCA(scores: table, genomeTagIds: tags, k: 1) },
                    run { () throws(GenomePCAError) in try GenomePCA(movieId: m, tagId: t, relevance: r, genomeTagIds: tags, k: 1) })
        }
        let cases: [(m: [Int32], t: [Int32], r: [Float], tags: [Int32], want: GenomePCAError)] = [
            ([1, 1, 2, 2, 3], [1, 9, 1, 9, 1], [0.1, 0.2, 0.3, 0.4, 0.5], [1, 2], .unknownTagId(tagId: 9, movieId: 1, row: 1)),
            ([1, 1, 2, 2, 1, 1], [1, 2, 1, 2, 1, 2], [0.1, 0.2, 0.3, 0.4, 0.5, 0.6], [1, 2], .duplicateScore(movieId: 1, tagId: 1)),
            ([1, 1, 1, 2, 2, 2], [1, 2, 1, 1, 2, 1], [0.1, 0.2, 0.3, 0.4, 0.5, 0.6], [1, 2], .duplicateScore(movieId: 1, tagId: 1)),
            ([1, 1, 2, 2, 3, 3], [1, 2, 1, 2, 1, 2], [0.1, 0.2, 0.3, 0.4, .infinity, 0.6], [1, 2],
             .nonFiniteRelevance(movieId: 3, tagId: 1, row: 4)),
            ([1, 2, 1, 2], [1, 1, 1, 1], [0.1, 0.2, 0.3, .nan], [1], .duplicateScore(movieId: 1, tagId: 1)),
        ]
        for c in cases {
            let (table, columns) = errors(c.m, c.t, c.r, c.tags)
            XCTAssertEqual(table, c.want, "grid \(c.m) \(c.t)")
            XCTAssertEqual(columns, c.want, "columns \(c.m) \(c.t)")
        }
    }
}
