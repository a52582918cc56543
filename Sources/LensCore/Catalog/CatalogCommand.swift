/// The lens command a catalog run records (`lens_catalog.runs.command`).
public enum CatalogCommand: String, Sendable, CaseIterable {
    case run
    case load
    case append
    case prune
    case check
}
