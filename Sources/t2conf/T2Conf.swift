// t2conf: reads and edits the compile-time constants in config/<component>.toml, as T2's
// t2conf does with its headers (spec/tools.md section 4). Every change is type-checked
// against the current value and written atomically; a failing command changes nothing.

import ArgumentParser
import Foundation
import T2Config

@main
struct T2Conf: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "t2conf",
        abstract: "Configure tranalyzer2 and the plugins (config/<name>.toml).",
        discussion: """
        Examples:
          t2conf tcpWin -G TCPWIN_MINPKTS          print a constant
          t2conf tcpWin -D TCPWIN_MINPKTS=100      set it (then: t2build tcpWin)
          t2conf tcpWin -D TCPWIN_MINPKTS=default  back to the default
          t2conf -a --reset                        restore every default
        """)

    @Argument(help: "Components: tranalyzer2 or plugin names.")
    var plugins: [String] = []

    @Option(name: .customShort("G"), help: ArgumentHelp("Print NAME = value (repeatable, ONE component).", valueName: "NAME"))
    var get: [String] = []

    @Option(name: .customShort("D"), help: ArgumentHelp("Set NAME=VALUE, or NAME=default (repeatable, ONE component).", valueName: "NAME=VALUE"))
    var define: [String] = []

    @Flag(name: .customLong("reset"), help: "Restore the defaults of the named components (none: the core and the default set; -a: all).")
    var reset = false

    @Flag(name: .customShort("a"), help: "With --reset: every component. Alone: build every plugin (t2build -a).")
    var all = false

    @Flag(name: .customShort("I"), help: "List the constants of ONE component with their descriptions.")
    var list = false

    @Option(name: .customShort("g"), help: ArgumentHelp("Save the configuration to FILE (default: <plugin>.config).", valueName: "FILE"))
    var generate: String?

    @Option(name: .customShort("C"), help: ArgumentHelp("Apply a configuration file (FILE, 'auto' = <plugin>.config, 'default').", valueName: "FILE"))
    var apply: String?

    @Option(name: .customLong("patch"), help: "Apply a T2 patch file (FLAG<TAB>VALUE<TAB>FILE or FLAG<TAB>NEW<TAB>OLD<TAB>FILE).")
    var patch: String?

    @Option(name: .customLong("rpatch"), help: "Revert a T2 patch file (uses the OLD column).")
    var rpatch: String?

    @Option(name: .customShort("t"), help: ArgumentHelp("The T2 source tree (default: T2HOME or this tool's tree).", valueName: "PATH"))
    var tree: String?

    @Flag(name: .customShort("y"), help: "Answer yes to prompts.")
    var yes = false

    @Flag(name: .customShort("v"), help: "Verbose.")
    var verbose = false

    /// `-g` may come without a file name: T2 writes <plugin>.config then.
    static let generateDefault = "\u{1}auto"

    static func main() {
        var args = Array(CommandLine.arguments.dropFirst())
        if args.isEmpty {
            print(helpMessage())
            Foundation.exit(1)
        }
        if args.contains("--reset") == false, args.first == "--help" || args.first == "-h" {
            print(helpMessage())
            Foundation.exit(0)
        }
        // -g [file]: the file is optional.
        if let i = args.firstIndex(of: "-g"), i + 1 == args.count || args[i + 1].hasPrefix("-") || !args[i + 1].contains(".") && args[i + 1] != "default" {
            args.insert(generateDefault, at: i + 1)
        }
        runAsT2Tool("t2conf", args)
    }

    mutating func run() throws {
        let project = try tree.map { Project(root: $0) } ?? Project.locate()
        let hasAction = reset || all || list || generate != nil || apply != nil || patch != nil || rpatch != nil
            || !get.isEmpty || !define.isEmpty
        if !hasAction && plugins.isEmpty {
            Console.usageError("t2conf", "One of --reset, -g, -C, --patch/--rpatch, -I, -G, -D, -a option and/or a plugin name is required")
        }
        let components = try plugins.map { name -> Component in
            guard let c = project.find(name) else { throw T2Error("Plugin '\(name)' could not be found") }
            return c
        }

        if let p = patch ?? rpatch {
            try applyPatch(p, revert: rpatch != nil, project: project)
            return
        }
        if reset {
            let targets: [Component]
            if !components.isEmpty { targets = components }
            else if all { targets = project.components() }
            else { targets = Project.defaultResetSet.compactMap { project.find($0) } }
            for c in targets { try resetComponent(c) }
            return
        }
        if all && components.isEmpty && get.isEmpty && define.isEmpty {
            // -a alone: activate (build) every plugin.
            let t2build = (CommandLine.arguments[0] as NSString).deletingLastPathComponent + "/t2build"
            let p = Process()
            p.executableURL = URL(fileURLWithPath: t2build)
            p.arguments = ["-a"] + (yes ? ["-y"] : [])
            try p.run()
            p.waitUntilExit()
            Foundation.exit(p.terminationStatus)
        }
        if (!get.isEmpty || !define.isEmpty || list) && components.count != 1 {
            let opt = list ? "-I" : (!get.isEmpty ? "-G" : "-D")
            if components.isEmpty { throw T2Error("\(opt) option requires a plugin name") }
            Console.usageError("t2conf", "\(opt) option can only be used with ONE plugin")
        }
        if list {
            let config = try ConfigFile(path: components[0].configPath)
            let width = config.entries.map(\.name.count).max() ?? 0
            for e in config.entries {
                let pad = String(repeating: " ", count: width - e.name.count)
                print("\(e.name)\(pad)  \(e.value.display)\t\(e.comment)")
            }
            return
        }
        if !define.isEmpty { try defineValues(components[0]) }
        if !get.isEmpty {
            let c = components[0]
            let config = try ConfigFile(path: c.configPath)
            for name in get {
                guard let e = config.entry(name) else {
                    throw T2Error("macro '\(name)' does not exist in 'config/\(c.name).toml'")
                }
                print("\(name) = \(e.value.display)")
            }
        }
        if let g = generate {
            for c in components { try generateFile(c, file: g == T2Conf.generateDefault ? nil : g) }
        }
        if let a = apply {
            for c in components { try applyFile(c, file: a) }
        }
        if !hasAction {
            // Only names: open the config files in $EDITOR.
            let editor = ProcessInfo.processInfo.environment["EDITOR"] ?? "vim"
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            p.arguments = [editor] + components.map(\.configPath)
            try p.run()
            p.waitUntilExit()
        }
    }

    /// -D NAME=VALUE...: all checked first, then written once.
    func defineValues(_ c: Component) throws {
        var config = try ConfigFile(path: c.configPath)
        var defaults: ConfigFile?
        for d in define {
            let parts = d.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            guard parts.count == 2, !parts[0].isEmpty else {
                Console.usageError("t2conf", "Option '-D': expected name=value, found '\(d)'")
            }
            let name = parts[0].trimmingCharacters(in: .whitespaces)
            guard let e = config.entry(name) else { throw T2Error("macro '\(name)' does not exist for '\(c.name)'") }
            let value: ConfigValue
            if parts[1] == "default" {
                if defaults == nil { defaults = try ConfigFile(path: c.defaultsPath) }
                guard let dv = defaults?.entry(name)?.value else {
                    throw T2Error("macro '\(name)' has no default in 'config/defaults/\(c.name).toml'")
                }
                value = dv
            } else {
                value = try ConfigValue.parse(parts[1], like: e.value, name: name)
            }
            try config.set(name, to: value)
            if verbose { Console.info("\(c.name): \(name) = \(value.display)") }
        }
        try config.write()
    }

    func resetComponent(_ c: Component) throws {
        guard FileManager.default.fileExists(atPath: c.defaultsPath) else {
            if verbose { Console.warning("No default configuration file available for '\(c.name)'") }
            return
        }
        let defaults = try ConfigFile(path: c.defaultsPath)
        let current = try? String(contentsOfFile: c.configPath, encoding: .utf8)
        if current != defaults.text {
            try ConfigFile(path: c.configPath, text: defaults.text).write()
        }
        if verbose { Console.info("\(c.name): defaults restored") }
    }

    func generateFile(_ c: Component, file: String?) throws {
        let path = file ?? "\(c.name).config"
        if path == "default" || (path as NSString).lastPathComponent == "default.config" {
            throw T2Error("Cannot generate a config file for '\(c.name)' named 'default.config': use a different name")
        }
        if FileManager.default.fileExists(atPath: path) {
            Console.warning("\(c.name): file '\(path)' already exists...")
            guard Console.ask("Overwrite it (y/N)? ", assumeYes: yes) else { return }
        }
        let config = try ConfigFile(path: c.configPath)
        let header = """
        # This is the configuration file for \(c.name)
        #
        # Apply the configuration as follows:
        #     - t2conf \(c.name) -C \(path)
        #

        """
        try Data((header + config.text).utf8).write(to: URL(fileURLWithPath: path))
        if verbose { Console.ok("\(path) written") }
    }

    /// -C: applies every constant of a saved config file whose plugin name matches.
    func applyFile(_ c: Component, file: String) throws {
        let path = file == "auto" ? "\(c.name).config" : (file == "default" ? c.defaultsPath : file)
        guard FileManager.default.fileExists(atPath: path) else {
            Console.usageError("t2conf", "Invalid argument for option '-C': '\(path)' is not a regular file")
        }
        let source = try ConfigFile(path: path)
        if let n = source.pluginName, n != c.name { return }
        var config = try ConfigFile(path: c.configPath)
        for e in source.entries {
            guard config.entry(e.name) != nil else { throw T2Error("macro '\(e.name)' does not exist for '\(c.name)'") }
            try config.set(e.name, to: e.value)
        }
        try config.write()
    }

    /// --patch / --rpatch in T2's format. FILE is a config file relative to the tree
    /// (config/tcpWin.toml) or a component name.
    func applyPatch(_ path: String, revert: Bool, project: Project) throws {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            Console.usageError("t2conf", "Option '\(revert ? "--rpatch" : "--patch")': '\(path)' is not a valid file")
        }
        // Column counts first (every line), then the targets.
        var columns: Int?
        var rows: [[String]] = []
        for raw in text.components(separatedBy: "\n") {
            let line = raw.trimmingCharacters(in: CharacterSet(charactersIn: "\r"))
            if line.trimmingCharacters(in: .whitespaces).isEmpty || line.hasPrefix("#") || line.hasPrefix("%") { continue }
            let f = line.components(separatedBy: "\t")
            if columns == nil {
                guard f.count == 3 || f.count == 4 else {
                    throw T2Error("Invalid patch: expected three or four columns, found \(f.count):\n\(line)")
                }
                columns = f.count
            }
            guard f.count == columns else { throw T2Error("Invalid patch: \(columns!) columns expected, found \(f.count):\n\(line)") }
            if revert && f.count == 3 { throw T2Error("Cannot revert patch: four columns required, only three found:\n\(line)") }
            rows.append(f)
        }
        var edits: [(Component, String, String)] = []
        for f in rows {
            let value = f.count == 3 ? f[1] : (revert ? f[2] : f[1])
            let target = f[f.count - 1]
            let name = (target as NSString).lastPathComponent.replacingOccurrences(of: ".toml", with: "")
            guard let c = project.find(name) else { throw T2Error("Invalid patch: unknown file '\(target)'") }
            edits.append((c, f[0], value))
        }
        // Check everything first, then write each file once.
        var files: [String: ConfigFile] = [:]
        for (c, name, value) in edits {
            var config = try files[c.configPath] ?? ConfigFile(path: c.configPath)
            guard let e = config.entry(name) else { throw T2Error("macro '\(name)' does not exist for '\(c.name)'") }
            try config.set(name, to: try ConfigValue.parse(value, like: e.value, name: name))
            files[c.configPath] = config
        }
        for (_, f) in files { try f.write() }
    }
}
