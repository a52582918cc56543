import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An exclusive flock on a file, so two lens processes do not initdb/start/stop at once.
final class FileLock {
    private var fd: Int32

    init(path: String) throws {
        fd = open(path, O_CREAT | O_RDWR | O_CLOEXEC, 0o644)
        if fd < 0 {
            throw LocalClusterError.fileSystem(path: path, message: String(cString: strerror(errno)))
        }
        while flock(fd, LOCK_EX) != 0 {
            if errno != EINTR {
                let message = String(cString: strerror(errno))
                close(fd)
                fd = -1
                throw LocalClusterError.fileSystem(path: path, message: "cannot lock it: \(message)")
            }
        }
    }

    func release() {
        if fd >= 0 {
            close(fd)
            fd = -1
        }
    }

    deinit { release() }
}
