// swift-tools-version:6.0
import PackageDescription

// One module per pipeline stage, and dependencies only point down the pipeline:
//
//   Support → Suite → Transcript → Target → Verdict → Archive → Fixture → Run → Report
//                                                                   ↘ Replay (loopback server)
//
// - UnsaidSupport:    JSON bytes (parser, canonical encoding), hashing, text helpers. No Unsaid types.
// - UnsaidSuite:      suite files, probes, the run plan and shards, the verdict vocabulary suites speak.
// - UnsaidTranscript: what came over the wire (chunks, arrival times) and its decoding (SSE, chat
//                     chunks), redaction. A pure data model, so it sits below the target that fills it.
// - UnsaidTarget:     the only network code: libcurl through the CCurl shim, the targets file, retries.
// - UnsaidVerdict:    detectors and rules (versioned data in Rules/); verdict = f(transcript, ruleset).
// - UnsaidArchive:    hash-chained transcripts and verdicts, manifest, labels ledger, verify, sign, merge.
// - UnsaidFixture:    recorded fixtures (`--record`) and the request key replay matches on.
// - UnsaidRun:        a run session (new run or resume, the archive lock, final scoring, `--record`) and
//                     the engine: a plan through a sender into the archive, bounded concurrency.
// - UnsaidReport:     metrics, statistics, comparisons and every report format.
// - UnsaidReplay:     the SwiftNIO loopback server: replays fixtures, scripts faults (tests, drills, bench).
//
// Everything the project shares between modules is `package`; nothing is `public`, because Unsaid
// ships a command, not a library (README, "The pipeline").
//
// Linux only: built and tested on Debian with libcurl4-openssl-dev; the code calls Glibc and reads
// /proc directly, so the manifest claims no Apple platform.
// Release binaries carry the Swift runtime and Foundation inside them (README, "Installing"): the
// `make install` and `make dist` tree then runs on a machine without a Swift toolchain (libcurl,
// libstdc++ and glibc are what it needs), and a run starts ~10 ms sooner, not resolving the
// toolchain's shared libraries. The flag goes to the executable's compile as well as its link:
// compiled with it, the module names the static libraries' own dependencies (CoreFoundation among
// them), which the link alone does not find. Debug builds and tests link them shared, as before.
let staticSwiftInRelease = (
    swift: [SwiftSetting.unsafeFlags(["-static-stdlib"], .when(configuration: .release))],
    linker: [LinkerSetting.unsafeFlags(["-static-stdlib"], .when(configuration: .release))]
)

let package = Package(
    name: "Unsaid",
    products: [
        .executable(name: "unsaid", targets: ["unsaid"]),
        .executable(name: "unsaid-bench", targets: ["unsaid-bench"]),
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
            name: "UnsaidSupport",
            dependencies: [.product(name: "Crypto", package: "swift-crypto")]
        ),
        .target(
            name: "UnsaidSuite",
            dependencies: [
                "UnsaidSupport",
                .product(name: "Yams", package: "Yams"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            resources: [.copy("Transforms/Tables")]
        ),
        .target(
            name: "UnsaidTranscript",
            dependencies: ["UnsaidSupport", "UnsaidSuite"]
        ),
        .target(
            name: "UnsaidTarget",
            dependencies: [
                "CCurl", "UnsaidSupport", "UnsaidSuite", "UnsaidTranscript",
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        .target(
            name: "UnsaidVerdict",
            dependencies: ["UnsaidSupport", "UnsaidSuite", "UnsaidTranscript"],
            resources: [.copy("Rules")]
        ),
        .target(
            name: "UnsaidArchive",
            dependencies: [
                "UnsaidSupport", "UnsaidSuite", "UnsaidTranscript", "UnsaidVerdict",
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .target(
            name: "UnsaidFixture",
            dependencies: ["UnsaidSupport", "UnsaidSuite", "UnsaidTranscript", "UnsaidVerdict", "UnsaidArchive"]
        ),
        .target(
            name: "UnsaidRun",
            dependencies: [
                "UnsaidSupport", "UnsaidSuite", "UnsaidTranscript", "UnsaidTarget", "UnsaidVerdict", "UnsaidArchive",
                "UnsaidFixture",
            ]
        ),
        .target(
            name: "UnsaidReport",
            dependencies: [
                "UnsaidSupport", "UnsaidSuite", "UnsaidTranscript", "UnsaidVerdict", "UnsaidArchive",
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        // Loopback OpenAI-compatible server used by tests, fault drills, replay and benchmarks.
        .target(
            name: "UnsaidReplay",
            dependencies: [
                "UnsaidSupport", "UnsaidTranscript", "UnsaidFixture",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        .executableTarget(
            name: "unsaid",
            dependencies: [
                "UnsaidSupport", "UnsaidSuite", "UnsaidTranscript", "UnsaidTarget", "UnsaidVerdict",
                "UnsaidArchive", "UnsaidFixture", "UnsaidRun", "UnsaidReport", "UnsaidReplay",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: staticSwiftInRelease.swift,
            linkerSettings: staticSwiftInRelease.linker
        ),
        .executableTarget(
            name: "unsaid-bench",
            dependencies: [
                "UnsaidSupport", "UnsaidSuite", "UnsaidTarget", "UnsaidVerdict", "UnsaidArchive",
                "UnsaidRun", "UnsaidReport", "UnsaidReplay",
            ],
            swiftSettings: staticSwiftInRelease.swift,
            linkerSettings: staticSwiftInRelease.linker
        ),

        // Helpers that tests of several stages share (a scratch suite folder, a small real archive).
        .target(
            name: "UnsaidTestSupport",
            dependencies: ["UnsaidSupport", "UnsaidSuite", "UnsaidTranscript", "UnsaidVerdict", "UnsaidArchive"],
            path: "Tests/UnsaidTestSupport"
        ),

        // Pure tests, one target beside each stage (`make test` runs these first, in one process).
        .testTarget(name: "UnsaidSupportTests", dependencies: ["UnsaidSupport", "UnsaidSuite"]),
        .testTarget(
            name: "UnsaidSuiteTests",
            dependencies: ["UnsaidSupport", "UnsaidSuite", "UnsaidTestSupport"],
            resources: [.copy("SuiteSamples")]
        ),
        .testTarget(name: "UnsaidTranscriptTests", dependencies: ["UnsaidSupport", "UnsaidSuite", "UnsaidTranscript"]),
        .testTarget(
            name: "UnsaidVerdictTests",
            dependencies: [
                "UnsaidSupport", "UnsaidSuite", "UnsaidTranscript", "UnsaidVerdict", "UnsaidFixture", "UnsaidReport",
                "UnsaidTestSupport",
            ]
        ),
        .testTarget(
            name: "UnsaidArchiveTests",
            dependencies: [
                "UnsaidSupport", "UnsaidSuite", "UnsaidTranscript", "UnsaidVerdict", "UnsaidArchive",
                "UnsaidTestSupport",
            ]
        ),
        .testTarget(
            name: "UnsaidRunTests",
            dependencies: [
                "UnsaidSuite", "UnsaidTranscript", "UnsaidTarget", "UnsaidVerdict", "UnsaidArchive", "UnsaidRun",
                "UnsaidTestSupport",
            ]
        ),
        .testTarget(
            name: "UnsaidReportTests",
            dependencies: [
                "UnsaidSupport", "UnsaidSuite", "UnsaidTranscript", "UnsaidVerdict", "UnsaidArchive", "UnsaidRun",
                "UnsaidReport", "UnsaidTestSupport",
            ],
            exclude: ["Golden"]
        ),

        // Loopback tests: real servers on 127.0.0.1, the real binary (run second by `make test`).
        .testTarget(
            name: "UnsaidReplayTests",
            dependencies: [
                "UnsaidSupport", "UnsaidSuite", "UnsaidTranscript", "UnsaidArchive", "UnsaidFixture", "UnsaidReplay",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        // Drives the built `unsaid` binary as a child process against loopback servers:
        // exit codes, kill -9 and resume, the secret scan, rescore.
        .testTarget(
            name: "UnsaidCLITests",
            dependencies: [
                "UnsaidSupport", "UnsaidSuite", "UnsaidTranscript", "UnsaidVerdict", "UnsaidArchive", "UnsaidFixture",
                "UnsaidReplay",
            ]
        ),
        .testTarget(
            name: "UnsaidTargetTests",
            dependencies: [
                "UnsaidSupport", "UnsaidSuite", "UnsaidTranscript", "UnsaidTarget", "UnsaidVerdict", "UnsaidFixture",
                "UnsaidReplay",
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)

// `make fuzz` only (scripts/fuzz.sh sets UNSAID_FUZZ and builds on .build-fuzz with
// -sanitize=fuzzer,address): a libFuzzer binary over the parsers. Ordinary builds never see it.
if Context.environment["UNSAID_FUZZ"] != nil {
    package.targets.append(
        .executableTarget(
            name: "UnsaidFuzz",
            dependencies: ["UnsaidSupport", "UnsaidSuite", "UnsaidTranscript", "UnsaidTarget", "UnsaidArchive"],
            path: "Fuzz/UnsaidFuzz"
        ))
}
