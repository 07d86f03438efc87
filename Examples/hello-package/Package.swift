// swift-tools-version:6.0
// A user's own package: its worker, a `drover` binary with the worker inside, and the worker's
// tests, depending on Drover's three products only. `scripts/test` builds and tests it.
import PackageDescription

let package = Package(
    name: "hello",
    platforms: [.macOS(.v15)],
    dependencies: [.package(name: "drover", path: "../..")],
    targets: [
        .executableTarget(
            name: "my-drover",
            dependencies: [.product(name: "Drover", package: "drover"), .product(name: "DroverCLI", package: "drover")]
        ),
        .testTarget(
            name: "HelloTests",
            dependencies: ["my-drover", .product(name: "Drover", package: "drover"), .product(name: "DroverTesting", package: "drover")]
        ),
    ]
)
