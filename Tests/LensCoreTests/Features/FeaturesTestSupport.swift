import Foundation
import XCTest

@testable import LensCore

/// Helpers of the Features tests: a deterministic generator, a python3 runner for the
/// numpy/sklearn references and a small genome-scores CSV reader (the project's real reader is
/// the Ingest stage's; these tests must not depend on it).
enum FeaturesTestSupport {
    /// What to tell the developer when python3, numpy or scikit-learn is missing.
    static let pythonHint = "the Features tests compare with numpy/scikit-learn: pip install scikit-learn numpy"

    /// SplitMix64: a deterministic generator, the same on every platform.
    struct Random {
        /// The generator state.
        var state: UInt64
        /// The next 64 random bits.
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        /// Uniform in [0, 1).
        mutating func uniform() -> Double { Double(next() >> 11) / Double(1 << 53) }
        /// Standard normal (Box-Muller).
        mutating func normal() -> Double {
            let u = max(uniform(), 1e-300)
            let v = uniform()
            return (-2 * log(u)).squareRoot() * cos(2 * .pi * v)
        }
        /// Uniform in 0 ..< n.
        mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
    }

    /// A fresh temporary directory, removed by the test's teardown.
    static func temporaryDirectory(_ test: XCTestCase) throws -> URL {
        let dir = FileManager.default.temporaryDirectory
            .appendingPathComponent("lens-features-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        test.addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        return dir
    }

    /// Runs `python3 -c script args...`; returns stdout. Fails (throws) with stderr when the
    /// exit status is not 0.
    @discardableResult
    static func python(_ script: String, _ args: [String]) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", "-c", script] + args
        // One BLAS thread: on two busy cores OpenBLAS's own threads made one sklearn fit 20x slower.
        p.environment = ProcessInfo.processInfo.environment.merging(["OPENBLAS_NUM_THREADS": "1"]) { _, new in new }
        let out = Pipe()
        let err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        // Read before waiting: a full pipe would block the child.
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else {
            throw PythonFailure(status: p.terminationStatus, stderr: String(decoding: e, as: UTF8.self))
        }
        return String(decoding: o, as: UTF8.self)
    }

    /// A python3 run that exited with a non-zero status; a missing python3 or module adds
    /// `pythonHint` to the message, so the failing test says what to install.
    struct PythonFailure: Error, CustomStringConvertible {
        /// Exit status (127: python3 not found by env).
        let status: Int32
        /// What python3 wrote to stderr.
        let stderr: String
        /// Status and stderr, plus the install hint when something is missing.
        var description: String {
            let missing = status == 127 || stderr.contains("No module named")
            return "python3 exited with \(status): \(stderr)" + (missing ? "\n\(FeaturesTestSupport.pythonHint)" : "")
        }
    }

    /// The genome-scores columns of a test.
    struct GenomeScores {
        /// movieId column.
        var movieId: [Int32] = []
        /// tagId column.
        var tagId: [Int32] = []
        /// relevance column.
        var relevance: [Float] = []
    }

    /// Writes `movieId,tagId,relevance` (Float's shortest round-trip text) with a header.
    static func writeScoresCSV(_ s: GenomeScores, to url: URL) throws {
        var text = "movieId,tagId,relevance\n"
        text.reserveCapacity(s.movieId.count * 20)
        for i in s.movieId.indices { text += "\(s.movieId[i]),\(s.tagId[i]),\(s.relevance[i])\n" }
        try text.write(to: url, atomically: false, encoding: .utf8)
    }

    /// Reads a `movieId,tagId,relevance` CSV with a header (plain numbers, as
    /// `lens synth` writes them): a byte loop, fast enough in debug builds.
    static func readScoresCSV(_ url: URL) throws -> GenomeScores {
        let data = try Data(contentsOf: url, options: .alwaysMapped)
        var s = GenomeScores()
        data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            let b = raw.bindMemory(to: UInt8.self)
            var i = 0
            while i < b.count && b[i] != 10 { i += 1 }  // header
            i += 1
            while i < b.count {
                var m: Int32 = 0
                var t: Int32 = 0
                while b[i] != 44 {
                    m = m * 10 + Int32(b[i] &- 48)
                    i += 1
                }
                i += 1
                while b[i] != 44 {
                    t = t * 10 + Int32(b[i] &- 48)
                    i += 1
                }
                i += 1
                var whole = 0.0
                var frac = 0.0
                var scale = 1.0
                var afterDot = false
                while i < b.count && b[i] != 10 && b[i] != 13 {
                    if b[i] == 46 {
                        afterDot = true
                    } else if afterDot {
                        frac = frac * 10 + Double(b[i] &- 48)
                        scale *= 10
                    } else {
                        whole = whole * 10 + Double(b[i] &- 48)
                    }
                    i += 1
                }
                while i < b.count && (b[i] == 10 || b[i] == 13) { i += 1 }
                s.movieId.append(m)
                s.tagId.append(t)
                s.relevance.append(Float(whole + frac / scale))
            }
        }
        return s
    }

    /// Reads the ids of the first column of a CSV with a header (genome-tags.csv).
    static func readFirstColumnIds(_ url: URL) throws -> [Int32] {
        let text = try String(contentsOf: url, encoding: .utf8)
        return text.split(separator: "\n").dropFirst().compactMap { line in
            Int32(line.prefix(while: { $0 != "," }))
        }
    }

    /// Reads a file of little-endian float64 values.
    static func readDoubles(_ url: URL) throws -> [Double] {
        let data = try Data(contentsOf: url)
        return data.withUnsafeBytes { raw in Array(raw.bindMemory(to: Double.self)) }
    }

    /// The sklearn reference of a genome PCA, computed by `sklearnScript`.
    struct SklearnPCA {
        /// Matrix rows (distinct movie ids, ascending).
        var movieIds: [Int32]
        /// Number of tags (columns).
        var tags: Int
        /// Components kept.
        var k: Int
        /// `explained_variance_`.
        var explainedVariance: [Double]
        /// `explained_variance_ratio_`.
        var explainedVarianceRatio: [Double]
        /// Whether a component's eigenvalue is separated from its neighbours (gap / ev[0] >
        /// 1e-3, as `_common.check_sklearn`): only those are determined to 1e-4.
        var separated: [Bool]
        /// `components_`, sign-fixed by the largest-|loading| rule, row-major k x tags.
        var components: [Double]
        /// `transform(M)` with the same sign fix, row-major n x k.
        var embeddings: [Double]
    }

    /// Builds the matrix as the peers do (rows: distinct movie ids ascending; columns: the
    /// genome tag ids; missing cells 0), fits `PCA(n_components=k, svd_solver="full")`, and
    /// writes float64s: n, tags, k, movie ids, explained variance, ratio, separated flags,
    /// sign-fixed components, transform. `f32=1` rounds the relevance through float32 first,
    /// so python sees exactly the Floats the Swift side gets.
    static let sklearnScript = """
        import sys, numpy as np
        from sklearn.decomposition import PCA
        scores, tags, k, f32, out = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4] == "1", sys.argv[5]
        d = np.loadtxt(scores, delimiter=",", skiprows=1, dtype=np.float64, ndmin=2)
        t = np.loadtxt(tags, delimiter=",", skiprows=1, usecols=0, dtype=np.int64, ndmin=1)
        rel = d[:, 2].astype(np.float32).astype(np.float64) if f32 else d[:, 2]
        mids = np.unique(d[:, 0].astype(np.int64))
        M = np.zeros((len(mids), len(t)))
        M[np.searchsorted(mids, d[:, 0].astype(np.int64)), np.searchsorted(t, d[:, 1].astype(np.int64))] = rel
        p = PCA(n_components=k, svd_solver="full").fit(M)
        comps = p.components_.copy()
        big = np.abs(comps).argmax(axis=1)
        signs = np.sign(comps[np.arange(k), big])
        comps *= signs[:, None]
        emb = p.transform(M) * signs[None, :]
        ev = p.explained_variance_
        gap = np.minimum(np.abs(np.diff(ev, prepend=np.inf)), np.abs(np.diff(ev, append=-np.inf))) / ev[0]
        sep = (gap > 1e-3).astype(np.float64)
        np.concatenate([[len(mids), len(t), k], mids, ev, p.explained_variance_ratio_, sep,
                        comps.ravel(), emb.ravel()]).astype("<f8").tofile(out)
        """

    /// Runs `sklearnScript` on the CSV files and reads its output.
    static func sklearnPCA(scores: URL, tags: URL, k: Int, roundThroughFloat32: Bool, dir: URL) throws -> SklearnPCA {
        let out = dir.appendingPathComponent("sklearn.f64")
        try python(sklearnScript, [scores.path, tags.path, String(k), roundThroughFloat32 ? "1" : "0", out.path])
        let v = try readDoubles(out)
        let n = Int(v[0])
        let t = Int(v[1])
        let kk = Int(v[2])
        var o = 3
        func take(_ c: Int) -> [Double] {
            defer { o += c }
            return Array(v[o..<o + c])
        }
        let mids = take(n).map { Int32($0) }
        let ev = take(kk)
        let ratio = take(kk)
        let sep = take(kk).map { $0 != 0 }
        let comps = take(kk * t)
        let emb = take(n * kk)
        return SklearnPCA(
            movieIds: mids, tags: t, k: kk, explainedVariance: ev, explainedVarianceRatio: ratio,
            separated: sep, components: comps, embeddings: emb)
    }

    /// Largest absolute differences between a `GenomePCA` and the sklearn reference.
    struct PCADifferences {
        /// Over all components' explained-variance ratios.
        var ratio = 0.0
        /// Over all components' explained variances, relative to the first.
        var varianceRelative = 0.0
        /// Over the loadings of the separated components.
        var loadingsSeparated = 0.0
        /// Over the embeddings of the separated components.
        var embeddingsSeparated = 0.0
        /// Over all loadings (near-degenerate components included: informative only).
        var loadingsAll = 0.0
        /// Separated components.
        var separated = 0
    }

    /// Compares a PCA with its sklearn reference (same k, same rows).
    static func differences(_ pca: GenomePCA, _ ref: SklearnPCA) -> PCADifferences {
        var d = PCADifferences()
        let k = pca.k
        let t = pca.tagIds.count
        let n = pca.movieIds.count
        for c in 0..<k {
            d.ratio = max(d.ratio, abs(pca.explainedVarianceRatio[c] - ref.explainedVarianceRatio[c]))
            d.varianceRelative = max(
                d.varianceRelative, abs(pca.explainedVariance[c] - ref.explainedVariance[c]) / ref.explainedVariance[0])
            var comp = 0.0
            for j in 0..<t { comp = max(comp, abs(pca.components[c * t + j] - ref.components[c * t + j])) }
            d.loadingsAll = max(d.loadingsAll, comp)
            guard ref.separated[c] else { continue }
            d.separated += 1
            d.loadingsSeparated = max(d.loadingsSeparated, comp)
            for r in 0..<n {
                d.embeddingsSeparated = max(
                    d.embeddingsSeparated, abs(Double(pca.embeddings[r * k + c]) - ref.embeddings[r * k + c]))
            }
        }
        return d
    }
}
