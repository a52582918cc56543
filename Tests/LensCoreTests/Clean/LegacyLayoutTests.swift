import XCTest
@testable import LensCore

/// Protects the older GroupLens layouts: ml-100k (tab/pipe, Latin-1, genre flags), ml-1m (`::`,
/// Latin-1, users) and ml-10m (`::`, UTF-8, tags) map onto the same cleaned tables, with genre
/// names mapped onto the vocabulary and every line accounted for.
final class LegacyLayoutTests: XCTestCase {
    func testMl100kLoadsReconciledWithGenresMappedAndUsers() throws {
        let source = try DropSource.open(path: try TestPaths.sharedFile("movielens/ml-100k"))
        let c = try CleanDrop.run(source: source, config: PipelineConfig())
        XCTAssertEqual(c.layout, .ml100k)
        XCTAssertTrue(c.reconciled)
        let byFile = Dictionary(uniqueKeysWithValues: c.reconciliation.map { ($0.file, $0) })
        XCTAssertEqual(byFile["u.data"]?.linesRead, 100_000)
        XCTAssertEqual(c.ratings.count, 100_000)
        XCTAssertEqual(c.movies.count, 1_682)
        XCTAssertEqual(c.users?.count, 943)
        XCTAssertEqual(c.unknownGenres, [:], "every ml-100k genre maps onto the vocabulary")
        XCTAssertEqual(c.genreAliasesApplied["Children's"], 122)
        XCTAssertEqual(c.genreAliasesApplied["unknown"], 2)
        let toyStory = try XCTUnwrap(c.movies.movieId.firstIndex(of: 1))
        XCTAssertEqual(c.movies.genres[toyStory], ["Animation", "Children", "Comedy"])
        let children = GenreVocabulary.oneHotColumns.firstIndex(of: "children")!
        XCTAssertTrue(c.movies.oneHot[children][toyStory])
        let u1 = try XCTUnwrap(c.users?.userId.firstIndex(of: 1))
        XCTAssertEqual(c.users?.age[u1], 24)
        XCTAssertEqual(c.users?.gender[u1], "M")
        XCTAssertEqual(c.users?.occupation[u1], "technician")
        XCTAssertEqual(c.users?.zipCode[u1], "85711")
        // u.data line 1 is "196\t242\t3\t881250949".
        let r = try XCTUnwrap((0..<c.ratings.count).first { c.ratings.sourceLine[$0] == 1 })
        XCTAssertEqual([c.ratings.userId[r], c.ratings.movieId[r]], [196, 242])
        XCTAssertEqual(c.ratings.rating[r], 3)
        XCTAssertEqual(c.ratings.ratedAt[r], 881_250_949)
    }

    func write(_ dir: String, _ name: String, _ bytes: [UInt8]) {
        XCTAssertTrue(FileManager.default.createFile(atPath: dir + "/" + name, contents: Data(bytes)), "could not create \(dir + "/" + name)")
    }

    func latin1(_ s: String) -> [UInt8] { s.unicodeScalars.map { UInt8($0.value) } }

    func testMl1mLatin1TitlesBecomeUTF8AndNormalise() throws {
        let dir = TestPaths.tempDir("ml1m")
        write(dir, "movies.dat", latin1("1::Toy Story (1995)::Animation|Children's|Comedy\n73::Misérables, Les (1995)::Drama|Musical\n"))
        write(dir, "ratings.dat", Array("1::1::5::978300760\n1::73::3::978302109\n2::73::x::978302110\n2::99::4::978302111\n".utf8))
        write(dir, "users.dat", Array("1::F::1::10::48067\n2::M::56::16::70072\n".utf8))
        var config = PipelineConfig()
        config.dropDate = "2003-03-01"
        let c = try CleanDrop.run(source: try DropSource.open(path: dir), config: config)
        XCTAssertEqual(c.layout, .ml1m)
        XCTAssertTrue(c.reconciled)
        XCTAssertEqual(c.movies.title, ["Toy Story (1995)", "Misérables, Les (1995)"])
        XCTAssertEqual(c.movies.titleNormalized, ["Toy Story", "Les Misérables"])
        XCTAssertEqual(c.movies.genres[0], ["Animation", "Children", "Comedy"])
        XCTAssertEqual(c.ratings.count, 2)
        XCTAssertEqual(c.quarantine.map { "\($0.file):\($0.line) \($0.reason.rawValue) \($0.raw)" },
                       ["ratings.dat:3 unparseable 2::73::x::978302110", "ratings.dat:4 orphan 2::99::4::978302111"])
        XCTAssertEqual(c.users?.gender, ["F", "M"])
        XCTAssertEqual(c.users?.age, [1, 56])
    }

    func testMl10mTagsAndInvalidUTF8AreReportedNotDropped() throws {
        let dir = TestPaths.tempDir("ml10m")
        var movies = Array("1::Toy Story (1995)::Adventure|Animation\n2::Bad ".utf8)
        movies += [0xE9]
        movies += Array(" Title (1999)::Drama\n".utf8)
        write(dir, "movies.dat", movies)
        write(dir, "ratings.dat", Array("15::1::4.5::1215184630\n".utf8))
        write(dir, "tags.dat", Array("15::1::excellent!::1215184630\n20::2::orphan now::1215184631\n".utf8))
        var config = PipelineConfig()
        config.dropDate = "2009-01-05"
        let c = try CleanDrop.run(source: try DropSource.open(path: dir), config: config)
        XCTAssertEqual(c.layout, .ml10m)
        XCTAssertTrue(c.reconciled)
        XCTAssertEqual(c.movies.movieId, [1])
        XCTAssertEqual(c.quarantine.map { "\($0.file):\($0.line) \($0.reason.rawValue)" },
                       ["movies.dat:2 invalid_utf8", "tags.dat:2 orphan"])
        XCTAssertEqual(c.tags.tag, ["excellent!"])
        XCTAssertEqual(c.ratings.rating, [4.5])
    }
}
