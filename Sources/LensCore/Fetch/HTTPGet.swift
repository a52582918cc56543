import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// One HTTP GET through URLSession, streamed: each piece of the body goes to `sink` as it
/// arrives (nothing is accumulated), so memory stays flat however large the file. Blocks the
/// calling thread until the transfer ends.
// @unchecked Sendable: the delegate methods run on the session's serial delegate queue, and the
// caller reads the results only after the semaphore that the last callback signals.
final class HTTPGet: NSObject, URLSessionDataDelegate, @unchecked Sendable {
    struct Response {
        var status: Int
        /// Content-Length, when the server sent one.
        var expectedBytes: Int64?
        /// Content-Encoding other than identity (the body was decoded, so its length differs).
        var encoded: Bool
    }

    private let url: URL
    private let sink: (UnsafeRawBufferPointer) throws -> Void
    private let onResponse: (Response) -> Void
    private let done = DispatchSemaphore(value: 0)
    // Written on the delegate queue, read after `done` is signalled.
    private var response: Response?
    private var failure: Error?
    private var received: Int64 = 0

    private init(url: URL, onResponse: @escaping (Response) -> Void, sink: @escaping (UnsafeRawBufferPointer) throws -> Void) {
        self.url = url
        self.sink = sink
        self.onResponse = onResponse
    }

    /// GETs `url`. Returns the status and the bytes received. A status other than 200 stops the
    /// transfer before the body (the sink sees nothing). Throws `FetchError.transport` when
    /// there is no answer, or what the sink threw.
    static func run(_ url: URL, timeout: TimeInterval = 60, onResponse: @escaping (Response) -> Void = { _ in },
                    sink: @escaping (UnsafeRawBufferPointer) throws -> Void) throws -> (Response, Int64) {
        let get = HTTPGet(url: url, onResponse: onResponse, sink: sink)
        let config = URLSessionConfiguration.ephemeral
        config.timeoutIntervalForRequest = timeout
        config.requestCachePolicy = .reloadIgnoringLocalCacheData
        config.urlCache = nil
        let queue = OperationQueue()
        queue.maxConcurrentOperationCount = 1
        let session = URLSession(configuration: config, delegate: get, delegateQueue: queue)
        var request = URLRequest(url: url)
        request.setValue("lens/\(lensVersion)", forHTTPHeaderField: "User-Agent")
        // The bytes as stored: a checksum is of the file, not of a gzip of it.
        request.setValue("identity", forHTTPHeaderField: "Accept-Encoding")
        session.dataTask(with: request).resume()
        get.done.wait()
        session.finishTasksAndInvalidate()
        if let failure = get.failure { throw failure }
        guard let response = get.response else {
            throw FetchError.transport(url: url.absoluteString, message: "no response")
        }
        if response.status == 200, !response.encoded, let expected = response.expectedBytes, expected != get.received {
            throw FetchError.transport(url: url.absoluteString,
                                       message: "the connection closed after \(get.received) of \(expected) bytes")
        }
        return (response, get.received)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
                    completionHandler: @escaping (URLSession.ResponseDisposition) -> Void) {
        let http = response as? HTTPURLResponse
        let status = http?.statusCode ?? 200
        let length = response.expectedContentLength
        let encoding = (http?.value(forHTTPHeaderField: "Content-Encoding") ?? "identity").lowercased()
        let r = Response(status: status, expectedBytes: length >= 0 ? length : nil,
                         encoded: !(encoding.isEmpty || encoding == "identity"))
        self.response = r
        onResponse(r)
        completionHandler(status == 200 ? .allow : .cancel)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        guard failure == nil else { return }
        do {
            try data.withUnsafeBytes { try sink($0) }
            received += Int64(data.count)
        } catch {
            failure = error
            dataTask.cancel()
        }
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: Error?) {
        if let error, failure == nil {
            let cancelledByUs = (error as? URLError)?.code == .cancelled && response.map { $0.status != 200 } == true
            if !cancelledByUs {
                failure = FetchError.transport(url: url.absoluteString, message: HTTPGet.describe(error))
            }
        }
        done.signal()
    }

    /// A short text for a URLSession error ("connection refused", "timed out", ...).
    static func describe(_ error: Error) -> String {
        guard let e = error as? URLError else { return "\(error.localizedDescription)" }
        switch e.code {
        case .cannotConnectToHost: return "cannot connect (connection refused)"
        case .cannotFindHost, .dnsLookupFailed: return "cannot resolve the host name"
        case .timedOut: return "timed out"
        case .notConnectedToInternet: return "not connected to the internet"
        case .networkConnectionLost: return "the connection was lost"
        case .secureConnectionFailed, .serverCertificateUntrusted, .serverCertificateHasBadDate,
             .serverCertificateNotYetValid, .serverCertificateHasUnknownRoot:
            return "TLS failed: \(e.localizedDescription)"
        default: return "\(e.localizedDescription) (URLError \(e.code.rawValue))"
        }
    }
}
