// The text of PREFIX_headers.txt (txtSink.md §4): run information, loaded plugins
// and one line per column with its type string.

#if canImport(Glibc)
import Glibc
#endif
import CPcap

extension Analyzer {
    /// The complete headers file.
    public func headersFileText() -> String {
        var s = ""
        s += "# Date: \(wallClockDate(startWallClock))\n"
        s += "# Tranalyzer \(OptionParser.version) (\(OptionParser.codename)), \(OptionParser.release)\n"
        s += "# Core configuration: L2, IPv4, IPv6\n"
        s += "# SensorID: \(options.sensorID)\n"
        s += "# PID: \(getpid())\n"
        s += "# Priority: \(currentPriority())\n"
        s += "# Command line: \(options.arguments.joined(separator: " "))\n"
        var u = utsname()
        uname(&u)
        func field<T>(_ v: T) -> String {
            withUnsafeBytes(of: v) { String(cString: $0.baseAddress!.assumingMemoryBound(to: CChar.self)) }
        }
        s += "# HW info: \(field(u.nodename));\(field(u.sysname));\(field(u.release));\(field(u.version));\(field(u.machine))\n"
        s += "# SW info: \(String(cString: pcap_lib_version()))\n"
        s += "#\n"
        s += "# Plugins loaded:\n"
        for (i, p) in loadedPlugins.enumerated() {
            s += "#   \(i < 9 ? "0" : "")\(i + 1): \(p.plugin.name), version \(p.plugin.version)\n"
        }
        s += "#\n"
        s += "# Col No.\tType\tName\tDescription\n"
        for (i, c) in columns.enumerated() {
            s += "\(i + 1)\t\(c.typeString)\t\(c.name)\t\(c.description)\n"
        }
        return s
    }
}
