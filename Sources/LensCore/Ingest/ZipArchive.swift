#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
import CZlibInflate
import Foundation

// The zip format as read here is PKWARE's APPNOTE.TXT (6.3.x): the archive is indexed by the
// central directory at its end, found through the End of Central Directory record (EOCD), or for
// archives past 4 GiB / 65,535 entries through the ZIP64 EOCD locator and record. Sizes and
// offsets come from the central directory only: local headers of streamed archives (flag bit 3)
// carry zeros there, with the real values in a data descriptor after the data.

// MARK: - ZipArchive

/// A zip archive on disk: its central directory, and streaming readers for its entries.
///
/// Opening reads only the central directory. ``open(_:)`` returns a ``ByteSource`` that reads
/// the entry's bytes with `pread(2)` and inflates them chunk by chunk, so no entry is ever held
/// whole in memory or written to disk. Every entry name is checked when the archive is opened:
/// an archive with a name that could escape its folder is refused as a whole.
public final class ZipArchive {
    /// Bounds that protect against hostile archives.
    public struct Limits: Sendable {
        /// The largest uncompressed:compressed ratio accepted for entries above
        /// ``ratioCheckMinimumSize``; deflate cannot exceed about 1032:1, CSV is about 4:1.
        public var maxCompressionRatio: Int64
        /// Entries declaring fewer uncompressed bytes than this skip the ratio check.
        public var ratioCheckMinimumSize: Int64
        /// The largest central directory read into memory (a few hundred bytes for a drop).
        public var maxCentralDirectorySize: Int64

        /// Creates limits; the defaults are 1000:1 above 1 MiB and a 64 MiB central directory.
        public init(
            maxCompressionRatio: Int64 = 1000, ratioCheckMinimumSize: Int64 = 1 << 20,
            maxCentralDirectorySize: Int64 = 64 << 20
        ) {
            self.maxCompressionRatio = maxCompressionRatio
            self.ratioCheckMinimumSize = ratioCheckMinimumSize
            self.maxCentralDirectorySize = maxCentralDirectorySize
        }
    }

    /// The archive's path as given; messages name entries as `path:entry/name`.
    public let path: String
    /// The archive's size in bytes when it was opened.
    public let fileSize: Int64
    /// The entries in central-directory order, folders included.
    public let entries: [ZipEntry]
    /// The limits applied when entries are opened.
    public let limits: Limits
    /// The open descriptor, shared by every entry reader (they use `pread`, so no shared offset).
    let fd: Int32

    /// Opens an archive and reads its central directory.
    /// - Parameters:
    ///   - path: the `.zip` file.
    ///   - limits: bounds against hostile archives.
    /// - Throws: ``IngestError`` — `.notFound`/`.io` when the file cannot be read,
    ///   `.truncatedZip` when there is no end record or the directory lies past the end,
    ///   `.corruptZip` on inconsistent structures, `.unsupportedZip` for multi-disk archives,
    ///   `.unsafeZipEntry` when an entry name is absolute, contains `..` or a backslash.
    public init(path: String, limits: Limits = Limits()) throws {
        let fd = openForReading(path)
        if fd < 0 { throw IngestError.system("open", file: path, errno: errno) }
        var info = stat()
        if fstat(fd, &info) != 0 {
            let saved = errno
            close(fd)
            throw IngestError.system("stat", file: path, errno: saved)
        }
        do {
            let size = Int64(info.st_size)
            self.entries = try ZipArchive.readCentralDirectory(fd: fd, fileSize: size, path: path, limits: limits)
            self.fileSize = size
        } catch {
            close(fd)
            throw error
        }
        #if os(Linux)
            _ = posix_fadvise(fd, 0, 0, Int32(POSIX_FADV_SEQUENTIAL))
        #endif
        self.fd = fd
        self.path = path
        self.limits = limits
    }

    /// Closes the archive (entry sources keep it alive while they read).
    deinit { close(fd) }

    /// The first entry whose full name is `name` (e.g. `ml-latest-small/ratings.csv`), if any.
    public func entry(named name: String) -> ZipEntry? {
        entries.first { $0.name == name }
    }

    /// How messages name an entry: `archive.zip:folder/name`.
    public func displayPath(for entry: ZipEntry) -> String {
        "\(path):\(entry.name)"
    }

    /// Opens an entry for streaming. The returned source checks, as it reads, that the data
    /// inflates to exactly the declared size, and verifies the CRC-32 when it reaches the end.
    /// - Throws: ``IngestError`` — `.unsupportedZip` for encrypted entries or methods other
    ///   than stored and deflate, `.zipBomb` when the declared ratio exceeds the limit,
    ///   `.truncatedZip`/`.corruptZip` when the local header or data are missing or inconsistent.
    public func open(_ entry: ZipEntry) throws -> ByteSource {
        let shown = displayPath(for: entry)
        if entry.isEncrypted {
            throw IngestError(
                .unsupportedZip, file: shown, message: "the entry is encrypted",
                fix: "Unpack the archive with its password and point lens at the folder.")
        }
        switch entry.method {
        case .stored, .deflated: break
        case .other:
            throw IngestError(
                .unsupportedZip, file: shown, message: "the entry uses compression \(entry.method)",
                fix: "lens reads stored and deflate entries; re-create the zip with deflate (`zip -r`) or unpack it.")
        }
        if entry.uncompressedSize > limits.ratioCheckMinimumSize,
            entry.uncompressedSize / max(entry.compressedSize, 1) > limits.maxCompressionRatio
        {
            throw IngestError(
                .zipBomb, file: shown,
                message: "the entry declares \(entry.uncompressedSize) bytes from \(entry.compressedSize) compressed "
                    + "(ratio above the limit of \(limits.maxCompressionRatio):1); refusing to inflate it",
                fix: "This is not a MovieLens drop as GroupLens publishes it; check where the file came from.")
        }
        if entry.method == .stored && entry.compressedSize != entry.uncompressedSize {
            throw IngestError(
                .corruptZip, file: shown,
                message:
                    "the stored entry has compressed size \(entry.compressedSize) but uncompressed size \(entry.uncompressedSize)",
                fix: "The archive is damaged; download it again.")
        }
        // The local header repeats the name and has its own extra field, of its own length.
        var header = [UInt8](repeating: 0, count: 30)
        let got = try header.withUnsafeMutableBytes {
            try preadFully(fd, $0.baseAddress!, count: 30, offset: entry.localHeaderOffset, file: shown)
        }
        if got < 30 {
            throw IngestError(
                .truncatedZip, file: shown,
                message:
                    "the local header at offset \(entry.localHeaderOffset) lies beyond the end of the file (\(fileSize) bytes)",
                fix: "The archive is incomplete; download it again.")
        }
        var reader = LittleEndianReader(header)
        guard reader.u32() == 0x0403_4b50 else {
            throw IngestError(
                .corruptZip, file: shown,
                message: "no local file header at offset \(entry.localHeaderOffset)",
                fix: "The archive is damaged; download it again.")
        }
        reader.skip(2)
        let localFlags = reader.u16()
        if localFlags & 1 != 0 {
            throw IngestError(
                .unsupportedZip, file: shown, message: "the entry is encrypted",
                fix: "Unpack the archive with its password and point lens at the folder.")
        }
        reader.skip(18)  // method, time, date, CRC-32, sizes (the central directory has them)
        let nameLength = Int64(reader.u16())
        let extraLength = Int64(reader.u16())
        let dataOffset = entry.localHeaderOffset + 30 + nameLength + extraLength
        if dataOffset > fileSize || entry.compressedSize > fileSize - dataOffset {
            throw IngestError(
                .truncatedZip, file: shown,
                message:
                    "the entry's data (\(entry.compressedSize) bytes at offset \(dataOffset)) runs past the end of the file (\(fileSize) bytes)",
                fix: "The archive is incomplete; download it again.")
        }
        return try ZipEntrySource(archive: self, entry: entry, dataOffset: dataOffset, displayPath: shown)
    }

    // MARK: Central directory

    /// Finds the end records and parses every central-directory entry, checking names.
    private static func readCentralDirectory(
        fd: Int32, fileSize: Int64, path: String, limits: Limits
    ) throws -> [ZipEntry] {
        let eocdLength: Int64 = 22
        guard fileSize >= eocdLength else {
            throw IngestError(
                .truncatedZip, file: path,
                message: "the file is \(fileSize) bytes, too small to be a zip archive",
                fix: "The archive is incomplete or not a zip; download it again.")
        }
        // The EOCD is the last 22 bytes plus a comment of up to 65,535 bytes.
        let tailLength = min(fileSize, eocdLength + 65_535 + 20)
        let tailStart = fileSize - tailLength
        let tail = try readBytes(fd: fd, count: Int(tailLength), offset: tailStart, path: path, fileSize: fileSize)
        var eocdIndex: Int? = nil
        var i = tail.count - Int(eocdLength)
        while i >= 0 {
            if tail[i] == 0x50 && tail[i + 1] == 0x4b && tail[i + 2] == 0x05 && tail[i + 3] == 0x06 {
                let commentLength = Int(tail[i + 20]) | Int(tail[i + 21]) << 8
                if i + Int(eocdLength) + commentLength <= tail.count {
                    eocdIndex = i
                    break
                }
            }
            i -= 1
        }
        guard let eocdIndex else {
            throw IngestError(
                .truncatedZip, file: path,
                message: "no end of central directory record; the file is truncated or not a zip archive",
                fix: "Download the archive again (compare its size or checksum with the published one).")
        }
        let eocdOffset = tailStart + Int64(eocdIndex)
        var eocd = LittleEndianReader(Array(tail[(eocdIndex + 4)..<(eocdIndex + 22)]))
        var diskNumber = UInt32(eocd.u16())
        var directoryDisk = UInt32(eocd.u16())
        eocd.skip(2)
        var entryCount = UInt64(eocd.u16())
        var directorySize = UInt64(eocd.u32())
        var directoryOffset = UInt64(eocd.u32())

        // ZIP64: a 20-byte locator right before the EOCD points at the ZIP64 end record.
        if eocdIndex >= 20,
            tail[eocdIndex - 20] == 0x50, tail[eocdIndex - 19] == 0x4b,
            tail[eocdIndex - 18] == 0x06, tail[eocdIndex - 17] == 0x07
        {
            var locator = LittleEndianReader(Array(tail[(eocdIndex - 16)..<eocdIndex]))
            let zip64Disk = locator.u32()
            let zip64Offset = locator.u64()
            guard zip64Disk == 0, eocdOffset - 20 >= 56, zip64Offset <= UInt64(eocdOffset - 20 - 56) else {
                throw IngestError(
                    .corruptZip, file: path,
                    message: "the ZIP64 end of central directory locator points outside the file",
                    fix: "The archive is damaged; download it again.")
            }
            let record = try readBytes(fd: fd, count: 56, offset: Int64(zip64Offset), path: path, fileSize: fileSize)
            var zip64 = LittleEndianReader(record)
            guard zip64.u32() == 0x0606_4b50 else {
                throw IngestError(
                    .corruptZip, file: path,
                    message: "no ZIP64 end of central directory record at offset \(zip64Offset)",
                    fix: "The archive is damaged; download it again.")
            }
            zip64.skip(12)  // record size, version made by, version needed
            diskNumber = zip64.u32()
            directoryDisk = zip64.u32()
            zip64.skip(8)  // entries on this disk
            entryCount = zip64.u64()
            directorySize = zip64.u64()
            directoryOffset = zip64.u64()
        }
        guard diskNumber == 0, directoryDisk == 0 else {
            throw IngestError(
                .unsupportedZip, file: path, message: "the archive is split over several disks (spanned)",
                fix: "Join the parts into one archive (`zip -s 0 in.zip --out whole.zip`) or unpack them.")
        }
        guard directoryOffset <= UInt64(fileSize), directorySize <= UInt64(fileSize) - directoryOffset else {
            throw IngestError(
                .truncatedZip, file: path,
                message:
                    "the central directory (\(directorySize) bytes at offset \(directoryOffset)) lies beyond the end of the file (\(fileSize) bytes)",
                fix: "The archive is incomplete; download it again.")
        }
        guard Int64(directorySize) <= limits.maxCentralDirectorySize else {
            throw IngestError(
                .unsupportedZip, file: path,
                message:
                    "the central directory is \(directorySize) bytes, more than the limit of \(limits.maxCentralDirectorySize)",
                fix: "A MovieLens drop has a handful of files; unpack this archive and point lens at the right folder.")
        }
        let directory = try readBytes(
            fd: fd, count: Int(directorySize), offset: Int64(directoryOffset), path: path, fileSize: fileSize)
        var entries: [ZipEntry] = []
        entries.reserveCapacity(Int(min(entryCount, 65_536)))
        var reader = LittleEndianReader(directory)
        for index in 0..<entryCount {
            let entry = try parseDirectoryEntry(&reader, index: index, path: path)
            try checkSafeName(entry.name, path: path)
            guard entry.localHeaderOffset <= fileSize - 30 else {
                throw IngestError(
                    .truncatedZip, file: path,
                    message:
                        "entry '\(entry.name)' starts at offset \(entry.localHeaderOffset), beyond the end of the file",
                    fix: "The archive is incomplete; download it again.")
            }
            entries.append(entry)
        }
        return entries
    }

    /// Parses one central-directory file header (signature `PK\1\2`) at the reader's position.
    private static func parseDirectoryEntry(
        _ reader: inout LittleEndianReader, index: UInt64, path: String
    ) throws -> ZipEntry {
        let corrupt = IngestError(
            .corruptZip, file: path,
            message: "central directory entry \(index + 1) is cut short or malformed",
            fix: "The archive is damaged; download it again.")
        guard reader.remaining >= 46, reader.u32() == 0x0201_4b50 else { throw corrupt }
        reader.skip(4)  // version made by, version needed
        let flags = reader.u16()
        let method = reader.u16()
        let dosTime = reader.u16()
        let dosDate = reader.u16()
        let crc = reader.u32()
        var compressed = UInt64(reader.u32())
        var uncompressed = UInt64(reader.u32())
        let nameLength = Int(reader.u16())
        let extraLength = Int(reader.u16())
        let commentLength = Int(reader.u16())
        reader.skip(8)  // disk number start, internal attributes, external attributes
        var offset = UInt64(reader.u32())
        guard reader.remaining >= nameLength + extraLength + commentLength else { throw corrupt }
        let nameBytes = reader.bytes(nameLength)
        let name = decodeName(nameBytes, utf8Flag: flags & (1 << 11) != 0)
        var extra = LittleEndianReader(reader.bytes(extraLength))
        reader.skip(commentLength)

        var unixTime: Int64? = nil
        while extra.remaining >= 4 {
            let tag = extra.u16()
            let size = Int(extra.u16())
            guard extra.remaining >= size else { break }
            var field = LittleEndianReader(extra.bytes(size))
            switch tag {
            case 0x0001:
                // ZIP64 extended information: only the fields whose 32-bit value is 0xFFFFFFFF,
                // in this order.
                if uncompressed == 0xFFFF_FFFF {
                    guard field.remaining >= 8 else { throw corrupt }
                    uncompressed = field.u64()
                }
                if compressed == 0xFFFF_FFFF {
                    guard field.remaining >= 8 else { throw corrupt }
                    compressed = field.u64()
                }
                if offset == 0xFFFF_FFFF {
                    guard field.remaining >= 8 else { throw corrupt }
                    offset = field.u64()
                }
            case 0x5455:
                // Info-ZIP extended timestamp; in the central directory, only the mtime.
                if field.remaining >= 5 {
                    let present = field.u8()
                    if present & 1 != 0 { unixTime = Int64(Int32(bitPattern: field.u32())) }
                }
            default:
                break
            }
        }
        guard compressed <= UInt64(Int64.max), uncompressed <= UInt64(Int64.max), offset <= UInt64(Int64.max) else {
            throw corrupt
        }
        let date: Date?
        if let unixTime {
            date = Date(timeIntervalSince1970: TimeInterval(unixTime))
        } else {
            date = dateFromDOS(date: dosDate, time: dosTime)
        }
        return ZipEntry(
            name: name, method: ZipEntry.Method(number: method), flags: flags,
            compressedSize: Int64(compressed), uncompressedSize: Int64(uncompressed), crc32: crc,
            localHeaderOffset: Int64(offset), modificationDate: date)
    }

    /// Decodes an entry name: UTF-8 when flagged or valid, else byte-for-byte as Latin-1
    /// (the official fallback, CP437, differs only outside ASCII, which MovieLens never uses).
    private static func decodeName(_ bytes: [UInt8], utf8Flag: Bool) -> String {
        let valid = bytes.withUnsafeBytes { UTF8Validation.isValid($0) }
        if valid { return String(decoding: bytes, as: UTF8.self) }
        return Latin1.string(bytes)
    }

    /// Converts an MS-DOS date and time (local time, 2-second resolution) to a `Date`.
    private static func dateFromDOS(date: UInt16, time: UInt16) -> Date? {
        var parts = DateComponents()
        parts.year = 1980 + Int(date >> 9)
        parts.month = Int((date >> 5) & 0xF)
        parts.day = Int(date & 0x1F)
        parts.hour = Int(time >> 11)
        parts.minute = Int((time >> 5) & 0x3F)
        parts.second = Int(time & 0x1F) * 2
        guard (1...12).contains(parts.month!), (1...31).contains(parts.day!) else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone.current
        return calendar.date(from: parts)
    }

    /// Refuses names that could escape the folder they are unpacked into: absolute paths
    /// (`/x`, `C:x`), backslashes (a Windows separator that hides `..\`), `..` components, NUL.
    private static func checkSafeName(_ name: String, path: String) throws {
        var reason: String? = nil
        if name.isEmpty {
            reason = "an empty name"
        } else if name.hasPrefix("/") {
            reason = "an absolute path"
        } else if name.contains("\\") {
            reason = "a backslash"
        } else if name.utf8.contains(0) {
            reason = "a NUL byte"
        } else if name.split(separator: "/", omittingEmptySubsequences: false).contains("..") {
            reason = "a '..' component"
        } else {
            let bytes = Array(name.utf8.prefix(2))
            if bytes.count == 2, bytes[1] == UInt8(ascii: ":"),
                (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(bytes[0] | 0x20)
            {
                reason = "a drive letter"
            }
        }
        if let reason {
            throw IngestError(
                .unsafeZipEntry, file: path,
                message: "entry '\(name)' has an unsafe name (\(reason)); refusing to read this archive",
                fix: "Entry names must be relative paths inside the archive; re-create the zip from the drop folder.")
        }
    }

    /// Reads exactly `count` bytes at `offset`, or throws `.truncatedZip`.
    private static func readBytes(fd: Int32, count: Int, offset: Int64, path: String, fileSize: Int64) throws -> [UInt8]
    {
        var bytes = [UInt8](repeating: 0, count: count)
        if count == 0 { return bytes }
        let got = try bytes.withUnsafeMutableBytes {
            try preadFully(fd, $0.baseAddress!, count: count, offset: offset, file: path)
        }
        guard got == count else {
            throw IngestError(
                .truncatedZip, file: path,
                message: "wanted \(count) bytes at offset \(offset) but the file ends at \(fileSize)",
                fix: "The archive is incomplete; download it again.")
        }
        return bytes
    }
}
