// swift-tools-version:6.0
import PackageDescription

let strict: [SwiftSetting] = [.swiftLanguageMode(.v6)]

let package = Package(
    name: "drover",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "Drover", targets: ["Drover"]),
        .library(name: "DroverCLI", targets: ["DroverCLI"]),
        .library(name: "DroverTesting", targets: ["DroverTesting"]),
        .library(name: "DroverIntegrationKit", targets: ["DroverIntegrationKit"]),
        .executable(name: "drover", targets: ["drover"]),
        .executable(name: "toml-decoder", targets: ["toml-decoder"]),
    ],
    targets: [
        // System libraries (header-only module maps).
        .systemLibrary(name: "CSQLite", path: "Sources/CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(name: "CCrypto", path: "Sources/CCrypto", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CLinux", path: "Sources/CLinux"),

        // The handler API: what a worker author imports.
        .target(name: "Drover", dependencies: ["CCrypto"], swiftSettings: strict),
        // The one wrapper of libsqlite3's C API, shared by D1 and Queues.
        .target(name: "DroverSQLite", dependencies: ["CSQLite"], swiftSettings: strict),
        // Runtime pieces.
        .target(name: "DroverHTTP", dependencies: ["Drover", "CLinux"], swiftSettings: strict),
        .target(name: "DroverConfig", dependencies: ["Drover"], swiftSettings: strict),
        .target(name: "DroverKV", dependencies: ["Drover"], swiftSettings: strict),
        .target(name: "DroverD1", dependencies: ["Drover", "DroverSQLite"], swiftSettings: strict),
        .target(name: "DroverQueues", dependencies: ["Drover", "DroverSQLite"], swiftSettings: strict),
        .target(name: "DroverDurableObjects", dependencies: ["Drover", "DroverSQLite", "DroverD1", "DroverConfig"], swiftSettings: strict),
        .target(
            name: "DroverRuntime",
            dependencies: [
                "Drover", "DroverHTTP", "DroverConfig", "DroverKV", "DroverD1", "DroverQueues", "DroverDurableObjects", "DroverIntegrationKit",
            ],
            swiftSettings: strict),
        .target(
            name: "DroverReplay", dependencies: ["Drover", "DroverConfig", "DroverRuntime", "DroverKV", "DroverD1", "DroverQueues", "DroverDurableObjects"],
            swiftSettings: strict),
        .target(name: "DroverTesting", dependencies: ["Drover", "DroverConfig", "DroverRuntime", "DroverReplay", "DroverQueues"], swiftSettings: strict),
        // The integration kit imports Drover alone: the package graph proves it ports to an edge platform.
        .target(name: "DroverIntegrationKit", dependencies: ["Drover"], swiftSettings: strict),
        // The sample app: Drover and the kit only, so it ports as the kit does.
        .target(name: "DroverIntegrations", dependencies: ["Drover", "DroverIntegrationKit"], swiftSettings: strict),
        // Example workers shipped in the `drover` binary: the playground and the benchmark worker.
        .target(name: "DroverExamples", dependencies: ["Drover", "DroverIntegrationKit"], swiftSettings: strict),
        .target(
            name: "DroverCLI",
            dependencies: ["Drover", "DroverConfig", "DroverRuntime", "DroverReplay", "DroverKV", "DroverD1", "DroverQueues", "DroverDurableObjects"],
            swiftSettings: strict),

        // Executables.
        .executableTarget(name: "drover", dependencies: ["DroverCLI", "DroverIntegrations", "DroverExamples"], swiftSettings: strict),
        .executableTarget(name: "toml-decoder", dependencies: ["DroverConfig"], swiftSettings: strict),
        .executableTarget(
            name: "Benchmarks",
            dependencies: [
                "Drover", "DroverHTTP", "DroverKV", "DroverD1", "DroverQueues", "DroverRuntime", "DroverReplay", "DroverExamples", "CSQLite",
                "DroverIntegrationKit", "DroverTestSupport", "DroverDurableObjects", "DroverConfig",
            ],
            path: "Benchmarks",
            exclude: ["README.md", "hello.toml", "serve.sh", "shopify", "clerk", "dashboard"],
            swiftSettings: strict),

        // Tests.
        .target(name: "DroverTestSupport", dependencies: ["CLinux", "Drover"], path: "Tests/DroverTestSupport", swiftSettings: strict),
        .testTarget(name: "DroverTests", dependencies: ["DroverTestSupport", "Drover"], swiftSettings: strict),
        .testTarget(name: "DroverHTTPTests", dependencies: ["DroverTestSupport", "DroverHTTP", "Drover"], swiftSettings: strict),
        .testTarget(name: "DroverConfigTests", dependencies: ["DroverTestSupport", "DroverConfig"], swiftSettings: strict),
        .testTarget(name: "DroverKVTests", dependencies: ["DroverTestSupport", "DroverKV", "Drover"], swiftSettings: strict),
        .testTarget(name: "DroverD1Tests", dependencies: ["DroverD1", "Drover", "CSQLite"], swiftSettings: strict),
        .testTarget(
            name: "DroverDurableObjectsTests",
            dependencies: ["DroverTestSupport", "DroverDurableObjects", "DroverConfig", "DroverExamples", "Drover"],
            swiftSettings: strict),
        .testTarget(name: "DroverQueuesTests", dependencies: ["DroverTestSupport", "DroverQueues", "Drover"], swiftSettings: strict),
        .testTarget(
            name: "DroverRuntimeTests", dependencies: ["DroverTestSupport", "DroverRuntime", "DroverCLI", "DroverExamples", "DroverIntegrations", "DroverIntegrationKit", "Drover"],
            swiftSettings: strict),
        .testTarget(
            name: "DroverIntegrationKitTests", dependencies: ["DroverIntegrationKit", "Drover", "DroverKV", "DroverTesting", "DroverTestSupport"],
            swiftSettings: strict),
        .testTarget(
            name: "DroverReplayTests", dependencies: ["DroverTestSupport", "DroverReplay", "DroverTesting", "DroverCLI", "DroverExamples", "DroverIntegrations", "DroverIntegrationKit", "Drover"],
            swiftSettings: strict),
    ]
)
