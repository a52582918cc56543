import Foundation
import PGClient

/// Which PostgreSQL server lens uses, in order: `--database URL`, `$DATABASE_URL`, the libpq
/// `PG*` variables (`PGHOST`, `PGDATABASE`, `PGSERVICE`, ...), else the project's private cluster
/// under `<state dir>/postgres`, started on demand.
public struct DatabaseTarget: Sendable {
    /// The libpq connection string (may hold a password: never print it, use `display`).
    public let conninfo: String
    /// How the target was chosen, for messages.
    public let origin: String
    /// The connection string without any password.
    public var display: String { redactConninfo(conninfo) }

    /// The state folder: `$LENS_HOME`, else `.lens` in the working directory.
    public static var stateDir: String {
        if let home = ProcessInfo.processInfo.environment["LENS_HOME"], !home.isEmpty { return home }
        return FileManager.default.currentDirectoryPath + "/.lens"
    }

    /// Who is asking: only a writer (`run`, `load`, `append`, `db start`) may create the private
    /// cluster; a reader finding none is told what to do, and nothing is created or started.
    public enum Access: Sendable {
        case writer
        case reader
    }

    /// Told when the private cluster is created or started (the CLI says so on stderr).
    // nonisolated(unsafe): the CLI sets it once at start-up, on the main thread before any
    // command runs; afterwards it is only read.
    nonisolated(unsafe) public static var onPrivateCluster: (@Sendable (String) -> Void)?

    /// Resolves the target; a writer starts (and if need be creates) the private cluster when
    /// nothing is configured, a reader starts an existing one. Throws `LensError.config` for a
    /// malformed connection string and `LensError.database` when there is no warehouse here or
    /// the private cluster cannot start.
    public static func resolve(explicit: String?, access: Access = .reader) throws -> DatabaseTarget {
        let env = ProcessInfo.processInfo.environment
        if let explicit, !explicit.isEmpty {
            return try checked(DatabaseTarget(conninfo: explicit, origin: "--database"), setting: "--database")
        }
        if let url = env["DATABASE_URL"], !url.isEmpty {
            return try checked(DatabaseTarget(conninfo: url, origin: "DATABASE_URL"), setting: "DATABASE_URL")
        }
        if ["PGHOST", "PGDATABASE", "PGSERVICE", "PGHOSTADDR", "PGPORT"].contains(where: { env[$0] != nil }) {
            if let mode = env["PGSSLMODE"], let problem = PGConninfo.problem("sslmode=\(mode)") {
                throw LensError.config(file: "PGSSLMODE", line: nil, message: problem)
            }
            return DatabaseTarget(conninfo: "", origin: "PG* environment variables")
        }
        let cluster = LocalCluster(stateDir: stateDir)
        let status = cluster.status()
        if access == .reader, status == .notInitialised {
            throw LensError.database(message: "no warehouse here (no private cluster in \(cluster.dataDir)): run `lens run --source DROP` to create one, or pass --database URL / set DATABASE_URL")
        }
        let running: Bool
        if case .running = status { running = true } else { running = false }
        do {
            try cluster.start()
        } catch {
            throw LensError.database(message: "cannot start the private PostgreSQL cluster in \(cluster.dataDir): \(error)")
        }
        if status == .notInitialised {
            onPrivateCluster?("created and started the private PostgreSQL cluster in \(cluster.dataDir) (stop it with `lens db stop`)")
        } else if !running {
            onPrivateCluster?("started the private PostgreSQL cluster in \(cluster.dataDir)")
        }
        return DatabaseTarget(conninfo: cluster.conninfo, origin: "private cluster \(cluster.dataDir)")
    }

    private static func checked(_ target: DatabaseTarget, setting: String) throws -> DatabaseTarget {
        if let problem = PGConninfo.problem(target.conninfo) {
            throw LensError.config(file: setting, line: nil, message: problem)
        }
        return target
    }

    /// Opens a connection. Throws `LensError.database` with the server's reason (no password) and what to check.
    public func connect() throws -> PGConnection {
        do {
            return try PGConnection(conninfo: conninfo)
        } catch {
            throw LensError.database(message: "cannot connect to \(display.isEmpty ? origin : display) (\(origin)): \(error); check that the server runs and the credentials are right")
        }
    }
}
