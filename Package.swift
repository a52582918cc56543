// swift-tools-version:6.0
// lens: the MovieLens warehouse. See README.md ("Architecture") for what each target does.
import PackageDescription

/// Release builds keep exclusivity checks off in the hot loops (they are proven by tests in debug).
let fastSwift: [SwiftSetting] = [
    .unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release)),
]

let package = Package(
    name: "lens",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "lens", targets: ["lens"]),
        .library(name: "Parquet", targets: ["Parquet"]),
        .library(name: "PGClient", targets: ["PGClient"]),
        .library(name: "LensCore", targets: ["LensCore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // C libraries from Debian's -dev packages (see README "Requirements").
        .systemLibrary(name: "CZstd", path: "Sources/CZstd"),
        .systemLibrary(name: "CLibPQ", path: "Sources/CLibPQ"),
        .systemLibrary(name: "CZlibInflate", path: "Sources/CZlibInflate"),
        .systemLibrary(name: "CLapack", path: "Sources/CLapack"),
        // OpenSSL's libcrypto, for SHA-256 at hardware speed (SHA-NI): drops are hashed whole.
        .systemLibrary(name: "CCrypto", path: "Sources/CCrypto"),

        // A Parquet writer that knows nothing of MovieLens (publishable alone).
        .target(name: "Parquet", dependencies: ["CZstd"], exclude: ["README.md"], swiftSettings: fastSwift),
        // A thin libpq client: connections, parameters bound by the server, binary COPY.
        .target(name: "PGClient", dependencies: ["CLibPQ"], exclude: ["README.md"], swiftSettings: fastSwift),
        // The pipeline: Ingest -> Clean -> Split -> Features -> Columnar -> Warehouse -> Catalog.
        .target(
            name: "LensCore",
            dependencies: ["Parquet", "PGClient", "CZlibInflate", "CLapack", "CCrypto"],
            // Each folder's README.md says what it does and what it must never import.
            exclude: ["Catalog/README.md", "Checks/README.md", "Clean/README.md", "Columnar/README.md", "Config/README.md", "Doctor/README.md", "Drift/README.md", "Features/README.md", "Fetch/README.md", "Ingest/README.md", "Model/README.md", "Pipeline/README.md", "Query/README.md", "Report/README.md", "Split/README.md", "Synth/README.md", "Warehouse/README.md"],
            swiftSettings: fastSwift,
            plugins: ["EmbedSQL"]
        ),
        // Compiles sql/ into LensCore (SQLFiles.embeddedTexts): an installed lens is one file.
        .executableTarget(name: "EmbedSQLTool", exclude: ["README.md"]),
        .plugin(name: "EmbedSQL", capability: .buildTool(), dependencies: ["EmbedSQLTool"]),
        // The thin command line over LensCore.
        .executableTarget(
            name: "lens",
            dependencies: [
                "LensCore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            exclude: ["README.md"],
            swiftSettings: fastSwift
        ),

        // What every test target shares: skips that say why, and the skip summary line.
        .target(name: "LensTestSupport", path: "Tests/LensTestSupport"),
        .testTarget(name: "ParquetTests", dependencies: ["Parquet"]),
        .testTarget(name: "PGClientTests", dependencies: ["PGClient", "LensTestSupport"]),
        .testTarget(name: "LensCoreTests", dependencies: ["LensCore", "LensTestSupport"], exclude: ["Query/FromScratch"]),
        .testTarget(name: "LensCLITests", dependencies: ["LensCore", "LensTestSupport"], exclude: ["Scripts", "Golden"]),
    ],
    swiftLanguageModes: [.v6]
)
