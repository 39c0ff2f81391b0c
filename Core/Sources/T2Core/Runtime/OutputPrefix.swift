// The output prefix ("base file name", core.md 2.4) and the BPF file (-F).

#if canImport(Glibc)
import Glibc
#endif

public struct T2Error: Error {
    public let message: String
    public init(_ message: String) { self.message = message }
}

enum OutputPrefix {
    /// The name the input gives the output: `stdin` for `-`, the file name without the
    /// extension after its last '.', or the interface name.
    static func inputStem(_ input: InputMode, keepDirectory: Bool) -> String {
        let name: String
        switch input {
        case .file(let p): name = p == "-" ? "stdin" : p
        case .list(let p), .regex(let p): name = p
        case .interface(let i): return i
        }
        var path = keepDirectory ? name : String(name.split(separator: "/", omittingEmptySubsequences: false).last ?? Substring(name))
        let slash = path.lastIndex(of: "/")
        if let dot = path.lastIndex(of: "."), slash == nil || dot > slash! {
            path = String(path[..<dot])
        }
        return path
    }

    static func derive(options: Options) -> Result<String, T2Error> {
        guard let input = options.input else { return .failure(T2Error("no input")) }
        guard let p = options.outputPrefix, !options.flowsToStdout else {
            return .success(inputStem(input, keepDirectory: true))
        }
        if let slash = p.lastIndex(of: "/"), slash != p.startIndex {
            let dir = String(p[..<slash])
            if let err = makeDirectories(dir) {
                return .failure(T2Error("Failed to create directory '\(dir)': \(err)"))
            }
        }
        var st = stat()
        if stat(p, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR {
            return .success(p + (p.hasSuffix("/") ? "" : "/") + inputStem(input, keepDirectory: false))
        }
        return .success(p)
    }

    /// mkdir -p with mode 0700; returns an error text on failure.
    static func makeDirectories(_ dir: String) -> String? {
        var built = dir.hasPrefix("/") ? "/" : ""
        for part in dir.split(separator: "/") {
            built += part
            var st = stat()
            if stat(built, &st) != 0 {
                if mkdir(built, 0o700) != 0 && errno != EEXIST { return String(cString: strerror(errno)) }
            } else if (st.st_mode & S_IFMT) != S_IFDIR {
                return String(cString: strerror(ENOTDIR))
            }
            built += "/"
        }
        return nil
    }
}

enum BPFFile {
    /// `-F FILE`: comments (# to end of line) become spaces, trailing blanks are removed.
    static func read(_ path: String) -> Result<String, T2Error> {
        guard let text = readTextFile(path) else {
            return .failure(T2Error("Failed to open file '\(path)' for reading: \(String(cString: strerror(errno)))"))
        }
        var out = ""
        var inComment = false
        for ch in text {
            if ch == "#" { inComment = true }
            if ch == "\n" { inComment = false }
            out.append(inComment ? " " : ch)
        }
        while let last = out.last, last == " " || last == "\n" || last == "\t" || last == "\r" { out.removeLast() }
        if out.isEmpty { return .failure(T2Error("BPF file '\(path)' is empty")) }
        return .success(out)
    }
}
