// Building and installing one component: regenerate its constants, `swift build` its
// product, copy NNN_name.so and its support files into the plugin folder.

import Foundation

public struct Builder {
    public let project: Project
    public let folder: String
    public let debug: Bool
    /// Regenerate constant files even if unchanged (-r, -f).
    public let regenerate: Bool
    /// Overwrite differing support files (-f).
    public let overwrite: Bool

    public init(project: Project, folder: String, debug: Bool, regenerate: Bool, overwrite: Bool) {
        self.project = project; self.folder = folder; self.debug = debug
        self.regenerate = regenerate; self.overwrite = overwrite
    }

    var configuration: String { debug ? "debug" : "release" }
    var buildDir: String { project.root + "/.build/" + configuration }

    /// Regenerates the constants and builds the product. Throws with the compiler's
    /// errors on failure.
    public func build(_ c: Component) throws {
        try CodeGenerator.generate(c, force: regenerate)
        // After the core's constants, which are part of the core's sources.
        try CoreFingerprint.generate(project: project)
        let log = project.root + "/.build/t2build-\(c.name).log"
        try? FileManager.default.createDirectory(atPath: project.root + "/.build", withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        let out = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        defer { try? out.close() }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        // The manifest is re-read every time: plugins are discovered from Sources/Plugins.
        p.arguments = ["swift", "build", "-c", configuration, "--package-path", project.root,
                       "--manifest-cache", "none", "--disable-build-manifest-caching", "--product", c.product]
        p.standardOutput = out
        p.standardError = out
        try p.run()
        p.waitUntilExit()
        if p.terminationStatus != 0 {
            let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            let errors = text.components(separatedBy: "\n").filter { $0.contains("error:") }.prefix(10)
            throw T2Error((errors.isEmpty ? ["swift build failed (see \(log))"] : Array(errors)).joined(separator: "\n"))
        }
    }

    /// Copies the plugin into the folder as NNN_name.so, then its support files.
    public func install(_ c: Component) throws {
        let config = try ConfigFile(path: c.configPath)
        guard let number = config.pluginNumber else {
            throw T2Error("config/\(c.name).toml has no [plugin] number")
        }
        let fm = FileManager.default
        try fm.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let lib = "\(buildDir)/lib\(c.name).so"
        guard fm.fileExists(atPath: lib) else { throw T2Error("\(lib) was not built") }
        // Other numbers of the same plugin would load twice.
        for f in (try? fm.contentsOfDirectory(atPath: folder)) ?? [] where f.hasSuffix("_\(c.name).so") && f.count == c.name.count + 7 {
            try? fm.removeItem(atPath: folder + "/" + f)
        }
        let digits = String(number)
        let dest = folder + "/" + String(repeating: "0", count: max(0, 3 - digits.count)) + digits + "_" + c.name + ".so"
        try? fm.removeItem(atPath: dest)
        try fm.copyItem(atPath: lib, toPath: dest)
        Console.ok("\nPlugin \(c.name) copied into \(folder)\n")

        guard let extras = try? fm.contentsOfDirectory(atPath: c.dataFolder) else { return }
        for file in extras.sorted() {
            let src = c.dataFolder + "/" + file
            var isDir: ObjCBool = false
            guard fm.fileExists(atPath: src, isDirectory: &isDir), !isDir.boolValue else { continue }
            let target = folder + "/" + file
            if fm.fileExists(atPath: target) {
                if fm.contentsEqual(atPath: src, andPath: target) {
                    Console.ok("\(file) already exists in \(folder)")
                    continue
                }
                if !overwrite {
                    Console.warning("A different version of \(file) already exists in \(folder)")
                    Console.info("Run 't2build -f \(c.name)' to overwrite it")
                    continue
                }
                try fm.removeItem(atPath: target)
            }
            try fm.copyItem(atPath: src, toPath: target)
            Console.ok("\(file) copied into \(folder)")
        }
    }
}
