import XCTest
@testable import LensCore

/// Protects the memory check of `lens run`: the estimate for given sizes, the line count it
/// derives from a file's first bytes, the reading of the memory available from /proc/meminfo
/// and cgroup v1/v2 files (fixture strings), and the refusal's message.
final class MemoryBudgetTests: XCTestCase {
    /// The model is linear in its inputs with the margin on top: pins its figures, so that a
    /// change to them is a deliberate one (docs/performance.md "Memory budget" must follow).
    func testEstimateForGivenSizes() {
        XCTAssertEqual(MemoryBudget.estimate(.init(ratingLines: 0, genomeScoreLines: 0, otherBytes: 0)),
                       MemoryBudget.baseBytes * 115 / 100)
        let size = MemoryBudget.DropSize(ratingLines: 25_000_095, genomeScoreLines: 15_584_448, otherBytes: 42_000_000)
        let fitted = MemoryBudget.baseBytes + 25_000_095 * MemoryBudget.bytesPerRating
            + 15_584_448 * MemoryBudget.bytesPerGenomeScore + 42_000_000 * MemoryBudget.bytesPerOtherByte
        XCTAssertEqual(MemoryBudget.estimate(size), fitted + fitted * 15 / 100)
    }

    /// A whole file in the sample is counted exactly, with or without a final newline.
    func testLinesOfAFileThatFitsTheSampleAreCounted() {
        let text = Array("userId,movieId,rating,timestamp\n1,2,3.5,1112486027\n1,29,3.5,1112484676\n".utf8)
        XCTAssertEqual(MemoryBudget.estimateLines(fileBytes: Int64(text.count), sample: text), 3)
        XCTAssertEqual(MemoryBudget.estimateLines(fileBytes: Int64(text.count - 1), sample: Array(text.dropLast())), 3)
        XCTAssertEqual(MemoryBudget.estimateLines(fileBytes: 0, sample: []), 0)
    }

    /// A longer file: lines = size / average length of the sample's lines after the first (the
    /// header), rounded up; the partial last line of the sample is left out.
    func testLinesOfALongerFileComeFromTheAverageLineLength() {
        // Header (32 bytes), then lines of 20 bytes, then a cut line.
        let sample = Array(("userId,movieId,rating,timestamp\n" + String(repeating: "10,2,3.5,1112486027\n", count: 10)
                            + "1,2,3").utf8)
        XCTAssertEqual(MemoryBudget.estimateLines(fileBytes: 2_000_000, sample: sample), 100_000)
        XCTAssertEqual(MemoryBudget.estimateLines(fileBytes: 2_000_001, sample: sample), 100_001)
        // No line ends in the sample: one line per sample's length.
        XCTAssertEqual(MemoryBudget.estimateLines(fileBytes: 1000, sample: Array(repeating: 0x41, count: 100)), 10)
    }

    /// MemAvailable is read in kB and returned in bytes; a file without it gives nil.
    func testMemAvailableIsParsedFromProcMeminfo() {
        let meminfo = "MemTotal:       24683772 kB\nMemFree:        21034816 kB\nMemAvailable:   23257156 kB\nBuffers: 1 kB\n"
        XCTAssertEqual(MemoryBudget.parseMemAvailable(meminfo), 23_257_156 * 1024)
        XCTAssertNil(MemoryBudget.parseMemAvailable("MemTotal: 1 kB\n"))
    }

    /// cgroup v2: every level from the process's cgroup to the root is read; "max" is no limit;
    /// inactive file pages count as free; the smallest candidate wins and names its source.
    func testCgroupV2HeadroomIsLimitMinusWorkingSet() throws {
        let files = [
            "/proc/meminfo": "MemAvailable:   8000000 kB\n",
            "/proc/self/cgroup": "0::/user.slice/lens.scope\n",
            "/sys/fs/cgroup/user.slice/lens.scope/memory.max": "max\n",
            "/sys/fs/cgroup/user.slice/lens.scope/memory.current": "100\n",
            "/sys/fs/cgroup/user.slice/memory.max": "2147483648\n",
            "/sys/fs/cgroup/user.slice/memory.current": "1073741824\n",
            "/sys/fs/cgroup/user.slice/memory.stat": "anon 536870912\ninactive_file 536870912\nactive_file 0\n",
        ]
        let available = try MemoryBudget.available(environment: [:], readFile: { files[$0] })
        XCTAssertEqual(available, MemoryBudget.Available(
            bytes: 2_147_483_648 - 536_870_912,
            source: "cgroup v2 limit /sys/fs/cgroup/user.slice/memory.max (2147483648 bytes) minus 536870912 bytes in use"))
    }

    /// cgroup v1: the memory controller's line is used; a limit of 2^63 rounded to a page is
    /// no limit, so MemAvailable wins.
    func testCgroupV1UnlimitedLeavesMemAvailable() throws {
        var files = [
            "/proc/meminfo": "MemAvailable:   1000 kB\n",
            "/proc/self/cgroup": "5:devices:/\n4:memory:/process_api/37eb\n3:cpuset:/\n0::/\n",
            "/sys/fs/cgroup/memory/process_api/37eb/memory.limit_in_bytes": "9223372036854771712\n",
            "/sys/fs/cgroup/memory/process_api/37eb/memory.usage_in_bytes": "462909440\n",
        ]
        XCTAssertEqual(try MemoryBudget.available(environment: [:], readFile: { files[$0] }),
                       MemoryBudget.Available(bytes: 1_024_000, source: "MemAvailable in /proc/meminfo"))
        files["/sys/fs/cgroup/memory/process_api/37eb/memory.limit_in_bytes"] = "1000000\n"
        files["/sys/fs/cgroup/memory/process_api/37eb/memory.usage_in_bytes"] = "300000\n"
        files["/sys/fs/cgroup/memory/process_api/37eb/memory.stat"] = "cache 0\ntotal_inactive_file 100000\n"
        XCTAssertEqual(try MemoryBudget.available(environment: [:], readFile: { files[$0] }), MemoryBudget.Available(
            bytes: 800_000,
            source: "cgroup v1 limit /sys/fs/cgroup/memory/process_api/37eb/memory.limit_in_bytes (1000000 bytes) minus 200000 bytes in use"))
    }

    /// The environment variable lowers the ceiling (never raises it), and a value that is not a
    /// number is a configuration error naming the variable; nothing readable gives nil.
    func testEnvironmentVariableSetsALowerCeiling() throws {
        let files = ["/proc/meminfo": "MemAvailable:   1000 kB\n"]
        XCTAssertEqual(try MemoryBudget.available(environment: ["LENS_MEMORY_AVAILABLE_BYTES": "5000"], readFile: { files[$0] }),
                       MemoryBudget.Available(bytes: 5000, source: "LENS_MEMORY_AVAILABLE_BYTES"))
        XCTAssertEqual(try MemoryBudget.available(environment: ["LENS_MEMORY_AVAILABLE_BYTES": "5000000"], readFile: { files[$0] }),
                       MemoryBudget.Available(bytes: 1_024_000, source: "MemAvailable in /proc/meminfo"))
        XCTAssertThrowsError(try MemoryBudget.available(environment: ["LENS_MEMORY_AVAILABLE_BYTES": "2G"], readFile: { files[$0] })) {
            XCTAssertEqual($0 as? LensError, .config(
                file: "LENS_MEMORY_AVAILABLE_BYTES", line: nil,
                message: "must be a whole number of bytes, got '2G'; unset it to use what the system reports"))
        }
        XCTAssertNil(try MemoryBudget.available(environment: [:], readFile: { _ in nil }))
    }

    /// The refusal is an input error (the CLI exits 2) and names the estimate, the memory available and its source, and
    /// the figures assumed; a drop within the budget passes.
    func testRefusalMessageNamesBothNumbersAndTheModel() throws {
        let size = MemoryBudget.DropSize(ratingLines: 1_000_000, genomeScoreLines: 0, otherBytes: 0)
        let needed = MemoryBudget.estimate(size)
        XCTAssertNoThrow(try MemoryBudget.check(drop: "d", size: size, available: .init(bytes: needed, source: "x")))
        XCTAssertThrowsError(try MemoryBudget.check(drop: "/data/ml", size: size, available: .init(bytes: 1000, source: "LENS_MEMORY_AVAILABLE_BYTES"))) {
            let error = $0 as? LensError
            guard case .input? = error else { return XCTFail("expected LensError.input, got \(String(describing: error))") }
            XCTAssertEqual(error?.description, """
                /data/ml: error: this drop needs an estimated \(MemoryBudget.megabytes(needed)) of memory (\(needed) bytes) \
                but 0 MB (1000 bytes) is available (LENS_MEMORY_AVAILABLE_BYTES); the estimate assumes \
                \(MemoryBudget.bytesPerRating) bytes per rating (1000000 rating lines), \(MemoryBudget.bytesPerGenomeScore) \
                per genome score (0), \(MemoryBudget.bytesPerOtherByte) per byte of the other files (0) and \
                \(MemoryBudget.baseBytes >> 20) MiB base, plus 15%. Run on a machine with more free memory, or pass \
                --ignore-memory-check to run anyway (the kernel may then kill lens mid-run)
                """)
        }
    }

    /// The sizes of the shipped sample drop as the model counts them (oracle: the same rule
    /// computed in Python on the files): 15,016 rating and 78,960 genome lines, estimated from
    /// their first 64 KiB within 5%; movies, tags, links and genome tags by their bytes.
    func testMeasureCountsTheSampleDrop() throws {
        let size = try MemoryBudget.measure(try DropSource.open(path: TestPaths.repo + "/data/sample"))
        XCTAssertEqual(size, MemoryBudget.DropSize(ratingLines: 15_435, genomeScoreLines: 82_352, otherBytes: 100_848))
        XCTAssertEqual(MemoryBudget.estimate(size), 141_766_723)
    }
}

/// Protects the use of decompressed sizes: a GroupLens zip (977 KB) counts as its unpacked folder
/// (2.4 MB of ratings.csv: 100,836 lines, estimated as 108,939 from its first 64 KiB; oracle: the
/// same rule in Python on the unpacked files), not as its own size.
final class MemoryBudgetZipTests: XCTestCase {
    func testZipCountsAsItsDecompressedFiles() throws {
        let zip = try TestPaths.sharedFile("movielens/ml-latest-small.zip")
        let folder = try TestPaths.sharedFile("movielens/ml-latest-small")
        let expected = MemoryBudget.DropSize(ratingLines: 108_939, genomeScoreLines: 0, otherBytes: 787_900)
        XCTAssertEqual(try MemoryBudget.measure(try DropSource.open(path: zip)), expected)
        XCTAssertEqual(try MemoryBudget.measure(try DropSource.open(path: folder)), expected)
    }
}
