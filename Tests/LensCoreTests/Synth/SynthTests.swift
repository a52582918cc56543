import Foundation
import XCTest

@testable import LensCore

/// `lens synth`: the generated drop is reproducible, counted exactly, shaped like a GroupLens
/// drop, and reconciles through the real cleaning stage against its own dirty.json.
final class SynthTests: XCTestCase {
    static let files = ["movies.csv", "links.csv", "ratings.csv", "tags.csv", "genome-tags.csv", "genome-scores.csv",
                        "README.txt", "dirty.json"]

    private func generate(_ options: SynthOptions) throws -> (String, SynthSummary) {
        let dir = TestPaths.tempDir("synth")
        addTeardownBlock { try? FileManager.default.removeItem(atPath: dir) }
        let summary = try Synth.run(out: dir, options: options)
        return (dir, summary)
    }

    private func digests(_ dir: String) throws -> [String: String] {
        var d: [String: String] = [:]
        for f in Self.files { d[f] = Hex.encode(try sha256(ofFileAt: dir + "/" + f)) }
        return d
    }

    private func lines(_ path: String) throws -> [Substring] {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        XCTAssertTrue(text.hasSuffix("\n"), "\(path) ends with a newline")
        return text.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map { $0 }
    }

    /// Protects reproducibility: the same seed and options give the same bytes in every file,
    /// whatever the number of threads (1 or 3 here); the output depends on nothing else. The
    /// size spans several chunks of users and of genome movies, the units of parallel work.
    func testSameSeedGivesIdenticalBytesWhateverTheThreads() throws {
        let size = SynthSize(ratings: 60_000, users: 3 * Synth.usersPerChunk - 50, movies: 2_000, tags: 500,
                             genomeMovies: 3 * Synth.genomeMoviesPerChunk + 10)
        let (a, _) = try generate(SynthOptions(size: size, seed: 7, dirtyRate: 0.01, workers: 1))
        let (b, _) = try generate(SynthOptions(size: size, seed: 7, dirtyRate: 0.01, workers: 3))
        XCTAssertEqual(try digests(a), try digests(b))
    }

    /// Protects "byte-identical on any machine": the default sample drop hashes to pinned values,
    /// so a change of toolchain, platform or generator code that moves one byte is caught.
    /// (If the generator is changed on purpose, update the pins and say so in the commit.)
    func testDefaultSampleDropIsPinned() throws {
        let (dir, _) = try generate(SynthOptions(scale: .sample, dirtyRate: 0.002, workers: 2))
        let d = try digests(dir)
        let pinned = SynthPins.sampleSeedDefaultDirty0002
        for f in Self.files { XCTAssertEqual(d[f], pinned[f], f) }
    }

    /// Protects the seed actually mattering: a different seed gives different data in every
    /// random file (the genome tag names, README aside, are fixed).
    func testDifferentSeedGivesDifferentBytes() throws {
        let (a, _) = try generate(SynthOptions(scale: .sample, seed: 1))
        let (b, _) = try generate(SynthOptions(scale: .sample, seed: 2))
        let da = try digests(a), db = try digests(b)
        for f in ["movies.csv", "links.csv", "ratings.csv", "tags.csv", "genome-scores.csv"] {
            XCTAssertNotEqual(da[f], db[f], f)
        }
        XCTAssertEqual(da["genome-tags.csv"], db["genome-tags.csv"])
    }

    /// Protects the counts: the rows of every file match the summary and dirty.json, and the
    /// dirt adds exactly the rows it says it adds.
    func testCountsMatchSummaryAndDirtyJSON() throws {
        let (dir, s) = try generate(SynthOptions(scale: .sample, seed: 3, dirtyRate: 0.02))
        struct DirtyFile: Decodable {
            var scale: String
            var seed: UInt64
            var movies: Int
            var rating_lines: Int
            var users: Int
            var tags: Int
            var genome_scores: Int
            var dirty: [String: Int]
        }
        let d = try JSONDecoder().decode(DirtyFile.self, from: Data(contentsOf: URL(fileURLWithPath: dir + "/dirty.json")))
        XCTAssertEqual(try lines(dir + "/movies.csv").count - 1, s.movies)
        XCTAssertEqual(try lines(dir + "/links.csv").count - 1, s.links)
        XCTAssertEqual(try lines(dir + "/ratings.csv").count - 1, s.ratingLines)
        XCTAssertEqual(try lines(dir + "/tags.csv").count - 1, s.tags)
        XCTAssertEqual(try lines(dir + "/genome-tags.csv").count - 1, 1_128)
        XCTAssertEqual(try lines(dir + "/genome-scores.csv").count - 1, s.genomeScores)
        XCTAssertEqual(s.genomeScores, 70 * 1_128)
        XCTAssertEqual(s.ratings, SynthScale.sample.size.ratings)
        XCTAssertEqual(s.ratingLines, s.ratings + s.dirty.addedLines)
        XCTAssertEqual(d.scale, "sample")
        XCTAssertEqual(d.seed, 3)
        XCTAssertEqual(d.movies, s.movies)
        XCTAssertEqual(d.rating_lines, s.ratingLines)
        XCTAssertEqual(d.users, s.users)
        XCTAssertEqual(d.tags, s.tags)
        XCTAssertEqual(d.genome_scores, s.genomeScores)
        XCTAssertEqual(d.dirty, ["exact_duplicate": s.dirty.exactDuplicate, "key_duplicate_later": s.dirty.keyDuplicateLater,
                                 "rating_out_of_range": s.dirty.ratingOutOfRange, "blank_field": s.dirty.blankField,
                                 "truncated_line": s.dirty.truncatedLine, "unknown_movie": s.dirty.unknownMovie])
        for (file, size) in s.bytes {
            let attributes = try FileManager.default.attributesOfItem(atPath: dir + "/" + file)
            XCTAssertEqual((attributes[.size] as? NSNumber)?.int64Value, size, file)
        }
    }

    /// Protects the contract between the generator and stage 1: the real cleaning stage puts
    /// every injected row in the bucket dirty.json names, and every file reconciles.
    func testSampleDropReconcilesThroughCleaningAgainstDirtyJSON() throws {
        let (dir, s) = try generate(SynthOptions(scale: .sample, seed: 11, dirtyRate: 0.01))
        // Every kind of dirt is present, so each bucket is really tested.
        for (kind, n) in [("exact", s.dirty.exactDuplicate), ("later", s.dirty.keyDuplicateLater),
                          ("range", s.dirty.ratingOutOfRange), ("blank", s.dirty.blankField),
                          ("truncated", s.dirty.truncatedLine), ("unknown", s.dirty.unknownMovie)] {
            XCTAssertGreaterThan(n, 0, kind)
        }
        struct DirtyFile: Decodable {
            var rating_lines: Int
            var dirty: [String: Int]
        }
        let d = try JSONDecoder().decode(DirtyFile.self, from: Data(contentsOf: URL(fileURLWithPath: dir + "/dirty.json")))
        let c = try CleanDrop.run(source: try DropSource.open(path: dir), config: PipelineConfig())
        XCTAssertTrue(c.reconciled)
        XCTAssertEqual(c.dropDate, "2019-11-21")
        XCTAssertEqual(c.dropDateSource, "README.txt")
        let r = try XCTUnwrap(c.reconciliation.first { $0.file == "ratings.csv" })
        XCTAssertEqual(r.linesRead, d.rating_lines)
        XCTAssertEqual(r.duplicates, d.dirty["exact_duplicate"])
        XCTAssertEqual(r.superseded, d.dirty["key_duplicate_later"])
        XCTAssertEqual(r.orphans, d.dirty["unknown_movie"])
        XCTAssertEqual(r.rejected, d.dirty["blank_field"]! + d.dirty["truncated_line"]!)
        XCTAssertEqual(c.caps.ratingOutOfRange, d.dirty["rating_out_of_range"])
        XCTAssertEqual(c.caps.ratingOffGrid, 0)
        XCTAssertEqual(c.caps.ratedAtBelow + c.caps.ratedAtAbove, 0)
        XCTAssertEqual(r.clean, s.ratings - s.dirty.blankField - s.dirty.truncatedLine)
        let reasons = Dictionary(grouping: c.quarantine.filter { $0.file == "ratings.csv" }, by: \.reason).mapValues(\.count)
        XCTAssertEqual(reasons[.blankField], d.dirty["blank_field"])
        XCTAssertEqual(reasons[.fieldCount], d.dirty["truncated_line"])
        XCTAssertEqual(reasons[.orphan], d.dirty["unknown_movie"])
        // The other files are clean: nothing rejected, nothing orphaned.
        for f in c.reconciliation where f.file != "ratings.csv" {
            XCTAssertEqual(f.clean, f.linesRead, f.file)
        }
        XCTAssertEqual(c.movies.movieId.count, s.movies)
        XCTAssertEqual(c.genomeScores?.count, s.genomeScores)
        XCTAssertTrue(c.unknownGenres.isEmpty, "\(c.unknownGenres)")
    }

    /// Protects the shape of ratings.csv: every user has at least 20 ratings (before dirt),
    /// rows are sorted by user then movie with one row per pair, ratings are half stars in
    /// [0.5, 5], timestamps lie in 1995-01-09 ... 2019-11-21, and activity is heavy-tailed.
    func testRatingsShape() throws {
        let (dir, s) = try generate(SynthOptions(scale: .sample, seed: 5))
        var perUser: [Int: Int] = [:]
        var previous = (0, 0)
        var ratingCounts: [Int: Int] = [:]
        for line in try lines(dir + "/ratings.csv").dropFirst() {
            let f = line.split(separator: ",", omittingEmptySubsequences: false)
            XCTAssertEqual(f.count, 4, String(line))
            let user = Int(f[0])!, movie = Int(f[1])!, rating = Double(f[2])!, ts = Int64(f[3])!
            XCTAssertTrue((user, movie) > previous, "not sorted at \(line)")
            previous = (user, movie)
            XCTAssertTrue(rating >= 0.5 && rating <= 5 && (rating * 2).rounded() == rating * 2, String(line))
            XCTAssertTrue(ts >= Synth.firstTime && ts <= Synth.lastTime, String(line))
            perUser[user, default: 0] += 1
            ratingCounts[Int(rating * 2), default: 0] += 1
        }
        XCTAssertEqual(perUser.count, s.users)
        XCTAssertGreaterThanOrEqual(perUser.values.min()!, 20)
        XCTAssertEqual(perUser.values.reduce(0, +), s.ratings)
        let counts = perUser.values.sorted()
        XCTAssertGreaterThan(Double(counts.last!), 4 * Double(counts[counts.count / 2]), "a heavy tail of activity")
        XCTAssertEqual(ratingCounts.count, 10, "every half star occurs")
    }

    /// Protects CSV correctness of the text columns: a title or tag with a comma or a quote is
    /// quoted (quotes doubled), and there are such titles, trailing articles, titles without
    /// a year and movies without genres; links keep 7-digit imdbIds and some tmdbIds are empty.
    func testTitlesTagsAndLinksAreWellFormed() throws {
        let (dir, _) = try generate(SynthOptions(scale: .sample, seed: 9))
        var commas = 0, quotes = 0, articles = 0, noYear = 0, noGenres = 0
        for line in try lines(dir + "/movies.csv").dropFirst() {
            let first = line.firstIndex(of: ",")!, last = line.lastIndex(of: ",")!
            let raw = line[line.index(after: first)..<last]
            let genres = line[line.index(after: last)...]
            var title = String(raw)
            if raw.first == "\"" {
                XCTAssertEqual(raw.last, "\"", String(line))
                let inner = String(raw.dropFirst().dropLast())
                XCTAssertFalse(inner.replacingOccurrences(of: "\"\"", with: "").contains("\""), "undoubled quote: \(line)")
                title = inner.replacingOccurrences(of: "\"\"", with: "\"")
                XCTAssertTrue(title.contains(",") || title.contains("\""), "needlessly quoted: \(line)")
            } else {
                XCTAssertFalse(raw.contains(",") || raw.contains("\""), "unquoted comma or quote: \(line)")
            }
            if title.contains(",") { commas += 1 }
            if title.contains("\"") { quotes += 1 }
            if title.range(of: #", (The|A|An|La|Le|Les|L'|Il|Das|Der|Die|El|Los|Las)( \(\d{4}\))?$"#, options: .regularExpression) != nil {
                articles += 1
            }
            if title.range(of: #" \(\d{4}\)$"#, options: .regularExpression) == nil { noYear += 1 }
            if genres == "(no genres listed)" {
                noGenres += 1
            } else {
                for g in genres.split(separator: "|") { XCTAssertTrue(Synth.genres.contains(String(g)), String(line)) }
            }
        }
        XCTAssertGreaterThan(commas, 0)
        XCTAssertGreaterThan(quotes, 0)
        XCTAssertGreaterThan(articles, 0)
        XCTAssertGreaterThan(noYear, 0)
        XCTAssertGreaterThan(noGenres, 0)

        var quotedTags = 0
        for line in try lines(dir + "/tags.csv").dropFirst() {
            if line.contains("\"") {
                quotedTags += 1
                XCTAssertNotNil(line.range(of: #"^\d+,\d+,"([^"]|"")*",\d+$"#, options: .regularExpression), String(line))
            } else {
                XCTAssertEqual(line.split(separator: ",").count, 4, String(line))
            }
        }
        XCTAssertGreaterThan(quotedTags, 0)

        var emptyTmdb = 0
        for line in try lines(dir + "/links.csv").dropFirst() {
            let f = line.split(separator: ",", omittingEmptySubsequences: false)
            XCTAssertEqual(f.count, 3)
            XCTAssertGreaterThanOrEqual(f[1].count, 7, String(line))
            if f[2].isEmpty { emptyTmdb += 1 }
        }
        XCTAssertGreaterThan(emptyTmdb, 0)  // ~0.5% of 1,200 (seed 9 has some)
    }

    /// Protects the genome: every genome movie has all 1,128 tags in order, relevances are
    /// 5-decimal values in [0.00025, 1], the movies are the most-rated ones, and tag names are
    /// generated ("tag N"), never GroupLens'.
    func testGenomeShape() throws {
        let (dir, s) = try generate(SynthOptions(scale: .sample, seed: 4))
        let tagLines = try lines(dir + "/genome-tags.csv")
        XCTAssertEqual(tagLines[1], "1,tag 1")
        XCTAssertEqual(tagLines.last, "1128,tag 1128")
        var perMovie: [Int: Int] = [:]
        var low = 0, n = 0
        for line in try lines(dir + "/genome-scores.csv").dropFirst() {
            let f = line.split(separator: ",")
            let movie = Int(f[0])!, tag = Int(f[1])!
            XCTAssertEqual(tag, perMovie[movie, default: 0] + 1)
            perMovie[movie, default: 0] += 1
            let v = Double(f[2])!
            XCTAssertTrue(v >= 0.00025 && v <= 1, String(line))
            XCTAssertLessThanOrEqual(f[2].count, 7, String(line))
            if v < 0.2 { low += 1 }
            n += 1
        }
        XCTAssertEqual(perMovie.count, s.genomeMovies)
        XCTAssertTrue(perMovie.values.allSatisfy { $0 == 1_128 })
        XCTAssertGreaterThan(Double(low) / Double(n), 0.5, "most relevances are low, as in the real genome")
        // The genome movies are the most-rated: none of the others has more ratings than the least-rated of them.
        var ratings: [Int: Int] = [:]
        for line in try lines(dir + "/ratings.csv").dropFirst() {
            ratings[Int(line.split(separator: ",")[1])!, default: 0] += 1
        }
        let genomeMin = perMovie.keys.map { ratings[$0] ?? 0 }.min()!
        let othersMax = ratings.filter { perMovie[$0.key] == nil }.values.max()!
        XCTAssertGreaterThanOrEqual(genomeMin, othersMax)
    }

    /// Protects clear refusals: sizes that cannot be honoured and a dirt rate out of range are
    /// configuration errors naming the problem, before anything is written.
    func testImpossibleOptionsAreConfigErrors() {
        let tooFew = SynthOptions(size: SynthSize(ratings: 100, users: 10, movies: 50, tags: 0, genomeMovies: 0))
        XCTAssertThrowsError(try Synth.run(out: "/nonexistent/never", options: tooFew)) { error in
            guard case LensError.config(_, _, let message) = error else { return XCTFail("\(error)") }
            XCTAssertTrue(message.contains("20 ratings"), message)
        }
        XCTAssertThrowsError(try Synth.run(out: "/nonexistent/never", options: SynthOptions(dirtyRate: 0.9))) { error in
            guard case LensError.config(let flag, _, _) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(flag, "--dirty")
        }
    }

    /// Protects the deterministic math the generator depends on: exp, log and sin/cos(2πu)
    /// agree with the C library to a few ulps over the ranges used.
    func testDeterministicMathMatchesLibm() {
        var rng = SynthRNG(seed: 1, stream: .movies)
        for _ in 0..<20_000 {
            let u = rng.uniform()
            let x = (u - 0.5) * 80
            XCTAssertEqual(DetMath.exp(x), Foundation.exp(x), accuracy: Foundation.exp(x) * 1e-14)
            let y = 1.0 - u
            XCTAssertEqual(DetMath.log(y), Foundation.log(y), accuracy: 1e-15 * max(1, abs(Foundation.log(y))))
            let (s, c) = DetMath.sinCos2Pi(u)
            XCTAssertEqual(s, Foundation.sin(2 * Double.pi * u), accuracy: 1e-14)
            XCTAssertEqual(c, Foundation.cos(2 * Double.pi * u), accuracy: 1e-14)
        }
        // Normals: mean 0, variance 1.
        var sum = 0.0, sum2 = 0.0
        let n = 200_000
        for _ in 0..<n {
            let z = rng.normal()
            sum += z
            sum2 += z * z
        }
        XCTAssertEqual(sum / Double(n), 0, accuracy: 0.01)
        XCTAssertEqual(sum2 / Double(n), 1, accuracy: 0.01)
    }
}
