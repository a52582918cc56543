#if canImport(Glibc)
import Glibc
private let sysWrite = Glibc.write
private let sysClose = Glibc.close
#else
import Darwin
private let sysWrite = Darwin.write
private let sysClose = Darwin.close
#endif
import Foundation

// How `lens synth` writes: rows are formatted by hand into large byte buffers (no String per
// value), chunks of rows are made on every core, and one thread writes the chunks in order.

/// A growable byte buffer with hand-rolled CSV formatting. Callers `reserve` room for a row,
/// then append without further checks.
final class SynthBuffer {
    private(set) var base: UnsafeMutablePointer<UInt8>
    private(set) var capacity: Int
    var count = 0

    init(capacity: Int = 1 << 16) {
        self.capacity = max(capacity, 64)
        base = .allocate(capacity: self.capacity)
    }

    deinit { base.deallocate() }

    /// Makes room for at least `n` more bytes.
    @inline(__always)
    func reserve(_ n: Int) {
        if count + n > capacity { grow(count + n) }
    }

    private func grow(_ needed: Int) {
        var c = capacity
        while c < needed { c *= 2 }
        let fresh = UnsafeMutablePointer<UInt8>.allocate(capacity: c)
        fresh.update(from: base, count: count)
        base.deallocate()
        base = fresh
        capacity = c
    }

    @inline(__always)
    func byte(_ b: UInt8) {
        base[count] = b
        count += 1
    }

    /// Appends a non-negative integer in decimal, two digits at a time.
    @inline(__always)
    func uint(_ value: UInt64) {
        var digits = 1
        var t = value
        while t >= 100 {
            t /= 100
            digits += 2
        }
        if t >= 10 { digits += 1 }
        var p = base + count + digits
        count += digits
        var v = value
        let pairs = digitPairs
        while v >= 100 {
            let r = Int(truncatingIfNeeded: v % 100) &* 2
            v /= 100
            p -= 2
            p[0] = pairs[r]
            p[1] = pairs[r &+ 1]
        }
        if v >= 10 {
            let r = Int(truncatingIfNeeded: v) &* 2
            p[-2] = pairs[r]
            p[-1] = pairs[r &+ 1]
        } else {
            p[-1] = UInt8(truncatingIfNeeded: v) &+ 0x30
        }
    }

    /// Appends `value` with at least `width` digits, zero-padded (imdbId).
    @inline(__always)
    func uint(_ value: UInt64, zeroPaddedTo width: Int) {
        var digits = 1
        var t = value
        while t >= 10 {
            t /= 10
            digits += 1
        }
        for _ in digits..<max(width, digits) { byte(0x30) }
        uint(value)
    }

    /// A rating given in half stars (1...10 -> "0.5" ... "5.0").
    @inline(__always)
    func halfStars(_ h: Int) {
        uint(UInt64(h >> 1))
        byte(UInt8(ascii: "."))
        byte(h & 1 == 1 ? UInt8(ascii: "5") : UInt8(ascii: "0"))
    }

    /// A value in 1e-5 units in 0...100_000 as a shortest decimal: 97238 -> "0.97238",
    /// 2500 -> "0.025", 100000 -> "1.0" (as Python prints a float rounded to 5 places).
    @inline(__always)
    func fiveDecimals(_ q: Int) {
        let p = base + count
        if q >= 100_000 {
            p[0] = 0x31
            p[1] = 0x2E
            p[2] = 0x30
            count += 3
            return
        }
        p[0] = 0x30
        p[1] = 0x2E
        var v = q
        var end = 0  // digits up to the last non-zero one
        var i = 6
        while i >= 2 {
            let d = v % 10
            v /= 10
            p[i] = UInt8(truncatingIfNeeded: d) &+ 0x30
            if end == 0 && d != 0 { end = i - 1 }
            i -= 1
        }
        count += 2 + max(end, 1)
    }

    /// Appends label `i` of a `LabelTable` (one 16-byte copy; `reserve` 16 bytes first).
    @inline(__always)
    func label(_ table: UnsafePointer<UInt8>, _ i: Int) {
        let src = table + i &* 16
        (base + count).update(from: src, count: 16)
        count += Int(src[15])
    }

    /// Appends ASCII/UTF-8 text (for the rare string values: titles, tags, headers).
    func bytes(_ text: String) {
        var t = text
        t.withUTF8 { u in
            reserve(u.count)
            (base + count).update(from: u.baseAddress!, count: u.count)
            count += u.count
        }
    }

    /// Appends text as an RFC 4180 field: quoted (with `""` for `"`) when it holds a comma, a
    /// quote or a line break.
    func csvField(_ text: String) {
        if text.utf8.contains(where: { $0 == 0x2C || $0 == 0x22 || $0 == 0x0A || $0 == 0x0D }) {
            reserve(text.utf8.count * 2 + 2)
            byte(0x22)
            for b in text.utf8 {
                if b == 0x22 { byte(0x22) }
                byte(b)
            }
            byte(0x22)
        } else {
            bytes(text)
        }
    }
}

/// "00" "01" ... "99", for formatting integers two digits at a time.
// nonisolated(unsafe): written only by its initializer (which Swift runs once, before any read)
// and only read after, from any thread; a pointer rather than an array for the per-field hot loop.
nonisolated(unsafe) private let digitPairs: UnsafeMutablePointer<UInt8> = {
    let p = UnsafeMutablePointer<UInt8>.allocate(capacity: 200)
    for i in 0..<100 {
        p[2 * i] = UInt8(0x30 + i / 10)
        p[2 * i + 1] = UInt8(0x30 + i % 10)
    }
    return p
}()

/// Short texts (at most 15 bytes: "12345," or "1128,") pre-formatted once and appended with a
/// single 16-byte copy: label i at [16 i, 16 i + 15), its length in byte 16 i + 15.
struct LabelTable {
    private(set) var bytes: [UInt8]

    /// `"\(value(i)),"` for i in 0..<count.
    init(count: Int, value: (Int) -> UInt64) {
        bytes = [UInt8](repeating: 0, count: count * 16)
        let b = SynthBuffer(capacity: 64)
        for i in 0..<count {
            b.count = 0
            b.uint(value(i))
            b.byte(0x2C)
            precondition(b.count <= 15)
            for k in 0..<b.count { bytes[i * 16 + k] = b.base[k] }
            bytes[i * 16 + 15] = UInt8(b.count)
        }
    }
}

/// A file written with plain `write(2)` calls; errors become `LensError.output`.
final class SynthFile {
    let path: String
    private var fd: Int32
    private(set) var bytesWritten: Int64 = 0

    init(path: String) throws {
        self.path = path
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        if fd < 0 {
            throw LensError.output(path: path, message: "cannot create: \(String(cString: strerror(errno)))")
        }
    }

    deinit { if fd >= 0 { _ = sysClose(fd) } }

    /// Writes the buffer's bytes and empties it.
    func write(_ buffer: SynthBuffer) throws {
        var p = UnsafeRawPointer(buffer.base)
        var left = buffer.count
        while left > 0 {
            let n = sysWrite(fd, p, left)
            if n < 0 {
                if errno == EINTR { continue }
                throw LensError.output(path: path, message: "cannot write: \(String(cString: strerror(errno)))")
            }
            p += n
            left -= n
        }
        bytesWritten += Int64(buffer.count)
        buffer.count = 0
    }

    func close() throws {
        guard fd >= 0 else { return }
        let r = sysClose(fd)
        fd = -1
        if r != 0 {
            throw LensError.output(path: path, message: "cannot close: \(String(cString: strerror(errno)))")
        }
    }

    /// Writes a whole small file.
    static func write(_ buffer: SynthBuffer, to path: String) throws -> Int64 {
        let f = try SynthFile(path: path)
        try f.write(buffer)
        try f.close()
        return f.bytesWritten
    }
}

/// The shared state of `orderedParallel`, guarded by `cond`.
// @unchecked Sendable: every field is read and written with `cond` locked.
private final class OrderedParallelState<R>: @unchecked Sendable {
    let cond = NSCondition()
    var next = 0
    var consumed = 0
    var cancelled = false
    var running = 0
    var results: [Int: R] = [:]
}

/// Runs `produce(0..<count)` on `workers` threads and hands each result to `consume` on the
/// calling thread, in index order. At most `workers * 4` results wait at any time, so memory
/// stays bounded however fast the producers are. If `consume` throws, the producers stop and
/// the error is rethrown once they have. Each result is `sending`: made fresh by `produce` and
/// then used by `consume` alone.
func orderedParallel<R>(count: Int, workers: Int, produce: @escaping @Sendable (Int) -> sending R,
                        consume: (Int, R) throws -> Void) throws {
    guard count > 0 else { return }
    let workerCount = max(1, min(workers, count))
    if workerCount == 1 {
        for i in 0..<count { try consume(i, produce(i)) }
        return
    }
    let st = OrderedParallelState<R>()
    let window = workerCount * 4
    st.running = workerCount
    for _ in 0..<workerCount {
        let thread = Thread {
            while true {
                st.cond.lock()
                while !st.cancelled && st.next < count && st.next - st.consumed >= window { st.cond.wait() }
                if st.cancelled || st.next >= count {
                    st.running -= 1
                    st.cond.broadcast()
                    st.cond.unlock()
                    return
                }
                let i = st.next
                st.next += 1
                st.cond.unlock()
                let r = produce(i)
                st.cond.lock()
                st.results[i] = r
                st.cond.broadcast()
                st.cond.unlock()
            }
        }
        thread.stackSize = 8 << 20
        thread.start()
    }
    defer {
        st.cond.lock()
        st.cancelled = true
        st.cond.broadcast()
        while st.running > 0 { st.cond.wait() }
        st.cond.unlock()
    }
    for i in 0..<count {
        st.cond.lock()
        while st.results[i] == nil { st.cond.wait() }
        let r = st.results.removeValue(forKey: i)!
        st.consumed = i + 1
        st.cond.broadcast()
        st.cond.unlock()
        try consume(i, r)
    }
}
