// Signals: the first SIGINT or SIGTERM stops reading, and the flows, files and report
// are still written; a second one exits at once. SIGUSR1 asks for a monitoring
// report, SIGUSR2 toggles periodic reports. Handlers only set flags; the main loop
// acts on them between packets.

#if canImport(Glibc)
import Glibc
#endif

/// Written by the signal handlers, read by the main loop.
private var t2StopSignals: Int32 = 0
private var t2ReportRequests: Int32 = 0
private var t2PeriodicToggles: Int32 = 0
private var t2AlarmTicks: Int32 = 0

public enum Signals {
    public static func install() {
        signal(SIGINT) { _ in Signals.onStop() }
        signal(SIGTERM) { _ in Signals.onStop() }
        signal(SIGUSR1) { _ in t2ReportRequests &+= 1 }
        signal(SIGUSR2) { _ in t2PeriodicToggles &+= 1 }
        signal(SIGALRM) { _ in t2AlarmTicks &+= 1 }
    }

    static func onStop() {
        t2StopSignals &+= 1
        if t2StopSignals >= 2 {
            let msg = "\n[INF] Second signal: exiting at once\n"
            _ = msg.withCString { write(2, $0, strlen($0)) }
            _exit(1)
        }
    }

    /// Reading should stop (first SIGINT/SIGTERM).
    @inline(__always) public static var stopRequested: Bool { t2StopSignals > 0 }
    /// The final flush should stop (never set: a second signal exits at once).
    static var abortFlush: Bool { false }

    /// Pending SIGUSR1 requests (reset by the call).
    static func takeReportRequests() -> Int32 {
        let n = t2ReportRequests
        t2ReportRequests = 0
        return n
    }

    static func takeToggles() -> Int32 {
        let n = t2PeriodicToggles
        t2PeriodicToggles = 0
        return n
    }

    static func takeAlarms() -> Int32 {
        let n = t2AlarmTicks
        t2AlarmTicks = 0
        return n
    }

    static func anyPending() -> Bool { (t2ReportRequests | t2PeriodicToggles | t2AlarmTicks) != 0 }
}
