import CLibPQ

/// Checks a libpq connection string before connecting, so that a typo is a configuration error
/// naming the setting, not "cannot connect": libpq's own parser for the syntax and the keywords,
/// and the documented values of the settings that take one of a few words (libpq reports a bad
/// `sslmode` only when it connects, in words that read like a server problem).
public enum PGConninfo {
    /// Settings whose value is one of a fixed set (PostgreSQL 15-18 libpq documentation).
    static let allowedValues: [String: [String]] = [
        "sslmode": ["disable", "allow", "prefer", "require", "verify-ca", "verify-full"],
        "gssencmode": ["disable", "prefer", "require"],
        "target_session_attrs": ["any", "read-write", "read-only", "primary", "standby", "prefer-standby"],
        "load_balance_hosts": ["disable", "random"],
        "channel_binding": ["disable", "prefer", "require"],
        "sslnegotiation": ["postgres", "direct"],
        "replication": ["true", "on", "yes", "1", "false", "off", "no", "0", "database"],
    ]

    /// The problem with `conninfo` (an empty string means libpq's defaults and is fine), naming
    /// the setting and what it accepts; nil when it is well-formed. Never quotes a password.
    public static func problem(_ conninfo: String) -> String? {
        var parseError: UnsafeMutablePointer<CChar>?
        guard let opts = PQconninfoParse(conninfo, &parseError) else {
            var message = parseError.map { String(cString: $0).trimmingTrailingWhitespace() } ?? "malformed"
            if let parseError { PQfreemem(parseError) }
            if conninfo.lowercased().contains("password") { message = "malformed (details not shown: it contains a password)" }
            return "invalid connection string: \(message)"
        }
        defer { PQconninfoFree(opts) }
        var p = opts
        while let key = p.pointee.keyword {
            let name = String(cString: key)
            if let v = p.pointee.val, let allowed = allowedValues[name] {
                let value = String(cString: v)
                if !allowed.contains(value) {
                    return "invalid value '\(value)' for \(name): use one of \(allowed.joined(separator: ", "))"
                }
            }
            p += 1
        }
        return nil
    }
}

/// The libpq this client runs against, e.g. "15.18" (PQlibVersion: major * 10000 + minor).
public let libpqVersion: String = {
    let v = Int(PQlibVersion())
    return "\(v / 10000).\(v % 10000)"
}()
