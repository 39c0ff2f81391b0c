// Finding and loading plugins (core.md 11.1): `NNN_name.so` files in the plugin
// folder, sorted by name (so by number), filtered by plugins.txt or `-b FILE`, each
// opened with dlopen and created through its `t2PluginCreate` entry point.

#if canImport(Glibc)
import Glibc
#endif

public struct LoadedPlugin {
    public let plugin: T2Plugin
    public let number: Int
    public let fileName: String
}

public enum PluginLoaderError: Error {
    case folder(String)
}

public enum PluginLoader {
    typealias CreateFunction = @convention(c) () -> UnsafeMutableRawPointer

    /// Candidate file names: at least 8 characters, `DDD_` prefix, `.so` suffix.
    static func isCandidate(_ name: String) -> Bool {
        let b = Array(name.utf8)
        guard b.count >= 8, b[3] == UInt8(ascii: "_"), name.hasSuffix(".so") else { return false }
        return b[0...2].allSatisfy { $0 >= 48 && $0 <= 57 }
    }

    /// Reads the whitelist file; nil if it does not exist.
    static func readList(_ path: String) -> [String]? {
        guard let text = readTextFile(path) else { return nil }
        var entries: [String] = []
        for raw in text.split(separator: "\n", omittingEmptySubsequences: true) {
            var line = String(raw)
            while line.hasSuffix("\r") || line.hasSuffix(" ") || line.hasSuffix("\t") { line.removeLast() }
            if line.isEmpty || line.hasPrefix("#") { continue }
            if line.hasSuffix(".so") { line.removeLast(3) }
            entries.append(line)
        }
        return entries
    }

    /// Whether a plugin file is whitelisted: entries may name `100_basicFlow` or `basicFlow`.
    static func listed(_ fileName: String, in list: [String]) -> Bool {
        let stem = String(fileName.dropLast(3))
        let name = String(stem.dropFirst(4))
        return list.contains { $0 == stem || $0 == name }
    }

    /// Loads the plugins of `folder` (ending with "/"), in order.
    public static func load(folder: String, listFile: String?, log: Log) throws -> [LoadedPlugin] {
        guard let dir = opendir(folder) else {
            throw PluginLoaderError.folder("Failed to scan plugin folder '\(folder)': \(String(cString: strerror(errno)))")
        }
        var names: [String] = []
        while let ent = readdir(dir) {
            let name = withUnsafeBytes(of: ent.pointee.d_name) { buf in
                String(cString: buf.baseAddress!.assumingMemoryBound(to: CChar.self))
            }
            if isCandidate(name) { names.append(name) }
        }
        closedir(dir)
        names.sort { strcmp($0, $1) < 0 }

        if let list = readList(listFile ?? folder + CoreConfig.PLLIST) {
            names = names.filter { listed($0, in: list) }
        }

        var loaded: [LoadedPlugin] = []
        for file in names {
            let path = folder + file
            guard let handle = dlopen(path, RTLD_NOW | RTLD_LOCAL) else {
                log.error(String(cString: dlerror()))
                continue
            }
            guard let sym = dlsym(handle, "t2PluginCreate") else {
                log.error("\(file) is missing required plugin function t2PluginCreate")
                dlclose(handle)
                continue
            }
            let create = unsafeBitCast(sym, to: CreateFunction.self)
            let plugin = Unmanaged<T2Plugin>.fromOpaque(create()).takeRetainedValue()
            guard plugin.compiledABI == T2ABI.fingerprint else {
                log.error("\(file) was built for another version of the core: rebuild it (t2build -R)")
                continue
            }
            let name = plugin.name
            guard (1...31).contains(name.utf8.count), (1...15).contains(plugin.version.utf8.count) else {
                log.error("\(file): invalid plugin name or version")
                continue
            }
            let v = plugin.supportedT2Version
            guard v.major == 0 && v.minor == 9 else {
                log.error("\(name): version \(v.major).\(v.minor) not supported (minimum required is 0.9)")
                continue
            }
            let missing = plugin.dependencies.filter { dep in !loaded.contains { $0.plugin.name == dep } }
            if !missing.isEmpty {
                log.error("\(name): missing dependencies: \(missing.joined(separator: ","))")
                continue
            }
            let number = Int(String(file.prefix(3))) ?? 0
            loaded.append(LoadedPlugin(plugin: plugin, number: number, fileName: file))
        }
        return loaded
    }
}

/// The whole content of a small text file, or nil if it cannot be read.
public func readTextFile(_ path: String) -> String? {
    guard let f = fopen(path, "r") else { return nil }
    defer { fclose(f) }
    var bytes: [UInt8] = []
    var buf = [UInt8](repeating: 0, count: 4096)
    while true {
        let n = fread(&buf, 1, buf.count, f)
        if n <= 0 { break }
        bytes.append(contentsOf: buf[0..<n])
    }
    return String(decoding: bytes, as: UTF8.self)
}
