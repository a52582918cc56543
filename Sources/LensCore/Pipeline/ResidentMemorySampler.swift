import Foundation

/// Watches the process's resident set size while a stage runs, to report each stage's peak.
///
/// Samples `/proc/self/statm` every few milliseconds on its own thread rather than resetting the
/// kernel's high-water mark (`clear_refs`), which would also reset what `time -v` and `getrusage`
/// report for the whole process. A peak shorter than the interval can be missed; stage peaks come
/// from arrays that live for seconds. Reports 0 where /proc is absent.
// @unchecked Sendable: `peakBytes` and `running` are read and written under `lock`; the rest is immutable.
final class ResidentMemorySampler: @unchecked Sendable {
    private let lock = NSLock()
    private var peakBytes = 0
    private var running = true
    private let done = DispatchSemaphore(value: 0)
    private let interval: TimeInterval

    /// Starts sampling at once.
    init(interval: TimeInterval = 0.005) {
        self.interval = interval
        peakBytes = Self.residentBytes()
        let thread = Thread { [self] in
            while true {
                let bytes = Self.residentBytes()
                lock.lock()
                peakBytes = max(peakBytes, bytes)
                let keepGoing = running
                lock.unlock()
                if !keepGoing { break }
                Thread.sleep(forTimeInterval: self.interval)
            }
            done.signal()
        }
        thread.start()
    }

    /// Stops sampling and returns the largest resident size seen, in bytes.
    func stop() -> Int {
        lock.lock()
        running = false
        lock.unlock()
        done.wait()
        return max(peakBytes, Self.residentBytes())
    }

    private static let pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))

    /// The current resident set size in bytes (second field of /proc/self/statm, in pages).
    static func residentBytes() -> Int {
        let fd = open("/proc/self/statm", O_RDONLY)
        guard fd >= 0 else { return 0 }
        defer { close(fd) }
        var buf = [UInt8](repeating: 0, count: 128)
        let n = buf.withUnsafeMutableBytes { read(fd, $0.baseAddress, 128) }
        guard n > 0 else { return 0 }
        let fields = buf[0..<n].split(separator: UInt8(ascii: " "))
        guard fields.count > 1, let pages = Int(String(decoding: fields[1], as: UTF8.self)) else { return 0 }
        return pages * pageSize
    }
}
