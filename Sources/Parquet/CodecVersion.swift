import CZstd

/// The version of the libzstd this module runs against (e.g. "1.5.4"), for `lens doctor`.
public let zstdLibraryVersion: String = String(cString: ZSTD_versionString())
