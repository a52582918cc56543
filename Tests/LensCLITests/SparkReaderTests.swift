import Foundation
import XCTest
import LensTestSupport

/// Protects "the Parquet folder is readable by Spark" (README, docs/pipeline.md "Readers"): Apache
/// Spark, the reader of most data platforms, reads every dataset folder of an export of data/sample,
/// the Hive-partitioned `ratings/` included, with the types, row counts, splits and batches
/// manifest.json states (the checks are in Scripts/check_spark.py; they do not depend on the row
/// order inside the files).
///
/// Opt-in, as Spark needs a JDK and a 450 MB pyspark: runs when `java` (or `$JAVA_HOME/bin/java`)
/// exists and the Python of `LENS_SPARK_PYTHON` (default python3) imports pyspark; otherwise it
/// skips, saying how to enable it. With `LENS_SPARK_PYTHON` set but unusable the test fails
/// instead, so that a machine meant to run it does not quietly skip it. One Spark session for the
/// whole class (one test, one script): starting Spark is most of its time.
final class SparkReaderTests: XCTestCase {
    static let enable = """
        install a JDK 17+ (apt-get install openjdk-17-jre-headless) and pyspark in a venv \
        (python3 -m venv /opt/lens-spark && /opt/lens-spark/bin/pip install pyspark, about 450 MB), \
        then set LENS_SPARK_PYTHON=/opt/lens-spark/bin/python
        """

    /// Spark was asked for (LENS_SPARK_PYTHON) but cannot run.
    struct SetupError: Error, CustomStringConvertible {
        var description: String
    }

    /// The Python that runs pyspark, or a skip (a failure when LENS_SPARK_PYTHON asked for it)
    /// saying what is missing.
    private func sparkPython() throws -> String {
        let env = ProcessInfo.processInfo.environment
        let explicit = env["LENS_SPARK_PYTHON"].flatMap { $0.isEmpty ? nil : $0 }
        let python = explicit ?? "python3"
        func missing(_ what: String) -> Error {
            if explicit != nil {
                return SetupError(description:
                    "LENS_SPARK_PYTHON=\(python) is set, but \(what); \(Self.enable) (or unset it to skip this test)")
            }
            return Skip.because("needs Java and pyspark (opt-in: LENS_SPARK_PYTHON)", enable: "\(what); \(Self.enable)")
        }
        let javaHome = env["JAVA_HOME"].map { $0 + "/bin/java" }
        let onPath = (env["PATH"] ?? "").split(separator: ":").map { String($0) + "/java" }
        guard ((javaHome.map { [$0] } ?? []) + onPath).contains(where: { FileManager.default.isExecutableFile(atPath: $0) })
        else { throw missing("no java on PATH (nor $JAVA_HOME/bin/java)") }
        let (status, _, stderr) = try CLI.run([python, "-c", "import pyspark"])
        guard status == 0 else {
            throw missing("\(python) cannot import pyspark (\(stderr.split(separator: "\n").last ?? "exit \(status)"))")
        }
        return python
    }

    /// Spark (local[1]) reads the export of data/sample: each dataset folder with the Spark types
    /// of the manifest's columns (user_id/movie_id int, rating float as lens writes it, rated_at
    /// timestamp, the `split` partition column a string), the manifest's rows per dataset, per
    /// split and per buffer batch, the split's boundary times, movie_stats and user_stats equal
    /// to counts and means Spark computes from train, and rating rows equal to their CSV lines.
    func testSparkReadsEveryDatasetWithTheManifestTypesAndCounts() throws {
        let python = try sparkPython()
        let out = CLI.tempDir("spark")
        addTeardownBlock { try? FileManager.default.removeItem(atPath: out) }
        let drop = CLI.repo + "/data/sample"
        let (s, _, e) = try CLI.lens(["run", "--source", drop, "--out", out, "--no-load", "--quiet"])
        XCTAssertEqual(s, 0, e)
        let started = Date()
        let script = CLI.repo + "/Tests/LensCLITests/Scripts/check_spark.py"
        // SPARK_LOCAL_IP: the session binds to loopback (no network needed, no hostname lookup).
        let (status, stdout, stderr) = try CLI.run([python, script, out, drop], env: ["SPARK_LOCAL_IP": "127.0.0.1"])
        XCTAssertEqual(status, 0, stdout + "\n" + stderr.suffix(4_000))
        XCTAssertEqual(stdout.trimmingCharacters(in: .whitespacesAndNewlines), "ok")
        print(String(format: "[spark] %@: read and checked in %.1f s", python, Date().timeIntervalSince(started)))
    }
}
