// swift-tools-version:5.10
// T2 for Swift: the `t2` analyzer, its plugins and tools.
//
// Every folder under Sources/Plugins is a plugin: it becomes a .dynamic library
// product of the same name that `t2build` installs as NNN_name.so. A plugin created by
// `t2plugin -c NAME` is therefore picked up without editing this file. The core lives
// in the Core package so that there is exactly one libT2Core.so (see Core/Package.swift).
import PackageDescription
import Foundation

let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().path
let pluginNames = ((try? FileManager.default.contentsOfDirectory(atPath: root + "/Sources/Plugins")) ?? [])
    .filter { !$0.hasPrefix(".") }
    .filter { FileManager.default.fileExists(atPath: root + "/Sources/Plugins/" + $0 + "/Generated") ||
              ((try? FileManager.default.contentsOfDirectory(atPath: root + "/Sources/Plugins/" + $0))?.contains { $0.hasSuffix(".swift") } ?? false) }
    .sorted()

let core: Target.Dependency = .product(name: "T2Core", package: "Core")
let fast: [SwiftSetting] = [.unsafeFlags(["-enforce-exclusivity=unchecked"])]

let toml: Target.Dependency = .product(name: "TOMLKit", package: "TOMLKit")
let mustache: Target.Dependency = .product(name: "Mustache", package: "swift-mustache")
let argumentParser: Target.Dependency = .product(name: "ArgumentParser", package: "swift-argument-parser")

let package = Package(
    name: "T2",
    products: [
        .executable(name: "t2", targets: ["t2"]),
        .executable(name: "t2conf", targets: ["t2conf"]),
        .executable(name: "t2build", targets: ["t2build"]),
        .executable(name: "t2plugin", targets: ["t2plugin"]),
    ] + pluginNames.map { .library(name: $0, type: .dynamic, targets: [$0]) },
    dependencies: [
        .package(path: "Core"),
        .package(url: "https://github.com/LebJe/TOMLKit.git", from: "0.6.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
    ],
    targets: [
        .executableTarget(name: "t2", dependencies: [core], swiftSettings: fast),
        // Config model, line-preserving TOML editing, code generation, building.
        .target(name: "T2Config", dependencies: [toml, mustache, argumentParser]),
        .executableTarget(name: "t2conf", dependencies: ["T2Config", argumentParser]),
        .executableTarget(name: "t2build", dependencies: ["T2Config", argumentParser]),
        .executableTarget(name: "t2plugin", dependencies: ["T2Config", argumentParser, mustache]),
        .testTarget(name: "T2ConfigTests", dependencies: ["T2Config"]),
    ] + pluginNames.map {
        .target(name: $0, dependencies: [core], path: "Sources/Plugins/" + $0, swiftSettings: fast)
    }
)
