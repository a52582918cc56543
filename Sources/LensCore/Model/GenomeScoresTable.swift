/// Cleaned `genome-scores`, in file order; relevance capped to [0, 1].
///
/// Why the ids are not two plain columns: at ml-25m the genome has 15.6M rows, so each Int32 id
/// column is 62 MB, held from ingest to load. GroupLens genomes (and lens's synthetic ones) are a
/// complete grid in file order: for each movie in turn, every genome tag in the same order. While
/// the rows follow that pattern the ids are kept as the grid (`GenomeIdGrid`: one movie id per
/// block and the tag ids of one block, a few kilobytes); the first row that breaks it turns the
/// ids into explicit columns (the grid materialized, then appended to). Either way every row reads
/// back exactly as appended, in the same order: a shuffled or incomplete genome only saves nothing.
public struct GenomeScoresTable: Sendable {
    /// How the ids of the rows are stored.
    public enum Ids: Sendable {
        /// Row i is `(blockMovieIds[i / tagCycle.count], tagCycle[i % tagCycle.count])`; the last
        /// block may be partial. Both arrays are empty for an empty table.
        case grid(blockMovieIds: [Int32], tagCycle: [Int32])
        /// One movie id and one tag id per row.
        case explicit(movieId: [Int32], tagId: [Int32])
    }

    /// One relevance per row.
    public private(set) var relevance: [Float] = []
    /// The ids while every row so far follows the grid; nil once a row broke it.
    private var grid: GenomeIdGrid? = GenomeIdGrid()
    /// The movie ids once a row broke the grid (empty before).
    private var movieIdColumn: [Int32] = []
    /// The tag ids once a row broke the grid (empty before).
    private var tagIdColumn: [Int32] = []

    /// An empty table (a grid until a row breaks the pattern).
    public init() {}

    /// A table of the given rows, in this order: their ids as a grid when they form one, else
    /// these two columns as given (shared, not copied).
    /// - Precondition: the three columns have the same length (`ParquetImport` checks it first).
    public init(movieId: [Int32], tagId: [Int32], relevance: [Float]) {
        precondition(movieId.count == relevance.count && tagId.count == relevance.count,
                     "genome score columns differ in length: movieId \(movieId.count), tagId \(tagId.count), relevance \(relevance.count)")
        self.relevance = relevance
        var g = GenomeIdGrid()
        let fits = movieId.withUnsafeBufferPointer { m in
            tagId.withUnsafeBufferPointer { t in
                for i in 0..<m.count where !g.append(movieId: m[i], tagId: t[i]) { return false }
                return true
            }
        }
        if fits {
            grid = g
        } else {
            grid = nil
            movieIdColumn = movieId
            tagIdColumn = tagId
        }
    }

    /// Rows held.
    public var count: Int { relevance.count }

    /// True while the ids are stored as a grid.
    public var isGrid: Bool { grid != nil }

    /// The ids as stored, for the readers that go block by block (the PCA fills matrix rows).
    public var ids: Ids {
        if let grid { return .grid(blockMovieIds: grid.blockMovieIds, tagCycle: grid.tagCycle) }
        return .explicit(movieId: movieIdColumn, tagId: tagIdColumn)
    }

    /// Appends one row. The first row that does not follow the grid materializes the ids held
    /// so far as columns (reserved like `relevance`, which grows the same way) before appending.
    @inline(__always)
    public mutating func append(movieId: Int32, tagId: Int32, relevance value: Float) {
        relevance.append(value)
        switch grid?.append(movieId: movieId, tagId: tagId) {
        case true?:
            return
        case false?:
            let held = grid!.columns(in: 0..<grid!.count)
            grid = nil
            movieIdColumn.reserveCapacity(relevance.capacity)
            tagIdColumn.reserveCapacity(relevance.capacity)
            movieIdColumn += held.movieId
            tagIdColumn += held.tagId
        case nil:
            break
        }
        movieIdColumn.append(movieId)
        tagIdColumn.append(tagId)
    }

    /// The movie id of row `row` (0 ..< count).
    public func movieId(at row: Int) -> Int32 {
        grid?.movieId(at: row) ?? movieIdColumn[row]
    }

    /// The tag id of row `row` (0 ..< count).
    public func tagId(at row: Int) -> Int32 {
        grid?.tagId(at: row) ?? tagIdColumn[row]
    }

    /// The ids of rows `range` as columns, e.g. one Parquet row group's worth (a grid then
    /// materializes only that range).
    public func idColumns(in range: Range<Int>) -> (movieId: [Int32], tagId: [Int32]) {
        if let grid { return grid.columns(in: range) }
        return (Array(movieIdColumn[range]), Array(tagIdColumn[range]))
    }

    /// Calls `body` with every row in order. A grid is walked block by block (its movie id once
    /// per block, the tag from the cycle), so there is no division per row.
    @inline(__always)
    public func forEachRow<E: Error>(
        _ body: (_ movieId: Int32, _ tagId: Int32, _ relevance: Float) throws(E) -> Void
    ) throws(E) {
        if let grid {
            try relevance.withUnsafeBufferPointer { (r) throws(E) in
                try grid.tagCycle.withUnsafeBufferPointer { (tags) throws(E) in
                    for (block, movieId) in grid.blockMovieIds.enumerated() {
                        let rows = grid.rows(ofBlock: block)
                        for j in 0..<rows.count { try body(movieId, tags[j], r[rows.lowerBound &+ j]) }
                    }
                }
            }
            return
        }
        try movieIdColumn.withUnsafeBufferPointer { (m) throws(E) in
            try tagIdColumn.withUnsafeBufferPointer { (t) throws(E) in
                try relevance.withUnsafeBufferPointer { (r) throws(E) in
                    for i in 0..<r.count { try body(m[i], t[i], r[i]) }
                }
            }
        }
    }
}

extension GenomeScoresTable: Equatable {
    /// Equal when both hold the same rows in the same order, whatever the layout of their ids.
    public static func == (a: GenomeScoresTable, b: GenomeScoresTable) -> Bool {
        guard a.relevance == b.relevance else { return false }
        if let x = a.grid, let y = b.grid { return x.blockMovieIds == y.blockMovieIds && x.tagCycle == y.tagCycle }
        let all = 0..<a.count
        return a.idColumns(in: all) == b.idColumns(in: all)
    }
}
