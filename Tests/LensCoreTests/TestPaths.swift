import Foundation
import XCTest
import LensTestSupport

/// Where the tests find the repository and the shared MovieLens files.
enum TestPaths {
    /// The repository root (three levels above this file).
    static let repo: String = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().standardizedFileURL.path
    /// `../shared` beside the repository (GroupLens files, the benchmark generator), or $LENS_SHARED.
    static let shared: String = ProcessInfo.processInfo.environment["LENS_SHARED"] ?? (repo as NSString)
        .deletingLastPathComponent + "/shared"

    /// A path under `shared`, or a skip when that folder is absent (e.g. outside this workplace).
    static func sharedFile(_ relative: String) throws -> String {
        let p = shared + "/" + relative
        guard FileManager.default.fileExists(atPath: p) else {
            if relative.hasPrefix("movielens/") { throw Skip.groupLens(relative, at: p) }
            throw Skip.because("needs \(relative)", enable: "\(p) is absent; set LENS_SHARED to a folder holding \(relative)")
        }
        return p
    }

    /// A fresh temporary folder.
    static func tempDir(_ name: String) -> String {
        let d = NSTemporaryDirectory() + "lens-\(name)-\(UUID().uuidString.prefix(8))"
        try? FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
        return d
    }

    /// Runs a command; returns (status, stdout, stderr).
    @discardableResult
    static func run(_ args: [String], env: [String: String] = [:], cwd: String? = nil) throws -> (Int32, String, String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = args
        var e = ProcessInfo.processInfo.environment
        for (k, v) in env { e[k] = v }
        p.environment = e
        if let cwd { p.currentDirectoryURL = URL(fileURLWithPath: cwd) }
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        /// Filled by the reader thread; read only after `group.wait()`.
        final class Box: @unchecked Sendable { var data = Data() }
        let errBox = Box()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async {
            errBox.data = err.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: outData, as: UTF8.self), String(decoding: errBox.data, as: UTF8.self))
    }
}
