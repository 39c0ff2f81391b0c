// Reports while the capture is read (core.md 12): the monitoring report on SIGUSR1, the
// periodic one (-M, toggled by SIGUSR2) to stdout or PREFIX_monitoring.txt (-m), and a
// one-line progress display on a terminal. The main loop asks `due()` every few thousand
// packets (and while a live capture idles); the wall clock decides, so no timer signal
// interrupts the reading.

#if canImport(Glibc)
import Glibc
#endif
import CPcap

final class Monitoring {
    unowned(unsafe) let a: Analyzer
    /// Periodic reports on (-M, SIGUSR2).
    var periodic: Bool
    let interval: Double
    var nextReport: Double = 0
    /// The progress line: only on a terminal.
    let progress: Bool
    var nextProgress: Double = 0
    var progressShown = false
    let out: TextBuffer
    let outFD: Int32
    let outPath: String?
    var lastPackets: UInt64 = 0
    var lastTime: Double = 0
    let banner = [
        "               _____                  _                        ",
        "              |_   _| __ __ _ _ __   / \\   _ __   __ _  __ _   ",
        "                | || '__/ _` | '_ \\ / _ \\ | '_ \\ / _` |/ _` |  ",
        "                | || | | (_| | | | / ___ \\| | | | (_| | (_| |  ",
        "                |_||_|  \\__,_|_| |_/_/   \\_\\_| |_|\\__,_|\\__,_| ",
        "                      T2 for Swift: monitoring report            ",
    ]

    init(analyzer: Analyzer, periodic: Bool, interval: Double, toFile: String?) {
        a = analyzer
        self.periodic = periodic
        self.interval = interval
        outPath = toFile
        if let path = toFile {
            outFD = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
            out = TextBuffer(fd: outFD >= 0 ? outFD : 1)
        } else {
            outFD = -1
            out = analyzer.log.out
        }
        progress = isatty(2) != 0 && !analyzer.options.logToFile
        let now = Monitoring.now()
        nextReport = now + interval
        nextProgress = now + 0.5
        lastTime = now
    }

    static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC_COARSE, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    /// Handles pending signals and due reports. Cheap when nothing is due.
    func poll() {
        if Signals.anyPending() {
            if Signals.takeToggles() % 2 == 1 {
                periodic.toggle()
                nextReport = Monitoring.now() + interval
            }
            for _ in 0..<Signals.takeReportRequests() { report() }
            _ = Signals.takeAlarms()
        }
        guard periodic || progress else { return }
        let t = Monitoring.now()
        if periodic && t >= nextReport {
            nextReport = t + interval
            report()
        }
        if progress && t >= nextProgress {
            nextProgress = t + 0.5
            showProgress(t)
        }
    }

    /// The one-line progress display on stderr.
    func showProgress(_ t: Double) {
        let c = a.counters
        var line = "\r\u{1b}[K"
        if let src = a.source, !src.isLive, src.captureFileSize > 0, let f = pcap_file(src.handle) {
            let pos = Double(ftell(f))
            if pos >= 0 { line += cFormat("%5.1f%%  ", 100 * pos / Double(src.captureFileSize)) }
        }
        let rate = t > lastTime ? Double(c.numPackets - lastPackets) / (t - lastTime) : 0
        lastPackets = c.numPackets
        lastTime = t
        line += "\(c.numPackets) packets, \(cFormat("%.0f", rate)) packets/s, \(a.flows.count) flows in memory"
        Log.writeAll(2, line)
        progressShown = true
    }

    /// Removes the progress line before the end report.
    func finish() {
        if progressShown { Log.writeAll(2, "\r\u{1b}[K") }
        out.flush()
        if outFD >= 0 {
            close(outFD)
            // T2 removes an empty monitoring file at exit.
            if out.size == 0, let p = outPath { unlink(p) }
        }
    }

    /// The monitoring report (human-readable, as T2's USR1 report).
    func report() {
        let c = a.counters
        let ruler = String(repeating: "=", count: 80)
        func line(_ s: String) { out.append(s); out.newline() }
        line("")
        for b in banner { line(b) }
        line("USR1 A type report: Tranalyzer \(OptionParser.version) (\(OptionParser.codename)), \(OptionParser.release). PID: \(getpid())")
        line("PCAP time: \(ReportFormat.packetDate(a.actTime))")
        line("PCAP duration: \(ReportFormat.duration(a.firstPacket ? .zero : a.actTime.minus(a.startTimestamp)))")
        var tv = timeval()
        gettimeofday(&tv, nil)
        line("Time: \(a.wallClockDate(tv))")
        line("Elapsed time: \(ReportFormat.duration(a.elapsedWallClock()))")
        if let src = a.source, !src.isLive {
            line("Processing file: \(src.currentName)")
            line("Link layer type: \(LinkType.describe(src.linkType))")
            line("Snapshot length: \(src.snapshot)\(ReportFormat.hr(UInt64(max(0, src.snapshot))))")
            if src.captureFileSize > 0 {
                line(ReportFormat.num("Total bytes to process", src.captureFileSize))
                let done = 24 * UInt64(src.fileCount) + c.bytesProcessed + 16 * c.numPackets
                line("Percentage completed: \(cFormat("%.2f", 100 * Double(done) / Double(src.captureFileSize)))%")
                line(ReportFormat.num("Total bytes processed so far", done))
                let elapsed = a.elapsedWallClock().seconds
                if done > 0 && elapsed > 0 {
                    let remaining = elapsed * (Double(src.captureFileSize) / Double(done) - 1)
                    let r = max(0, remaining)
                    line("Remaining time: \(ReportFormat.duration(Timestamp(sec: UInt64(r), ns: UInt32((r - r.rounded(.down)) * 1e9))))")
                    line("ETF: \(ReportFormat.date(Int(tv.tv_sec) + Int(max(0, remaining)), utc: false))")
                }
            }
        }
        func nump(_ label: String, _ n: UInt64, _ total: UInt64) { if n > 0 { line(ReportFormat.nump(label, n, of: total)) } }
        line(ReportFormat.num("Number of processed packets", c.numPackets))
        line(ReportFormat.num("Number of processed bytes", c.bytesProcessed))
        nump("Number of IPv4 packets", c.numV4Packets, c.numPackets)
        nump("Number of IPv6 packets", c.numV6Packets, c.numPackets)
        nump("Number of A packets", c.numAPackets, c.numAPackets + c.numBPackets)
        nump("Number of B packets", c.numBPackets, c.numAPackets + c.numBPackets)
        let dashes = String(repeating: "-", count: 80)
        line(dashes)
        out.flush()
        let saved = a.log.out === out
        if !saved { a.log.flush() }
        a.hot.forEach { p in
            p.monitoring(PluginReport(log: Log(stream: out), name: p.name, numPackets: c.numPackets))
        }
        line(dashes)
        nump("Fill size of main hash map", UInt64(a.flows.count), UInt64(a.flows.capacity))
        nump("Max number of flows in memory", c.maxNumFlowsPeak, UInt64(a.flows.capacity))
        line("Aggregated flowStat=0x" + EndReport.hex16(a.flows.aggregatedStatus))
        line(ruler)
        line("")
        out.flush()
    }
}
