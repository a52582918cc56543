import ArgumentParser
import Foundation
import LensCore

/// `lens fetch`: downloads a GroupLens drop and keeps it only when its MD5 matches the published
/// `.md5`. Progress on stderr; the kept file's path (or the result as JSON) on stdout.
struct FetchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fetch",
        abstract: "Download a MovieLens drop from GroupLens and verify its MD5.",
        discussion: """
            NAME is one of \(Fetch.knownNames.joined(separator: ", ")) (from \(Fetch.baseURL)), or give the URL \
            of a .zip. The file is written to DIR/NAME.zip.part and renamed to DIR/NAME.zip only when its MD5 matches \
            the NAME.zip.md5 published beside it; a verified copy already in DIR is not downloaded again.
            """
    )

    @Argument(help: "A drop name (e.g. ml-latest-small) or an http(s) URL.")
    var nameOrURL: String

    @Option(name: .long, help: "Download folder (default: $LENS_HOME/downloads, else .lens/downloads).")
    var to: String?

    @OptionGroup var output: FormatOption

    func run() throws {
        let renderer = FetchProgressRenderer()
        do {
            try output.requireNotTabular("lens fetch", use: "")
            let result = try Fetch.run(nameOrURL, to: to, progress: renderer.render)
            renderer.finish()
            say("lens fetch: \(result.note)")
            if output.format == .json {
                try Output.printJSON(result)
            } else {
                print(result.path)
            }
        } catch {
            renderer.finish()
            exitWith(error)
        }
    }
}

/// Renders download progress on stderr: one line rewritten in place on a terminal, a line every
/// few seconds otherwise (logs).
// @unchecked Sendable: the calls come one at a time: from the session's serial delegate queue
// (maxConcurrentOperationCount 1) while downloading, then from the calling thread once it ended.
final class FetchProgressRenderer: @unchecked Sendable {
    private let tty = isatty(2) == 1
    private var lastLine = Date.distantPast
    private var open = false

    func render(_ p: Fetch.Progress) {
        switch p.phase {
        case .checksum:
            return
        case .checkingExisting:
            say(String(format: "lens fetch: checked the file already there (%@) in %.1f s", mb(p.bytes), p.seconds))
            return
        case .download:
            break
        }
        let total = p.totalBytes.map { " of " + mb($0) } ?? ""
        let pct = p.totalBytes.map { $0 > 0 ? String(format: " (%.0f%%)", Double(p.bytes) * 100 / Double($0)) : "" } ?? ""
        let line = String(format: "lens fetch: %@%@%@ at %.1f MB/s", mb(p.bytes), total, pct, p.bytesPerSecond / 1e6)
        if tty {
            FileHandle.standardError.write(Data(("\r\u{1B}[K" + line).utf8))
            open = true
            if p.finished { finish() }
        } else if p.finished || Date().timeIntervalSince(lastLine) >= 5 {
            lastLine = Date()
            say(line)
        }
    }

    func finish() {
        if open {
            FileHandle.standardError.write(Data("\n".utf8))
            open = false
        }
    }

    private func mb(_ bytes: Int64) -> String {
        let b = Double(bytes)
        if b < 1e4 { return "\(bytes) bytes" }
        if b < 1e6 { return String(format: "%.1f kB", b / 1e3) }
        if b < 1e9 { return String(format: "%.1f MB", b / 1e6) }
        return String(format: "%.2f GB", b / 1e9)
    }
}
