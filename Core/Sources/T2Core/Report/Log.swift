// T2's log lines: [INF] and [WRN] go to the report stream (stdout, or PREFIX_log.txt
// with -l), [ERR] to stderr, unbuffered. The report stream is block-buffered and
// flushed at the same points as T2's stdout, so merged stdout+stderr captures show the
// lines in the reference's order (core.md 10.7).

#if canImport(Glibc)
import Glibc
#endif

public final class Log {
    /// The report stream.
    public let out: TextBuffer
    private var colorOut: Bool
    private let colorErr: Bool

    public init() {
        out = TextBuffer(fd: 1, capacity: 1 << 16)
        colorOut = isatty(1) != 0
        colorErr = isatty(2) != 0
    }

    /// A log writing into another stream (monitoring reports).
    init(stream: TextBuffer) {
        out = stream
        colorOut = stream.fd == 1 && isatty(1) != 0
        colorErr = isatty(2) != 0
    }

    /// Sends the report stream to a file (-l).
    public func redirect(to fd: Int32) {
        out.redirect(to: fd)
        colorOut = false
    }

    public func flush() { out.flush() }

    /// A plain line.
    public func line(_ s: String) {
        out.append(s)
        out.newline()
    }

    public func info(_ s: String) { prefixed("[INF]", "\u{1b}[1;34m", "\u{1b}[0;34m", s) }
    public func warning(_ s: String) { prefixed("[WRN]", "\u{1b}[1;33m", "\u{1b}[0;33m", s) }

    /// A plugin's report line: `name: text`.
    public func plugin(_ name: String, _ s: String) {
        if colorOut { out.append("\u{1b}[1m" + name + ":\u{1b}[0m ") } else { out.append(name + ": ") }
        out.append(s)
        out.newline()
    }

    private func prefixed(_ tag: String, _ c1: String, _ c2: String, _ s: String) {
        if colorOut {
            out.append(c1 + tag + "\u{1b}[0m " + c2 + s + "\u{1b}[0m\n")
        } else {
            out.append(tag + " " + s + "\n")
        }
    }

    /// An error line on stderr (unbuffered).
    public func error(_ s: String) {
        let text = colorErr ? "\u{1b}[1;31m[ERR]\u{1b}[0m \u{1b}[0;31m\(s)\u{1b}[0m\n" : "[ERR] \(s)\n"
        Log.writeAll(2, text)
    }

    static func writeAll(_ fd: Int32, _ s: String) {
        var s = s
        s.withUTF8 { buf in
            var off = 0
            while off < buf.count {
                let r = write(fd, buf.baseAddress! + off, buf.count - off)
                if r <= 0 { if r < 0 && errno == EINTR { continue }; break }
                off += r
            }
        }
    }
}
