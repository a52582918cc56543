import XCTest
@testable import LensCore

/// Protects the title rules: year extraction and article moving must match the peers' regexes
/// (`_common.YEAR_RE`, `ARTICLE_RE`) on the shapes MovieLens titles take.
final class MovieTitleTests: XCTestCase {
    func testYearIsTakenFromATrailingParenthesisOnly() {
        XCTAssertEqual(MovieTitle.splitYear("Toy Story (1995)").base, "Toy Story")
        XCTAssertEqual(MovieTitle.splitYear("Toy Story (1995)").year, 1995)
        XCTAssertEqual(MovieTitle.splitYear("Babylon 5").year, nil)
        XCTAssertEqual(MovieTitle.splitYear("Babylon 5").base, "Babylon 5")
        XCTAssertEqual(MovieTitle.splitYear("1984 (1956) ").year, 1956)
        XCTAssertEqual(MovieTitle.splitYear("Borat (2006 )").year, nil)
        XCTAssertEqual(MovieTitle.splitYear("Hyena Road (2015)").base, "Hyena Road")
        XCTAssertEqual(MovieTitle.splitYear("Big  \t(2000)").base, "Big")
    }

    func testTrailingArticleMovesToTheFront() {
        XCTAssertEqual(MovieTitle.normalize("Matrix, The (1999)").normalized, "The Matrix")
        XCTAssertEqual(MovieTitle.normalize("American President, The (1995)").normalized, "The American President")
        XCTAssertEqual(MovieTitle.normalize("Man and a Woman, A (Un homme et une femme) (1966)").normalized,
                       "A Man and a Woman (Un homme et une femme)")
        XCTAssertEqual(MovieTitle.normalize("City of Lost Children, The (Cité des enfants perdus, La) (1995)").normalized,
                       "The City of Lost Children (Cité des enfants perdus, La)")
        XCTAssertEqual(MovieTitle.normalize("Misérables, Les (1995)").normalized, "Les Misérables")
        XCTAssertEqual(MovieTitle.normalize("Homme qui aimait les femmes, L' (1977)").normalized, "L'Homme qui aimait les femmes")
        XCTAssertEqual(MovieTitle.normalize("Good, the Bad and the Ugly, The (1966)").normalized, "The Good, the Bad and the Ugly")
        XCTAssertEqual(MovieTitle.normalize("Hello, Dolly! (1969)").normalized, "Hello, Dolly!")
        XCTAssertEqual(MovieTitle.normalize("Rocky (1976)").normalized, "Rocky")
        XCTAssertEqual(MovieTitle.normalize("Year One, An").normalized, "An Year One")
    }
}
