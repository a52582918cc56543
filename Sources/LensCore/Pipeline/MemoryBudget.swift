import Foundation

/// The memory a run will need, known before any work starts.
///
/// `lens run` holds the cleaned ratings and genome scores in memory (columns, then the split's
/// sorted copies, then the Parquet pages), so its peak grows with the drop. Without a check, a
/// drop too big for the machine runs for minutes and is then killed by the kernel's OOM killer
/// mid-run, with no message. This estimates the peak from the (decompressed) file sizes with a
/// small linear model fitted on measured runs (docs/performance.md, "Memory budget") and
/// refuses the run up front when the estimate exceeds the memory the process can get.
///
/// The functions are pure where they can be: the estimate takes sizes, the parsers take file
/// contents, and ``available(environment:readFile:)`` takes its inputs as arguments, so tests
/// drive each with fixture strings.
public enum MemoryBudget {
    // MARK: - The model

    // Fitted as an upper envelope of nine measured runs (1M to 100M ratings, with and without a
    // genome, tags of 0 to 39 MB): every measured peak is at or below the fitted figure before
    // the margin. docs/performance.md "Memory budget" has the runs.

    /// Bytes of peak resident memory per rating line: the five columns (20 bytes), the split's
    /// sorted copies and the Parquet pages (a 100M-rating run peaked at 28.6 bytes per rating).
    public static let bytesPerRating: Int64 = 28
    /// Bytes per genome-scores.csv line: the relevance matrix, the PCA input and its output.
    public static let bytesPerGenomeScore: Int64 = 11
    /// Bytes per byte of the other recognised files (movies, tags, links: strings in memory);
    /// measured 2.6 for tags.csv.
    public static let bytesPerOtherByte: Int64 = 3
    /// The process itself and what does not grow past a size: code, the runtime, the readers'
    /// and writers' buffers, a row group of Parquet pages.
    public static let baseBytes: Int64 = 116 << 20
    /// Headroom over the fitted figures, in percent: the model is meant as an upper bound.
    public static let marginPercent: Int64 = 15

    /// The files a rating table is read from, whichever the layout.
    static let ratingFiles = ["ratings.csv", "u.data", "ratings.dat"]
    /// The genome relevance file.
    static let genomeFile = "genome-scores.csv"
    /// How much of a file is read to learn its average line length.
    static let sampleBytes = 64 * 1024

    /// What the estimate is made of: line counts estimated from file sizes.
    public struct DropSize: Sendable, Equatable {
        /// Rating lines (all rating files of the drop), estimated from their size.
        public var ratingLines: Int64
        /// genome-scores.csv lines, estimated from its size (0 without a genome).
        public var genomeScoreLines: Int64
        /// Bytes of every other recognised file (movies, tags, links, users...).
        public var otherBytes: Int64
        public init(ratingLines: Int64, genomeScoreLines: Int64, otherBytes: Int64) {
            self.ratingLines = ratingLines
            self.genomeScoreLines = genomeScoreLines
            self.otherBytes = otherBytes
        }
    }

    /// The estimated peak resident memory of `lens run` on a drop of this size, margin included.
    public static func estimate(_ size: DropSize) -> Int64 {
        let fitted = baseBytes + bytesPerRating * size.ratingLines + bytesPerGenomeScore * size.genomeScoreLines
            + bytesPerOtherByte * size.otherBytes
        return fitted + fitted * marginPercent / 100
    }

    /// Estimates the line count of a file of `fileBytes` bytes from its first bytes (`sample`).
    ///
    /// Lines are counted from the file's average line length in the sample, the first line
    /// left out (a header is longer than the data lines and would lower the count). When the
    /// sample is the whole file, its lines are counted exactly. A file whose later lines are
    /// much shorter than its first ones is under-counted: no sample can see that.
    public static func estimateLines(fileBytes: Int64, sample: [UInt8]) -> Int64 {
        if fileBytes <= 0 { return 0 }
        if Int64(sample.count) >= fileBytes {
            let newlines = sample.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
            return Int64(newlines) + (sample.last == 0x0A ? 0 : 1)
        }
        guard let first = sample.firstIndex(of: 0x0A), let last = sample.lastIndex(of: 0x0A), last > first else {
            // One line longer than the sample: count as if the file were made of such lines.
            return max(1, fileBytes / Int64(max(sample.count, 1)))
        }
        let lines = Int64(sample[(first + 1)...last].reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) })
        let averageLength = Double(last - first) / Double(lines)
        return Int64((Double(fileBytes) / averageLength).rounded(.up))
    }

    /// The sizes of a drop's files as the model counts them: lines of the rating and genome
    /// files (from their decompressed size and the average line length of their first 64 KiB),
    /// bytes of the other recognised files.
    /// - Throws: ``IngestError`` when a sample cannot be read.
    public static func measure(_ source: DropSource) throws -> DropSize {
        func lines(_ name: String) throws -> Int64 {
            guard let bytes = source.size(of: name), bytes > 0 else { return 0 }
            return estimateLines(fileBytes: bytes, sample: try source.readSmallFile(name, limit: sampleBytes))
        }
        var size = DropSize(ratingLines: 0, genomeScoreLines: 0, otherBytes: 0)
        for name in source.fileNames where DropSource.recognisedFileNames.contains(name) {
            if ratingFiles.contains(name) {
                size.ratingLines += try lines(name)
            } else if name == genomeFile {
                size.genomeScoreLines += try lines(name)
            } else {
                size.otherBytes += source.size(of: name) ?? 0
            }
        }
        return size
    }

    // MARK: - Memory available

    /// How much memory the process can get, and where that figure comes from.
    public struct Available: Sendable, Equatable {
        public var bytes: Int64
        /// For messages, e.g. `MemAvailable in /proc/meminfo`.
        public var source: String
        public init(bytes: Int64, source: String) {
            self.bytes = bytes
            self.source = source
        }
    }

    /// The environment variable that sets a lower ceiling (tests use it to simulate a small
    /// machine; users to keep lens under a share of a shared machine).
    public static let environmentVariable = "LENS_MEMORY_AVAILABLE_BYTES"

    /// The smallest of: `MemAvailable` in /proc/meminfo, the headroom of each cgroup (v2 or v1)
    /// the process is in, up to the hierarchy's root, and ``environmentVariable`` when set.
    /// `nil` when none can be read (not Linux): the check is then skipped.
    /// - Parameters:
    ///   - environment: the process environment.
    ///   - readFile: a file's contents, or `nil` when it cannot be read.
    /// - Throws: ``LensError/config(file:line:message:)`` when ``environmentVariable`` is not a
    ///   whole number of bytes.
    public static func available(
        environment: [String: String] = ProcessInfo.processInfo.environment,
        readFile: (String) -> String? = { try? String(contentsOfFile: $0, encoding: .utf8) }
    ) throws -> Available? {
        var candidates: [Available] = []
        if let meminfo = readFile("/proc/meminfo"), let bytes = parseMemAvailable(meminfo) {
            candidates.append(Available(bytes: bytes, source: "MemAvailable in /proc/meminfo"))
        }
        if let cgroups = readFile("/proc/self/cgroup") {
            candidates += cgroupHeadroom(procSelfCgroup: cgroups, readFile: readFile)
        }
        if let value = environment[environmentVariable], !value.isEmpty {
            guard let bytes = Int64(value.trimmingCharacters(in: .whitespaces)), bytes >= 0 else {
                throw LensError.config(
                    file: environmentVariable, line: nil,
                    message: "must be a whole number of bytes, got '\(value)'; unset it to use what the system reports")
            }
            candidates.append(Available(bytes: bytes, source: environmentVariable))
        }
        return candidates.min { $0.bytes < $1.bytes }
    }

    /// `MemAvailable` of /proc/meminfo in bytes (the file gives kB), or `nil` when absent.
    static func parseMemAvailable(_ meminfo: String) -> Int64? {
        for line in meminfo.split(separator: "\n") where line.hasPrefix("MemAvailable:") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count >= 2, let kB = Int64(fields[1]) else { return nil }
            return kB * 1024
        }
        return nil
    }

    /// Limits at or above this are "no limit": cgroup v1 writes 2^63 rounded down to a page.
    static let unlimited: Int64 = 1 << 62

    /// The headroom (limit minus the memory in use that cannot be reclaimed) of the process's
    /// memory cgroup and each of its ancestors that has a limit, from `/proc/self/cgroup`.
    ///
    /// A parent's limit binds its children, so every level is read. Usage counts the page cache
    /// too; its inactive file pages are subtracted (as the kubelet's "working set" does),
    /// because the kernel reclaims them before it kills anything: a host that has just read a
    /// big drop would otherwise look full.
    static func cgroupHeadroom(procSelfCgroup: String, readFile: (String) -> String?) -> [Available] {
        var result: [Available] = []
        for line in procSelfCgroup.split(separator: "\n") {
            // hierarchy-id:controllers:path; v2 is "0::/path", v1 memory is "N:memory:/path".
            let parts = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
            guard parts.count == 3 else { continue }
            let controllers = parts[1].split(separator: ",")
            let layout: (root: String, limit: String, usage: String, inactive: String, version: String)
            if parts[0] == "0" && parts[1].isEmpty {
                layout = ("/sys/fs/cgroup", "memory.max", "memory.current", "inactive_file", "v2")
            } else if controllers.contains("memory") {
                layout = ("/sys/fs/cgroup/memory", "memory.limit_in_bytes", "memory.usage_in_bytes",
                          "total_inactive_file", "v1")
            } else {
                continue
            }
            // From the process's own cgroup up to the mount's root. Inside a container the path
            // can name a host cgroup that is not mounted there; its root is then the container's.
            var components = parts[2].split(separator: "/").map(String.init)
            while true {
                let dir = layout.root + (components.isEmpty ? "" : "/" + components.joined(separator: "/"))
                if let limitText = readFile(dir + "/" + layout.limit),
                   let limit = Int64(limitText.trimmingCharacters(in: .whitespacesAndNewlines)),  // "max" = none
                   limit < unlimited,
                   let usageText = readFile(dir + "/" + layout.usage),
                   let usage = Int64(usageText.trimmingCharacters(in: .whitespacesAndNewlines)) {
                    let inactive = readFile(dir + "/memory.stat").flatMap { statValue($0, key: layout.inactive) } ?? 0
                    let inUse = max(0, usage - inactive)
                    result.append(Available(
                        bytes: max(0, limit - inUse),
                        source: "cgroup \(layout.version) limit \(dir)/\(layout.limit) (\(limit) bytes) "
                            + "minus \(inUse) bytes in use"))
                }
                if components.isEmpty { break }
                components.removeLast()
            }
        }
        return result
    }

    /// The value of `key` in a cgroup `memory.stat` ("key value" lines).
    static func statValue(_ stat: String, key: String) -> Int64? {
        for line in stat.split(separator: "\n") {
            let fields = line.split(separator: " ")
            if fields.count == 2, fields[0] == key { return Int64(fields[1]) }
        }
        return nil
    }

    // MARK: - The check

    /// Refuses a drop whose estimated peak exceeds the memory available.
    /// - Throws: ``LensError/input(file:line:message:)`` (exit 2) naming the estimate, the
    ///   memory available and where that figure comes from, and the bytes per rating assumed.
    public static func check(drop: String, size: DropSize, available: Available) throws {
        let needed = estimate(size)
        guard needed > available.bytes else { return }
        throw LensError.input(
            file: drop, line: nil,
            message: "this drop needs an estimated \(megabytes(needed)) of memory (\(needed) bytes) but "
                + "\(megabytes(available.bytes)) (\(available.bytes) bytes) is available (\(available.source)); "
                + "the estimate assumes \(bytesPerRating) bytes per rating (\(size.ratingLines) rating lines), "
                + "\(bytesPerGenomeScore) per genome score (\(size.genomeScoreLines)), \(bytesPerOtherByte) per byte "
                + "of the other files (\(size.otherBytes)) and \(baseBytes >> 20) MiB base, plus \(marginPercent)%. "
                + "Run on a machine with more free memory, or pass --ignore-memory-check to run anyway "
                + "(the kernel may then kill lens mid-run)")
    }

    /// Measures the drop and checks it against the memory available; does nothing when
    /// `ignore` is set or the memory available cannot be read.
    /// - Throws: as ``check(drop:size:available:)``, ``available(environment:readFile:)`` and
    ///   ``measure(_:)``.
    public static func check(_ source: DropSource, ignore: Bool) throws {
        if ignore { return }
        guard let available = try available() else { return }
        try check(drop: source.path, size: try measure(source), available: available)
    }

    /// `bytes` in MB (10^6), for messages.
    static func megabytes(_ bytes: Int64) -> String {
        "\(Int64((Double(bytes) / 1_000_000).rounded())) MB"
    }
}
