import Foundation
import PGClient
import XCTest

/// PGConnection against a real server (TestServer: a throwaway cluster in /tmp).
final class PGConnectionTests: XCTestCase {
    private var conn: PGConnection!

    override func setUpWithError() throws {
        conn = try PGConnection(conninfo: TestServer.conninfo())
        // each test gets its own schema, so tests never see each other's tables
        let schema = "t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(12).lowercased()
        try conn.execute("CREATE SCHEMA \(schema); SET search_path = \(schema)")
    }

    override func tearDown() {
        conn?.close()
    }

    // MARK: - Connecting

    /// Protects the connection error: it says what failed (the socket path) and never shows the
    /// password, whether given as key/value, in a URL, or in a malformed string.
    func testConnectErrorIsClearAndHidesPassword() {
        let secret = "Sup3rS3cretPw"
        let attempts = [
            "host=/nonexistent/lens-socket port=5499 user=lens password=\(secret) dbname=x connect_timeout=2",
            "postgresql://lens:\(secret)@%2Fnonexistent%2Flens-socket:5499/x",
            "host=/nonexistent password=\(secret) bogus_option_without_value",
            "host=/nonexistent password \(secret)",
        ]
        for conninfo in attempts {
            XCTAssertThrowsError(try PGConnection(conninfo: conninfo), conninfo) { error in
                guard let e = error as? PGError else { return XCTFail("not a PGError: \(error)") }
                XCTAssertEqual(e.kind, .connectionFailed)
                XCTAssertFalse(e.description.contains(secret), e.description)
                XCTAssertFalse(String(reflecting: e).contains(secret), String(reflecting: e))
                XCTAssertTrue(e.description.hasPrefix("could not connect to PostgreSQL: "), e.description)
            }
        }
        XCTAssertThrowsError(try PGConnection(conninfo: attempts[0])) { error in
            XCTAssertTrue("\(error)".contains("/nonexistent/lens-socket"), "names the socket: \(error)")
        }
    }

    /// Protects the basic facts a caller logs: server version and an open connection; close is final.
    func testServerVersionAndClose() throws {
        XCTAssertGreaterThanOrEqual(conn.serverVersion, 100_000)
        XCTAssertTrue(conn.isOpen)
        conn.close()
        conn.close()
        XCTAssertFalse(conn.isOpen)
        XCTAssertThrowsError(try conn.query("SELECT 1")) { error in
            XCTAssertEqual((error as? PGError)?.kind, .protocol)
        }
    }

    // MARK: - Statements

    /// Protects execute (several statements at once) and query with server-bound parameters:
    /// values come back as text, NULL as nil, and an injection attempt is stored as plain data.
    func testExecuteAndQueryWithParameters() throws {
        try conn.execute("""
            CREATE TABLE t (id int PRIMARY KEY, name text, score real);
            INSERT INTO t VALUES (1, 'one', 1.5);
            """)
        let injection = "1; DROP TABLE t; --"
        let inserted = try conn.query("INSERT INTO t VALUES ($1, $2, $3)", ["2", injection, nil])
        XCTAssertEqual(inserted.commandTag, "INSERT 0 1")
        let quote = "O'Brien \"quoted\" \\ back"
        try conn.query("INSERT INTO t VALUES ($1, $2, NULL)", ["3", quote])

        let rows = try conn.query("SELECT id, name, score FROM t WHERE id >= $1 ORDER BY id", ["1"])
        XCTAssertEqual(rows.columns, ["id", "name", "score"])
        XCTAssertEqual(rows.count, 3)
        XCTAssertEqual(rows.rows, [["1", "one", "1.5"], ["2", injection, nil], ["3", quote, nil]])
        XCTAssertEqual(rows.commandTag, "SELECT 3")
        XCTAssertEqual(rows.value(1, "name"), injection)

        // the parameter is a value, never SQL: the table is still there
        XCTAssertEqual(try conn.query("SELECT count(*) FROM t").rows, [["3"]])
        // a parameter used where an identifier would go is just a string
        XCTAssertEqual(try conn.query("SELECT $1::text AS v", [injection]).rows, [[injection]])
    }

    /// Protects the error a caller sees for bad SQL: SQLSTATE, message, detail and hint, and a
    /// connection that still works afterwards.
    func testQueryErrorGivesSQLStateAndMessage() throws {
        XCTAssertThrowsError(try conn.query("SELECT * FROM no_such_table")) { error in
            guard let e = error as? PGError else { return XCTFail("\(error)") }
            XCTAssertEqual(e.kind, .query)
            XCTAssertEqual(e.sqlState, "42P01")
            XCTAssertTrue(e.message.contains("no_such_table"), e.message)
            XCTAssertTrue(e.description.contains("[42P01]"), e.description)
        }
        XCTAssertThrowsError(try conn.execute("SELEC 1")) { error in
            XCTAssertEqual((error as? PGError)?.sqlState, "42601")
        }
        try conn.execute("CREATE TABLE u (id int PRIMARY KEY)")
        try conn.query("INSERT INTO u VALUES ($1)", ["1"])
        XCTAssertThrowsError(try conn.query("INSERT INTO u VALUES ($1)", ["1"])) { error in
            guard let e = error as? PGError else { return XCTFail("\(error)") }
            XCTAssertEqual(e.sqlState, "23505")
            XCTAssertEqual(e.detail, "Key (id)=(1) already exists.")
        }
        XCTAssertThrowsError(try conn.query("SELECT 1 +")) { error in
            XCTAssertEqual((error as? PGError)?.sqlState, "42601")
        }
        XCTAssertEqual(try conn.query("SELECT 1 + 1").rows, [["2"]])
    }

    /// Protects the notice handling: server notices are kept, not printed to stderr.
    func testNoticesAreKept() throws {
        try conn.execute("DROP TABLE IF EXISTS never_existed")
        XCTAssertTrue(conn.notices.contains { $0.contains("never_existed") }, "\(conn.notices)")
    }

    // MARK: - COPY

    /// Protects the binary COPY encoder end to end: every type, NULLs everywhere, arrays (empty
    /// too), non-ASCII text, extreme numbers, timestamps before 1970, before and after 2000, read
    /// back exactly with SELECT.
    func testBinaryCopyRoundTripOfEveryType() throws {
        try conn.execute("""
            CREATE TABLE every (
                b bool, i2 int2, i4 int4, i8 int8, f4 float4, f8 float8, t text, ts timestamptz,
                ta text[], fa real[], raw bytea, d date
            )
            """)
        let micros2021: Int64 = 1_633_046_400_123_456        // 2021-10-01 00:00:00.123456 UTC
        let micros1995: Int64 = 812_345_678_900_001          // 1995-09-29 03:34:38.900001 UTC
        let micros1960: Int64 = -300_000_000_000_001         // 1960-06-29 18:39:59.999999 UTC (before 1970)
        let nonASCII = "Amélie — 東京 🎬 \"q\" 'a' \\ tab\tnl\n"
        let floats: [Float] = [1.5, -0.25, 3.4028235e38, .leastNonzeroMagnitude]  // max, smallest subnormal

        var enc = PGBinaryCopyEncoder()
        let rows = try conn.copyIn("COPY every FROM STDIN (FORMAT binary)") { w in
            enc.header()
            // row 1: every value set
            enc.beginRow(fieldCount: 12)
            enc.bool(true)
            enc.int16(Int16.min)
            enc.int32(Int32.max)
            enc.int64(Int64.min + 1)
            enc.float4(-1.25)
            enc.float8(1e300)
            enc.text(nonASCII)
            enc.timestamptz(epochMicros: micros2021)
            enc.textArray(["Comedy", "Sci-Fi", "", "with,comma", "É"])
            floats.withUnsafeBufferPointer { enc.float4Array($0) }
            enc.text(bytes: [0, 1, 2, 255])
            enc.date(epochDays: -1)                           // 1969-12-31
            // row 2: every value NULL
            enc.beginRow(fieldCount: 12)
            for _ in 0..<12 { enc.null() }
            // row 3: empty things and other timestamps
            enc.beginRow(fieldCount: 12)
            enc.bool(false)
            enc.int16(Int16.max)
            enc.int32(Int32.min)
            enc.int64(Int64.max)
            enc.float4(.infinity)
            enc.float8(-0.0)
            enc.text("")
            enc.timestamptz(epochMicros: micros1995)
            enc.textArray([])
            enc.float4Array([Float]())
            enc.text(bytes: [UInt8]())
            enc.date(epochDays: 18_900)                      // 2021-09-30
            // row 4: PostgreSQL's epoch itself and a time before 1970
            enc.beginRow(fieldCount: 12)
            enc.null(); enc.null(); enc.null(); enc.null(); enc.float4(.nan); enc.null(); enc.null()
            enc.timestamptz(epochMicros: micros1960)
            enc.null(); enc.null(); enc.null(); enc.date(epochDays: 10_957)   // 2000-01-01
            enc.beginRow(fieldCount: 12)
            for _ in 0..<7 { enc.null() }
            enc.timestamptz(epochMicros: PGBinaryCopyEncoder.postgresEpochOffsetMicros)
            for _ in 0..<4 { enc.null() }
            enc.trailer()
            try w.flush(&enc)
        }
        XCTAssertEqual(rows, 5)

        let got = try conn.query("""
            SELECT b, i2, i4, i8, f4, f8, t, ts, (extract(epoch FROM ts) * 1000000)::bigint AS us,
                   cardinality(ta) AS n, ta[1] AS ta1, ta[3] AS ta3, ta[4] AS ta4, ta[5] AS ta5,
                   fa::text AS fa, cardinality(fa) AS nf, encode(raw, 'hex') AS raw, d::text AS d
            FROM every ORDER BY ts NULLS FIRST
            """)
        let expect: [[String?]] = [
            // all NULL
            [nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil],
            // before 1970
            [nil, nil, nil, nil, "NaN", nil, nil, "1960-06-29 18:39:59.999999+00", String(micros1960),
             nil, nil, nil, nil, nil, nil, nil, nil, "2000-01-01"],
            // 1995
            ["f", "32767", "-2147483648", "9223372036854775807", "Infinity", "-0", "",
             "1995-09-29 03:34:38.900001+00", String(micros1995), "0", nil, nil, nil, nil, "{}", "0", "",
             "2021-09-30"],
            // exactly 2000-01-01
            [nil, nil, nil, nil, nil, nil, nil, "2000-01-01 00:00:00+00", "946684800000000",
             nil, nil, nil, nil, nil, nil, nil, nil, nil],
            // 2021, every value set
            ["t", "-32768", "2147483647", "-9223372036854775807", "-1.25", "1e+300", nonASCII,
             "2021-10-01 00:00:00.123456+00", String(micros2021), "5", "Comedy", "", "with,comma", "É",
             "{1.5,-0.25,3.4028235e+38,1e-45}", "4", "000102ff", "1969-12-31"],
        ]
        XCTAssertEqual(got.rows.count, expect.count)
        for (i, (g, e)) in zip(got.rows, expect).enumerated() {
            XCTAssertEqual(g, e, "row \(i)")
        }
    }

    /// Protects streaming: many rows through repeated flushes arrive complete and in order.
    func testCopyManyRowsThroughRepeatedFlushes() throws {
        try conn.execute("CREATE TABLE r (user_id int, movie_id int, rating real, at timestamptz, tag text, n int2)")
        let n = 200_000
        var enc = PGBinaryCopyEncoder()
        var flushes = 0
        let copied = try conn.copyIn("COPY r FROM STDIN (FORMAT binary)") { w in
            enc.header()
            for i in 0..<n {
                enc.beginRow(fieldCount: 6)
                enc.int32(Int32(i))
                enc.int32(Int32(i % 1000))
                enc.float4(Float(i % 10) / 2)
                enc.timestamptz(epochMicros: Int64(i) * 1_000_000)
                enc.text("tag \(i % 7)")
                if i % 2 == 0 { enc.int16(Int16(i % 100)) } else { enc.null() }
                if enc.count > 1 << 16 { try w.flush(&enc); flushes += 1 }
            }
            enc.trailer()
            try w.flush(&enc)
            XCTAssertGreaterThan(w.bytesWritten, n * 40)
        }
        XCTAssertEqual(copied, n)
        XCTAssertGreaterThan(flushes, 10)
        let sums = try conn.query("""
            SELECT count(*), sum(user_id), sum(rating), count(n), max(at), count(DISTINCT tag) FROM r
            """)
        XCTAssertEqual(sums.rows, [["200000", String(n * (n - 1) / 2), "450000", "100000",
                                    "1970-01-03 07:33:19+00", "7"]])
    }

    /// Protects the background sender: rows encoded on one thread and sent by another through a
    /// small pool of buffers arrive complete and in the order they were encoded.
    func testBackgroundSenderDeliversEveryRowInOrder() throws {
        try conn.execute("CREATE TABLE s (i int, tag text)")
        let n = 300_000
        let copied = try conn.copyIn("COPY s FROM STDIN (FORMAT binary)") { w in
            try PGBackgroundCopySender.withSender(writer: w, depth: 2) { sender in
                var enc = PGBinaryCopyEncoder()
                enc.header()
                for i in 0..<n {
                    enc.beginRow(fieldCount: 2)
                    enc.int32(Int32(i))
                    enc.text("row \(i % 13)")
                    if enc.count > 1 << 12 { try sender.flush(&enc) }
                }
                enc.trailer()
                try sender.flush(&enc)
            }
            XCTAssertGreaterThan(w.bytesWritten, n * 14)
        }
        XCTAssertEqual(copied, n)
        XCTAssertEqual(try conn.query("SELECT count(*), sum(i), count(DISTINCT tag) FROM s").rows,
                       [[String(n), String(n * (n - 1) / 2), "13"]])
        // in the order encoded: the table's physical order is the COPY's
        XCTAssertEqual(try conn.query("SELECT count(*) FROM (SELECT i, lag(i) OVER (ORDER BY ctid) AS p FROM s) x WHERE i <> p + 1").rows, [["0"]])
    }

    /// Protects the background sender's abort path: a producer that throws after handing it
    /// buffers gets its own error back, the sending thread has stopped before copyIn aborts the
    /// COPY (two threads writing to one connection would break it), the table stays empty and the
    /// connection usable. Repeated, since the harm of a race shows only sometimes.
    func testBackgroundSenderWithAThrowingProducerLeavesTableEmpty() throws {
        try conn.execute("CREATE TABLE b (v int)")
        for _ in 0..<20 {
            XCTAssertThrowsError(try conn.copyIn("COPY b FROM STDIN (FORMAT binary)") { w in
                try PGBackgroundCopySender.withSender(writer: w) { sender in try encodeRowsThenFail(into: sender) }
            }) { error in
                XCTAssertTrue(error is ProducerFailure, "the producer's error comes back: \(error)")
            }
            XCTAssertEqual(try conn.query("SELECT count(*) FROM b").rows, [["0"]])
        }
        XCTAssertEqual(try conn.copyIn("COPY b FROM STDIN") { w in try w.write(Array("1\n".utf8)) }, 1)
    }

    struct ProducerFailure: Error {}

    /// A producer that fails mid-COPY: 50,000 one-int rows flushed to `sink` every 16 KiB, then
    /// `ProducerFailure`.
    func encodeRowsThenFail(into sink: PGCopySink) throws {
        var enc = PGBinaryCopyEncoder()
        enc.header()
        for i in 0..<50_000 {
            enc.beginRow(fieldCount: 1)
            enc.int32(Int32(i))
            if enc.count > 1 << 14 { try sink.flush(&enc) }
        }
        throw ProducerFailure()
    }

    /// Protects the abort path: a producer that throws mid-COPY leaves the table empty (the server
    /// rolls the COPY back), rethrows the producer's own error, and the connection stays usable.
    func testProducerThrowingMidCopyLeavesTableEmptyAndConnectionUsable() throws {
        try conn.execute("CREATE TABLE a (v int)")
        XCTAssertThrowsError(try conn.copyIn("COPY a FROM STDIN (FORMAT binary)") { w in try encodeRowsThenFail(into: w) }) { error in
            XCTAssertTrue(error is ProducerFailure, "the producer's error comes back: \(error)")
        }
        XCTAssertEqual(try conn.query("SELECT count(*) FROM a").rows, [["0"]])
        // and the connection is fine for more work, COPY included
        let ok = try conn.copyIn("COPY a FROM STDIN") { w in try w.write(Array("1\n2\n".utf8)) }
        XCTAssertEqual(ok, 2)
    }

    /// Protects data the server rejects (bad binary layout): a `.copy` error with SQLSTATE, and a
    /// usable connection.
    func testServerRejectingCopyDataGivesCopyError() throws {
        try conn.execute("CREATE TABLE c (v int, w int)")
        var enc = PGBinaryCopyEncoder()
        XCTAssertThrowsError(try conn.copyIn("COPY c FROM STDIN (FORMAT binary)") { w in
            enc.header()
            enc.beginRow(fieldCount: 1)   // the table has two columns
            enc.int32(1)
            enc.trailer()
            try w.flush(&enc)
        }) { error in
            guard let e = error as? PGError else { return XCTFail("\(error)") }
            XCTAssertEqual(e.kind, .copy)
            XCTAssertEqual(e.sqlState, "22P04")   // bad_copy_file_format
        }
        XCTAssertEqual(try conn.query("SELECT count(*) FROM c").rows, [["0"]])
    }

    /// Protects copyIn's guard: a statement that is not COPY FROM STDIN is refused without
    /// leaving the connection in a strange state; COPY's own SQL errors come back as query errors.
    func testCopyInNeedsCopyFromStdin() throws {
        XCTAssertThrowsError(try conn.copyIn("SELECT 1") { _ in }) { error in
            XCTAssertEqual((error as? PGError)?.kind, .protocol)
        }
        XCTAssertThrowsError(try conn.copyIn("COPY missing_table FROM STDIN") { _ in }) { error in
            XCTAssertEqual((error as? PGError)?.sqlState, "42P01")
        }
        XCTAssertThrowsError(try conn.execute("COPY (SELECT 1) TO STDOUT")) { error in
            XCTAssertEqual((error as? PGError)?.kind, .protocol)
        }
        XCTAssertEqual(try conn.query("SELECT 'still fine'").rows, [["still fine"]])
    }

    // MARK: - Passwords

    /// Protects `encryptPassword`: it returns a SCRAM-SHA-256 verifier whose keys are the ones
    /// RFC 5802/7677 derive from the password and the verifier's own salt and iteration count
    /// (recomputed independently with Python's hashlib), a fresh salt each call, a server that
    /// stores the verifier as is, and a typed error for an unknown algorithm.
    func testEncryptPasswordGivesAScramVerifierTheServerStoresAsIs() throws {
        let password = "correct horse battery staple"
        let verifier = try conn.encryptPassword(password, user: "alice")
        let parts = verifier.split(separator: "$").map(String.init)
        XCTAssertEqual(parts.count, 3, verifier)
        XCTAssertEqual(parts[0], "SCRAM-SHA-256")
        XCTAssertEqual(parts[1].split(separator: ":").first, "4096", "libpq's default iteration count")
        XCTAssertFalse(verifier.contains(password))
        XCTAssertNotEqual(try conn.encryptPassword(password, user: "alice"), verifier, "a fresh random salt each call")

        let check = """
            import base64, hashlib, hmac, sys
            password, verifier = sys.argv[1], sys.argv[2]
            _, params, keys = verifier.split("$")
            iterations, salt = params.split(":")
            stored, server = keys.split(":")
            salted = hashlib.pbkdf2_hmac("sha256", password.encode(), base64.b64decode(salt), int(iterations))
            client_key = hmac.new(salted, b"Client Key", hashlib.sha256).digest()
            server_key = hmac.new(salted, b"Server Key", hashlib.sha256).digest()
            print(base64.b64encode(hashlib.sha256(client_key).digest()).decode() == stored,
                  base64.b64encode(server_key).decode() == server)
            """
        XCTAssertEqual(try python(check, [password, verifier]), "True True\n", "the keys derive from this password")
        XCTAssertEqual(try python(check, [password + "!", verifier]), "False False\n", "and not from another")

        let role = "r_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(12).lowercased()
        try conn.execute("CREATE ROLE \(role) LOGIN PASSWORD '\(verifier)'")
        defer { try? conn.execute("DROP ROLE \(role)") }
        XCTAssertEqual(try conn.query("SELECT rolpassword FROM pg_authid WHERE rolname = $1", [role]).rows, [[verifier]])

        XCTAssertThrowsError(try conn.encryptPassword(password, user: "alice", algorithm: "rot13")) { error in
            XCTAssertEqual((error as? PGError)?.kind, .protocol)
            XCTAssertTrue("\(error)".contains("rot13"), "\(error)")
        }
    }

    /// Runs a Python 3 script (hashlib is in its standard library); its standard output.
    private func python(_ script: String, _ args: [String]) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", "-c", script] + args
        let out = Pipe()
        p.standardOutput = out
        do { try p.run() } catch { throw XCTSkip("python3 is needed to check SCRAM verifiers: \(error)") }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    // MARK: - Advisory locks

    /// Protects the load lock: a session advisory lock held by one connection is refused to
    /// another until released.
    func testAdvisoryLockHeldByOneIsRefusedToAnother() throws {
        let other = try PGConnection(conninfo: TestServer.conninfo())
        defer { other.close() }
        let key: Int64 = 0x4C45_4E53_0000_0001
        XCTAssertTrue(try conn.tryAdvisoryLock(key))
        XCTAssertFalse(try other.tryAdvisoryLock(key))
        try conn.advisoryUnlock(key)
        XCTAssertTrue(try other.tryAdvisoryLock(key))
        XCTAssertFalse(try conn.tryAdvisoryLock(key))
        try other.advisoryUnlock(key)
        // a negative key works too
        XCTAssertTrue(try conn.tryAdvisoryLock(-7))
        try conn.advisoryUnlock(-7)
    }
}
