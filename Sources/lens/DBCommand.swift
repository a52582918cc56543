import ArgumentParser
import Foundation
import LensCore

/// `lens db status|start|stop|url|psql`: the project's private PostgreSQL cluster.
struct DBCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "db",
        abstract: "Manage the private PostgreSQL cluster (data under $LENS_HOME or ./.lens).",
        discussion: "Actions: status, start, stop, url, psql."
    )

    @Argument(help: "status | start | stop | url | psql")
    var action: String

    @OptionGroup var output: FormatOption

    func run() throws {
        let cluster = LocalCluster(stateDir: DatabaseTarget.stateDir)
        let statusJSON = { "{\"status\": \(QueryRunner.jsonString("\(cluster.status())")), \"data_dir\": \(QueryRunner.jsonString(cluster.dataDir))}" }
        do {
            try output.requireNotTabular("lens db", use: "")
            switch action {
            case "status":
                print(output.format == .json ? statusJSON() : "\(cluster.status()) (\(cluster.dataDir))")
            case "start":
                try cluster.start()
                say("lens: private cluster running in \(cluster.dataDir)")
                if output.format == .json { print(statusJSON()) }
            case "stop":
                try cluster.stop()
                say("lens: private cluster stopped")
                if output.format == .json { print(statusJSON()) }
            case "url":
                print(output.format == .json ? "{\"url\": \(QueryRunner.jsonString(cluster.url))}" : cluster.url)
            case "psql":
                // A reader: an existing cluster is started, none is created.
                _ = try DatabaseTarget.resolve(explicit: nil, access: .reader)
                let p = Process()
                p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
                // psql gets the user's session settings, not the ones lens pins for its own output.
                p.arguments = ["-u", "PGTZ", "-u", "PGDATESTYLE", "psql", cluster.conninfo]
                try p.run()
                p.waitUntilExit()
                throw ExitCode(p.terminationStatus)
            default:
                throw LensError.config(file: "lens db", line: nil, message: "unknown action '\(action)'; use status, start, stop, url or psql")
            }
        } catch let e as ExitCode {
            throw e
        } catch {
            exitWith(error)
        }
    }
}
