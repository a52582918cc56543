import Foundation
import PGClient

/// The read-only role analysts connect as, `lens_analyst` (`sql/roles`).
public enum AnalystRole {
    /// The role's name (fixed: it is cluster-wide and named in `sql/roles/*.sql`).
    public static let name = "lens_analyst"

    /// How the role may connect.
    public enum Login: Sendable, Equatable {
        /// LOGIN without a password: pg_hba decides (peer or trust on a local socket, as the
        /// private cluster does).
        case noPassword
        /// LOGIN PASSWORD. Only its SCRAM-SHA-256 verifier, computed on this side, goes to the
        /// server: the password itself is in no statement and no server log.
        case password(String)
        /// NOLOGIN: a group role to grant to people (`grant lens_analyst to alice`).
        case groupOnly
    }

    /// What `setup` did.
    public struct SetupResult: Sendable, Equatable {
        /// False when the role already existed (its login and grants were brought up to date).
        public var created: Bool
        /// Whether it may log in.
        public var canLogin: Bool
        /// Whether a password was set.
        public var hasPassword: Bool
        /// The schema it can read.
        public var schema: String
    }

    /// Creates (or updates) lens_analyst and grants it the current schema, in one transaction:
    /// `roles/analyst_role.sql` then `roles/grant_current.sql`. Makes sure the catalog schema
    /// exists first (so it can be revoked). Needs a role that may create roles (a superuser or
    /// CREATEROLE). Throws `LensError.database` with the server's reason.
    public static func setup(conn: PGConnection, sql: SQLFiles, current: String, catalog: String,
                             login: Login) throws -> SetupResult {
        let existed: Bool
        do {
            existed = try conn.query("select 1 from pg_roles where rolname = $1", [name]).count > 0
        } catch {
            throw LensError.database(message: "cannot look up role \(name): \(error)")
        }
        do {
            let (loginSetting, verifier): (String, String) = try {
                switch login {
                case .noPassword: return ("login", "")
                // the verifier, as psql's \password sends it: a bound parameter is written to the
                // server log in clear under log_statement = all (or with a failing statement), so
                // the password itself must never leave this process
                case .password(let p): return ("login", try conn.encryptPassword(p, user: name))
                case .groupOnly: return ("nologin", "")
                }
            }()
            try conn.transaction {
                try conn.execute(try sql.text("catalog/catalog_schema.sql", ["catalog": catalog]))
                // transaction-local settings read by analyst_role.sql
                _ = try conn.query("select set_config('lens.analyst_login', $1, true), set_config('lens.analyst_verifier', $2, true)",
                                   [loginSetting, verifier])
                try conn.execute(try sql.text("roles/analyst_role.sql", ["current": current, "catalog": catalog]))
                try conn.execute(try sql.text("roles/grant_current.sql", ["current": current]))
            }
        } catch {
            if error is LensError { throw error }
            throw LensError.database(message: "cannot set up role \(name): \(error); it needs a superuser or a role with CREATEROLE")
        }
        let rows = try conn.query("select rolcanlogin from pg_roles where rolname = $1", [name])
        return SetupResult(created: !existed, canLogin: rows.rows.first?.first == "t",
                           hasPassword: { if case .password = login { return true } else { return false } }(),
                           schema: current)
    }

    /// Runs `roles/grant_current.sql`: re-grants the freshly published `current` schema when the
    /// role exists, does nothing otherwise. `AnalystLayer.publish` already calls it.
    public static func grantCurrent(conn: PGConnection, sql: SQLFiles, current: String) throws {
        try conn.execute(try sql.text("roles/grant_current.sql", ["current": current]))
    }

    /// The conninfo an analyst uses: `base` with its user replaced by lens_analyst and any
    /// password removed (they bring their own).
    public static func conninfo(from base: String) -> String {
        if base.hasPrefix("postgresql://") || base.hasPrefix("postgres://") {
            let scheme = base.hasPrefix("postgresql://") ? "postgresql://" : "postgres://"
            var rest = String(base.dropFirst(scheme.count))
            if let at = rest.firstIndex(of: "@"), !rest[..<at].contains("/") {
                rest = String(rest[rest.index(after: at)...])
            }
            return scheme + name + "@" + rest
        }
        var parts = base.split(separator: " ").map(String.init).filter { !$0.hasPrefix("user=") && !$0.hasPrefix("password=") }
        parts.append("user=\(name)")
        return parts.joined(separator: " ")
    }
}
