import Foundation
import XCTest
import LensTestSupport

/// Protects `scripts/install` (issue 14, "one file to install"): the installed `lens` is one file
/// that loads no Swift runtime from the toolchain and carries its SQL, so that copied alone into an
/// empty folder, far from any repository, every database command works against a private cluster.
/// Uses the release build that `scripts/test` stages first (`scripts/install --build-only`).
final class InstallTests: XCTestCase {
    /// The files an install puts under PREFIX, relative to it (and all that `--uninstall` removes).
    static let installed = [
        "bin/lens",
        "share/bash-completion/completions/lens",
        "share/fish/vendor_completions.d/lens.fish",
        "share/man/man1/lens.1",
        "share/zsh/site-functions/_lens",
    ]

    /// Installs into a temporary PREFIX (exactly the five files; no libswift, libFoundation or
    /// libdispatch in `ldd`; a man page and completions), copies bin/lens alone into an empty
    /// folder and runs db start, run, query, check, drift, report, catalog, roles setup and db stop
    /// there with LENS_SQL_DIR unset, asserting the sample's counts; LENS_SQL_DIR still overrides
    /// the built-in SQL; `--uninstall` removes the five files and nothing else.
    func testInstalledBinaryWorksAloneWithoutTheRepository() throws {
        let staged = CLI.repo + "/.build/install/lens"
        guard FileManager.default.isExecutableFile(atPath: staged) else {
            let why = "no staged release build at \(staged): scripts/test makes it (scripts/install --build-only)"
            if ProcessInfo.processInfo.environment["CI"] == "true" { return XCTFail(why) }
            throw Skip.because("needs the staged release build", enable: why)
        }
        // Under /tmp and world-readable: as root the private cluster runs as the postgres user.
        var template = Array("/tmp/lens-install.XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { return XCTFail("mkdtemp failed") }
        let base = String(cString: made)
        chmod(base, 0o755)
        defer { try? FileManager.default.removeItem(atPath: base) }
        let prefix = base + "/prefix"

        // Install: exactly the five files.
        let (s0, _, e0) = try CLI.run([CLI.repo + "/scripts/install", "--no-build", prefix])
        XCTAssertEqual(s0, 0, e0)
        XCTAssertEqual(try regularFiles(under: prefix), Self.installed)
        let (sl, ldd, el) = try CLI.run(["ldd", prefix + "/bin/lens"])
        XCTAssertEqual(sl, 0, el)
        for runtime in ["libswift", "libFoundation", "libdispatch", "/opt/swift"] {
            XCTAssertFalse(ldd.contains(runtime), "the installed lens loads \(runtime):\n\(ldd)")
        }
        XCTAssertTrue(ldd.contains("libpq.so.5"), ldd)
        let man = try String(contentsOfFile: prefix + "/share/man/man1/lens.1", encoding: .utf8)
        XCTAssertTrue(man.contains(".Dt LENS 1"), String(man.prefix(400)))
        XCTAssertTrue(man.contains("roles"), "the man page documents the subcommands")
        let zsh = try String(contentsOfFile: prefix + "/share/zsh/site-functions/_lens", encoding: .utf8)
        XCTAssertTrue(zsh.hasPrefix("#compdef lens"), String(zsh.prefix(80)))
        let bash = try String(contentsOfFile: prefix + "/share/bash-completion/completions/lens", encoding: .utf8)
        XCTAssertTrue(bash.contains("complete -o filenames -F _lens lens") || bash.contains("-F _lens lens"), String(bash.suffix(200)))

        // The binary alone in an empty folder, the drop beside it, no repository anywhere.
        let work = base + "/work", home = base + "/home"
        let fm = FileManager.default
        try fm.createDirectory(atPath: work, withIntermediateDirectories: false)
        try fm.createDirectory(atPath: home, withIntermediateDirectories: false)
        chmod(work, 0o755)
        chmod(home, 0o755)
        try fm.copyItem(atPath: prefix + "/bin/lens", toPath: work + "/lens")
        try fm.copyItem(atPath: CLI.repo + "/data/sample", toPath: work + "/drop")
        func lens(_ args: String..., env: [String: String] = [:]) throws -> (Int32, String, String) {
            try alone(["./lens"] + args, in: work, env: ["LENS_HOME": home].merging(env) { $1 })
        }

        let (s1, _, e1) = try lens("db", "start")
        XCTAssertEqual(s1, 0, e1)
        defer { _ = try? lens("db", "stop") }

        let (s2, o2, e2) = try lens("run", "--source", "drop")
        XCTAssertEqual(s2, 0, e2)
        XCTAssertTrue(o2.contains("  ratings.csv: 15016 = 14989 + 11 + 6 + 4 + 6  ok\n"), e2)
        XCTAssertTrue(o2.contains("split: train 10492, test 2997, buffer 1500 in batches 300 + 300 + 300 + 300 + 300\n"), e2)

        let (s3, o3, e3) = try lens("query", "top_rated", "--param", "limit=3")
        XCTAssertEqual(s3, 0, e3)
        let rows = o3.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        XCTAssertEqual(rows.count, 6, o3)
        XCTAssertEqual(rows.dropFirst(2).first, "3536     | Shadow Sun Dawn (2008) | 2008 | 54        | 4.528       | 4.281")
        XCTAssertEqual(rows.last, "(3 rows)")

        let (s4, o4, e4) = try lens("check")
        XCTAssertEqual(s4, 0, e4)
        XCTAssertTrue(o4.contains("ok    ratings_unique: passed"), o4)
        XCTAssertTrue(o4.contains("7 of 7 checks passed on version 1 (recorded as run 2)"), o4)

        let (s5, o5, e5) = try lens("drift")
        XCTAssertEqual(s5, 0, e5)
        XCTAssertEqual(o5.split(separator: "\n").count, 6, o5)   // a header and the 5 buffer batches
        XCTAssertTrue(e5.hasPrefix("lens: 0 alerts"), e5)

        let (s6, _, e6) = try lens("report", "--out", "r.html")
        XCTAssertEqual(s6, 0, e6)
        XCTAssertEqual(e6, "lens: wrote r.html (version 1, 0 failed checks, 0 drift alerts)\n")
        XCTAssertTrue(try String(contentsOfFile: work + "/r.html", encoding: .utf8).contains("Shadow Sun Dawn (2008)"))

        let (s7, o7, e7) = try lens("catalog")
        XCTAssertEqual(s7, 0, e7)
        XCTAssertTrue(o7.contains("1       | lens_v1     | t "), o7)
        XCTAssertTrue(o7.contains("(2 rows)"), o7)   // the runs: run and check

        let (s8, _, e8) = try lens("roles", "setup")
        XCTAssertEqual(s8, 0, e8)
        XCTAssertTrue(e8.hasPrefix("lens: role lens_analyst created: reads schema movielens only;"), e8)

        // LENS_SQL_DIR is still the development override: a folder that is not lens's is refused.
        let (s9, _, e9) = try lens("query", "--list", env: ["LENS_SQL_DIR": work])
        XCTAssertEqual(s9, 64, e9)
        XCTAssertTrue(e9.contains("LENS_SQL_DIR does not hold lens's sql folder"), e9)

        let (s10, _, e10) = try lens("db", "stop")
        XCTAssertEqual(s10, 0, e10)
        XCTAssertEqual(e10, "lens: private cluster stopped\n")

        // Uninstall removes exactly what install put there.
        try "mine".write(toFile: prefix + "/bin/other", atomically: true, encoding: .utf8)
        let (s11, _, e11) = try CLI.run([CLI.repo + "/scripts/install", "--uninstall", prefix])
        XCTAssertEqual(s11, 0, e11)
        XCTAssertEqual(try regularFiles(under: prefix), ["bin/other"])
    }

    /// The regular files under `dir`, relative to it, sorted.
    private func regularFiles(under dir: String) throws -> [String] {
        var found: [String] = []
        let walker = FileManager.default.enumerator(atPath: dir)
        while let path = walker?.nextObject() as? String {
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: dir + "/" + path, isDirectory: &isDir), !isDir.boolValue {
                found.append(path)
            }
        }
        return found.sorted()
    }

    /// Runs `args` in `cwd` with the tests' environment minus everything that could point lens at
    /// the repository or another database (LENS_SQL_DIR, DATABASE_URL, PG*), plus `env`.
    private func alone(_ args: [String], in cwd: String, env: [String: String]) throws -> (Int32, String, String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: cwd + "/" + args[0])
        p.arguments = Array(args.dropFirst())
        var e = ProcessInfo.processInfo.environment.filter { key, _ in
            key != "LENS_SQL_DIR" && key != "DATABASE_URL" && key != "LENS_HOME" && !key.hasPrefix("PG")
        }
        for (k, v) in env { e[k] = v }
        p.environment = e
        p.currentDirectoryURL = URL(fileURLWithPath: cwd)
        let outFile = cwd + "/.out-\(UUID().uuidString)", errFile = cwd + "/.err-\(UUID().uuidString)"
        XCTAssertTrue(FileManager.default.createFile(atPath: outFile, contents: nil), "could not create \(outFile)")
        XCTAssertTrue(FileManager.default.createFile(atPath: errFile, contents: nil), "could not create \(errFile)")
        defer {
            try? FileManager.default.removeItem(atPath: outFile)
            try? FileManager.default.removeItem(atPath: errFile)
        }
        // Files, not pipes: `db start` leaves postgres running, which would hold a pipe open.
        p.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: outFile))
        p.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: errFile))
        try p.run()
        p.waitUntilExit()
        let out = try String(contentsOfFile: outFile, encoding: .utf8), err = try String(contentsOfFile: errFile, encoding: .utf8)
        return (p.terminationStatus, out, err)
    }
}
