// t2build: builds tranalyzer2 and plugins and installs them into the plugin folder, as
// T2's autogen.sh (spec/tools.md sections 2 and 3). For each component it regenerates
// the constants from config/ when they changed, runs `swift build -c release --product`,
// and copies the library to <plugin folder>/NNN_name.so with its support files.

import ArgumentParser
import Foundation
import T2Config

@main
struct T2Build: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "t2build",
        abstract: "Build Tranalyzer2 and the plugins",
        discussion: "Without names: tranalyzer2 and the default plugins (\(Project.defaultPlugins.joined(separator: " "))).")

    @Argument(help: "tranalyzer2 and/or plugin names.")
    var names: [String] = []

    @Flag(name: [.customShort("a"), .customLong("all")], help: "tranalyzer2 and every plugin (except tcpWin and those in plugins.ignore).")
    var all = false

    @Option(name: [.customShort("b"), .customLong("build")], help: "tranalyzer2 and the plugins listed in FILE.")
    var buildList: String?

    @Option(name: [.customShort("I"), .customLong("ignore")], help: "Plugins to leave out with -a (default: plugins.ignore).")
    var ignoreFile: String?

    @Flag(name: [.customShort("R"), .customLong("rebuild")], help: "tranalyzer2 and every plugin installed in the plugin folder.")
    var rebuild = false

    @Flag(name: [.customShort("c"), .customLong("clean")], help: "Remove build files.")
    var clean = false

    @Flag(name: [.customShort("d"), .customLong("debug")], help: "Debug build.")
    var debug = false

    @Flag(name: [.customShort("r"), .customLong("configure")], help: "Regenerate the constant files even if unchanged.")
    var configure = false

    @Flag(name: [.customShort("f"), .customLong("force")], help: "Regenerate and overwrite support files in the plugin folder.")
    var force = false

    @Flag(name: [.customShort("u"), .customLong("unload")], help: "Remove the named plugins from the plugin folder.")
    var unload = false

    @Flag(name: [.customShort("e"), .customLong("empty")], help: "Empty the plugin folder.")
    var empty = false

    @Flag(name: [.customShort("l"), .customLong("list")], help: "List the installed plugins.")
    var listInstalled = false

    @Option(name: [.customShort("p"), .customLong("plugin-dir")], help: "Plugin folder (default ~/.tranalyzer/plugins).")
    var pluginDir: String?

    @Flag(name: [.customShort("y"), .customLong("yes")], help: "Answer yes to prompts.")
    var yes = false

    @Flag(name: .customLong("no-sink"), help: "Skip sink plugins.")
    var noSink = false

    @Flag(name: [.customShort("X"), .customLong("bypass-lock")], help: "Ignore the lock file.")
    var bypassLock = false

    static func main() {
        let args = Array(CommandLine.arguments.dropFirst())
        if args.contains("--reset") {
            Console.error("Unknown option '--reset'")
            Console.info("Did you mean to call 't2conf \(args.joined(separator: " "))' instead?")
            Foundation.exit(1)
        }
        runAsT2Tool("t2build", args)
    }

    mutating func run() throws {
        let project = try Project.locate()
        let folder = Project.pluginFolder(pluginDir)

        if listInstalled { listPlugins(folder); return }
        if empty { try emptyFolder(folder) }

        let lock = project.root + "/.t2build.lock"
        if !bypassLock, let pidText = try? String(contentsOfFile: lock, encoding: .utf8),
           let pid = Int32(pidText.trimmingCharacters(in: .whitespacesAndNewlines)), kill(pid, 0) == 0, pid != getpid() {
            Console.error("Another t2build process is currently running")
            Console.info("To avoid conflicts, wait until it has terminated")
            Console.info("To proceed anyway, use 't2build -X' option or remove '\(lock)'")
            throw ExitCode(1)
        }
        try? "\(getpid())\n".write(toFile: lock, atomically: true, encoding: .utf8)
        defer { unlink(lock) }

        let targets = try selectTargets(project, folder: folder)
        if unload {
            for c in targets where !c.isCore { unloadPlugin(c, folder: folder) }
            Console.ok("\nUNLOADING SUCCESSFUL\n")
            return
        }
        if clean {
            try cleanBuild(project, targets: names.isEmpty && !all ? nil : targets)
            Console.ok("\nCLEANING SUCCESSFUL\n")
            return
        }
        let builder = Builder(project: project, folder: folder, debug: debug, regenerate: configure || force, overwrite: force)
        var failed: [String] = []
        for c in targets {
            Console.info(c.isCore ? "\n'Tranalyzer2'\n" : "\nPlugin '\(c.name)'\n")
            do {
                try builder.build(c)
                Console.ok("\n\(c.isCore ? "Tranalyzer2" : c.name) successfully built\n")
                if !c.isCore { try builder.install(c) }
            } catch let e as T2Error {
                Console.error(e.description)
                Console.error("\nFailed to build plugin \(c.name)\n")
                failed.append(c.name)
                if c.isCore { break }
            }
        }
        if !failed.isEmpty {
            Console.error("\nThe following plugins could not be built:")
            for f in failed.sorted() { Console.error("    \(f)") }
            throw ExitCode(1)
        }
        Console.ok("\nBUILDING SUCCESSFUL\n")
    }

    /// What to build: names, -a, -b FILE, -R, or tranalyzer2 plus the default set.
    func selectTargets(_ project: Project, folder: String) throws -> [Component] {
        var list: [String]
        if all {
            let ignore = readList(ignoreFile ?? project.root + "/plugins.ignore") ?? []
            list = ["tranalyzer2"] + project.components().map(\.name).filter {
                $0 != "tranalyzer2" && !Project.notInAll.contains($0) && !ignore.contains($0)
            }
        } else if let b = buildList {
            guard let entries = readList(b) else { throw T2Error("Invalid argument for option '-b': '\(b)' is not a regular file") }
            list = ["tranalyzer2"] + entries
        } else if rebuild {
            guard FileManager.default.fileExists(atPath: folder) else { throw T2Error("Plugin directory '\(folder)' does not exist") }
            list = ["tranalyzer2"] + installedPlugins(folder)
        } else if names.isEmpty {
            list = ["tranalyzer2"] + Project.defaultPlugins
        } else {
            list = names
        }
        if noSink { list = list.filter { !$0.hasSuffix("Sink") } }
        var seen = Set<String>()
        var targets: [Component] = []
        var unknown: [String] = []
        for n in list {
            guard let c = project.find(n) else { unknown.append(n); continue }
            if seen.insert(c.name).inserted { targets.append(c) }
        }
        if !unknown.isEmpty {
            throw T2Error(unknown.map { "Plugin '\($0)' could not be found" }.joined(separator: "\n"))
        }
        // The core first, as T2 does: plugins build against it.
        return targets.filter(\.isCore) + targets.filter { !$0.isCore }
    }

    /// A list file: one name per line, '#' comments, NNN_name.so reduced to name.
    func readList(_ path: String) -> [String]? {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        return text.components(separatedBy: "\n").compactMap { raw in
            var l = raw.trimmingCharacters(in: .whitespaces)
            if l.isEmpty || l.hasPrefix("#") { return nil }
            if l.hasSuffix(".so") { l.removeLast(3) }
            if l.count > 4, l.prefix(3).allSatisfy(\.isNumber), l.dropFirst(3).first == "_" { l.removeFirst(4) }
            return l
        }
    }

    func installedPlugins(_ folder: String) -> [String] {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        let names = files.filter { $0.hasSuffix(".so") && $0.count > 7 && $0.prefix(3).allSatisfy(\.isNumber) && $0.dropFirst(3).first == "_" }
            .map { String($0.dropFirst(4).dropLast(3)) }
        return Array(Set(names)).sorted()
    }

    func listPlugins(_ folder: String) {
        let installed = installedPlugins(folder)
        if installed.isEmpty { print("No plugins in '\(folder)'"); return }
        for p in installed { print(p) }
    }

    func emptyFolder(_ folder: String) throws {
        guard FileManager.default.fileExists(atPath: folder) else {
            print("Plugin folder does not exist")
            if names.isEmpty && !all { throw ExitCode(0) }
            return
        }
        if Console.ask("Are you sure you want to empty the plugin folder '\(folder)' (y/N)? ", assumeYes: yes) {
            try FileManager.default.removeItem(atPath: folder)
            Console.ok("Plugin folder emptied")
            if names.isEmpty && !all && buildList == nil { throw ExitCode(0) }
        } else {
            Console.warning("Plugin folder not emptied")
            throw ExitCode(1)
        }
    }

    func unloadPlugin(_ c: Component, folder: String) {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        guard FileManager.default.fileExists(atPath: folder) else {
            Console.warning("Plugin folder '\(folder)' does no exist")
            return
        }
        for f in files where f.hasSuffix("_\(c.name).so") && f.prefix(3).allSatisfy(\.isNumber) && f.count == c.name.count + 7 {
            try? FileManager.default.removeItem(atPath: folder + "/" + f)
        }
    }

    func cleanBuild(_ project: Project, targets: [Component]?) throws {
        let build = project.root + "/.build"
        guard let targets = targets else {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            p.arguments = ["swift", "package", "clean", "--package-path", project.root]
            p.standardOutput = FileHandle.nullDevice
            try p.run()
            p.waitUntilExit()
            return
        }
        for c in targets {
            for config in ["release", "debug"] {
                let dir = "\(build)/\(config)"
                let lib = c.isCore ? "\(dir)/t2" : "\(dir)/lib\(c.name).so"
                try? FileManager.default.removeItem(atPath: lib)
                try? FileManager.default.removeItem(atPath: "\(dir)/\(c.isCore ? "T2Core" : c.name).build")
            }
        }
    }
}
