/// An error from the PostgreSQL client. Its `description` never contains a password:
/// connection messages are passed through `redactConninfo` and the known password is masked.
public struct PGError: Error, CustomStringConvertible, Sendable, Equatable {
    public enum Kind: String, Sendable, Equatable {
        /// PQconnectdb failed (server not running, bad socket path, authentication, bad conninfo).
        case connectionFailed
        /// The server rejected a statement; `sqlState` holds the SQLSTATE code.
        case query
        /// A COPY failed (the server rejected the data, or the producer threw and the COPY was aborted).
        case copy
        /// The conversation with the server went somewhere this client does not expect
        /// (e.g. `copyIn` given a statement that is not COPY ... FROM STDIN).
        case `protocol`
    }

    public let kind: Kind
    /// Five-character SQLSTATE (e.g. "42P01" undefined_table), when the server sent one.
    public let sqlState: String?
    public let message: String
    public let detail: String?
    public let hint: String?

    public init(kind: Kind, sqlState: String? = nil, message: String, detail: String? = nil, hint: String? = nil) {
        self.kind = kind
        self.sqlState = sqlState
        self.message = message
        self.detail = detail
        self.hint = hint
    }

    public static func connectionFailed(_ message: String) -> PGError {
        PGError(kind: .connectionFailed, message: message)
    }

    public static func query(sqlState: String?, message: String, detail: String? = nil, hint: String? = nil) -> PGError {
        PGError(kind: .query, sqlState: sqlState, message: message, detail: detail, hint: hint)
    }

    public var description: String {
        var s: String
        switch kind {
        case .connectionFailed: s = "could not connect to PostgreSQL: "
        case .query: s = "PostgreSQL error"
        case .copy: s = "PostgreSQL COPY failed"
        case .protocol: s = "PostgreSQL protocol error: "
        }
        if kind == .query || kind == .copy {
            if let sqlState, !sqlState.isEmpty { s += " [\(sqlState)]" }
            s += ": "
        }
        s += message
        if let detail, !detail.isEmpty { s += " (detail: \(detail))" }
        if let hint, !hint.isEmpty { s += " (hint: \(hint))" }
        return s
    }
}
