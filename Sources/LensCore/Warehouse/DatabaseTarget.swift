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

    /// Resolves the target; starts the private cluster when nothing is configured.
    /// Throws `LensError.database` when the private cluster cannot start.
    public static func resolve(explicit: String?) throws -> DatabaseTarget {
        if let explicit, !explicit.isEmpty { return DatabaseTarget(conninfo: explicit, origin: "--database") }
        let env = ProcessInfo.processInfo.environment
        if let url = env["DATABASE_URL"], !url.isEmpty { return DatabaseTarget(conninfo: url, origin: "DATABASE_URL") }
        if ["PGHOST", "PGDATABASE", "PGSERVICE", "PGHOSTADDR", "PGPORT"].contains(where: { env[$0] != nil }) {
            return DatabaseTarget(conninfo: "", origin: "PG* environment variables")
        }
        let cluster = LocalCluster(stateDir: stateDir)
        do {
            try cluster.start()
        } catch {
            throw LensError.database(message: "cannot start the private PostgreSQL cluster in \(cluster.dataDir): \(error)")
        }
        return DatabaseTarget(conninfo: cluster.conninfo, origin: "private cluster \(cluster.dataDir)")
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
