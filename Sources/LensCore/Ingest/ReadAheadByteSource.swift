import Foundation

/// Reads another ``ByteSource`` ahead on a background thread, so that producing the bytes
/// (inflating a zip entry, the `read(2)` copy) overlaps with consuming them (splitting and
/// parsing lines). On two cores this turns "inflate, then parse" into "inflate while parsing".
///
/// The wrapped source is read in chunks of `chunkSize` bytes into at most `depth` buffers; the
/// consumer copies out of them. Bytes come out in order and unchanged; an error of the wrapped
/// source is thrown by ``read(into:)`` after the bytes read before it. Releasing the wrapper
/// stops the thread after its current read. The wrapped source must not be used by anyone else.
public final class ReadAheadByteSource: ByteSource {
    /// A buffer handed between the threads, with the number of valid bytes in it.
    private struct Chunk {
        /// The buffer (owned by the shared state).
        let buffer: UnsafeMutableRawBufferPointer
        /// Valid bytes from the start of `buffer`.
        let count: Int
    }

    /// What both threads touch, always under `condition`'s lock; kept alive by both.
    // @unchecked Sendable: every field is read and written with `condition` locked. The bytes of
    // a buffer are touched outside the lock by one thread at a time: the producer fills a buffer
    // it took from `free` before queueing it in `filled`; the consumer reads the one it took from
    // `filled` (its `current`) before handing it back to `free`.
    private final class Shared: @unchecked Sendable {
        /// Guards every field below and signals changes to them.
        let condition = NSCondition()
        /// Filled buffers, oldest first.
        var filled: [Chunk] = []
        /// Empty buffers the producer may fill.
        var free: [UnsafeMutableRawBufferPointer] = []
        /// Every buffer, for deallocation.
        var all: [UnsafeMutableRawBufferPointer] = []
        /// The wrapped source's error, rethrown once the chunks before it are consumed.
        var failure: Error?
        /// Set when the wrapped source returned 0 or failed.
        var finished = false
        /// Set when the consumer is gone; the producer stops.
        var cancelled = false

        /// Frees the buffers once both threads are done with them.
        deinit {
            for buffer in all { buffer.deallocate() }
        }
    }

    /// The wrapped source's name.
    public let displayPath: String
    /// The wrapped source's expected size.
    public let expectedSize: Int64?
    /// The wrapped source, on its way to the producer thread.
    // @unchecked Sendable: `init` takes the source as `sending` (the caller keeps no reference to
    // it that the compiler knows of), and from then on only the producer thread uses it.
    private struct SentSource: @unchecked Sendable {
        let source: ByteSource
    }

    /// State shared with the producer thread.
    private let shared: Shared
    /// The chunk being copied out, and how far.
    private var current: Chunk?
    /// Bytes of `current` already delivered.
    private var offset = 0

    /// Starts reading `source` ahead.
    /// - Parameters:
    ///   - source: the source to read; from now on only the background thread reads it.
    ///   - chunkSize: bytes per background read (default 1 MiB).
    ///   - depth: buffers in flight (default 4), so at most `depth * chunkSize` bytes are held.
    public init(_ source: sending ByteSource, chunkSize: Int = 1 << 20, depth: Int = 4) {
        precondition(chunkSize > 0 && depth > 0, "chunkSize and depth must be positive")
        displayPath = source.displayPath
        expectedSize = source.expectedSize
        let shared = Shared()
        for _ in 0..<depth {
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkSize, alignment: 64)
            shared.all.append(buffer)
            shared.free.append(buffer)
        }
        self.shared = shared
        let sent = SentSource(source: source)
        let thread = Thread {
            ReadAheadByteSource.produce(sent.source, shared)
        }
        thread.name = "lens-read-ahead"
        thread.start()
    }

    /// Tells the producer thread to stop; it exits after its current read.
    deinit {
        shared.condition.lock()
        shared.cancelled = true
        shared.condition.broadcast()
        shared.condition.unlock()
    }

    /// Copies the next bytes from the read-ahead buffers, waiting for the producer if needed.
    /// - Throws: the wrapped source's error, once the bytes read before it were delivered.
    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        precondition(buffer.count > 0, "read(into:) needs a non-empty buffer")
        if let chunk = current, offset < chunk.count {
            return copy(from: chunk, into: buffer)
        }
        let condition = shared.condition
        condition.lock()
        defer { condition.unlock() }
        if let chunk = current {
            shared.free.append(chunk.buffer)
            current = nil
            condition.broadcast()
        }
        while shared.filled.isEmpty && !shared.finished {
            condition.wait()
        }
        if !shared.filled.isEmpty {
            let chunk = shared.filled.removeFirst()
            current = chunk
            offset = 0
            return copy(from: chunk, into: buffer)
        }
        if let failure = shared.failure { throw failure }
        return 0
    }

    /// Copies as much of the rest of `chunk` as fits.
    private func copy(from chunk: Chunk, into buffer: UnsafeMutableRawBufferPointer) -> Int {
        let n = min(buffer.count, chunk.count - offset)
        buffer.baseAddress!.copyMemory(from: chunk.buffer.baseAddress! + offset, byteCount: n)
        offset += n
        return n
    }

    /// The background loop: fill a free buffer, queue it, until the end, an error or cancellation.
    private static func produce(_ source: ByteSource, _ shared: Shared) {
        let condition = shared.condition
        while true {
            condition.lock()
            while shared.free.isEmpty && !shared.cancelled {
                condition.wait()
            }
            if shared.cancelled {
                condition.unlock()
                return
            }
            let buffer = shared.free.removeLast()
            condition.unlock()

            var count = 0
            var failure: Error? = nil
            do {
                // Fill the buffer (a source may return short reads) so chunks stay large.
                while count < buffer.count {
                    let n = try source.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[count...]))
                    if n == 0 { break }
                    count += n
                }
            } catch {
                failure = error
            }

            condition.lock()
            let atEnd = count < buffer.count
            if count > 0 {
                shared.filled.append(Chunk(buffer: buffer, count: count))
            } else {
                shared.free.append(buffer)
            }
            if atEnd {
                shared.failure = failure
                shared.finished = true
            }
            condition.broadcast()
            condition.unlock()
            if atEnd { return }
        }
    }
}
