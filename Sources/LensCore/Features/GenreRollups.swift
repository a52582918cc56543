/// The genre rollups: `rollup_genres` from the per-(part, movie) counts, and `rollup_genre_pairs`
/// from the movies alone. Genres are compared by their UTF-8 bytes, as PostgreSQL compares text
/// (`=` and `collate "C"` order); the views they replace set the semantics: genre_frequency joins
/// every listing of a genre (a movie listing it twice counts twice), genre_cooccurrence counts
/// each movie once per distinct pair.
enum GenreRollups {
    /// Per (part, genre): the ratings of the part's movies, once per listing of the genre.
    static func genres(_ movies: Rollups.Movies, of table: MoviesTable) -> Rollups.Genres {
        // each movie's listings as genre indexes, once; then one lookup per (part, movie) row
        var index: [[UInt8]: Int] = [:]
        var names: [String] = []
        var listings: [Int32: [Int]] = [:]
        for j in 0..<table.count where !table.genres[j].isEmpty {
            listings[table.movieId[j]] = table.genres[j].map { g in
                let bytes = Array(g.utf8)
                if let known = index[bytes] { return known }
                index[bytes] = names.count
                names.append(g)
                return names.count - 1
            }
        }
        let parts = Int(movies.part.max() ?? -1) + 1
        var n = [Int64](repeating: 0, count: parts * names.count)
        var sum = [Double](repeating: 0, count: parts * names.count)
        for i in 0..<movies.part.count {
            guard let genres = listings[movies.movieId[i]] else { continue }
            let row = Int(movies.part[i]) * names.count
            for g in genres {
                n[row + g] += Int64(movies.nRatings[i])
                sum[row + g] += movies.sumRating[i]
            }
        }
        var out = Rollups.Genres()
        for k in 0..<n.count where n[k] > 0 {
            out.part.append(Int16(k / names.count))
            out.genre.append(names[k % names.count])
            out.nRatings.append(n[k])
            out.sumRating.append(sum[k])
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
