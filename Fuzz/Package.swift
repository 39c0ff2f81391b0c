// swift-tools-version:5.10
// T2Fuzz: a libFuzzer target over the core's packet path (dissection, flow table,
// fragments, timeouts, flow writing). A separate package so that the sanitizer flags
// (-sanitize=fuzzer,address) never reach the main build. Run it with tools/fuzz.
import PackageDescription

let package = Package(
    name: "T2Fuzz",
    dependencies: [
        .package(path: "../Core"),
    ],
    targets: [
        .systemLibrary(name: "CLibFuzzer", path: "Sources/CLibFuzzer"),
        .executableTarget(name: "T2Fuzz", dependencies: ["CLibFuzzer", .product(name: "T2Core", package: "Core")]),
    ]
)
