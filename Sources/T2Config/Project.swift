// Where things are: the source tree (T2HOME), the components (tranalyzer2 and the
// plugins), their config files, pristine defaults and generated constant files.

import Foundation

public struct T2Error: Error, CustomStringConvertible {
    public let description: String
    public init(_ d: String) { description = d }
}

/// One configurable component: the core (`tranalyzer2`) or a plugin.
public struct Component: Equatable {
    public let name: String
    public let project: Project

    public var isCore: Bool { name == "tranalyzer2" }
    /// config/<name>.toml
    public var configPath: String { project.root + "/config/\(name).toml" }
    /// config/defaults/<name>.toml: what `t2conf --reset` restores.
    public var defaultsPath: String { project.root + "/config/defaults/\(name).toml" }
    /// Swift enum name of the generated constants.
    public var enumName: String { isCore ? "CoreConfig" : name.prefix(1).uppercased() + name.dropFirst() + "Config" }
    /// The generated constants file.
    public var generatedPath: String {
        isCore ? project.root + "/Core/Sources/T2Core/Generated/CoreConfig.swift"
               : project.root + "/Sources/Plugins/\(name)/Generated/\(enumName).swift"
    }
    public var sourceFolder: String { isCore ? project.root + "/Core/Sources/T2Core" : project.root + "/Sources/Plugins/\(name)" }
    /// Support files installed next to the plugin.
    public var dataFolder: String { project.root + "/data/\(name)" }
    /// Product name for `swift build --product`.
    public var product: String { isCore ? "t2" : name }
}

public struct Project: Equatable {
    public let root: String

    /// T2's default plugin set (what `t2build` builds without names).
    public static let defaultPlugins = ["basicFlow", "basicStats", "connStat", "icmpDecode", "macRecorder",
                                        "portClassifier", "protoStats", "tcpFlags", "tcpStates", "txtSink"]
    /// `t2conf --reset` without names: the core and T2's default set (not portClassifier).
    public static let defaultResetSet = ["tranalyzer2", "basicFlow", "basicStats", "connStat", "icmpDecode",
                                         "macRecorder", "protoStats", "tcpFlags", "tcpStates", "txtSink"]
    /// Plugins `-a` leaves out (T2 leaves out its skeleton and the tutorial plugin).
    public static let notInAll = ["tcpWin"]

    public init(root: String) { self.root = root }

    /// The source tree: $T2HOME, else the tree the running tool was built in
    /// (.build/<config>/<tool>), else the current folder or one of its parents.
    public static func locate() throws -> Project {
        let fm = FileManager.default
        func isRoot(_ p: String) -> Bool {
            fm.fileExists(atPath: p + "/Package.swift") && fm.fileExists(atPath: p + "/config")
                && fm.fileExists(atPath: p + "/Core/Package.swift")
        }
        if let env = ProcessInfo.processInfo.environment["T2HOME"], isRoot(env) {
            return Project(root: URL(fileURLWithPath: env).standardizedFileURL.path)
        }
        var candidates: [URL] = []
        let exe = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        candidates.append(exe.deletingLastPathComponent())
        candidates.append(URL(fileURLWithPath: fm.currentDirectoryPath))
        for start in candidates {
            var u = start.standardizedFileURL
            for _ in 0..<8 {
                if isRoot(u.path) { return Project(root: u.path) }
                let parent = u.deletingLastPathComponent()
                if parent.path == u.path { break }
                u = parent
            }
        }
        throw T2Error("Could not find the T2 source tree: set T2HOME or source tools/t2_aliases")
    }

    /// Every component with a config file, the core first, plugins by name.
    public func components() -> [Component] {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: root + "/config")) ?? []
        let names = files.filter { $0.hasSuffix(".toml") }.map { String($0.dropLast(5)) }
        let plugins = names.filter { $0 != "tranalyzer2" }.sorted()
        return (names.contains("tranalyzer2") ? [component("tranalyzer2")] : []) + plugins.map(component)
    }

    public func component(_ name: String) -> Component { Component(name: name, project: self) }

    /// The component of this name, if it exists (a trailing "/" is ignored, as T2 does).
    public func find(_ raw: String) -> Component? {
        var name = raw
        while name.hasSuffix("/") { name.removeLast() }
        if name == "t2" || name == "tranalyzer" { name = "tranalyzer2" }
        let c = component(name)
        return FileManager.default.fileExists(atPath: c.configPath) ? c : nil
    }

    /// The plugin folder: -p DIR, else ~/.tranalyzer/plugins.
    public static func pluginFolder(_ option: String?) -> String {
        if let o = option { return o.hasSuffix("/") && o.count > 1 ? String(o.dropLast()) : o }
        let home = ProcessInfo.processInfo.environment["HOME"] ?? NSHomeDirectory()
        return home + "/.tranalyzer/plugins"
    }
}
