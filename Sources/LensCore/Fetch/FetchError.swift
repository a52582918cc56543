/// Why `lens fetch` could not deliver a verified drop. Each case renders as one line that says
/// what happened, where (the URL or path), and what to do.
public enum FetchError: Error, CustomStringConvertible, Equatable, Sendable {
    /// Neither a known drop name nor an http(s) URL.
    case unknownName(String)
    /// The server answered with an HTTP status other than 200.
    case http(url: String, status: Int)
    /// No answer: connection refused, DNS failure, timeout, a body cut short.
    case transport(url: String, message: String)
    /// The published `.md5` holds no MD5 digest.
    case badChecksumFile(url: String, text: String)
    /// The downloaded bytes do not have the published MD5; the partial file was deleted.
    case checksumMismatch(url: String, expected: String, actual: String, bytes: Int64)
    /// The download folder or file cannot be written.
    case io(path: String, message: String)

    public var description: String {
        switch self {
        case .unknownName(let name):
            return "\(name): error: not a MovieLens drop name or an http(s) URL. Use one of "
                + Fetch.knownNames.joined(separator: ", ") + ", or give the URL of a .zip"
        case .http(let url, let status):
            let what: String
            switch status {
            case 404: what = "not found (HTTP 404)"
            case 401, 403: what = "access refused (HTTP \(status))"
            case 500...599: what = "the server failed (HTTP \(status))"
            default: what = "unexpected HTTP status \(status)"
            }
            let fix = status == 404 ? "Check the name or URL; GroupLens lists its drops at https://grouplens.org/datasets/movielens/"
                : "Try again later, or download the file by hand and give its path to `lens run --source`"
            return "\(url): error: \(what). \(fix)"
        case .transport(let url, let message):
            return "\(url): error: \(message). Check the network connection (and any proxy) and try again"
        case .badChecksumFile(let url, let text):
            let shown = text.count > 80 ? String(text.prefix(80)) + "..." : text
            return "\(url): error: the checksum file holds no MD5 digest (it starts \"\(shown)\"). "
                + "The server may be serving an error page; try again later"
        case .checksumMismatch(let url, let expected, let actual, let bytes):
            return "\(url): error: MD5 mismatch: the server publishes \(expected), the \(bytes) bytes downloaded have \(actual). "
                + "The download was damaged (or the file changed while downloading) and has been deleted; run `lens fetch` again, "
                + "and if the same digest comes back, the published .md5 is out of date: tell the server's maintainers"
        case .io(let path, let message):
            return "\(path): error: \(message)"
        }
    }
}
