import Foundation

/// Content addressing of a run: what the outputs depend on, as checksums, so that a rerun on an
/// unchanged drop with unchanged parameters can be recognised and skipped.
///
/// - `quick`: sizes, modification and change times of the drop's files (or of the zip), costing a few
///   `stat` calls. When it matches the manifest's, the drop is taken as unchanged without reading it.
/// - `content`: sha256 over the sha256 of every CSV file (as decompressed), computed when the
///   quick check fails; a touched but identical drop still matches on content.
/// - `run`: sha256 of the content checksum, the data parameters and the lens version; equal run
///   fingerprints mean byte-identical outputs.
public enum Fingerprint {
    /// Sizes, mtimes, inode numbers and change times of the drop's inputs. The change time
    /// (ctime) moves on every write and cannot be set back (`touch -d` sets only the mtime), so a
    /// file edited in place with its size and mtime restored still reads as changed.
    public static func quick(_ source: DropSource) -> String {
        func stamp(_ path: String) -> String {
            var st = stat()
            guard stat(path, &st) == 0 else { return "missing" }
            return "\(st.st_size):\(st.st_mtim.tv_sec).\(st.st_mtim.tv_nsec):\(st.st_ino):\(st.st_ctim.tv_sec).\(st.st_ctim.tv_nsec)"
        }
        var parts: [String] = []
        switch source.kind {
        case .zip:
            parts.append("zip=\(stamp(source.path))")
        case .directory:
            for name in source.fileNames {
                let inner = source.folder.isEmpty ? name : source.folder + "/" + name
                parts.append("\(name)=\(stamp((source.path as NSString).appendingPathComponent(inner)))")
            }
        }
        return combinedSHA256(parts)
    }

    /// The drop's content checksum from per-file checksums.
    public static func content(rawFiles: [String: String]) -> String {
        combinedSHA256(rawFiles.keys.sorted().map { "\($0)=\(rawFiles[$0]!)" })
    }

    /// The run fingerprint: content + data parameters + lens version.
    public static func run(content: String, config: PipelineConfig) -> String {
        combinedSHA256(["content=\(content)", "lens=\(lensVersion)"]
            + config.dataParameters.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" })
    }
}

extension PipelineConfig {
    /// The parameters the data depends on (not where it goes: output folder, schema names, keep).
    public var dataParameters: [String: String] {
        [
            "drop_date": dropDate ?? "", "rating_min": "\(ratingMin)", "rating_max": "\(ratingMax)",
            "rated_at_min": "\(ratedAtMin)", "rated_at_max_days_after_drop": "\(ratedAtMaxDaysAfterDrop)",
            "train_fraction": "\(trainFraction)", "test_fraction": "\(testFraction)", "buffer_batches": "\(bufferBatches)",
            "pca_components": "\(pcaComponents)", "movie_count_quantile": "\(movieCountQuantile)",
            "user_count_quantile": "\(userCountQuantile)", "codec": codec.rawValue, "zstd_level": "\(zstdLevel)",
            "row_group_rows": "\(rowGroupRows)", "hold_back_buffer": "\(holdBackBuffer)",
        ]
    }
}
