// t2plugin: creates a new plugin from templates/plugin (spec/tools.md section 6): the
// Swift source, its config file and defaults, the generated constants, a test and a
// documentation stub. `t2build NAME` then builds it and `t2` loads it: Package.swift
// finds every folder under Sources/Plugins, so nothing else has to change.

import ArgumentParser
import Foundation
import Mustache
import T2Config

@main
struct T2PluginTool: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "t2plugin", abstract: "Create or list T2 plugins.")

    @Option(name: .customShort("c"), help: "Create the plugin NAME.")
    var create: String?

    @Option(name: .customShort("n"), help: "Plugin number (default: a free one).")
    var number: String?

    @Flag(name: .customShort("s"), help: "Create a sink (number 900 or more).")
    var sink = false

    @Flag(name: .customShort("l"), help: "List the plugins with their numbers and descriptions.")
    var list = false

    @Flag(name: .customShort("N"), help: "With -l: names only.")
    var namesOnly = false

    @Flag(name: .customShort("y"), help: "Answer yes to prompts.")
    var yes = false

    static func main() {
        let args = Array(CommandLine.arguments.dropFirst())
        if args.isEmpty { print(helpMessage()); Foundation.exit(0) }
        runAsT2Tool("t2plugin", args)
    }

    mutating func run() throws {
        let project = try Project.locate()
        if list { listPlugins(project); return }
        guard let name = create else { throw T2Error("Nothing to do: use -c NAME or -l") }
        try createPlugin(name, project: project)
    }

    /// The plugins in number order: name padded to 19, number, description.
    func listPlugins(_ project: Project) {
        var rows: [(Int, String, String)] = []
        for c in project.components() where !c.isCore {
            guard let config = try? ConfigFile(path: c.configPath) else { continue }
            let first = config.lines.first ?? ""
            var summary = first.hasPrefix("# \(c.name):") ? String(first.dropFirst(c.name.count + 3)).trimmingCharacters(in: .whitespaces) : ""
            if summary.hasSuffix(".") { summary.removeLast() }
            rows.append((config.pluginNumber ?? 0, c.name, summary))
        }
        for (n, name, summary) in rows.sorted(by: { $0.0 < $1.0 }) {
            if namesOnly { print(name); continue }
            let num = String(repeating: "0", count: max(0, 3 - String(n).count)) + String(n)
            print(name.padding(toLength: max(19, name.count + 1), withPad: " ", startingAt: 0) + num + "    " + summary)
        }
    }

    func createPlugin(_ name: String, project: Project) throws {
        guard name.range(of: "^[a-z][A-Za-z0-9_]*$", options: .regularExpression) != nil else {
            Console.error("Invalid plugin name '\(name)'")
            Console.info("Plugin names must start with lowercase and only contain chars in [A-Za-z0-9_]")
            throw ExitCode(1)
        }
        guard name != "tranalyzer2" && name != "t2" else { throw T2Error("Invalid plugin name '\(name)'") }
        var used: [Int: String] = [:]
        for c in project.components() where !c.isCore && c.name != name {
            if let n = (try? ConfigFile(path: c.configPath))?.pluginNumber { used[n] = c.name }
        }
        let num: Int
        if let text = number {
            guard !text.isEmpty, text.allSatisfy(\.isNumber), let n = Int(text), n >= 1, n <= 999 else {
                throw T2Error("Invalid plugin number '\(text)': expected 1 to 999")
            }
            if sink && n < 900 { throw T2Error("Sink plugins must have a plugin number bigger than 900") }
            if let other = used[n] { throw T2Error("Plugin number \(n) already used by '\(other)' plugin") }
            num = n
        } else {
            let range = sink ? Array(900...999) : Array(100...899)
            guard let n = range.filter({ used[$0] == nil }).randomElement() else { throw T2Error("No free plugin number") }
            num = n
            Console.info("No plugin number provided... using \(String(repeating: "0", count: max(0, 3 - String(n).count)) + String(n))")
        }

        let fm = FileManager.default
        let component = project.component(name)
        let folder = component.sourceFolder
        if let existing = try? fm.contentsOfDirectory(atPath: folder), !existing.isEmpty {
            guard Console.ask("Folder '\(name)' already exists... proceed anyway (Y/n)? ", assumeYes: yes) else { throw ExitCode(1) }
            try fm.removeItem(atPath: folder)
        }

        let upper = name.prefix(1).uppercased() + name.dropFirst()
        let context: [String: Any] = [
            "name": name, "Name": upper, "NAME": name.uppercased(), "number": String(num), "sink": sink,
            "summary": sink ? "a sink that writes one line per flow." : "packets and payload bytes per flow.",
        ]
        let templates = project.root + "/templates/plugin/"
        func render(_ template: String) throws -> String {
            guard let text = try? String(contentsOfFile: templates + template, encoding: .utf8) else {
                throw T2Error("Missing template '\(templates + template)'")
            }
            return try MustacheTemplate(string: text).render(context)
        }
        func write(_ text: String, _ path: String, executable: Bool = false) throws {
            try fm.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try Data(text.utf8).write(to: URL(fileURLWithPath: path))
            if executable { chmod(path, 0o755) }
        }
        try write(try render(sink ? "Sink.swift.mustache" : "Plugin.swift.mustache"), "\(folder)/\(upper).swift")
        let config = try render("config.toml.mustache")
        try write(config, component.configPath)
        try write(config, component.defaultsPath)
        try write(try render("test.sh.mustache"), project.root + "/Tests/Plugins/test_\(name).sh", executable: true)
        try write(try render("doc.md.mustache"), project.root + "/docs/plugins/\(name).md")
        try CodeGenerator.generate(component, force: true)
        Console.ok("Swift plugin '\(name)' created")
        Console.info("Make sure to update your aliases by calling 'source \"$T2HOME/tools/t2_aliases\"'")
    }
}
