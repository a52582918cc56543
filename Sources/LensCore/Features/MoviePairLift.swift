import Dispatch

/// Association rules "users who rated A also rated B" over the train split: the table behind the
/// `movielens.movie_pair_lift` view, computed here from the ratings already in memory.
///
/// The definition is the one `sql/views/materialized/movie_pair_lift.sql` writes in SQL (that
/// file builds the table itself when a load did not bring one, e.g. a version loaded from an
/// older export), and a test holds the two equal: a basket is one train user's rated movies;
/// for movies A and B, support(A, B) = baskets with both / all baskets, confidence(A->B) =
/// support(A, B) / support(A), lift = support(A, B) / (support(A) support(B)); only pairs with
/// support(A, B) >= 0.05 are kept, one row per direction.
///
/// How: by the Apriori property only frequent movies can form a frequent pair, so each frequent
/// movie gets a bitmap of its raters (one bit per train user) and a pair's count is the popcount
/// of two bitmaps ANDed: about F^2/2 x U/64 word operations (ml-25m scale: a fraction of a
/// second on two cores, where the SQL took 16-24 s inside the loading transaction).
public struct MoviePairLift: Sendable {
    /// support(A, B) threshold, as in the SQL definition.
    public static let minSupport = 0.05

    public var antecedentId: [Int32] = []
    public var consequentId: [Int32] = []
    /// Train users who rated both.
    public var nUsers: [Int32] = []
    public var support: [Double] = []
    public var confidence: [Double] = []
    public var lift: [Double] = []
    public var antecedentSupport: [Double] = []
    public var consequentSupport: [Double] = []
    /// Train users (baskets) and the smallest co-rating count kept.
    public var baskets: Int = 0
    public var minUsers: Int = 0
    public var count: Int { antecedentId.count }

    /// The rules over the first `split.trainCount` rows (the train split). Rows are unique per
    /// (user, movie), so a movie's train count is its number of distinct raters.
    public init(split: SplitRatings) {
        let train = 0..<split.trainCount
        let users = split.rows.userId, movies = split.rows.movieId
        guard !train.isEmpty else { return }
        let maxUser = Int(users[train].max() ?? 0), maxMovie = Int(movies[train].max() ?? 0)
        guard maxUser >= 0, maxMovie >= 0, (users[train].min() ?? 0) >= 0, (movies[train].min() ?? 0) >= 0 else { return }

        // Dense user positions (bit numbers), in user id order, and per-movie train counts.
        var userPos = [Int32](repeating: -1, count: maxUser + 1)
        var movieCount = [Int32](repeating: 0, count: maxMovie + 1)
        for i in train {
            userPos[Int(users[i])] = 0
            movieCount[Int(movies[i])] += 1
        }
        var u = 0
        for id in 0...maxUser where userPos[id] == 0 {
            userPos[id] = Int32(u)
            u += 1
        }
        baskets = u
        minUsers = max(Int((Self.minSupport * Double(u)).rounded(.up)), 1)

        // Frequent movies in id order, and each one's raters as a bitmap.
        var frequentIndex = [Int32](repeating: -1, count: maxMovie + 1)
        var frequent: [Int32] = []
        for id in 0...maxMovie where Int(movieCount[id]) >= minUsers {
            frequentIndex[id] = Int32(frequent.count)
            frequent.append(Int32(id))
        }
        let f = frequent.count
        guard f >= 2 else { return }
        let words = (u + 63) / 64
        var bitmaps = [UInt64](repeating: 0, count: f * words)
        for i in train {
            let fi = frequentIndex[Int(movies[i])]
            if fi < 0 { continue }
            let bit = Int(userPos[Int(users[i])])
            bitmaps[Int(fi) * words + bit / 64] |= 1 << UInt64(bit % 64)
        }

        // Pair counts, one row of the upper triangle per task, on every core (`forkJoin`: task `a`
        // writes only row `a` of `pairCounts`; the bitmaps are only read).
        let pairCounts = UnsafeMutableBufferPointer<Int32>.allocate(capacity: f * f)
        defer { pairCounts.deallocate() }
        bitmaps.withUnsafeBufferPointer { bm in
            let base = bm.baseAddress!
            forkJoin(f) { a in
                let pa = base + a * words
                for b in (a + 1)..<f {
                    let pb = base + b * words
                    var c = 0
                    for w in 0..<words { c &+= (pa[w] & pb[w]).nonzeroBitCount }
                    pairCounts[a * f + b] = Int32(c)
                }
            }
        }

        // Rows ordered by (antecedent, consequent), both directions of each frequent pair.
        let nb = Double(u)
        for a in 0..<f {
            for b in 0..<f where b != a {
                let n = Int(pairCounts[min(a, b) * f + max(a, b)])
                if n < minUsers { continue }
                let ca = Double(movieCount[Int(frequent[a])]), cb = Double(movieCount[Int(frequent[b])])
                antecedentId.append(frequent[a])
                consequentId.append(frequent[b])
                nUsers.append(Int32(n))
                support.append(Double(n) / nb)
                confidence.append(Double(n) / ca)
                lift.append(Double(n) * nb / (ca * cb))
                antecedentSupport.append(ca / nb)
                consequentSupport.append(cb / nb)
            }
        }
    }
}
