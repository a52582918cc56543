/// The genre rollups: `rollup_genres` from the per-(part, movie) counts, and `rollup_genre_pairs`
/// from the movies alone. Genres are compared by their UTF-8 bytes, as PostgreSQL compares text
/// (`=` and `collate "C"` order); the views they replace set the semantics: genre_frequency joins
/// every listing of a genre (a movie listing it twice counts twice), genre_cooccurrence counts
/// each movie once per distinct pair.
enum GenreRollups {
    /// Per (part, genre): the ratings of the part's movies, once per listing of the genre.
    static func genres(_ movies: Rollups.Movies, of table: MoviesTable) -> Rollups.Genres {
        var listings: [Int32: [String]] = [:]
        for j in 0..<table.count where !table.genres[j].isEmpty { listings[table.movieId[j]] = table.genres[j] }
        var index: [[UInt8]: Int] = [:]
        var names: [String] = []
        var sums: [Int: (n: Int64, sum: Double)] = [:]  // part * 1_000_000 + genre index
        for i in 0..<movies.part.count {
            guard let genres = listings[movies.movieId[i]] else { continue }
            for g in genres {
                let bytes = Array(g.utf8)
                let k: Int
                if let known = index[bytes] {
                    k = known
                } else {
                    k = names.count
                    index[bytes] = k
                    names.append(g)
                }
                let key = Int(movies.part[i]) * 1_000_000 + k
                sums[key, default: (0, 0)].n += Int64(movies.nRatings[i])
                sums[key, default: (0, 0)].sum += movies.sumRating[i]
            }
        }
        var out = Rollups.Genres()
        for key in sums.keys.sorted() {
            out.part.append(Int16(key / 1_000_000))
            out.genre.append(names[key % 1_000_000])
            out.nRatings.append(sums[key]!.n)
            out.sumRating.append(sums[key]!.sum)
        }
        return out
    }

    /// Per pair of distinct genres listed on one movie (a <= b in byte order; a = b: the movies
    /// listing the genre), each movie counted once.
    static func pairs(_ table: MoviesTable) -> Rollups.GenrePairs {
        let distinct = Set(table.genres.joined().map { Array($0.utf8) })
        let ordered = distinct.sorted { $0.lexicographicallyPrecedes($1) }
        let rank = Dictionary(uniqueKeysWithValues: ordered.enumerated().map { ($1, $0) })
        let g = ordered.count
        var counts: [Int: Int64] = [:]  // a * g + b
        for genres in table.genres where !genres.isEmpty {
            let ranks = Set(genres.map { rank[Array($0.utf8)]! }).sorted()
            for (i, a) in ranks.enumerated() {
                for b in ranks[i...] { counts[a * g + b, default: 0] += 1 }
            }
        }
        var out = Rollups.GenrePairs()
        for key in counts.keys.sorted() {
            out.genreA.append(String(decoding: ordered[key / g], as: UTF8.self))
            out.genreB.append(String(decoding: ordered[key % g], as: UTF8.self))
            out.nMovies.append(counts[key]!)
        }
        return out
    }
}
