/// Title rules of PIPELINE.md stage 1: the year from a trailing `(YYYY)` and the normalised
/// title with a trailing article moved to the front. They reproduce the peers' regular
/// expressions exactly (`_common.YEAR_RE`, `_common.ARTICLE_RE`), written out by hand so that no
/// regex engine runs per movie.
public enum MovieTitle {
    /// Trailing articles MovieLens titles use, in the peers' alternation order.
    public static let articles = [
        "The", "A", "An", "Les", "La", "Le", "L'", "Il", "Lo", "Gli", "Das", "Der",
        "Die", "Ein", "Eine", "El", "Los", "Las", "Un", "Une", "Una", "Uno", "Den",
        "Det", "De", "Het", "Een", "O", "Os", "Um", "Uma",
    ]

    /// Splits a trimmed title into (title without the year, year) when it ends in `(YYYY)`,
    /// optionally followed by blanks; blanks before the parenthesis are dropped from the base.
    /// `^(.*?)[ \t]*\(([0-9]{4})\)[ \t]*$`
    public static func splitYear(_ title: String) -> (base: String, year: Int16?) {
        var u = Array(title.utf8)
        while let last = u.last, last == 0x20 || last == 0x09 { u.removeLast() }
        let n = u.count
        guard n >= 6, u[n - 1] == UInt8(ascii: ")"), u[n - 6] == UInt8(ascii: "(") else { return (title, nil) }
        var year = 0
        for i in (n - 5)...(n - 2) {
            let d = u[i]
            guard d >= 0x30 && d <= 0x39 else { return (title, nil) }
            year = year * 10 + Int(d - 0x30)
        }
        var end = n - 6
        while end > 0, u[end - 1] == 0x20 || u[end - 1] == 0x09 { end -= 1 }
        return (String(decoding: u[0..<end], as: UTF8.self), Int16(year))
    }

    /// Moves a trailing article to the front, before any alternative title in parentheses:
    /// "Matrix, The" -> "The Matrix"; "City of Lost Children, The (Cité des enfants perdus, La)"
    /// -> "The City of Lost Children (Cité des enfants perdus, La)"; "Homme, L'" -> "L'Homme".
    /// `^(.*), (ARTICLE)( \(.*\))?$`, greedy: the last ", " that fits wins.
    public static func moveArticle(_ base: String) -> String {
        let u = Array(base.utf8)
        var p = u.count - 2
        while p >= 0 {
            if u[p] == UInt8(ascii: ","), u[p + 1] == 0x20 {
                let rest = u[(p + 2)...]
                for article in articles {
                    let a = Array(article.utf8)
                    guard rest.starts(with: a) else { continue }
                    let tail = rest.dropFirst(a.count)
                    let fits = tail.isEmpty
                        || (tail.count >= 3 && tail.first == 0x20 && tail[tail.startIndex + 1] == UInt8(ascii: "(")
                            && tail.last == UInt8(ascii: ")"))
                    if fits {
                        let head = String(decoding: u[0..<p], as: UTF8.self)
                        let separator = article.hasSuffix("'") ? "" : " "
                        return article + separator + head + String(decoding: tail, as: UTF8.self)
                    }
                }
            }
            p -= 1
        }
        return base
    }

    /// The normalised title (no year, article in front) and the year of a trimmed title.
    public static func normalize(_ title: String) -> (normalized: String, year: Int16?) {
        let (base, year) = splitYear(title)
        return (moveArticle(base), year)
    }
}
