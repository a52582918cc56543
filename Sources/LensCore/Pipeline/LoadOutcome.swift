import Foundation

/// What stage 5 did.
public struct LoadOutcome: Sendable, Codable {
    public var runId: Int64
    public var version: Int
    public var schema: String
    public var rows: [String: Int]
    public var seconds: [String: Double]
    /// What the load noticed that a person should know (a pgvector it could not use).
    public var warnings: [DropWarning] = []
}
