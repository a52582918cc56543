import Foundation

/// Runs independent pieces of work on their own threads at once (the machine this tool is built
/// for has two cores) and waits for all of them. Every piece runs to its end even when another
/// fails, so nothing is left half-done behind the caller's back; then the first error, in the
/// order the pieces were given, is rethrown.
func runLanes(_ lanes: [() throws -> Void]) throws {
    let lock = NSLock()
    var errors = [Error?](repeating: nil, count: lanes.count)
    DispatchQueue.concurrentPerform(iterations: lanes.count) { i in
        do {
            try lanes[i]()
        } catch {
            lock.lock()
            errors[i] = error
            lock.unlock()
        }
    }
    if let first = errors.compactMap({ $0 }).first { throw first }
}
