import ArgumentParser
import Foundation
import LensCore

/// `lens roles setup`: the read-only role analysts connect as.
struct RolesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "roles",
        abstract: "Set up lens_analyst, the role that reads the current version's views and nothing else.",
        discussion: """
            Actions: setup. The role may log in: with the password in $VAR (--password-env VAR), or without one
            (pg_hba decides; the private cluster trusts its local socket). --group makes it NOLOGIN, to grant to
            people: GRANT lens_analyst TO alice. Every publish re-grants the new views. See docs/analysts.md.
            """
    )

    @Argument(help: "setup")
    var action: String

    @Option(name: .long, help: "Name of the environment variable holding the role's password (never pass a password as a flag).")
    var passwordEnv: String?

    @Flag(name: .long, help: "Create a NOLOGIN group role instead of a login role.")
    var group = false

    @Option(name: .long, help: "Pipeline file (default: pipelines/movielens.toml when present).")
    var pipeline: String?

    @Option(name: .long, help: "PostgreSQL URL or conninfo of a role that may create roles (else DATABASE_URL, PG*, else the private cluster).")
    var database: String?

    @OptionGroup var output: FormatOption

    func run() throws {
        do {
            try output.requireNotTabular("lens roles setup", use: "")
            guard action == "setup" else {
                throw LensError.config(file: "lens roles", line: nil, message: "unknown action '\(action)'; use setup")
            }
            if group && passwordEnv != nil {
                throw LensError.config(file: "--group", line: nil, message: "a group role does not log in; drop --password-env or --group")
            }
            var login = group ? AnalystRole.Login.groupOnly : .noPassword
            if let passwordEnv {
                guard let pw = ProcessInfo.processInfo.environment[passwordEnv], !pw.isEmpty else {
                    throw LensError.config(file: "--password-env", line: nil, message: "environment variable \(passwordEnv) is not set or empty")
                }
                login = .password(pw)
            }
            let (config, _) = try loadPipelineConfig(pipeline)
            let sql = try SQLFiles.locate()
            let target = try DatabaseTarget.resolve(explicit: database)
            let conn = try target.connect()
            defer { conn.close() }
            let r = try AnalystRole.setup(conn: conn, sql: sql, current: config.currentSchema, catalog: config.catalogSchema, login: login)
            say("lens: role \(AnalystRole.name) \(r.created ? "created" : "updated"): reads schema \(r.schema) only; "
                + (r.canLogin ? (r.hasPassword ? "logs in with the password from $\(passwordEnv ?? "")" : "logs in without a password (as pg_hba allows)") : "NOLOGIN group role"))
            // The result: the connection string analysts use (none for a group role).
            let conninfo = r.canLogin && !target.conninfo.isEmpty ? AnalystRole.conninfo(from: target.display) : nil
            if output.format == .json {
                struct Setup: Encodable {
                    var role: String, created: Bool, can_login: Bool, has_password: Bool, schema: String, conninfo: String?
                    func encode(to encoder: Encoder) throws {   // conninfo null rather than absent
                        var c = encoder.container(keyedBy: CodingKeys.self)
                        try c.encode(role, forKey: .role); try c.encode(created, forKey: .created)
                        try c.encode(can_login, forKey: .can_login); try c.encode(has_password, forKey: .has_password)
                        try c.encode(schema, forKey: .schema); try c.encode(conninfo, forKey: .conninfo)
                    }
                    enum CodingKeys: CodingKey { case role, created, can_login, has_password, schema, conninfo }
                }
                try Output.printJSON(Setup(role: AnalystRole.name, created: r.created, can_login: r.canLogin, has_password: r.hasPassword,
                                           schema: r.schema, conninfo: conninfo))
            } else if let conninfo {
                say("lens: analysts connect with: psql \"\(conninfo)\"")
                print(conninfo)
            }
        } catch {
            exitWith(error)
        }
    }
}
