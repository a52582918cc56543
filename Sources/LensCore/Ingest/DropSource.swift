#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
import Foundation

/// A MovieLens drop as GroupLens publishes it: a folder or a `.zip`, with its files either at
/// the top or under one top folder (`ml-latest-small.zip` holds `ml-latest-small/ratings.csv`).
///
/// Files are named by their base name (`"ratings.csv"`, `"u.data"`, `"README.txt"`) whichever
/// the layout; ``open(_:)`` streams one without unpacking anything to disk. Only the folder
/// that holds the data files is looked at: files elsewhere in the drop are not listed.
public final class DropSource {
    /// Whether the drop is a folder or a zip archive.
    public enum Kind: String, Sendable {
        /// A folder on disk.
        case directory
        /// A `.zip` archive, read in place.
        case zip
    }

    /// The data files that make a folder a MovieLens drop, in the order they are listed in
    /// messages: the CSV layout (ml-latest, ml-20m, ml-25m, ml-32m), ml-100k, ml-1m/ml-10m.
    public static let recognisedFileNames: [String] = [
        "ratings.csv", "movies.csv", "tags.csv", "links.csv", "genome-scores.csv", "genome-tags.csv",
        "u.data", "u.item", "u.user", "u.genre",
        "ratings.dat", "movies.dat", "users.dat", "tags.dat",
    ]

    /// The path as given by the user.
    public let path: String
    /// Folder or zip.
    public let kind: Kind
    /// The folder, relative to ``path``, that holds the files: `""` when they sit at the top,
    /// else the one top folder's name (e.g. `"ml-latest-small"`).
    public let folder: String
    /// The base names of the files in ``folder``, sorted; hidden files and folders left out.
    public let fileNames: [String]
    /// The newest modification time among ``fileNames`` (file mtimes, or zip entry times).
    public let modificationDate: Date?

    /// How the files are reached.
    private enum Storage {
        /// Files in a folder on disk: base name → (full path, size).
        case directory([String: (path: String, size: Int64)])
        /// Entries of an archive: base name → entry.
        case zip(ZipArchive, [String: ZipEntry])
    }

    /// How the files are reached.
    private let storage: Storage

    /// Hears how far each file opened with ``open(_:)`` is read: (name, bytes read, size),
    /// every ``CountingByteSource/reportEvery`` bytes and at its end, from the reading thread.
    public var onRead: ((String, Int64, Int64?) -> Void)?

    /// Builds a drop from already located files.
    private init(
        path: String, kind: Kind, folder: String, storage: Storage, fileNames: [String], modificationDate: Date?
    ) {
        self.path = path
        self.kind = kind
        self.folder = folder
        self.storage = storage
        self.fileNames = fileNames
        self.modificationDate = modificationDate
    }

    // MARK: Opening

    /// Opens a drop: a folder, or a zip archive (recognised by its `PK` signature, whatever its
    /// name), and locates the folder holding its data files.
    /// - Parameters:
    ///   - path: the drop's path.
    ///   - limits: bounds against hostile archives (zip drops only).
    /// - Throws: ``IngestError`` — `.notFound` for a missing path; `.notADrop` for a file that is
    ///   not a zip, or when no recognised file is found at the top or in exactly one sub-folder;
    ///   the ``ZipArchive`` errors for a damaged or unsafe archive; `.io` for unreadable folders.
    public static func open(path: String, limits: ZipArchive.Limits = ZipArchive.Limits()) throws -> DropSource {
        var info = stat()
        if stat(path, &info) != 0 {
            let saved = errno
            if saved == ENOENT || saved == ENOTDIR {
                throw IngestError(
                    .notFound, file: path, message: "no such file or folder",
                    fix:
                        "Give the path of a MovieLens drop: a folder or a .zip as GroupLens publishes it (e.g. ml-latest-small.zip)."
                )
            }
            throw IngestError.system("stat", file: path, errno: saved)
        }
        switch info.st_mode & S_IFMT {
        case S_IFDIR:
            return try openDirectory(path)
        case S_IFREG:
            guard try startsWithZipSignature(path) else {
                throw IngestError(
                    .notADrop, file: path, message: "is neither a folder nor a zip archive",
                    fix: "Give the path of a MovieLens drop: a folder or a .zip as GroupLens publishes it.")
            }
            return try openZip(path, limits: limits)
        default:
            throw IngestError(
                .notADrop, file: path, message: "is neither a folder nor a zip archive",
                fix: "Give the path of a MovieLens drop: a folder or a .zip as GroupLens publishes it.")
        }
    }

    /// Lists a folder and, if needed, its sub-folders, and picks the one with the data files.
    private static func openDirectory(_ path: String) throws -> DropSource {
        var folders: [String: [String: (path: String, size: Int64, mtime: Date)]] = [:]
        let top = try listFiles(path, folderName: nil, into: &folders)
        if !top.isEmpty, folders[""]?.keys.contains(where: recognisedFileNames.contains) != true {
            for subfolder in top {
                // An unreadable sub-folder (e.g. lost+found) cannot hold the drop; skip it.
                _ = try? listFiles(join(path, subfolder), folderName: subfolder, into: &folders)
            }
        }
        let folder = try chooseFolder(path: path, candidates: folders.mapValues { Set($0.keys) })
        let files = folders[folder] ?? [:]
        return DropSource(
            path: path, kind: .directory, folder: folder,
            storage: .directory(files.mapValues { (path: $0.path, size: $0.size) }),
            fileNames: files.keys.sorted(), modificationDate: files.values.map(\.mtime).max())
    }

    /// Records the regular, non-hidden files of `directory` under `folderName` (`""` for the
    /// top) and returns the names of its non-hidden sub-folders.
    private static func listFiles(
        _ directory: String, folderName: String?,
        into folders: inout [String: [String: (path: String, size: Int64, mtime: Date)]]
    ) throws -> [String] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory)
        } catch {
            throw IngestError(
                .io, file: directory, message: "cannot list the folder (\(error.localizedDescription))",
                fix: "Give the user running lens read permission on it.")
        }
        var subfolders: [String] = []
        var files: [String: (path: String, size: Int64, mtime: Date)] = [:]
        for name in names.sorted() where !name.hasPrefix(".") {
            let full = join(directory, name)
            var info = stat()
            guard stat(full, &info) == 0 else { continue }
            switch info.st_mode & S_IFMT {
            case S_IFREG:
                let mtime = Date(
                    timeIntervalSince1970: TimeInterval(info.st_mtim.tv_sec) + TimeInterval(info.st_mtim.tv_nsec) / 1e9)
                files[name] = (path: full, size: Int64(info.st_size), mtime: mtime)
            case S_IFDIR:
                subfolders.append(name)
            default:
                break
            }
        }
        folders[folderName ?? ""] = files
        return subfolders
    }

    /// Reads the central directory and picks the folder (top or one top folder) with the data.
    private static func openZip(_ path: String, limits: ZipArchive.Limits) throws -> DropSource {
        let archive = try ZipArchive(path: path, limits: limits)
        var folders: [String: [String: ZipEntry]] = [:]
        var duplicates: Set<String> = []
        for entry in archive.entries where !entry.isDirectory {
            let parts = entry.name.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
            guard let base = parts.last, !base.hasPrefix("."), parts.count <= 2 else { continue }
            let folder = parts.count == 2 ? parts[0] : ""
            if folder == "__MACOSX" || folder.hasPrefix(".") { continue }
            if folders[folder, default: [:]][base] != nil { duplicates.insert(entry.name) }
            folders[folder, default: [:]][base] = entry
        }
        let folder = try chooseFolder(path: path, candidates: folders.mapValues { Set($0.keys) })
        let files = folders[folder] ?? [:]
        if let repeated = duplicates.sorted().first(where: {
            folder.isEmpty ? !$0.contains("/") : $0.hasPrefix(folder + "/")
        }) {
            throw IngestError(
                .corruptZip, file: path, message: "entry '\(repeated)' appears more than once in the archive",
                fix: "Re-create the zip so that each file appears once.")
        }
        return DropSource(
            path: path, kind: .zip, folder: folder, storage: .zip(archive, files),
            fileNames: files.keys.sorted(), modificationDate: files.values.compactMap(\.modificationDate).max())
    }

    /// The top (`""`) if it holds a recognised file, else the only sub-folder that does.
    /// - Throws: ``IngestError`` `.notADrop` when none or several sub-folders qualify.
    private static func chooseFolder(path: String, candidates: [String: Set<String>]) throws -> String {
        let recognised = Set(recognisedFileNames)
        if let top = candidates[""], !top.isDisjoint(with: recognised) { return "" }
        let withData = candidates.filter { $0.key != "" && !$0.value.isDisjoint(with: recognised) }.keys.sorted()
        if withData.count == 1 { return withData[0] }
        if withData.count > 1 {
            throw IngestError(
                .notADrop, file: path,
                message: "MovieLens files sit in several folders (\(withData.joined(separator: ", ")))",
                fix: "Point lens at one of them.")
        }
        throw IngestError(
            .notADrop, file: path,
            message:
                "no MovieLens files found (looked for \(recognisedFileNames.joined(separator: ", ")) at the top and in one sub-folder)",
            fix: "Give the path of a MovieLens drop: a folder or a .zip as GroupLens publishes it.")
    }

    /// True when the file starts with a zip local header or an empty archive's end record.
    private static func startsWithZipSignature(_ path: String) throws -> Bool {
        let source = try FileByteSource(path: path)
        var magic = [UInt8](repeating: 0, count: 4)
        var got = 0
        while got < 4 {
            let n = try magic.withUnsafeMutableBytes {
                try source.read(into: UnsafeMutableRawBufferPointer(rebasing: $0[got...]))
            }
            if n == 0 { break }
            got += n
        }
        return got == 4 && magic[0] == 0x50 && magic[1] == 0x4B
            && ((magic[2] == 3 && magic[3] == 4) || (magic[2] == 5 && magic[3] == 6))
    }

    /// `directory/name` without doubling a trailing slash.
    private static func join(_ directory: String, _ name: String) -> String {
        directory.hasSuffix("/") ? directory + name : directory + "/" + name
    }

    // MARK: Files

    /// True when the drop has a file of this base name (e.g. `"genome-scores.csv"`).
    public func contains(_ name: String) -> Bool {
        switch storage {
        case .directory(let files): return files[name] != nil
        case .zip(_, let entries): return entries[name] != nil
        }
    }

    /// The size of a file in bytes (uncompressed, for a zip entry), or `nil` if absent.
    public func size(of name: String) -> Int64? {
        switch storage {
        case .directory(let files): return files[name]?.size
        case .zip(_, let entries): return entries[name]?.uncompressedSize
        }
    }

    /// How messages name a file of the drop: `drop/folder/name`, or `drop.zip:folder/name`.
    public func displayPath(for name: String) -> String {
        let inner = folder.isEmpty ? name : folder + "/" + name
        switch kind {
        case .directory: return DropSource.join(path, inner)
        case .zip: return path + ":" + inner
        }
    }

    /// Opens a file of the drop for streaming.
    /// - Throws: ``IngestError`` `.notFound` when the drop has no such file (the message lists
    ///   the files it has), else the errors of ``FileByteSource`` or ``ZipArchive/open(_:)``.
    public func open(_ name: String) throws -> ByteSource {
        let source = try openUncounted(name)
        guard let onRead else { return source }
        return CountingByteSource(source, name: name, report: onRead)
    }

    /// ``open(_:)`` without the progress count.
    private func openUncounted(_ name: String) throws -> ByteSource {
        switch storage {
        case .directory(let files):
            guard let file = files[name] else { throw missing(name) }
            return try FileByteSource(path: file.path, displayPath: displayPath(for: name))
        case .zip(let archive, let entries):
            guard let entry = entries[name] else { throw missing(name) }
            return try archive.open(entry)
        }
    }

    /// Reads a small file whole (a README), or its first `limit` bytes when it is longer
    /// (a zip entry read only in part has its CRC-32 left unchecked).
    /// - Throws: as ``open(_:)``, and ``IngestError`` from reading.
    public func readSmallFile(_ name: String, limit: Int) throws -> [UInt8] {
        // not counted for progress: a README or a sample is read in an instant
        try openUncounted(name).readAll(limit: limit)
    }

    /// The error for a file the drop does not have.
    private func missing(_ name: String) -> IngestError {
        IngestError(
            .notFound, file: displayPath(for: name),
            message: "the drop has no file '\(name)' (it has: \(fileNames.joined(separator: ", ")))",
            fix: "Check the drop's layout; GroupLens drops list their files in README.txt.")
    }
}
