import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs PostgreSQL's programs: as the current user, or (as root) as `postgres` through runuser.
struct ClusterProgramRunner {
    let asOtherUser: Bool
    let user: String
    let uid: uid_t
    let gid: gid_t
    let groups: Set<gid_t>
    let runuser: String?

    init() throws {
        if geteuid() == 0 {
            guard let pw = getpwnam("postgres") else {
                throw LocalClusterError.noServerUser("there is no `postgres` user on this machine")
            }
            asOtherUser = true
            user = "postgres"
            uid = pw.pointee.pw_uid
            gid = pw.pointee.pw_gid
            var gs: Set<gid_t> = [gid]
            var count: Int32 = 64
            var list = [gid_t](repeating: 0, count: 64)
            if getgrouplist("postgres", gid, &list, &count) >= 0 {
                gs.formUnion(list.prefix(Int(count)))
            }
            groups = gs
            let candidates = ["/usr/sbin/runuser", "/sbin/runuser", "/usr/bin/runuser", "/usr/bin/setpriv", "/usr/sbin/setpriv"]
            guard let tool = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
                throw LocalClusterError.noServerUser("neither runuser nor setpriv (package util-linux) is installed")
            }
            runuser = tool
        } else {
            asOtherUser = false
            uid = geteuid()
            gid = getegid()
            user = getpwuid(uid).map { String(cString: $0.pointee.pw_name) } ?? "uid \(uid)"
            groups = [gid]
            runuser = nil
        }
    }

    // glibc (2.29 / 2.34) extensions that the Glibc module does not import: looked up at run time.
    private typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
    private typealias ChangeDir = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32
    private static let closeFrom: CloseFrom? = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np")
        .map { unsafeBitCast($0, to: CloseFrom.self) }
    private static let chdir: ChangeDir? = dlsym(nil, "posix_spawn_file_actions_addchdir_np")
        .map { unsafeBitCast($0, to: ChangeDir.self) }

    struct Result {
        let status: Int32
        let output: String
    }

    /// Runs `argv` with stdin from /dev/null and stdout+stderr captured in a temporary file, and
    /// waits for it. posix_spawn, not Foundation.Process: Process learns that a child ended from a
    /// socket the child inherits, and the server that `pg_ctl start` leaves running inherits it too,
    /// so Process would wait forever. Here the child gets only fds 0-2 (closefrom 3).
    func run(_ argv: [String]) throws -> Result {
        var full = argv
        if let tool = runuser {
            if tool.hasSuffix("setpriv") {
                full = [tool, "--reuid=\(uid)", "--regid=\(gid)", "--init-groups", "--"] + argv
            } else {
                full = [tool, "-u", user, "--"] + argv
            }
        }
        let command = full.joined(separator: " ")
        let outPath = (NSTemporaryDirectory() as NSString).appendingPathComponent("lens-cmd-\(UUID().uuidString).out")
        let outFd = open(outPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard outFd >= 0 else {
            throw LocalClusterError.fileSystem(path: outPath, message: String(cString: strerror(errno)))
        }
        defer {
            close(outFd)
            unlink(outPath)
        }

        var env = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("PG") }
        env["LC_ALL"] = "C"
        env["LANG"] = "C"
        let cArgs: [UnsafeMutablePointer<CChar>?] = full.map { strdup($0) } + [nil]
        let cEnv: [UnsafeMutablePointer<CChar>?] = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for p in cArgs { free(p) }
            for p in cEnv { free(p) }
        }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, outFd, 1)
        posix_spawn_file_actions_adddup2(&actions, outFd, 2)
        if let closeFrom = ClusterProgramRunner.closeFrom {
            _ = closeFrom(&actions, 3)
        } else {
            // older C libraries: close every descriptor this process has open above 2
            let fds = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
            for fd in fds.compactMap({ Int32($0) }) where fd > 2 && fd != outFd {
                posix_spawn_file_actions_addclose(&actions, fd)
            }
        }
        // The server user may not be allowed into the caller's working folder.
        if let chdir = ClusterProgramRunner.chdir { _ = chdir(&actions, "/") }

        var attr = posix_spawnattr_t()
        posix_spawnattr_init(&attr)
        defer { posix_spawnattr_destroy(&attr) }
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for sig in [SIGPIPE, SIGCHLD, SIGINT, SIGTERM, SIGQUIT, SIGHUP, SIGUSR1, SIGUSR2] { sigaddset(&defaults, sig) }
        var noMask = sigset_t()
        sigemptyset(&noMask)
        posix_spawnattr_setsigdefault(&attr, &defaults)
        posix_spawnattr_setsigmask(&attr, &noMask)
        posix_spawnattr_setflags(&attr, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        var pid: pid_t = 0
        let rc = posix_spawn(&pid, full[0], &actions, &attr, cArgs, cEnv)
        if rc != 0 {
            throw LocalClusterError.commandFailed(command: command, status: -1, output: String(cString: strerror(rc)))
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            if errno != EINTR {
                throw LocalClusterError.commandFailed(command: command, status: -1,
                                                      output: "waitpid: \(String(cString: strerror(errno)))")
            }
        }
        // WIFEXITED / WEXITSTATUS / WTERMSIG by hand (macros are not imported)
        let exitStatus: Int32 = (status & 0x7F) == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
        let text = (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? ""
        return Result(status: exitStatus, output: text)
    }
}
