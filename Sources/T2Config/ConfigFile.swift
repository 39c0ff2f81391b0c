// A component's config file: TOML with a [plugin] table (name, number) and a [config]
// table of constants, each preceded by a comment giving its description and allowed
// values. TOMLKit validates the file and types the values; edits are made line by line
// so that comments and order survive (TOMLKit would drop comments when writing).

import Foundation
import TOMLKit

/// A constant's value, with T2's three kinds: number, yes/no, string.
public enum ConfigValue: Equatable {
    case int(Int64)
    case float(Double)
    case bool(Bool)
    case string(String)

    /// The kind as t2conf names it in errors.
    public var kind: String {
        switch self {
        case .int: return "an integer"
        case .float: return "a number"
        case .bool: return "yes or no"
        case .string: return "a string"
        }
    }

    /// TOML text.
    public var toml: String {
        switch self {
        case .int(let v): return String(v)
        case .float(let v): return ConfigValue.floatText(v)
        case .bool(let v): return v ? "true" : "false"
        case .string(let s): return ConfigValue.quote(s)
        }
    }

    /// As t2conf prints it (`-G`): booleans as yes/no, like T2's default.config.
    public var display: String {
        if case .bool(let v) = self { return v ? "yes" : "no" }
        return toml
    }

    /// The Swift literal in the generated constants file.
    public var swift: String { toml }

    static func floatText(_ v: Double) -> String {
        if v == v.rounded() && abs(v) < 1e15 { return String(format: "%.1f", v) }
        return String(v)
    }

    static func quote(_ s: String) -> String {
        var out = "\""
        for ch in s.unicodeScalars {
            switch ch {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default:
                if ch.value < 0x20 || ch.value == 0x7f { out += String(format: "\\u%04X", ch.value) } else { out.unicodeScalars.append(ch) }
            }
        }
        return out + "\""
    }

    /// Parses what a user typed (`-D NAME=VALUE`) as a value of the same kind as `like`.
    public static func parse(_ text: String, like: ConfigValue, name: String) throws -> ConfigValue {
        let t = text.trimmingCharacters(in: .whitespaces)
        switch like {
        case .int:
            if let v = parseInt(t) { return .int(v) }
            throw T2Error("Invalid value '\(text)' for \(name): expected an integer")
        case .float:
            if let v = Double(t), v.isFinite { return .float(v) }
            if let v = parseInt(t) { return .float(Double(v)) }
            throw T2Error("Invalid value '\(text)' for \(name): expected a number")
        case .bool:
            switch t.lowercased() {
            case "yes", "y", "true", "1": return .bool(true)
            case "no", "n", "false", "0": return .bool(false)
            default: throw T2Error("Invalid value '\(text)' for \(name): expected yes or no")
            }
        case .string:
            if t.count >= 2 && t.hasPrefix("\"") && t.hasSuffix("\"") {
                // A quoted TOML string: let TOMLKit unescape it.
                if let table = try? TOMLTable(string: "v = " + t), let s = table["v"]?.string { return .string(s) }
                throw T2Error("Invalid value '\(text)' for \(name): malformed quoted string")
            }
            return .string(t)
        }
    }

    static func parseInt(_ t: String) -> Int64? {
        let s = t.replacingOccurrences(of: "_", with: "")
        if s.hasPrefix("0x") || s.hasPrefix("0X") { return Int64(s.dropFirst(2), radix: 16) }
        if s.hasPrefix("-0x") { return Int64(s.dropFirst(3), radix: 16).map { -$0 } }
        return Int64(s)
    }

    init?(_ node: TOMLValueConvertible) {
        switch node.type {
        case .int: self = .int(Int64(node.int ?? 0))
        case .double: self = .float(node.double ?? 0)
        case .bool: self = .bool(node.bool ?? false)
        case .string: self = .string(node.string ?? "")
        default: return nil
        }
    }
}

/// One constant of the [config] table.
public struct ConfigEntry: Equatable {
    public let name: String
    public var value: ConfigValue
    /// The comment lines above it (without "# "), joined with spaces.
    public let comment: String
    /// Line index in the file.
    let line: Int

    /// The description without the trailing "[allowed values]".
    public var description: String {
        guard comment.hasSuffix("]"), let open = comment.lastIndex(of: "[") else { return comment }
        return String(comment[..<open]).trimmingCharacters(in: .whitespaces)
    }

    /// The allowed values, e.g. "0 - 255" or "yes / no", if the comment gives them.
    public var allowed: String? {
        guard comment.hasSuffix("]"), let open = comment.lastIndex(of: "[") else { return nil }
        return String(comment[comment.index(after: open)..<comment.index(before: comment.endIndex)])
    }

    /// Checks a numeric value against a "[min - max]" range in the comment.
    func checkRange(_ v: ConfigValue) throws {
        guard let a = allowed else { return }
        let parts = a.components(separatedBy: " - ")
        guard parts.count == 2 else { return }
        let lo = Double(parts[0].trimmingCharacters(in: .whitespaces))
        let hi = Double(parts[1].trimmingCharacters(in: .whitespaces))
        let x: Double
        switch v {
        case .int(let i): x = Double(i)
        case .float(let f): x = f
        default: return
        }
        if let lo = lo, x < lo { throw T2Error("Invalid value \(v.toml) for \(name): must be in [\(a)]") }
        if let hi = hi, x > hi { throw T2Error("Invalid value \(v.toml) for \(name): must be in [\(a)]") }
    }
}

public struct ConfigFile {
    public let path: String
    public private(set) var lines: [String]
    public private(set) var pluginName: String?
    public private(set) var pluginNumber: Int?
    public private(set) var entries: [ConfigEntry] = []

    public init(path: String) throws {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw T2Error("Failed to read config file '\(path)'")
        }
        try self.init(path: path, text: text)
    }

    public init(path: String, text: String) throws {
        self.path = path
        var ls = text.components(separatedBy: "\n")
        if ls.last == "" { ls.removeLast() }
        lines = ls
        try parse()
    }

    /// Validates the whole text with TOMLKit, then reads the [config] entries in file order.
    mutating func parse() throws {
        let table: TOMLTable
        do {
            table = try TOMLTable(string: lines.joined(separator: "\n"))
        } catch let e as TOMLParseError {
            throw T2Error("Invalid config file '\(path)': not valid TOML: \(e.description) (line \(e.source.begin.line))")
        }
        pluginName = table["plugin"]?.table?["name"]?.string
        pluginNumber = table["plugin"]?.table?["number"]?.int
        guard let config = table["config"]?.table else {
            throw T2Error("Invalid config file '\(path)': no [config] table")
        }
        entries = []
        var section = ""
        var comment: [String] = []
        for (i, raw) in lines.enumerated() {
            let l = raw.trimmingCharacters(in: .whitespaces)
            if l.isEmpty { comment = []; continue }
            if l.hasPrefix("#") {
                comment.append(String(l.dropFirst()).trimmingCharacters(in: .whitespaces))
                continue
            }
            if l.hasPrefix("[") {
                section = l.trimmingCharacters(in: CharacterSet(charactersIn: "[] "))
                comment = []
                continue
            }
            guard section == "config", let eq = l.firstIndex(of: "=") else { comment = []; continue }
            let key = l[..<eq].trimmingCharacters(in: .whitespaces)
            guard let node = config[key], let value = ConfigValue(node) else {
                throw T2Error("Invalid config file '\(path)': \(key) must be a number, a boolean or a string")
            }
            entries.append(ConfigEntry(name: key, value: value, comment: comment.joined(separator: " "), line: i))
            comment = []
        }
    }

    public func entry(_ name: String) -> ConfigEntry? { entries.first { $0.name == name } }

    public var text: String { lines.joined(separator: "\n") + "\n" }

    /// Sets a constant, keeping the line's layout and any trailing comment.
    public mutating func set(_ name: String, to value: ConfigValue) throws {
        guard let e = entry(name) else { throw T2Error("Unknown macro '\(name)'") }
        guard sameKind(e.value, value) else {
            throw T2Error("Invalid value '\(value.display)' for \(name): expected \(e.value.kind)")
        }
        try e.checkRange(value)
        let raw = lines[e.line]
        let eq = raw.firstIndex(of: "=")!
        let head = raw[...eq]
        let trailing = ConfigFile.trailingComment(String(raw[raw.index(after: eq)...]))
        lines[e.line] = head + " " + value.toml + (trailing.map { "  " + $0 } ?? "")
        try parse()
    }

    func sameKind(_ a: ConfigValue, _ b: ConfigValue) -> Bool {
        switch (a, b) {
        case (.int, .int), (.float, .float), (.bool, .bool), (.string, .string): return true
        default: return false
        }
    }

    /// The "# ..." after a value, outside quotes.
    static func trailingComment(_ valuePart: String) -> String? {
        var inString = false
        var escaped = false
        var quote: Character = "\""
        for (i, ch) in valuePart.enumerated() {
            if inString {
                if escaped { escaped = false; continue }
                if ch == "\\" && quote == "\"" { escaped = true; continue }
                if ch == quote { inString = false }
            } else if ch == "\"" || ch == "'" {
                inString = true; quote = ch
            } else if ch == "#" {
                return String(valuePart.dropFirst(i))
            }
        }
        return nil
    }

    /// Writes the file atomically (nothing changes on failure).
    public func write() throws {
        let tmp = path + ".tmp-\(getpid())"
        guard FileManager.default.createFile(atPath: tmp, contents: Data(text.utf8)) else {
            throw T2Error("Failed to write '\(path)'")
        }
        if rename(tmp, path) != 0 {
            unlink(tmp)
            throw T2Error("Failed to write '\(path)': \(String(cString: strerror(errno)))")
        }
    }
}
