// swift-tools-version:5.10
// T2Core: the one shared copy of the analyzer core. It is a separate package with a
// .dynamic product so that the `t2` executable and every plugin link the same
// libT2Core.so (a target inside the root package would be linked statically into each).
import PackageDescription

let package = Package(
    name: "T2Core",
    products: [
        .library(name: "T2Core", type: .dynamic, targets: ["T2Core"]),
    ],
    targets: [
        .systemLibrary(name: "CPcap", path: "Sources/CPcap",
                       providers: [.apt(["libpcap-dev", "zlib1g-dev"])]),
        .target(name: "CT2Support", linkerSettings: [.linkedLibrary("z")]),
        .target(name: "T2Core", dependencies: ["CPcap", "CT2Support"],
                swiftSettings: [.unsafeFlags(["-enforce-exclusivity=unchecked"])]),
        .testTarget(name: "T2CoreTests", dependencies: ["T2Core", "CPcap"]),
    ]
)
