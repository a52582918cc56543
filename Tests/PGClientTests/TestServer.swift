import Foundation
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// A throwaway PostgreSQL server for the PGClient tests, one per test process, in a temporary
/// folder, listening on a Unix socket only. (PGClient cannot depend on LensCore, whose LocalCluster
/// does the same for lens; this is the minimal version.) As root it runs as `postgres` via runuser.
///
/// Set PGCLIENT_TEST_CONNINFO to run the tests against an existing database instead.
enum TestServer {
    /// The started server (a `let`: started once, on first use, whichever test thread asks).
    private static let state: Result<Started, Error> = Result { try start() }

    private struct Started: Sendable {
        let conninfo: String
        let dir: String
        let bin: String
    }

    /// The conninfo of the test database; skips the test when no PostgreSQL is installed.
    static func conninfo() throws -> String {
        if let given = ProcessInfo.processInfo.environment["PGCLIENT_TEST_CONNINFO"], !given.isEmpty {
            return given
        }
        return try state.get().conninfo
    }

    private static func start() throws -> Started {
        let root = "/usr/lib/postgresql"
        let majors = ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? [])
            .filter { FileManager.default.isExecutableFile(atPath: "\(root)/\($0)/bin/pg_ctl") }
            .sorted { (Int($0.split(separator: ".")[0]) ?? 0) < (Int($1.split(separator: ".")[0]) ?? 0) }
        guard let major = majors.last else {
            throw XCTSkip("PostgreSQL server programs are not installed (apt-get install postgresql)")
        }
        let bin = "\(root)/\(major)/bin"
        let dir = "/tmp/pgclient-test-\(getpid())-\(UUID().uuidString.prefix(8))"
        let data = dir + "/data"
        let asRoot = geteuid() == 0
        try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        chmod(dir, 0o755)
        if asRoot {
            guard let pw = getpwnam("postgres") else { throw XCTSkip("running as root without a postgres user") }
            chown(dir, pw.pointee.pw_uid, pw.pointee.pw_gid)
            chown(data, pw.pointee.pw_uid, pw.pointee.pw_gid)
        }
        try run(bin + "/initdb", ["-D", data, "-U", "postgres", "--auth=trust", "--encoding=UTF8",
                                  "--locale=C", "--no-sync"])
        let conf = """

            listen_addresses = ''
            unix_socket_directories = '\(dir)'
            port = 5499
            fsync = off
            synchronous_commit = off
            wal_level = minimal
            max_wal_senders = 0
            shared_buffers = 128MB
            max_wal_size = 4GB
            timezone = 'UTC'
            datestyle = 'iso, ymd'
            lc_messages = 'C'

            """
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: data + "/postgresql.conf"))
        handle.seekToEndOfFile()
        handle.write(conf.data(using: .utf8)!)
        try handle.close()
        try run(bin + "/pg_ctl", ["start", "-D", data, "-l", data + "/server.log", "-w", "-t", "60"])
        atexit { TestServer.stop() }
        return Started(conninfo: "host=\(dir) port=5499 dbname=postgres user=postgres", dir: dir, bin: bin)
    }

    /// Stops the server and removes its folder (at process exit; registered once `start` has
    /// started it, so `state` is already set when this runs).
    private static func stop() {
        guard case .success(let server) = state else { return }
        let dir = server.dir, bin = server.bin
        _ = try? run(bin + "/pg_ctl", ["stop", "-D", dir + "/data", "-m", "immediate", "-w"])
        try? FileManager.default.removeItem(atPath: dir)
    }

    /// Runs a PostgreSQL program (as postgres when root) and waits for it. posix_spawn rather than
    /// Foundation.Process, whose wait never ends when a daemon (the postmaster) inherits its pipe.
    @discardableResult
    static func run(_ program: String, _ args: [String]) throws -> String {
        var argv = [program] + args
        if geteuid() == 0 { argv = ["/usr/sbin/runuser", "-u", "postgres", "--"] + argv }
        let out = "/tmp/pgclient-test-\(UUID().uuidString).out"
        let fd = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        defer { close(fd); unlink(out) }
        let cArgs: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
        defer { cArgs.forEach { free($0) } }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, fd, 1)
        posix_spawn_file_actions_adddup2(&actions, fd, 2)
        typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
        if let sym = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np") {
            _ = unsafeBitCast(sym, to: CloseFrom.self)(&actions, 3)
        }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, argv[0], &actions, nil, cArgs, environ)
        guard rc == 0 else { throw PGTestError("could not run \(program): \(rc)") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let text = (try? String(contentsOfFile: out, encoding: .utf8)) ?? ""
        guard status == 0 else { throw PGTestError("\(argv.joined(separator: " ")) failed:\n\(text)") }
        return text
    }
}

struct PGTestError: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}
