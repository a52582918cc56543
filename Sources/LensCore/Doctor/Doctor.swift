import CCrypto
import CLapack
import CZlibInflate
import Foundation
import Parquet
import PGClient

/// `lens doctor`: checks what a run needs before the user starts one, each item as ok or a
/// problem with its fix. Reads only: it connects to a configured server or an existing private
/// cluster, and creates nothing.
public enum Doctor {
    /// One line of the report.
    public struct Item: Codable, Sendable, Equatable {
        /// What was checked ("libpq", "server", "create privilege", "out folder", "memory", ...).
        public var name: String
        public var ok: Bool
        /// What was found.
        public var detail: String
        /// What to do, when not ok.
        public var fix: String?
    }

    /// What to check beyond the libraries and the server.
    public struct Request: Sendable {
        public var database: String?
        /// The drop the user means to run (memory estimate, `--out` against it).
        public var source: String?
        public var out: String
        public init(database: String?, source: String?, out: String) {
            self.database = database
            self.source = source
            self.out = out
        }
    }

    public static func run(_ request: Request) -> [Item] {
        libraries() + server(database: request.database) + outFolder(request.out, source: request.source)
            + memory(source: request.source)
    }

    /// The C libraries lens is linked with, and their versions (if lens runs, they loaded).
    static func libraries() -> [Item] {
        let blas = openblas_get_config().map { String(cString: $0) } ?? "?"
        return [
            Item(name: "libpq", ok: true, detail: "PostgreSQL client library \(libpqVersion)", fix: nil),
            Item(name: "libzstd", ok: true, detail: "zstd \(zstdLibraryVersion)", fix: nil),
            Item(name: "zlib", ok: true, detail: "zlib \(String(cString: zlibVersion()))", fix: nil),
            Item(name: "libcrypto", ok: true, detail: String(cString: OpenSSL_version(OPENSSL_VERSION)), fix: nil),
            Item(name: "OpenBLAS/LAPACKE", ok: true, detail: blas.trimmingCharacters(in: .whitespaces), fix: nil),
        ]
    }

    /// The server: reachable, its version, the CREATE privilege, free space (private cluster).
    static func server(database: String?) -> [Item] {
        let target: DatabaseTarget
        do {
            target = try DatabaseTarget.resolve(explicit: database, access: .reader)
        } catch let e as LensError {
            if case .database(let m) = e, m.hasPrefix("no warehouse here") {
                // Nothing configured and no private cluster yet: can lens make one?
                let installed = LocalCluster(stateDir: DatabaseTarget.stateDir).installedMajors()
                return [Item(name: "server", ok: !installed.isEmpty,
                             detail: installed.isEmpty ? "no database configured and no PostgreSQL server installed for the private cluster"
                                                       : "no database configured; `lens run` will create a private cluster with PostgreSQL \(installed.last!)",
                             fix: installed.isEmpty ? "apt-get install postgresql, or pass --database URL / set DATABASE_URL" : nil)]
            }
            return [Item(name: "server", ok: false, detail: e.description, fix: fixFor(e))]
        } catch {
            return [Item(name: "server", ok: false, detail: "\(error)", fix: nil)]
        }
        let conn: PGConnection
        do {
            conn = try target.connect()
        } catch {
            return [Item(name: "server", ok: false, detail: "\(error)",
                         fix: "check that the server runs and the connection string (\(target.origin)) is right")]
        }
        defer { conn.close() }
        var items: [Item] = []
        do {
            let sql = try SQLFiles.locate()
            let row = try conn.query(try sql.text("warehouse/doctor_server.sql")).rows.first ?? []
            let version = row[safe: 0] ?? "?"
            let major = Int(version.split(separator: ".").first ?? "") ?? 0
            items.append(Item(name: "server", ok: major >= 15,
                              detail: "PostgreSQL \(version), database \(row[safe: 1] ?? "?") as \(row[safe: 2] ?? "?") (\(target.origin))",
                              fix: major >= 15 ? nil : "lens is tested with PostgreSQL 15 and later; upgrade the server"))
            let canCreate = row[safe: 3] == "t"
            items.append(Item(name: "create privilege", ok: canCreate,
                              detail: canCreate ? "may create schemas in \(row[safe: 1] ?? "?")" : "may not create schemas in \(row[safe: 1] ?? "?")",
                              fix: canCreate ? nil : "grant create on database \(row[safe: 1] ?? "?") to \(row[safe: 2] ?? "?")"))
            if target.origin.hasPrefix("private cluster") {
                let dataDir = LocalCluster(stateDir: DatabaseTarget.stateDir).dataDir
                items.append(freeSpace("server disk", path: dataDir, needed: 1 << 30))
            } else {
                items.append(Item(name: "server disk", ok: true,
                                  detail: "database size \(megabytes(Int64(row[safe: 4] ?? "") ?? 0)); free space on a remote server is not visible from here",
                                  fix: nil))
            }
        } catch {
            items.append(Item(name: "server", ok: false, detail: "\(error)", fix: nil))
        }
        return items
    }

    /// The export folder: lens's to replace, writable, with free space.
    static func outFolder(_ out: String, source: String?) -> [Item] {
        var items: [Item] = []
        do {
            try ExportFolderGuard.check(out: out, source: source ?? "/nonexistent-drop")
        } catch let e as LensError {
            return [Item(name: "out folder", ok: false, detail: e.description, fix: "choose a new or empty folder with --out")]
        } catch {
            return [Item(name: "out folder", ok: false, detail: "\(error)", fix: nil)]
        }
        // The nearest folder that exists is where the export (or its parent) will be created.
        var existing = URL(fileURLWithPath: out).standardizedFileURL.path
        while !FileManager.default.fileExists(atPath: existing) && existing != "/" {
            existing = (existing as NSString).deletingLastPathComponent
        }
        let writable = access(existing, W_OK) == 0
        items.append(Item(name: "out folder", ok: writable,
                          detail: writable ? "\(out) can be written (in \(existing))" : "\(existing) is not writable",
                          fix: writable ? nil : "choose another --out, or fix the folder's permissions"))
        items.append(freeSpace("out disk", path: existing, needed: 100 << 20))
        return items
    }

    /// The memory a run of `source` needs against the memory available.
    static func memory(source: String?) -> [Item] {
        guard let source else {
            return [Item(name: "memory", ok: true, detail: "no --source given: pass one to compare its estimate with the memory available", fix: nil)]
        }
        do {
            let drop = try DropSource.open(path: source)
            let size = try MemoryBudget.measure(drop)
            let needed = MemoryBudget.estimate(size)
            guard let available = try MemoryBudget.available() else {
                return [Item(name: "memory", ok: true, detail: "needs about \(megabytes(needed)); the memory available cannot be read here", fix: nil)]
            }
            let ok = needed <= available.bytes
            return [Item(name: "memory", ok: ok,
                         detail: "\(size.ratingLines) ratings need about \(megabytes(needed)); \(megabytes(available.bytes)) available (\(available.source))",
                         fix: ok ? nil : "run on a machine with more free memory (or pass --ignore-memory-check to lens run and risk the OOM killer)")]
        } catch {
            return [Item(name: "memory", ok: false, detail: (error as? LensError)?.description ?? "\(error)", fix: "check --source")]
        }
    }

    static func freeSpace(_ name: String, path: String, needed: Int64) -> Item {
        var st = statvfs()
        guard statvfs(path, &st) == 0 else { return Item(name: name, ok: false, detail: "cannot stat \(path)", fix: nil) }
        let free = Int64(st.f_bavail) * Int64(st.f_frsize)
        return Item(name: name, ok: free >= needed, detail: "\(megabytes(free)) free on \(path)",
                    fix: free >= needed ? nil : "free some space (lens needs at least \(megabytes(needed)) there)")
    }

    static func fixFor(_ e: LensError) -> String? {
        switch e {
        case .config: return "fix the connection string"
        case .database: return "check that the server runs and the credentials are right"
        default: return nil
        }
    }

    static func megabytes(_ bytes: Int64) -> String { "\(Int64((Double(bytes) / 1_000_000).rounded())) MB" }
}

extension Array where Element == String? {
    subscript(safe i: Int) -> String? { i < count ? self[i] : nil }
}
