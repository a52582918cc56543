import CLibPQ

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The rows of a query, every value in PostgreSQL's text form (`nil` = SQL NULL).
public struct PGRows: Sendable, Equatable {
    public let columns: [String]
    public let rows: [[String?]]
    /// The command tag, e.g. "SELECT 3", "INSERT 0 1", "CREATE TABLE".
    public let commandTag: String
    /// Each column's type OID (PQftype), e.g. 23 int4, 16 bool, 1184 timestamptz; empty when
    /// the rows were built by hand. Lets a renderer type the text values (JSON numbers, booleans).
    public let columnTypes: [UInt32]
    public var count: Int { rows.count }

    public init(columns: [String], rows: [[String?]], commandTag: String, columnTypes: [UInt32] = []) {
        self.columns = columns
        self.rows = rows
        self.commandTag = commandTag
        self.columnTypes = columnTypes
    }

    /// The value of `column` in row `row` (nil when NULL or when there is no such column).
    public func value(_ row: Int, _ column: String) -> String? {
        guard let c = columns.firstIndex(of: column) else { return nil }
        return rows[row][c]
    }
}

/// One libpq connection (blocking mode). Not thread-safe: use one connection per thread.
/// Notices (e.g. "table does not exist, skipping") are kept in `notices`, never printed.
public final class PGConnection {
    private var conn: OpaquePointer?
    /// The most recent server notices and warnings (at most 64), oldest first.
    public private(set) var notices: [String] = []

    /// Opens a connection with PQconnectdb (`conninfo` is key=value pairs or a postgresql:// URL).
    /// Throws `PGError` of kind `.connectionFailed` whose message never contains the password.
    public init(conninfo: String) throws {
        // libpq quotes fragments of a malformed conninfo in its error; find the password first so
        // it can be masked, and refuse to echo a malformed string that mentions one.
        var password: String?
        var malformed = false
        var parseError: UnsafeMutablePointer<CChar>?
        if let opts = PQconninfoParse(conninfo, &parseError) {
            var p = opts
            while let key = p.pointee.keyword {
                if String(cString: key) == "password", let v = p.pointee.val { password = String(cString: v) }
                p += 1
            }
            PQconninfoFree(opts)
        } else {
            malformed = true
        }
        if let parseError { PQfreemem(parseError) }

        guard let c = PQconnectdb(conninfo) else {
            throw PGError.connectionFailed("libpq could not allocate a connection (out of memory)")
        }
        if PQstatus(c) != CONNECTION_OK {
            var msg = String(cString: PQerrorMessage(c))
            PQfinish(c)
            if malformed && conninfo.lowercased().contains("password") {
                msg = "invalid connection string (not shown because it contains a password)"
            }
            throw PGError.connectionFailed(PGConnection.clean(msg, password: password))
        }
        conn = c
        _ = PQsetClientEncoding(c, "UTF8")
        let me = Unmanaged.passUnretained(self).toOpaque()
        _ = PQsetNoticeProcessor(c, { arg, message in
            guard let arg, let message else { return }
            let me = Unmanaged<PGConnection>.fromOpaque(arg).takeUnretainedValue()
            if me.notices.count >= 64 { me.notices.removeFirst() }
            me.notices.append(String(cString: message).trimmingTrailingWhitespace())
        }, me)
    }

    deinit { close() }

    /// Closes the connection (idempotent). Later calls throw `PGError` of kind `.protocol`.
    public func close() {
        if let c = conn {
            PQfinish(c)
            conn = nil
        }
    }

    public var isOpen: Bool { conn != nil }

    /// The server process serving this connection (0 when closed): what pg_stat_activity and
    /// pg_terminate_backend name it by.
    public var backendPID: Int32 {
        guard let c = conn else { return 0 }
        return PQbackendPID(c)
    }

    /// The server version as an integer, e.g. 150018 for 15.18 (0 when closed).
    public var serverVersion: Int {
        guard let c = conn else { return 0 }
        return Int(PQserverVersion(c))
    }

    // MARK: - Statements

    /// Runs `sql` with the simple query protocol; it may hold several statements separated by ';'
    /// (they run as one implicit transaction unless they contain BEGIN/COMMIT). Throws on the first error.
    public func execute(_ sql: String) throws {
        let c = try handle()
        let res = PQexec(c, sql)
        defer { PQclear(res) }
        try check(res, c)
        // libpq returns the last result; drain anything left (none in blocking PQexec, kept for safety).
        while let more = PQgetResult(c) { PQclear(more) }
    }

    /// Runs `body` between BEGIN and COMMIT; when `body` (or the COMMIT) throws, rolls back and
    /// rethrows, so the connection is never left inside a transaction.
    public func transaction<T>(_ body: () throws -> T) throws -> T {
        try execute("begin")
        do {
            let value = try body()
            try execute("commit")
            return value
        } catch {
            try? execute("rollback")
            throw error
        }
    }

    /// Runs one statement with the extended protocol. Parameters `$1, $2, ...` are sent as text
    /// values bound by the server (never spliced into the SQL); `nil` is SQL NULL. Results are text.
    @discardableResult
    public func query(_ sql: String, _ params: [String?] = []) throws -> PGRows {
        let c = try handle()
        for p in params where p?.utf8.contains(0) == true {
            throw PGError(kind: .protocol, message: "a query parameter contains a NUL byte, which PostgreSQL text cannot hold")
        }
        let cParams: [UnsafeMutablePointer<CChar>?] = params.map { $0.map { strdup($0) } ?? nil }
        defer { for p in cParams { free(p) } }
        let res: OpaquePointer? = cParams.withUnsafeBufferPointer { buf -> OpaquePointer? in
            guard let base = buf.baseAddress, buf.count > 0 else {
                return PQexecParams(c, sql, 0, nil, nil, nil, nil, 0)
            }
            return base.withMemoryRebound(to: UnsafePointer<CChar>?.self, capacity: buf.count) { ptr in
                PQexecParams(c, sql, Int32(buf.count), nil, ptr, nil, nil, 0)
            }
        }
        defer { PQclear(res) }
        try check(res, c)
        let res1 = res!
        let nFields = Int(PQnfields(res1))
        let nRows = Int(PQntuples(res1))
        var columns: [String] = []
        columns.reserveCapacity(nFields)
        for f in 0..<nFields { columns.append(String(cString: PQfname(res1, Int32(f)))) }
        let columnTypes = (0..<nFields).map { UInt32(PQftype(res1, Int32($0))) }
        var rows: [[String?]] = []
        rows.reserveCapacity(nRows)
        for r in 0..<nRows {
            var row: [String?] = []
            row.reserveCapacity(nFields)
            for f in 0..<nFields {
                if PQgetisnull(res1, Int32(r), Int32(f)) != 0 {
                    row.append(nil)
                } else {
                    row.append(String(cString: PQgetvalue(res1, Int32(r), Int32(f))))
                }
            }
            rows.append(row)
        }
        let tag = PQcmdStatus(res1).map { String(cString: $0) } ?? ""
        return PGRows(columns: columns, rows: rows, commandTag: tag, columnTypes: columnTypes)
    }

    // MARK: - COPY

    /// Runs `COPY ... FROM STDIN` (text, CSV or BINARY) and lets `produce` stream the data through
    /// the writer. Returns the number of rows the server reports in the command tag.
    /// If `produce` throws, the COPY is aborted with PQputCopyEnd(errormsg) so the server rolls
    /// it back (the table is left as before), the connection stays usable, and the error is rethrown.
    @discardableResult
    public func copyIn(_ sql: String, _ produce: (PGCopyWriter) throws -> Void) throws -> Int {
        let c = try handle()
        let start = PQexec(c, sql)
        let status = PQresultStatus(start)
        if status != PGRES_COPY_IN {
            defer { PQclear(start) }
            try check(start, c)   // throws the server's error when there is one
            drainCopyState(c, status: status)
            throw PGError(kind: .protocol, message: "copyIn needs a COPY ... FROM STDIN statement, got: \(sql.prefix(80))")
        }
        PQclear(start)

        let writer = PGCopyWriter(conn: c)
        do {
            try produce(writer)
        } catch {
            writer.conn = nil
            let reason = "aborted by the client: \(String(describing: error).prefix(200))"
            _ = PQputCopyEnd(c, reason)
            _ = collectCopyResult(c)   // the server answers with an error (57014); the COPY is rolled back
            throw error
        }
        writer.conn = nil
        if PQputCopyEnd(c, nil) != 1 {
            let msg = lastError(c)
            _ = collectCopyResult(c)
            throw PGError(kind: .copy, message: msg)
        }
        return try collectCopyResult(c).get()
    }

    // MARK: - Passwords

    /// The password verifier PostgreSQL stores for `user` (libpq's PQencryptPasswordConn, as psql's
    /// `\password` uses): `SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>` for the default
    /// algorithm. Computed here, so that `ALTER ROLE ... PASSWORD '<verifier>'` (stored as is) can
    /// set a password without the password itself reaching the server or its statement log. The
    /// salt is random: two calls give different verifiers for the same password.
    /// Throws `PGError` of kind `.protocol` with libpq's reason (e.g. an unknown algorithm).
    public func encryptPassword(_ password: String, user: String, algorithm: String = "scram-sha-256") throws -> String {
        let c = try handle()
        guard !password.utf8.contains(0), !user.utf8.contains(0) else {
            throw PGError(kind: .protocol, message: "a password or role name contains a NUL byte")
        }
        guard let encrypted = PQencryptPasswordConn(c, password, user, algorithm) else {
            throw PGError(kind: .protocol, message: "cannot encrypt the password: \(lastError(c))")
        }
        defer { PQfreemem(encrypted) }
        return String(cString: encrypted)
    }

    // MARK: - Advisory locks

    /// pg_try_advisory_lock (session level): true when this connection now holds the lock.
    public func tryAdvisoryLock(_ key: Int64) throws -> Bool {
        try query("SELECT pg_try_advisory_lock($1::bigint)", [String(key)]).rows.first?.first == "t"
    }

    /// pg_advisory_unlock (session level). Releasing a lock this session does not hold is a no-op
    /// (the server's warning lands in `notices`).
    public func advisoryUnlock(_ key: Int64) throws {
        _ = try query("SELECT pg_advisory_unlock($1::bigint)", [String(key)])
    }

    // MARK: - Internals

    private func handle() throws -> OpaquePointer {
        guard let c = conn else { throw PGError(kind: .protocol, message: "the connection is closed") }
        return c
    }

    private func lastError(_ c: OpaquePointer) -> String {
        String(cString: PQerrorMessage(c)).trimmingTrailingWhitespace()
    }

    /// Throws unless `res` is a success (command or tuples).
    private func check(_ res: OpaquePointer?, _ c: OpaquePointer, kind: PGError.Kind = .query) throws {
        guard let res else {
            throw PGError(kind: .protocol, message: lastError(c))
        }
        switch PQresultStatus(res) {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY:
            return
        case PGRES_COPY_IN, PGRES_COPY_OUT, PGRES_COPY_BOTH:
            let status = PQresultStatus(res)
            drainCopyState(c, status: status)
            throw PGError(kind: .protocol, message: "COPY statements need copyIn, not execute/query")
        default:
            throw PGConnection.error(from: res, connection: c, kind: kind)
        }
    }

    /// Leaves a COPY state entered by mistake so the connection stays usable.
    private func drainCopyState(_ c: OpaquePointer, status: ExecStatusType) {
        if status == PGRES_COPY_IN {
            _ = PQputCopyEnd(c, "COPY FROM STDIN is only supported through copyIn")
        } else if status == PGRES_COPY_OUT {
            var buf: UnsafeMutablePointer<CChar>?
            while PQgetCopyData(c, &buf, 0) > 0 { PQfreemem(buf); buf = nil }
        }
        while let r = PQgetResult(c) { PQclear(r) }
    }

    /// Reads the results that end a COPY: the row count, or the server's error.
    private func collectCopyResult(_ c: OpaquePointer) -> Result<Int, PGError> {
        var outcome: Result<Int, PGError> = .failure(PGError(kind: .copy, message: "the server sent no result for the COPY"))
        var first = true
        while let r = PQgetResult(c) {
            defer { PQclear(r) }
            guard first else { continue }
            first = false
            if PQresultStatus(r) == PGRES_COMMAND_OK {
                let tuples = PQcmdTuples(r).map { String(cString: $0) } ?? ""
                outcome = .success(Int(tuples) ?? 0)
            } else {
                outcome = .failure(PGConnection.error(from: r, connection: c, kind: .copy))
            }
        }
        return outcome
    }

    private static func error(from res: OpaquePointer, connection c: OpaquePointer, kind: PGError.Kind) -> PGError {
        func field(_ code: UInt8) -> String? {
            guard let p = PQresultErrorField(res, Int32(code)) else { return nil }
            return String(cString: p)
        }
        let sqlState = field(UInt8(ascii: "C"))
        var message = field(UInt8(ascii: "M"))
            ?? String(cString: PQresultErrorMessage(res)).trimmingTrailingWhitespace()
        if message.isEmpty { message = String(cString: PQerrorMessage(c)).trimmingTrailingWhitespace() }
        return PGError(kind: kind, sqlState: sqlState, message: message,
                       detail: field(UInt8(ascii: "D")), hint: field(UInt8(ascii: "H")))
    }

    /// Trims libpq's trailing newline, masks the known password and any password-looking text.
    static func clean(_ message: String, password: String?) -> String {
        var m = message.trimmingTrailingWhitespace()
        if let password, !password.isEmpty { m = m.replacingAll(password, with: "***") }
        return redactConninfo(m)
    }
}

/// Streams COPY data to the server. Only valid inside the `copyIn` closure that handed it out.
public final class PGCopyWriter {
    fileprivate var conn: OpaquePointer?
    /// Bytes handed to libpq so far.
    public private(set) var bytesWritten: Int = 0
    /// libpq copies each message into its output buffer: keep single messages bounded.
    private static let chunk = 1 << 20

    fileprivate init(conn: OpaquePointer) { self.conn = conn }

    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        guard let c = conn else {
            throw PGError(kind: .protocol, message: "the COPY writer was used outside its copyIn call")
        }
        guard var p = bytes.baseAddress?.assumingMemoryBound(to: CChar.self) else { return }
        var left = bytes.count
        while left > 0 {
            let n = min(left, PGCopyWriter.chunk)
            if PQputCopyData(c, p, Int32(n)) != 1 {
                throw PGError(kind: .copy, message: String(cString: PQerrorMessage(c)).trimmingTrailingWhitespace())
            }
            p += n
            left -= n
        }
        bytesWritten += bytes.count
    }

    public func write(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try write($0) }
    }

    /// Sends the encoder's buffer and empties it (keeping its capacity).
    public func flush(_ encoder: inout PGBinaryCopyEncoder) throws {
        try encoder.withPendingBytes { try write($0) }
        encoder.reset()
    }
}

extension String {
    func trimmingTrailingWhitespace() -> String {
        var s = Substring(self)
        while let last = s.last, last.isWhitespace { s = s.dropLast() }
        return String(s)
    }

    func replacingAll(_ target: String, with replacement: String) -> String {
        let s = Array(utf8), t = Array(target.utf8), r = Array(replacement.utf8)
        guard !t.isEmpty, t.count <= s.count else { return self }
        var out: [UInt8] = []
        out.reserveCapacity(s.count)
        var i = 0
        while i < s.count {
            if i + t.count <= s.count, s[i..<(i + t.count)].elementsEqual(t) {
                out += r
                i += t.count
            } else {
                out.append(s[i])
                i += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
