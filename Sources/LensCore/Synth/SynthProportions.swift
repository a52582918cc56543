/// `lens synth --ratings N`: a drop of any size, every other count scaled from ml-25m's
/// proportions (docs/synth.md states the rule for users).
///
/// With f = N / 25,000,095 (ml-25m's ratings), each count is rounded half up, in integers:
/// - users = 162,541 f (at least 1);
/// - movies = 62,423 f, raised when that is too few for the users to place N ratings (every user
///   rates at most 60% of the movies) and to at least 20 (every user rates 20);
/// - links = movies (the generator writes one link per movie);
/// - tags = 1,093,360 f;
/// - genome movies = 13,816 f, raised to at least 200 (so that the default 64-component PCA has
///   movies to spare) and capped at 13,816 and at the movies; a drop of fewer than 200 movies has
///   no genome, as GroupLens' small drops (ml-latest-small, ml-100k) have none. The genome always
///   has 1,128 tags. GroupLens' genome grew with the catalogue up to ml-25m (10,381 movies in ml-20m,
///   13,816 in ml-25m) and was not extended after it (ml-32m ships none), so past ml-25m the
///   genome stays ml-25m's 15,584,448 scores, and stage 3's PCA with it.
///
/// N = 25,000,095 gives exactly the `25m` preset's sizes.
public enum SynthProportions {
    /// ml-25m's counts, the reference of the proportions.
    public static let ml25m = SynthScale.twentyFiveMillion.size
    /// The fewest ratings: one user with the 20 every MovieLens user has.
    public static let minRatings = 20
    /// The most ratings: 400 x ml-25m (about 300 GB of ratings.csv), far beyond any GroupLens
    /// release, and small enough that every count stays well inside the integer types used.
    public static let maxRatings = 10_000_000_000
    /// The fewest genome movies of a drop that has a genome: `lens run`'s PCA keeps 64
    /// components by default and needs more movies than that (200: with room to spare).
    public static let minGenomeMovies = 200

    /// The size of a drop of `ratings` rating rows (before dirt).
    /// - Throws: `LensError.config` (flag `--ratings`) when `ratings` is outside
    ///   `minRatings...maxRatings`.
    public static func size(ratings: Int) throws -> SynthSize {
        guard ratings >= minRatings && ratings <= maxRatings else {
            throw LensError.config(file: "--ratings", line: nil,
                                   message: "must be between \(minRatings) and \(maxRatings) ratings, got \(ratings)")
        }
        let reference = ml25m.ratings
        // round(count * ratings / reference), half up, exact in Int64 (count * ratings < 2^63).
        func scaled(_ count: Int) -> Int { (2 * count * ratings + reference) / (2 * reference) }
        let users = max(1, scaled(ml25m.users))
        let movies = max(scaled(ml25m.movies), fewestMovies(ratings: ratings, users: users))
        let genome = movies < minGenomeMovies ? 0 : min(max(scaled(ml25m.genomeMovies), minGenomeMovies), ml25m.genomeMovies)
        return SynthSize(ratings: ratings, users: users, movies: movies, tags: scaled(ml25m.tags), genomeMovies: genome)
    }

    /// The fewest movies (at least 20) on which `users` users can place `ratings` ratings when
    /// each rates at most `SynthSize.maxRatingsPerUser` of them.
    static func fewestMovies(ratings: Int, users: Int) -> Int {
        let perUser = (ratings + users - 1) / users
        // maxRatingsPerUser is 20 up to 33 movies, then movies * 3 / 5.
        var movies = perUser <= 20 ? 20 : (5 * perUser + 2) / 3
        func fits(_ m: Int) -> Bool {
            SynthSize(ratings: ratings, users: users, movies: m, tags: 0, genomeMovies: 0).maxRatingsPerUser >= perUser
        }
        while !fits(movies) { movies += 1 }
        return movies
    }
}
