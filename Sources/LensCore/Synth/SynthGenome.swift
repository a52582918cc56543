import Foundation

/// The tag genome: relevance = sigmoid(U·V + tag bias + noise), U a movie's 40 factors ~ N(0, 1),
/// V the factors of the 1,128 tags (their scale falling from 0.45 to 0.07, so that a few
/// directions carry most of the variance), tag bias ~ N(-2.5, 0.9) (most relevances are low, as
/// in the real genome), noise ~ N(0, 0.35); rounded to 5 decimals and kept in [0.00025, 1].
/// The model comes from one stream; each chunk of movies has its own.
struct GenomeModel {
    let tags: Int
    let rank: Int
    /// rank x tags, row-major.
    let v: [Double]
    let tagBias: [Double]
    /// "1," ... "1128,".
    let tagLabels: LabelTable

    init(seed: UInt64, tags: Int = Synth.genomeTagCount, rank: Int = Synth.genomeRank) {
        self.tags = tags
        self.rank = rank
        var rng = SynthRNG(seed: seed, stream: .genomeModel)
        var v = [Double](repeating: 0, count: rank * tags)
        for r in 0..<rank {
            let scale = 0.45 + (0.07 - 0.45) * Double(r) / Double(max(1, rank - 1))
            for t in 0..<tags { v[r * tags + t] = rng.normal() * scale }
        }
        self.v = v
        tagBias = (0..<tags).map { _ in rng.normal(-2.5, 0.9) }
        tagLabels = LabelTable(count: tags) { UInt64($0 + 1) }
    }
}

struct GenomeOutcome {
    var rows = 0
    var bytes: Int64 = 0
}

extension Synth {
    /// Writes genome-scores.csv for `movieIds` (ascending) x every genome tag.
    static func writeGenome(movieIds: [Int32], seed: UInt64, workers: Int, to path: String) throws -> GenomeOutcome {
        let model = GenomeModel(seed: seed)
        let file = try SynthFile(path: path)
        let header = SynthBuffer()
        header.bytes("movieId,tagId,relevance\n")
        try file.write(header)
        var outcome = GenomeOutcome()
        let chunks = (movieIds.count + genomeMoviesPerChunk - 1) / genomeMoviesPerChunk
        try orderedParallel(count: chunks, workers: workers, produce: { c in
            genomeChunk(model, movieIds: movieIds, chunk: c, seed: seed)
        }, consume: { _, chunk in
            outcome.rows += chunk.rows
            try file.write(chunk.buffer)
        })
        try file.close()
        outcome.bytes = file.bytesWritten
        return outcome
    }

    static func genomeChunk(_ model: GenomeModel, movieIds: [Int32], chunk c: Int, seed: UInt64)
        -> (buffer: SynthBuffer, rows: Int)
    {
        var rng = SynthRNG(seed: seed, stream: .genomeBlock, index: c)
        let first = c * genomeMoviesPerChunk
        let last = min(movieIds.count, first + genomeMoviesPerChunk)
        let t = model.tags, k = model.rank
        let b = SynthBuffer(capacity: (last - first) * t * 20 + 1_024)
        var z = [Double](repeating: 0, count: t)
        var u = [Double](repeating: 0, count: k)
        let movieLabels = LabelTable(count: last - first) { UInt64(movieIds[first + $0]) }
        model.v.withUnsafeBufferPointer { v in
        model.tagBias.withUnsafeBufferPointer { bias in
        model.tagLabels.bytes.withUnsafeBufferPointer { tagLabels in
        movieLabels.bytes.withUnsafeBufferPointer { movieLabels in
        u.withUnsafeMutableBufferPointer { u in
        z.withUnsafeMutableBufferPointer { z in
            for i in first..<last {
                for r in 0..<k { u[r] = rng.normal() }
                for j in 0..<t { z[j] = bias[j] }
                for r in 0..<k {
                    let ur = u[r]
                    let row = v.baseAddress! + r * t
                    for j in 0..<t { z[j] += ur * row[j] }
                }
                b.reserve(t * 32)
                for j in 0..<t {
                    let x = z[j] + 0.35 * rng.normal()
                    let s = 1.0 / (1.0 + DetMath.exp(-x))
                    let q = min(100_000, max(25, Int(s * 100_000 + 0.5)))
                    b.label(movieLabels.baseAddress!, i - first)
                    b.label(tagLabels.baseAddress!, j)
                    b.fiveDecimals(q)
                    b.byte(0x0A)
                }
            }
        }
        }
        }
        }
        }
        }
        return (b, (last - first) * t)
    }
}
