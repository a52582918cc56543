import Foundation

/// Where a COPY producer sends a full encoder: straight to libpq (`PGCopyWriter`) or through a
/// `PGBackgroundCopySender`.
public protocol PGCopySink: AnyObject {
    /// Takes the encoder's bytes and leaves it empty (its capacity kept, or a fresh buffer).
    func flush(_ encoder: inout PGBinaryCopyEncoder) throws
}

extension PGCopyWriter: PGCopySink {}

/// Sends COPY data on a thread of its own, so that encoding the next rows overlaps with libpq
/// waiting for the server to take the previous ones. With one thread doing both, a COPY takes the
/// client's encoding time plus the server's time; with this, about the longer of the two.
///
/// `flush` hands the full encoder to the sender and gives the caller an empty one from a small
/// pool (`depth` buffers in all, so memory stays bounded); it blocks only when every buffer is
/// waiting to be sent. `finish()` sends what is left, waits, and rethrows a send error. After a
/// send error the sender drops the remaining buffers and `flush` throws that error, so the
/// producer stops early; the caller's `copyIn` then aborts the COPY. Use from one producer thread,
/// inside the `copyIn` body, and call `finish()` before that body returns.
public final class PGBackgroundCopySender: PGCopySink {
    private let writer: PGCopyWriter
    private let lock = NSLock()
    private var queue: [PGBinaryCopyEncoder?] = []   // nil = no more data
    private var pool: [PGBinaryCopyEncoder] = []
    private let queued = DispatchSemaphore(value: 0)
    private let free: DispatchSemaphore
    private let stopped = DispatchSemaphore(value: 0)
    private var error: Error?
    private var finished = false

    public init(writer: PGCopyWriter, depth: Int = 3) {
        self.writer = writer
        free = DispatchSemaphore(value: max(depth - 1, 1))
        pool = (0..<max(depth - 1, 1)).map { _ in PGBinaryCopyEncoder() }
        let thread = Thread { [unowned self] in self.run() }
        thread.name = "lens COPY sender"
        thread.start()
    }

    deinit {
        // A producer that threw before finish() still owes the thread its end mark.
        if !finished { stopAndWait() }
    }

    public func flush(_ encoder: inout PGBinaryCopyEncoder) throws {
        if let error = currentError() { throw error }
        free.wait()
        lock.lock()
        let empty = pool.removeLast()
        queue.append(encoder)
        lock.unlock()
        queued.signal()
        encoder = empty
    }

    /// Sends `encoder`'s remaining bytes, waits until everything is handed to libpq, and throws
    /// the first send error.
    public func finish(_ encoder: inout PGBinaryCopyEncoder) throws {
        try flush(&encoder)
        stopAndWait()
        if let error = currentError() { throw error }
    }

    private func stopAndWait() {
        finished = true
        lock.lock()
        queue.append(nil)
        lock.unlock()
        queued.signal()
        stopped.wait()
    }

    private func currentError() -> Error? {
        lock.lock()
        defer { lock.unlock() }
        return error
    }

    private func run() {
        while true {
            queued.wait()
            lock.lock()
            let item = queue.removeFirst()
            let failed = error != nil
            lock.unlock()
            guard var encoder = item else { break }
            if !failed {
                do {
                    try writer.flush(&encoder)
                } catch {
                    lock.lock()
                    self.error = error
                    lock.unlock()
                }
            }
            encoder.reset()
            lock.lock()
            pool.append(encoder)
            lock.unlock()
            free.signal()
        }
        stopped.signal()
    }
}
