// Generated constants: a component's [config] table rendered through
// templates/config.swift.mustache into the Swift file its code reads, so that
// constants are compile-time values, as T2's #defines are.

import Foundation
import Mustache

public enum CodeGenerator {
    /// The generated file's text for a component.
    public static func render(_ component: Component, config: ConfigFile) throws -> String {
        let templatePath = component.project.root + "/templates/config.swift.mustache"
        guard let data = FileManager.default.contents(atPath: templatePath), let text = String(data: data, encoding: .utf8) else {
            throw T2Error("Missing template '\(templatePath)'")
        }
        let template = try MustacheTemplate(string: text)
        let entries: [[String: String]] = config.entries.map {
            ["name": $0.name, "value": $0.value.swift, "description": $0.description.isEmpty ? $0.name : $0.description]
        }
        let context: [String: Any] = [
            "file": "\(component.name).toml",
            "enumName": component.enumName,
            "access": component.isCore ? "public " : "",
            "entries": entries,
        ]
        return template.render(context)
    }

    /// Regenerates the constants file if it differs (or always with `force`).
    /// Returns true when the file was written.
    @discardableResult
    public static func generate(_ component: Component, force: Bool) throws -> Bool {
        let config = try ConfigFile(path: component.configPath)
        let text = try render(component, config: config)
        let path = component.generatedPath
        if !force, let old = FileManager.default.contents(atPath: path), String(data: old, encoding: .utf8) == text {
            return false
        }
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent,
                                                withIntermediateDirectories: true)
        try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
        return true
    }
}
