// swift-tools-version:6.0
import PackageDescription

// The package follows the pipeline: Suite → Target → Transcript → Verdict → Archive → Report.
// `UnsaidCore` holds every pure stage (no network); `UnsaidTarget` is the only module that talks
// HTTP, through the `CCurl` shim, so nothing above the transport knows libcurl exists.
let package = Package(
    name: "Unsaid",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "unsaid", targets: ["unsaid"]),
        .executable(name: "unsaid-bench", targets: ["unsaid-bench"]),
        .library(name: "UnsaidCore", targets: ["UnsaidCore"]),
        .library(name: "UnsaidTarget", targets: ["UnsaidTarget"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
    ],
    targets: [
        // C shim: typed wrappers around libcurl's variadic setopt/getinfo.
        .target(
            name: "CCurl",
            linkerSettings: [.linkedLibrary("curl")]
        ),
        .target(
            name: "UnsaidCore",
            dependencies: [
                .product(name: "Yams", package: "Yams"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            resources: [.copy("Verdict/Rules"), .copy("Suite/Transforms/Tables")]
        ),
        .target(
            name: "UnsaidTarget",
            dependencies: ["CCurl", "UnsaidCore"]
        ),
        // Loopback OpenAI-compatible server used by tests, fault drills, replay and benchmarks.
        .target(
            name: "UnsaidReplay",
            dependencies: [
                "UnsaidCore",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        .executableTarget(
            name: "unsaid",
            dependencies: [
                "UnsaidCore", "UnsaidTarget", "UnsaidReplay",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "unsaid-bench",
            dependencies: ["UnsaidCore", "UnsaidTarget", "UnsaidReplay"]
        ),
        .testTarget(
            name: "UnsaidCoreTests",
            dependencies: ["UnsaidCore"],
            exclude: ["Golden"],
            resources: [.copy("SuiteSamples")]
        ),
        .testTarget(
            name: "UnsaidReplayTests",
            dependencies: [
                "UnsaidReplay", "UnsaidCore",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        // Drives the built `unsaid` binary as a child process against loopback servers:
        // exit codes, kill -9 and resume, the secret scan, rescore.
        .testTarget(
            name: "UnsaidCLITests",
            dependencies: ["UnsaidCore", "UnsaidReplay"]
        ),
        .testTarget(
            name: "UnsaidTargetTests",
            dependencies: ["UnsaidCore", "UnsaidTarget", "UnsaidReplay"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
