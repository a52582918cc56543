/// The (movieId, tagId) pairs of genome scores that form a movie-major, tag-minor grid, stored as
/// one movie id per block and the tag ids of one block: row i is
/// `(blockMovieIds[i / cycle], tagCycle[i % cycle])` with `cycle = tagCycle.count`, and the last
/// block may be partial. The cycle is the first movie's run of rows; any rows that fit the
/// formula are a grid (a movie may come back, a tag may repeat in the cycle: it stays lossless,
/// and the PCA still reports such duplicates).
struct GenomeIdGrid: Sendable {
    /// The movie id of each block, in row order (one per block started).
    private(set) var blockMovieIds: [Int32] = []
    /// The tag ids of one block, in row order. Grows with the first movie's rows until a second
    /// movie starts a block, which fixes it.
    private(set) var tagCycle: [Int32] = []
    /// Rows held.
    private(set) var count = 0
    /// True once a second block has started: from then on `tagCycle` no longer grows.
    private var cycleClosed = false
    /// The cycle position of the next row, once the cycle is closed.
    private var position = 0

    /// Appends the ids of the next row if they follow the grid and returns true; otherwise
    /// returns false and leaves the grid as it was (the caller then stores ids explicitly).
    @inline(__always)
    mutating func append(movieId: Int32, tagId: Int32) -> Bool {
        if cycleClosed {
            if position == 0 {
                guard tagId == tagCycle[0] else { return false }
                blockMovieIds.append(movieId)
            } else {
                guard movieId == blockMovieIds[blockMovieIds.count - 1], tagId == tagCycle[position] else { return false }
            }
            position += 1
            if position == tagCycle.count { position = 0 }
        } else if let first = blockMovieIds.first {
            if movieId == first {
                tagCycle.append(tagId)
            } else {
                // A second movie: the cycle is the first movie's run, and this row starts block 1.
                guard tagId == tagCycle[0] else { return false }
                blockMovieIds.append(movieId)
                cycleClosed = true
                position = tagCycle.count == 1 ? 0 : 1
            }
        } else {
            blockMovieIds.append(movieId)
            tagCycle.append(tagId)
        }
        count += 1
        return true
    }

    /// The rows of block `block`: `block * cycle ..< min((block + 1) * cycle, count)`.
    @inline(__always)
    func rows(ofBlock block: Int) -> Range<Int> {
        let start = block &* tagCycle.count
        return start..<min(start &+ tagCycle.count, count)
    }

    /// The movie id of row `row` (0 ..< count).
    func movieId(at row: Int) -> Int32 {
        precondition(row >= 0 && row < count, "genome score row \(row) is outside 0..<\(count)")
        return blockMovieIds[row / tagCycle.count]
    }

    /// The tag id of row `row` (0 ..< count).
    func tagId(at row: Int) -> Int32 {
        precondition(row >= 0 && row < count, "genome score row \(row) is outside 0..<\(count)")
        return tagCycle[row % tagCycle.count]
    }

    /// The ids of rows `range` as explicit columns: one division for the first row, then the
    /// block and cycle position advance row by row.
    func columns(in range: Range<Int>) -> (movieId: [Int32], tagId: [Int32]) {
        precondition(range.lowerBound >= 0 && range.upperBound <= count, "genome score rows \(range) are outside 0..<\(count)")
        var movieIds = [Int32](repeating: 0, count: range.count)
        var tagIds = [Int32](repeating: 0, count: range.count)
        guard !range.isEmpty else { return (movieIds, tagIds) }
        let cycle = tagCycle.count
        var block = range.lowerBound / cycle
        var position = range.lowerBound % cycle
        blockMovieIds.withUnsafeBufferPointer { movies in
            tagCycle.withUnsafeBufferPointer { tags in
                movieIds.withUnsafeMutableBufferPointer { mo in
                    tagIds.withUnsafeMutableBufferPointer { to in
                        for i in 0..<range.count {
                            mo[i] = movies[block]
                            to[i] = tags[position]
                            position &+= 1
                            if position == cycle {
                                position = 0
                                block &+= 1
                            }
                        }
                    }
                }
            }
        }
        return (movieIds, tagIds)
    }
}
