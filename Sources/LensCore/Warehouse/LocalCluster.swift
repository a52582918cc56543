import Foundation
import PGClient
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The state of the project's private PostgreSQL cluster.
public enum LocalClusterStatus: Equatable, Sendable {
    /// No cluster in `<stateDir>/postgres` yet (`start()` creates one).
    case notInitialised
    /// A cluster exists and no server is running on it.
    case stopped
    /// The postmaster with this process id serves the cluster.
    case running(pid: Int32)
}

/// What went wrong with the private cluster, and what to do about it.
public enum LocalClusterError: Error, CustomStringConvertible, Equatable {
    /// No /usr/lib/postgresql/<major>/bin with initdb and pg_ctl.
    case postgresNotInstalled(searched: String)
    /// The cluster was made by a PostgreSQL major version whose programs are not installed.
    case versionNotInstalled(dataVersion: String, dataDir: String, installed: [String])
    /// Running as root, but there is no `postgres` system user to run the server as.
    case noServerUser(String)
    /// The server user cannot reach the data folder because a parent folder is not traversable.
    case notTraversable(path: String, user: String)
    /// The data folder exists, is not empty and is not a PostgreSQL cluster.
    case notAClusterDirectory(String)
    /// The data folder exists but this user cannot read it (e.g. made by root, now run as a user).
    case notAccessible(path: String, owner: String)
    /// A folder or file could not be created or changed.
    case fileSystem(path: String, message: String)
    /// A program (initdb, pg_ctl, runuser) failed; `output` is what it printed.
    case commandFailed(command: String, status: Int32, output: String)
    /// `pg_ctl start` failed; `logTail` holds the last lines of the server log at `logPath`.
    case startFailed(output: String, logPath: String, logTail: String)
    /// The server runs but the `lens` database could not be checked or created.
    case databaseSetup(String)

    public var description: String {
        switch self {
        case .postgresNotInstalled(let searched):
            return "PostgreSQL server programs (initdb, pg_ctl) were not found in \(searched)/<version>/bin. "
                + "Install them with `apt-get install postgresql`, or configure an existing database for lens to use."
        case .versionNotInstalled(let v, let dataDir, let installed):
            let have = installed.isEmpty ? "none" : installed.joined(separator: ", ")
            return "The private database in \(dataDir) was created by PostgreSQL \(v), whose programs are not installed "
                + "(installed: \(have)). Install them with `apt-get install postgresql-\(v)`, "
                + "or delete \(dataDir) to start over with a fresh (empty) database."
        case .noServerUser(let why):
            return "PostgreSQL refuses to run as root, and lens could not run it as the `postgres` system user: \(why). "
                + "Install Debian's `postgresql` package (it creates that user) or run lens as a regular user."
        case .notTraversable(let path, let user):
            return "PostgreSQL runs as the system user `\(user)` (it refuses to run as root), and that user cannot enter "
                + "\(path). Allow it with `chmod o+x \(path)`, or put the project somewhere every folder of whose path "
                + "is traversable (e.g. under /srv or /tmp)."
        case .notAClusterDirectory(let path):
            return "\(path) exists and is not empty, but it is not a PostgreSQL data folder (no PG_VERSION). "
                + "Move it away or delete it so lens can create its database there."
        case .notAccessible(let path, let owner):
            return "\(path) belongs to `\(owner)` and this user cannot read it (was it created by lens running as root?). "
                + "Run lens as the same user as before, or change its owner with `chown -R`."
        case .fileSystem(let path, let message):
            return "could not prepare \(path): \(message)"
        case .commandFailed(let command, let status, let output):
            let out = output.trimmingCharacters(in: .whitespacesAndNewlines)
            return "`\(command)` failed (exit status \(status))" + (out.isEmpty ? "." : ":\n\(out)")
        case .startFailed(let output, let logPath, let logTail):
            var s = "the private PostgreSQL server did not start."
            let out = output.trimmingCharacters(in: .whitespacesAndNewlines)
            if !out.isEmpty { s += "\npg_ctl said:\n\(out)" }
            if !logTail.isEmpty { s += "\nlast lines of \(logPath):\n\(logTail)" }
            s += "\nFix the cause above (often: another server on the same data folder, not enough memory, or a full disk) and start again."
            return s
        case .databaseSetup(let message):
            return "the private PostgreSQL server runs, but the `lens` database could not be created: \(message)"
        }
    }
}

/// The project's private PostgreSQL cluster, used when no database is configured.
///
/// - Data in `<stateDir>/postgres`, made with Debian's `initdb` from the newest
///   `/usr/lib/postgresql/<major>/bin` (or the major the cluster was made with).
/// - Listens on a Unix socket only (`listen_addresses = ''`) in `<stateDir>/run` (the socket file is
///   `.s.PGSQL.<port>`); trust authentication over that socket, which only the server user
///   (and root) can enter. When that path is too long for a socket name, a private folder
///   `/tmp/lens-pg-<hash of stateDir>` is used instead.
/// - Settings for bulk loads in `<dataDir>/lens.conf` (rewritten at every start, included at the
///   end of postgresql.conf; `ALTER SYSTEM` still overrides it).
/// - As root, PostgreSQL (which refuses to run as root) runs as the `postgres` system user through
///   `runuser`; the data folders are given to that user.
///
/// It never prints: programs run through posix_spawn (see `ClusterProgramRunner.run` for why not Foundation.Process)
/// and their output is returned in errors.
public struct LocalCluster: Sendable {
    public static let defaultPort = 5499
    /// The database lens uses; created by `start()` when missing.
    public static let databaseName = "lens"
    /// The superuser name (initdb -U), the same whoever runs lens.
    public static let superuser = "postgres"

    public let stateDir: String
    public let port: Int
    /// Where the per-major Debian installs live (`<root>/<major>/bin`).
    public let postgresRoot: String

    public init(stateDir: String, port: Int = LocalCluster.defaultPort, postgresRoot: String = "/usr/lib/postgresql") {
        self.stateDir = LocalCluster.absolute(stateDir)
        self.port = port
        self.postgresRoot = postgresRoot
    }

    public var dataDir: String { stateDir + "/postgres" }

    /// `<stateDir>/run`, or a private folder under /tmp when that path would make the socket's
    /// name longer than a Unix socket address allows (107 bytes).
    public var socketDir: String {
        let preferred = stateDir + "/run"
        if preferred.utf8.count + "/.s.PGSQL.\(port)".utf8.count <= 107 { return preferred }
        var h: UInt64 = 0xcbf2_9ce4_8422_2325   // FNV-1a of the state folder
        for b in stateDir.utf8 { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        return "/tmp/lens-pg-" + String(h, radix: 16)
    }

    /// The server log (pg_ctl -l); inside the data folder so that the server user can write it.
    public var logPath: String { dataDir + "/lens-server.log" }

    /// libpq key/value connection string for the `lens` database.
    public var conninfo: String { conninfo(database: LocalCluster.databaseName) }

    public func conninfo(database: String) -> String {
        "host=\(LocalCluster.conninfoValue(socketDir)) port=\(port) dbname=\(LocalCluster.conninfoValue(database)) user=\(LocalCluster.superuser)"
    }

    /// The same as a `postgresql://` URL, the socket folder percent-encoded as the host.
    public var url: String {
        "postgresql://\(LocalCluster.superuser)@\(LocalCluster.percentEncode(socketDir)):\(port)/\(LocalCluster.percentEncode(LocalCluster.databaseName))"
    }

    // MARK: - Status

    public func status() -> LocalClusterStatus {
        let fm = FileManager.default
        guard fm.fileExists(atPath: dataDir + "/PG_VERSION") else { return .notInitialised }
        guard let pidFile = try? String(contentsOfFile: dataDir + "/postmaster.pid", encoding: .utf8),
              let first = pidFile.split(separator: "\n").first,
              let pid = Int32(first.trimmingCharacters(in: .whitespaces)), pid > 0
        else { return .stopped }
        if kill(pid, 0) != 0 && errno != EPERM { return .stopped }
        // After a crash the pid may belong to another program now.
        if let comm = try? String(contentsOfFile: "/proc/\(pid)/comm", encoding: .utf8),
           !comm.hasPrefix("postgres") && !comm.hasPrefix("postmaster") {
            return .stopped
        }
        return .running(pid: pid)
    }

    // MARK: - Start / stop

    /// Creates the cluster if needed (initdb), starts it (pg_ctl start -w) unless it runs, and
    /// creates the `lens` database if missing. Safe to call when already running and from several
    /// processes at once (they serialise on `<stateDir>/cluster.lock`).
    public func start() throws {
        let runner = try ClusterProgramRunner()
        try makeDirectory(stateDir, mode: 0o755, runner: nil)
        if runner.asOtherUser {
            try allowTraverse(stateDir)
            try checkTraversable(stateDir, runner: runner)
        }
        let lock = try FileLock(path: stateDir + "/cluster.lock")
        defer { lock.release() }

        if case .running = status() {
            try ensureDatabase()
            return
        }
        try checkAccessible()
        let bin = try binDir()

        if status() == .notInitialised {
            try initialise(bin: bin, runner: runner)
        }
        try writeSettings(runner: runner)
        try makeDirectory(socketDir, mode: 0o700, runner: runner, privateFolder: true)

        let logStart = (try? FileManager.default.attributesOfItem(atPath: logPath)[.size] as? NSNumber)??.intValue ?? 0
        let pgctl = [bin + "/pg_ctl", "start", "-D", dataDir, "-l", logPath, "-w", "-t", "120"]
        let result = try runner.run(pgctl)
        if result.status != 0 {
            if case .running = status() {
                // Another process started it meanwhile: fine.
            } else {
                throw LocalClusterError.startFailed(output: result.output, logPath: logPath, logTail: logTail(lines: 25, from: logStart))
            }
        }
        try ensureDatabase()
    }

    /// Stops the server (pg_ctl stop -m fast: running statements are cancelled, sessions closed).
    /// Does nothing when it is not running.
    public func stop() throws {
        guard case .running = status() else { return }
        let runner = try ClusterProgramRunner()
        let lock = try FileLock(path: stateDir + "/cluster.lock")
        defer { lock.release() }
        guard case .running = status() else { return }
        let bin = try binDir()
        let result = try runner.run([bin + "/pg_ctl", "stop", "-D", dataDir, "-m", "fast", "-w", "-t", "120"])
        if result.status != 0, case .running = status() {
            throw LocalClusterError.commandFailed(command: "pg_ctl stop -D \(dataDir) -m fast", status: result.status,
                                                  output: result.output)
        }
    }

    // MARK: - Steps

    /// The settings for bulk loads (and the socket-only listening), rewritten at every start.
    var settings: String {
        """
        # Written by lens at every start of its private cluster: edits here are lost.
        # To change a setting for good, use ALTER SYSTEM (postgresql.auto.conf is read after this file).
        listen_addresses = ''
        port = \(port)
        unix_socket_directories = '\(socketDir.replacingOccurrences(of: "'", with: "''"))'
        unix_socket_permissions = 0700

        # bulk loads: no WAL for tables created or truncated in the loading transaction
        wal_level = minimal
        max_wal_senders = 0
        archive_mode = off
        fsync = on
        full_page_writes = on
        synchronous_commit = off
        shared_buffers = 256MB
        wal_buffers = 16MB
        maintenance_work_mem = 1GB
        work_mem = 64MB
        max_wal_size = 8GB
        min_wal_size = 1GB
        checkpoint_timeout = 30min
        max_parallel_maintenance_workers = 2

        timezone = 'UTC'
        log_timezone = 'UTC'
        datestyle = 'iso, ymd'
        lc_messages = 'C'
        """ + "\n"
    }

    private func initialise(bin: String, runner: ClusterProgramRunner) throws {
        let fm = FileManager.default
        if fm.fileExists(atPath: dataDir) {
            let contents = (try? fm.contentsOfDirectory(atPath: dataDir)) ?? []
            if !contents.isEmpty { throw LocalClusterError.notAClusterDirectory(dataDir) }
        }
        try makeDirectory(dataDir, mode: 0o700, runner: runner, privateFolder: true)
        let args = [bin + "/initdb", "-D", dataDir, "-U", LocalCluster.superuser, "--auth=trust",
                    "--encoding=UTF8", "--locale=C"]
        let result = try runner.run(args)
        if result.status != 0 {
            throw LocalClusterError.commandFailed(command: args.joined(separator: " "), status: result.status,
                                                  output: result.output)
        }
    }

    private func writeSettings(runner: ClusterProgramRunner) throws {
        let conf = dataDir + "/lens.conf"
        try write(settings, to: conf, runner: runner)
        let main = dataDir + "/postgresql.conf"
        guard var text = try? String(contentsOfFile: main, encoding: .utf8) else {
            throw LocalClusterError.fileSystem(path: main, message: "cannot read it")
        }
        let include = "include_if_exists = 'lens.conf'"
        if !text.split(separator: "\n").contains(where: { $0.trimmingCharacters(in: .whitespaces) == include }) {
            if !text.hasSuffix("\n") { text += "\n" }
            text += "\n# lens: settings for its private cluster (see lens.conf)\n\(include)\n"
            try write(text, to: main, runner: runner)
        }
    }

    private func ensureDatabase() throws {
        do {
            let conn = try PGConnection(conninfo: conninfo(database: "postgres"))
            defer { conn.close() }
            let found = try conn.query("SELECT 1 FROM pg_database WHERE datname = $1", [LocalCluster.databaseName])
            if found.count == 0 {
                do {
                    try conn.execute("CREATE DATABASE \(LocalCluster.databaseName) TEMPLATE template0 ENCODING 'UTF8'")
                } catch let e as PGError where e.sqlState == "42P04" {
                    // created by another process meanwhile
                }
            }
        } catch let e as PGError {
            throw LocalClusterError.databaseSetup(e.description)
        }
    }

    /// `LENS_PG_BINDIR`: a folder with initdb, pg_ctl and postgres to use instead of Debian's
    /// (e.g. another major version from a relocatable build, kept in its own folder layout so
    /// that the binaries find their libraries).
    /// Applies to clusters on the default root only (a test naming another root means it).
    var binDirOverride: String? {
        guard postgresRoot == "/usr/lib/postgresql", let dir = ProcessInfo.processInfo.environment["LENS_PG_BINDIR"], !dir.isEmpty else { return nil }
        return dir
    }

    /// The bin folder for the cluster's major version, or the newest installed one for a new
    /// cluster; `LENS_PG_BINDIR` when set.
    func binDir() throws -> String {
        if let dir = binDirOverride {
            guard FileManager.default.isExecutableFile(atPath: dir + "/initdb"), FileManager.default.isExecutableFile(atPath: dir + "/pg_ctl") else {
                throw LocalClusterError.postgresNotInstalled(searched: dir + " (LENS_PG_BINDIR)")
            }
            return dir
        }
        let installed = installedMajors()
        if let v = try? String(contentsOfFile: dataDir + "/PG_VERSION", encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines), !v.isEmpty {
            guard installed.contains(v) else {
                throw LocalClusterError.versionNotInstalled(dataVersion: v, dataDir: dataDir, installed: installed)
            }
            return postgresRoot + "/" + v + "/bin"
        }
        guard let newest = installed.last else {
            throw LocalClusterError.postgresNotInstalled(searched: postgresRoot)
        }
        return postgresRoot + "/" + newest + "/bin"
    }

    /// Installed majors with initdb and pg_ctl, oldest first ("9.6" < "15" < "16").
    func installedMajors() -> [String] {
        let fm = FileManager.default
        if let dir = binDirOverride {
            return fm.isExecutableFile(atPath: dir + "/initdb") ? ["LENS_PG_BINDIR \(dir)"] : []
        }
        let names = (try? fm.contentsOfDirectory(atPath: postgresRoot)) ?? []
        let usable = names.filter {
            fm.isExecutableFile(atPath: "\(postgresRoot)/\($0)/bin/initdb")
                && fm.isExecutableFile(atPath: "\(postgresRoot)/\($0)/bin/pg_ctl")
        }
        func key(_ s: String) -> [Int] { s.split(separator: ".").map { Int($0) ?? 0 } }
        return usable.sorted { key($0).lexicographicallyPrecedes(key($1)) }
    }

    /// The last `lines` lines of the server log written after byte `offset` (this start attempt),
    /// or of the whole log when nothing was written since.
    func logTail(lines: Int, from offset: Int = 0) -> String {
        guard let data = FileManager.default.contents(atPath: logPath) else { return "" }
        let fresh = offset > 0 && offset < data.count ? data.suffix(from: offset) : data
        let text = String(decoding: fresh, as: UTF8.self)
        return text.split(separator: "\n", omittingEmptySubsequences: false).suffix(lines + 1)
            .joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
    }

    // MARK: - Files and permissions

    private func checkAccessible() throws {
        var st = stat()
        guard lstat(dataDir, &st) == 0 else { return }
        if access(dataDir, R_OK | X_OK) != 0 {
            let owner = getpwuid(st.st_uid).map { String(cString: $0.pointee.pw_name) } ?? "uid \(st.st_uid)"
            throw LocalClusterError.notAccessible(path: dataDir, owner: owner)
        }
    }

    /// Creates `path` (and parents) if missing. Private folders (data, socket) get `mode` and belong
    /// to the server user; an existing private folder must not be a symbolic link or someone else's.
    private func makeDirectory(_ path: String, mode: mode_t, runner: ClusterProgramRunner?, privateFolder: Bool = false) throws {
        let fm = FileManager.default
        var st = stat()
        if lstat(path, &st) != 0 {
            do {
                try fm.createDirectory(atPath: path, withIntermediateDirectories: true,
                                       attributes: [.posixPermissions: NSNumber(value: mode)])
            } catch {
                throw LocalClusterError.fileSystem(path: path, message: "\(error.localizedDescription)")
            }
            guard lstat(path, &st) == 0 else {
                throw LocalClusterError.fileSystem(path: path, message: "it vanished after being created")
            }
        }
        guard (st.st_mode & S_IFMT) == S_IFDIR else {
            throw LocalClusterError.fileSystem(path: path, message: "it exists and is not a folder")
        }
        guard privateFolder, let runner else { return }
        if st.st_uid != runner.uid {
            if runner.asOtherUser && st.st_uid == 0 {
                // made by root just now (or by an earlier run): hand it to the server user
                if chown(path, runner.uid, runner.gid) != 0 {
                    throw LocalClusterError.fileSystem(path: path, message: "chown to \(runner.user) failed: \(String(cString: strerror(errno)))")
                }
            } else {
                throw LocalClusterError.fileSystem(path: path, message: "it belongs to uid \(st.st_uid), not to \(runner.user)")
            }
        }
        if (st.st_mode & 0o777) != mode, chmod(path, mode) != 0 {
            throw LocalClusterError.fileSystem(path: path, message: "chmod failed: \(String(cString: strerror(errno)))")
        }
    }

    /// Lens's own state folder may be entered (not listed) by the server user.
    private func allowTraverse(_ path: String) throws {
        var st = stat()
        guard stat(path, &st) == 0 else { return }
        if st.st_mode & S_IXOTH == 0, chmod(path, (st.st_mode & 0o7777) | S_IXOTH) != 0 {
            throw LocalClusterError.fileSystem(path: path, message: "chmod o+x failed: \(String(cString: strerror(errno)))")
        }
    }

    /// Every folder from / down to `path` must be searchable by the server user.
    private func checkTraversable(_ path: String, runner: ClusterProgramRunner) throws {
        var prefix = ""
        let parts = path.split(separator: "/").map(String.init)
        var folders = ["/"]
        for p in parts {
            prefix += "/" + p
            folders.append(prefix)
        }
        for folder in folders {
            var st = stat()
            guard stat(folder, &st) == 0 else {
                throw LocalClusterError.fileSystem(path: folder, message: String(cString: strerror(errno)))
            }
            let canSearch: Bool
            if st.st_uid == runner.uid {
                canSearch = st.st_mode & S_IXUSR != 0
            } else if runner.groups.contains(st.st_gid) {
                canSearch = st.st_mode & S_IXGRP != 0
            } else {
                canSearch = st.st_mode & S_IXOTH != 0
            }
            if !canSearch { throw LocalClusterError.notTraversable(path: folder, user: runner.user) }
        }
    }

    /// Writes a file in the data folder and gives it to the server user.
    private func write(_ text: String, to path: String, runner: ClusterProgramRunner) throws {
        do {
            try text.write(toFile: path, atomically: true, encoding: .utf8)
        } catch {
            throw LocalClusterError.fileSystem(path: path, message: error.localizedDescription)
        }
        if runner.asOtherUser {
            _ = chown(path, runner.uid, runner.gid)
        }
        _ = chmod(path, 0o600)
    }

    // MARK: - Helpers

    static func absolute(_ path: String) -> String {
        var p = path
        if !p.hasPrefix("/") {
            p = FileManager.default.currentDirectoryPath + "/" + p
        }
        return URL(fileURLWithPath: p).standardizedFileURL.path
    }

    /// A libpq conninfo value, single-quoted when it holds spaces, quotes or backslashes.
    static func conninfoValue(_ s: String) -> String {
        if !s.isEmpty && !s.contains(where: { $0 == " " || $0 == "'" || $0 == "\\" || $0 == "\t" || $0 == "=" }) {
            return s
        }
        return "'" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'") + "'"
    }

    static func percentEncode(_ s: String) -> String {
        var out = ""
        for b in s.utf8 {
            switch b {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."),
                 UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(b))
            default:
                out += String(format: "%%%02X", b)
            }
        }
        return out
    }
}
