// `-D EXPR[:SCHR][,STOP]`: a numbered series of capture files (core.md 3.4), e.g.
// dump.pcap0, dump.pcap1, …, followed while it grows.

#if canImport(Glibc)
import Glibc
#endif

public struct RegexInput {
    /// Everything before the index digits.
    public let stem: String
    /// The index digits' width when zero-padded (0 = no padding).
    public let width: Int
    /// Text after the digits (rare).
    public let suffix: String
    public private(set) var index: UInt64
    public let stop: UInt64

    /// Whether `-D` was given something of the form expr[:schr][,stop].
    public static func isValid(_ expr: String) -> Bool { RegexInput(expr) != nil }

    public init?(_ expr: String) {
        var e = expr
        var stop: UInt64?
        if let comma = e.lastIndex(of: ",") {
            let s = String(e[e.index(after: comma)...])
            guard !s.isEmpty, s.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
            stop = UInt64(s)
            e = String(e[..<comma])
        }
        var schr: Character = "p"
        if let colon = e.lastIndex(of: ":") {
            let s = String(e[e.index(after: colon)...])
            guard s.count == 1 else { return nil }
            schr = s.first!
            e = String(e[..<colon])
        }
        guard let pos = e.lastIndex(of: schr) else { return nil }
        let after = e[e.index(after: pos)...]
        let digits = after.prefix { $0.isASCII && $0.isNumber }
        guard !digits.isEmpty else { return nil }
        stem = String(e[...pos])
        suffix = String(after.dropFirst(digits.count))
        width = digits.hasPrefix("0") ? digits.count : 0
        index = UInt64(digits) ?? 0
        if let s = stop {
            self.stop = s
        } else {
            self.stop = width > 0 ? (UInt64(pow(10.0, Double(width))) - 1) : UInt64(UInt32.max)
        }
    }

    /// The current file name (the stem may contain shell globs).
    public var currentPattern: String {
        var n = String(index)
        if width > 0 && n.count < width { n = String(repeating: "0", count: width - n.count) + n }
        return stem + n + suffix
    }

    /// The current file, after glob expansion, if it exists.
    public func currentFile() -> String? {
        var g = glob_t()
        defer { globfree(&g) }
        guard glob(currentPattern, 0, nil, &g) == 0, g.gl_pathc > 0, let first = g.gl_pathv[0] else {
            return nil
        }
        return String(cString: first)
    }

    public mutating func advance() -> Bool {
        if index >= stop { return false }
        index += 1
        return true
    }
}
