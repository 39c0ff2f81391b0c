// Number, date and duration formats of T2's end report (core.md 8, 10.2).

#if canImport(Glibc)
import Glibc
#endif

public enum ReportFormat {
    /// The human-readable suffix: thresholds are binary (1024, 2^20, …), the divisor is
    /// decimal. " (25.09 K)", "" below 1024.
    public static func hr(_ v: Double, unit: String = "") -> String {
        let n = v >= 1.8446744073709552e19 ? UInt64.max : (v <= 0 ? 0 : UInt64(v))
        return hr(n, unit: unit)
    }

    public static func hr(_ n: UInt64, unit: String = "") -> String {
        if n < 1024 { return "" }
        let i = min((63 - n.leadingZeroBitCount) / 10, 8)
        let units: [Character] = ["K", "M", "G", "T", "P", "E", "Z", "Y"]
        return " (" + cFormat("%.2f", Double(n) / pow(1000.0, Double(i))) + " " + String(units[i - 1]) + unit + ")"
    }

    /// "<label>: <n><hr>"
    public static func num(_ label: String, _ n: UInt64) -> String {
        "\(label): \(n)\(hr(n))"
    }

    /// "<label>: <n><hr> [<p>%]"
    public static func nump(_ label: String, _ n: UInt64, of total: UInt64) -> String {
        let p = total == 0 ? 0.0 : 100.0 * Double(n) / Double(total)
        return "\(label): \(n)\(hr(n)) [\(cFormat("%.2f", p))%]"
    }

    /// "<label>: <%.2f><hr>"
    public static func float(_ label: String, _ x: Double) -> String {
        "\(label): \(cFormat("%.2f", x))\(hr(x))"
    }

    /// "<label>: <%.0f> b/s<hr b/s>"
    public static func speed(_ label: String, _ bitsPerSecond: Double) -> String {
        "\(label): \(cFormat("%.0f", bitsPerSecond)) b/s\(hr(bitsPerSecond, unit: "b/s"))"
    }

    /// "Thu 13 May 2004 10:17:07 GMT" (packet times: UTC) or local time (wall clock).
    public static func date(_ sec: Int, utc: Bool) -> String {
        var t = time_t(sec)
        var tmv = tm()
        if utc { gmtime_r(&t, &tmv) } else { localtime_r(&t, &tmv) }
        var buf = [CChar](repeating: 0, count: 128)
        let n = strftime(&buf, 128, "%a %d %b %Y %X", &tmv)
        let s = String(cString: Array(buf[0..<n]) + [0])
        if utc { return s + " GMT" }
        var zbuf = [CChar](repeating: 0, count: 64)
        let zn = strftime(&zbuf, 64, "%Z", &tmv)
        return s + " " + String(cString: Array(zbuf[0..<zn]) + [0])
    }

    /// "<sec>.<ns9> sec (<date>)" for packet times.
    public static func packetDate(_ t: Timestamp) -> String {
        "\(t.sec32).\(pad9(t.ns)) sec (\(date(Int(t.sec32), utc: true)))"
    }

    static func pad9(_ v: UInt32) -> String {
        let s = String(v)
        return String(repeating: "0", count: max(0, 9 - s.count)) + s
    }

    /// "<sec>.<ns9> sec" plus " (1y 2d 3h 4m 5s)" when there are minutes or more.
    public static func duration(_ t: Timestamp) -> String {
        var out = "\(t.sec32).\(pad9(t.ns)) sec"
        let s = UInt64(t.sec32)
        let years = s / 31_536_000
        let days = s / 86_400 - 365 * years
        let hours = s / 3_600 - 8_760 * years - 24 * days
        let minutes = s / 60 - 525_600 * years - 1_440 * days - 60 * hours
        let seconds = s % 60
        if years != 0 || days != 0 || hours != 0 || minutes != 0 {
            var parts = ""
            if years != 0 { parts += "\(years)y" }
            if days != 0 { parts += (years != 0 ? " " : "") + "\(days)d" }
            if hours != 0 { parts += (years != 0 || days != 0 ? " " : "") + "\(hours)h" }
            if minutes != 0 { parts += (years != 0 || days != 0 || hours != 0 ? " " : "") + "\(minutes)m" }
            if seconds != 0 { parts += " \(seconds)s" }
            out += " (" + parts + ")"
        }
        return out
    }
}
