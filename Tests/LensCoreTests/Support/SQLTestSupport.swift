import Foundation
import PGClient
import XCTest
import LensTestSupport
@testable import LensCore

/// One private PostgreSQL cluster shared by every SQL-layer test of this process, holding three
/// databases loaded by the real pipeline:
/// - `lens`: ml-latest-small (GroupLens, 2018; no genome) when ../shared has it, else a clean
///   `lens synth` drop of about its size without a genome (see `Drop`), the buffer loaded;
/// - `lens_sample`: data/sample (synthetic, with a 70-movie tag genome, so embeddings exist);
/// - `lens_held`: data/sample with the buffer held back in ratings_buffer (for appends, drift).
/// Started on first use under $LENS_TEST_HOME (scripts/test stops it in its trap) or /tmp, and
/// stopped when the process exits. Starting a cluster and loading takes ~20 s: do it once.
enum SQLFixture {
    /// The state folder of this process's cluster.
    static let home: String = {
        let base = ProcessInfo.processInfo.environment["LENS_TEST_HOME"] ?? "/tmp"
        let dir = base + "/sql-\(getpid())"
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        chmod(base, 0o755)
        chmod(dir, 0o755)
        return dir
    }()

    /// The sql folder under test.
    static let sql: SQLFiles = {
        if ProcessInfo.processInfo.environment["LENS_SQL_DIR"] == nil {
            setenv("LENS_SQL_DIR", TestPaths.repo + "/sql", 1)
        }
        return SQLFiles(root: TestPaths.repo + "/sql")
    }()

    static let config = PipelineConfig()

    /// The started cluster (or a skip when PostgreSQL is not installed).
    static func cluster() throws -> LocalCluster {
        guard FileManager.default.fileExists(atPath: "/usr/lib/postgresql") else {
            throw Skip.because("needs PostgreSQL", enable: "apt-get install postgresql (the server programs)")
        }
        return try started.get()
    }

    private static let started: Result<LocalCluster, Error> = Result {
        let c = LocalCluster(stateDir: home)
        try c.start()
        atexit { try? LocalCluster(stateDir: SQLFixture.home).stop() }
        return c
    }

    /// A loaded database: its conninfo and the Parquet folder the run wrote.
    struct Loaded {
        var conninfo: String
        var out: String
        var schema: String
        /// The source folder (CSV files) that was loaded.
        var source: String = ""
        /// Which drop was loaded (database `lens` only; the others hold data/sample).
        var drop: Drop = .synth

        /// `small` on ml-latest-small, `synth` on the synthetic stand-in.
        func pick<T>(small: T, synth: T) -> T { drop == .mlLatestSmall ? small : synth }
        var isMlLatestSmall: Bool { drop == .mlLatestSmall }
    }

    /// The drop of database `lens`: ml-latest-small when present (the pinned GroupLens numbers
    /// are checked), else a clean synthetic drop so that the SQL layer is tested in any clone.
    enum Drop: String {
        case mlLatestSmall = "ml-latest-small"
        case synth = "synth"
    }

    /// ml-latest-small in database `lens` (a skip when ../shared lacks it): for the assertions
    /// that are facts about GroupLens's drop only.
    static func small() throws -> Loaded {
        let source = try TestPaths.sharedFile("movielens/ml-latest-small")
        return try mainLoad.get(source: source, drop: .mlLatestSmall)
    }

    /// Database `lens`: ml-latest-small when present, else `synthSmall` (clean data/sample).
    static func main() throws -> Loaded {
        let real = TestPaths.shared + "/movielens/ml-latest-small"
        if FileManager.default.fileExists(atPath: real + "/ratings.csv") {
            return try mainLoad.get(source: real, drop: .mlLatestSmall)
        }
        return try mainLoad.get(source: try synthSmall.get(), drop: .synth)
    }

    /// `lens synth --scale sample --dirty 0` (data/sample without its dirt, so that DuckDB over
    /// its CSVs is an oracle for the loaded tables: 15,000 ratings, 150 users, 1,200 movies,
    /// 400 tags), without the genome files (like ml-latest-small).
    private static let synthSmall: Result<String, Error> = Result {
        let out = SQLFixture.home + "/synth-small"
        _ = try Synth.run(out: out, options: SynthOptions(scale: .sample, dirtyRate: 0))
        for f in ["genome-scores.csv", "genome-tags.csv", "dirty.json"] {
            try? FileManager.default.removeItem(atPath: out + "/" + f)
        }
        return out
    }

    /// data/sample (with genome) in database `lens_sample`.
    static func sample() throws -> Loaded {
        try sampleLoad.get(source: TestPaths.repo + "/data/sample")
    }

    /// data/sample with the buffer held back, in database `lens_held`.
    static func held() throws -> Loaded {
        try heldLoad.get(source: TestPaths.repo + "/data/sample")
    }

    private static let mainLoad = Once(database: "lens", holdBack: false)
    private static let sampleLoad = Once(database: "lens_sample", holdBack: false)
    private static let heldLoad = Once(database: "lens_held", holdBack: true)

    /// Loads a drop once per process (the first caller's source wins).
    // @unchecked Sendable: `result` is read and written under `lock`; the rest is immutable.
    final class Once: @unchecked Sendable {
        let database: String
        let holdBack: Bool
        private var result: Result<Loaded, Error>?
        private let lock = NSLock()

        init(database: String, holdBack: Bool) {
            self.database = database
            self.holdBack = holdBack
        }

        func get(source: String, drop: Drop = .synth) throws -> Loaded {
            lock.lock()
            defer { lock.unlock() }
            if result == nil { result = Result { try load(source: source, drop: drop) } }
            return try result!.get()
        }

        private func load(source: String, drop: Drop) throws -> Loaded {
            var l = try SQLFixture.load(source: source, database: database, holdBack: holdBack)
            l.drop = drop
            return l
        }
    }

    /// Runs the real pipeline on `source` into `database` of the shared cluster (created when
    /// missing) and publishes the analyst layer. Each call makes a new version there.
    static func load(source: String, database: String, holdBack: Bool = false) throws -> Loaded {
        let cluster = try SQLFixture.cluster()
        _ = SQLFixture.sql
        if database != LocalCluster.databaseName {
            let admin = try PGConnection(conninfo: cluster.conninfo)
            defer { admin.close() }
            if try admin.query("select 1 from pg_database where datname = $1", [database]).count == 0 {
                try admin.execute("create database \(database)")
            }
        }
        let conninfo = cluster.conninfo(database: database)
        var config = PipelineConfig()
        config.outDir = SQLFixture.home + "/out-\(database)"
        config.holdBackBuffer = holdBack
        let result = try RunPipeline.run(RunOptions(source: source, pipelineFile: nil, config: config, database: conninfo))
        guard let version = result.version else { throw LensError.internal(message: "the fixture load made no version") }
        let schema = "\(config.versionSchemaPrefix)\(version)"
        // The analyst layer as the load publishes it once wired in (and harmless if it is):
        // publish_current + sql/views + materialized + catalog views + grants, one transaction.
        let conn = try PGConnection(conninfo: conninfo)
        defer { conn.close() }
        try AnalystLayer.republish(conn: conn, sql: SQLFixture.sql, schema: schema, current: config.currentSchema,
                                   catalog: config.catalogSchema)
        return Loaded(conninfo: conninfo, out: config.outDir, schema: schema, source: source)
    }

    /// A new connection to a loaded database.
    static func connect(_ loaded: Loaded) throws -> PGConnection {
        try PGConnection(conninfo: loaded.conninfo)
    }
}

/// Runs DuckDB (Python) over the Parquet files and CSVs, as an independent oracle.
enum DuckDB {
    /// Rows of `sql` as JSON values (numbers, strings, nulls); paths in the SQL are relative to `cwd`.
    static func rows(_ sql: String, cwd: String) throws -> [[Any]] {
        let script = """
            import duckdb, json, sys, datetime, decimal
            con = duckdb.connect()
            con.execute("set timezone = 'UTC'")
            con.execute("set enable_progress_bar = false")
            rows = con.execute(sys.argv[1]).fetchall()
            def conv(v):
                if isinstance(v, bool): return 't' if v else 'f'
                if isinstance(v, decimal.Decimal): return float(v)
                if isinstance(v, (datetime.datetime, datetime.date)): return v.isoformat()
                if isinstance(v, (list, tuple)): return [conv(x) for x in v]
                return v
            print(json.dumps([[conv(v) for v in r] for r in rows]))
            """
        return try python(script, args: [sql], cwd: cwd)
    }

    /// Runs a Python script (argv[1...] = args) that prints one JSON array of arrays.
    static func python(_ script: String, args: [String] = [], cwd: String) throws -> [[Any]] {
        let (status, out, err) = try TestPaths.run(["python3", "-c", script] + args, cwd: cwd)
        guard status == 0 else {
            throw Skip.because("needs python3 with duckdb and numpy", enable: "pip install duckdb numpy (the oracle failed: \(err.suffix(300)))")
        }
        guard let rows = try JSONSerialization.jsonObject(with: Data(out.utf8), options: [.fragmentsAllowed]) as? [[Any]] else {
            throw LensError.internal(message: "the oracle printed no rows: \(out.prefix(200))")
        }
        return rows
    }
}

/// Compares PostgreSQL text rows with oracle rows: numbers within a relative tolerance, strings
/// exactly (booleans as "t"/"f"), NSNull = SQL NULL. Reports the first differing cell.
func assertRows(_ actual: [[String?]], _ expected: [[Any]], tolerance: Double = 1e-9, _ message: String = "",
                file: StaticString = #filePath, line: UInt = #line) {
    guard actual.count == expected.count else {
        XCTFail("\(message): \(actual.count) rows, expected \(expected.count)\nactual: \(actual.prefix(5))\nexpected: \(expected.prefix(5))",
                file: file, line: line)
        return
    }
    for (r, (a, e)) in zip(actual, expected).enumerated() {
        guard a.count == e.count else {
            XCTFail("\(message): row \(r) has \(a.count) columns, expected \(e.count): \(a) vs \(e)", file: file, line: line)
            return
        }
        for (c, (av, ev)) in zip(a, e).enumerated() {
            if ev is NSNull {
                if av != nil { XCTFail("\(message): row \(r) column \(c): \(av!) but expected NULL", file: file, line: line); return }
            } else if let n = ev as? NSNumber {
                guard let av, let x = Double(av) else {
                    XCTFail("\(message): row \(r) column \(c): \(String(describing: av)) but expected \(n)", file: file, line: line)
                    return
                }
                let y = n.doubleValue
                if abs(x - y) > tolerance * max(1, abs(y)) {
                    XCTFail("\(message): row \(r) column \(c): \(x) but expected \(y)\nrow: \(a)", file: file, line: line)
                    return
                }
            } else {
                let s = "\(ev)"
                if av != s { XCTFail("\(message): row \(r) column \(c): \(String(describing: av)) but expected \(s)", file: file, line: line); return }
            }
        }
    }
}

/// The SQLSTATE of a PostgreSQL error (e.g. 42501 insufficient_privilege), nil for other errors.
func sqlState(_ error: Error) -> String? {
    (error as? PGError)?.sqlState
}

/// A test case on the main fixture (database `lens`: ml-latest-small when ../shared has it, else
/// the clean synthetic drop), connected for each test; `csv` is the loaded drop's folder, which
/// the DuckDB oracles read.
class MainFixtureTestCase: XCTestCase {
    var conn: PGConnection!
    var loaded: SQLFixture.Loaded!
    var csv: String!

    override func setUpWithError() throws {
        loaded = try SQLFixture.main()
        csv = loaded.source
        conn = try SQLFixture.connect(loaded)
    }

    override func tearDown() {
        conn?.close()
    }
}
