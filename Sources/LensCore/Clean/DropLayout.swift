/// The file layouts GroupLens has shipped, told apart by the files a drop holds.
public enum DropLayout: String, Codable, Sendable {
    /// ml-latest, ml-latest-small, ml-20m, ml-25m, ml-32m: `movies.csv`, `ratings.csv`, ... with headers.
    case csv
    /// ml-100k: `u.data` (tab separated), `u.item` (pipe separated, 19 genre flags, Latin-1), `u.user`.
    case ml100k = "ml-100k"
    /// ml-1m: `ratings.dat`, `movies.dat`, `users.dat` with `::` separators, Latin-1.
    case ml1m = "ml-1m"
    /// ml-10m: `ratings.dat`, `movies.dat`, `tags.dat` with `::` separators, UTF-8.
    case ml10m = "ml-10m"

    /// The layout of `source`. Throws `LensError.input` naming what a drop must contain.
    public static func detect(_ source: DropSource) throws -> DropLayout {
        if source.contains("movies.csv") || source.contains("ratings.csv") { return .csv }
        if source.contains("u.data") || source.contains("u.item") { return .ml100k }
        if source.contains("ratings.dat") || source.contains("movies.dat") {
            return source.contains("tags.dat") || !source.contains("users.dat") ? .ml10m : .ml1m
        }
        throw LensError.input(file: source.path, line: nil,
                              message: "not a MovieLens drop: expected movies.csv + ratings.csv (ml-latest, ml-20m/25m/32m), u.data + u.item (ml-100k) or ratings.dat + movies.dat (ml-1m, ml-10m)")
    }

    /// The files a drop of this layout must have.
    var requiredFiles: [String] {
        switch self {
        case .csv: return ["movies.csv", "ratings.csv"]
        case .ml100k: return ["u.item", "u.data"]
        case .ml1m, .ml10m: return ["movies.dat", "ratings.dat"]
        }
    }

    /// True when the layout's text is Latin-1 (transcoded to UTF-8 while read).
    var isLatin1: Bool { self == .ml100k || self == .ml1m }
}
