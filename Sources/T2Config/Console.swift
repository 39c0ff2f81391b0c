// T2's messages for the Swift tools: error (red, stderr), info (blue), ok (green),
// warning (orange), yes/no prompts; colours only on a terminal.

import Foundation

public enum Console {
    static let colorOut = isatty(1) != 0
    static let colorErr = isatty(2) != 0

    static func paint(_ s: String, _ code: String, _ on: Bool) -> String { on ? "\u{1b}[\(code)m\(s)\u{1b}[0m" : s }

    public static func error(_ s: String) {
        fflush(stdout)   // keep the order of stdout and stderr lines in a merged log
        FileHandle.standardError.write(Data((paint(s, "0;31", colorErr) + "\n").utf8))
    }
    public static func info(_ s: String) { print(paint(s, "0;34", colorOut)) }
    public static func ok(_ s: String) { print(paint(s, "0;32", colorOut)) }
    public static func warning(_ s: String) { print(paint(s, "0;33", colorOut)) }
    public static func plain(_ s: String) { print(s) }

    /// Asks a yes/no question; with `assumeYes` prints "yes" instead of reading.
    public static func ask(_ question: String, assumeYes: Bool) -> Bool {
        print(paint(question, "0;33", colorOut), terminator: "")
        if assumeYes { print("yes"); return true }
        fflush(stdout)
        guard let line = readLine() else { print(""); return false }
        // A terminal echoes the answer; from a pipe, show it so the next line starts anew.
        if isatty(0) == 0 { print(line) }
        let a = line.trimmingCharacters(in: .whitespaces).lowercased()
        return a == "y" || a == "yes"
    }

    /// T2's usage error: message, then the "Try" line, exit 1.
    public static func usageError(_ tool: String, _ message: String) -> Never {
        error(message)
        print("Try '\(tool) --help' for more information.")
        exit(1)
    }
}
