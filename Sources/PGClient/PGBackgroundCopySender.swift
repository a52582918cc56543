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
/// Use it through `withSender`, inside the `copyIn` body: it guarantees that the sending thread
/// has stopped touching the connection before `copyIn` goes on (to end the COPY, or to abort it
/// after an error), whatever the producer does. `flush` hands the full encoder to the sender and
/// gives the caller an empty one from a small pool (`depth` buffers in all, so memory stays
/// bounded); it blocks only when every buffer is waiting to be sent. After a send error the sender
/// drops the remaining buffers and `flush` throws that error, so the producer stops early.
///
/// @unchecked Sendable (the sending thread holds it): `queue`, `pool`, `error` and `cancelled`
/// are read and written under `lock`, and the semaphores are thread-safe; `finished` is touched
/// only by the thread running `withSender`; `writer` is used only by the sending thread, between
/// `init` starting it and `stopAndWait` seeing it stop, and `withSender`'s caller hands the writer
/// over for exactly that time (it does not write to it until `withSender` returns).
public final class PGBackgroundCopySender: PGCopySink, @unchecked Sendable {
    private let writer: PGCopyWriter
    private let lock = NSLock()
    private var queue: [PGBinaryCopyEncoder?] = []   // nil = no more data
    private var pool: [PGBinaryCopyEncoder] = []
    private let queued = DispatchSemaphore(value: 0)
    private let free: DispatchSemaphore
    private let stopped = DispatchSemaphore(value: 0)
    private var error: Error?
    private var cancelled = false
    private var finished = false

    /// Runs `produce` with a sender whose thread writes to `writer`. On success, whatever `produce`
    /// flushed is handed to libpq before this returns, and a send error is thrown; on an error
    /// the buffers not yet sent are dropped, the thread stops, and the error is rethrown.
    public static func withSender<T>(writer: PGCopyWriter, depth: Int = 3,
                                     _ produce: (PGBackgroundCopySender) throws -> T) throws -> T {
        let sender = PGBackgroundCopySender(writer: writer, depth: depth)
        do {
            let value = try produce(sender)
            sender.stopAndWait()
            if let error = sender.currentError() { throw error }
            return value
        } catch {
            sender.cancel()
            throw error
        }
    }

    private init(writer: PGCopyWriter, depth: Int) {
        self.writer = writer
        free = DispatchSemaphore(value: max(depth - 1, 1))
        pool = (0..<max(depth - 1, 1)).map { _ in PGBinaryCopyEncoder() }
        // The thread holds the sender until it stops: `withSender` always stops it.
        let thread = Thread { self.run() }
        thread.name = "COPY sender"
        thread.start()
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

    /// Drops what is not sent yet and stops the thread.
    private func cancel() {
        lock.lock()
        cancelled = true
        lock.unlock()
        stopAndWait()
    }

    private func stopAndWait() {
        guard !finished else { return }
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
            let skip = error != nil || cancelled
            lock.unlock()
            guard var encoder = item else { break }
            if !skip {
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
