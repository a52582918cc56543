import Foundation

/// Runs independent pieces of work on their own threads at once (the machine this tool is built
/// for has two cores) and waits for all of them. Every piece runs to its end even when another
/// fails, so nothing is left half-done behind the caller's back; then the first error, in the
/// order the pieces were given, is rethrown. The pieces must be independent as `forkJoin` says.
func runLanes(_ lanes: [() throws -> Void]) throws {
    let lock = NSLock()
    var errors = [Error?](repeating: nil, count: lanes.count)
    forkJoin(lanes.count) { i in
        do {
            try lanes[i]()
        } catch {
            lock.withLock { errors[i] = error }
        }
    }
    if let first = errors.compactMap({ $0 }).first { throw first }
}

/// Calls `body(0)`, ..., `body(count - 1)` on `count` threads at once (inline when `count` is 1)
/// and returns when every call has: `DispatchQueue.concurrentPerform` for a `body` that is not
/// `@Sendable`, so that it may capture the caller's variables and non-Sendable objects.
///
/// Swift 6 cannot check such a fork-join (it has no scoped threads for synchronous code), so the
/// contract is the caller's, and each call site says why it holds: the calls write disjoint
/// state (their own variables, cleaner, connection, or disjoint slots of a buffer), share other
/// state only by reading it or under a lock, and the caller touches none of it until this returns
/// (returning orders every call's writes before the caller's reads).
func forkJoin(_ count: Int, _ body: (Int) -> Void) {
    if count == 1 { return body(0) }
    withoutActuallyEscaping(body) { body in
        let shared = ForkJoinBody(body: body)
        DispatchQueue.concurrentPerform(iterations: count) { shared.body($0) }
    }
}

/// `forkJoin`'s body, handed to `concurrentPerform`'s threads.
// @unchecked Sendable: `forkJoin` waits for every call before returning, and its callers keep
// the calls independent (see `forkJoin`); the closure itself is only called, never changed.
private struct ForkJoinBody: @unchecked Sendable {
    let body: (Int) -> Void
}
