// The analyzer: start-up (core.md 10.1), the reading loop (3.2), and what plugins may
// use of the core. One packet's path: CaptureSource → Dissector (fills `packet`) →
// flow lookup/creation (PacketHandling.swift) → plugin callbacks; timeouts and the end
// of input retire flows through FlowTermination.swift; EndReport.swift prints the report.

#if canImport(Glibc)
import Glibc
#endif
import CPcap
import CT2Support

public final class Analyzer {
    /// `flowIndex` passed to `onLayer2` for IP packets, before their flow is known.
    public static let noFlow = -1

    // MARK: What plugins use

    public let options: Options
    public let log: Log
    public let flows: FlowTable
    /// Prefix of every output file (core.md 2.4).
    public private(set) var baseFileName = ""
    /// `-s`: plugins write their packet columns into `packetLine`.
    public var packetMode: Bool { options.packetMode }
    /// The packet file being written in packet mode (one line per packet).
    public private(set) var packetLine = TextBuffer()
    public internal(set) var counters = Counters()
    /// Time of the packet being processed (T2's actTime).
    public internal(set) var actTime = Timestamp.zero
    /// Link type of the current input.
    public var linkType: Int32 { source?.linkType ?? -1 }
    /// All flow-file columns: the core's dir and flowInd, then every plugin's.
    public internal(set) var columns: [Column] = []
    /// The loaded plugins, in order.
    public private(set) var loadedPlugins: [LoadedPlugin] = []
    /// Wall-clock start (the "Date:" line and the headers file).
    public let startWallClock: timeval
    /// The plugin folder (ends with "/"); plugins find their support files here.
    public private(set) var pluginFolder = ""
    /// Whether the flow file goes to stdout (`-w -`).
    public var flowsToStdout: Bool { options.flowsToStdout }

    /// Registers a flow timeout value a plugin will assign with `flows.setTimeout`.
    public func registerTimeout(_ seconds: Float) { timeouts.register(seconds) }

    /// Opens `baseFileName + suffix` for writing (T2's t2_fopen_with_suffix); logs
    /// `[ERR] <plugin>: Failed to open file …` and returns nil on failure.
    public func openOutputFile(suffix: String, plugin: String) -> TextBuffer? {
        let path = baseFileName + suffix
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        if fd < 0 {
            log.error("\(plugin): Failed to open file '\(path)' for writing: \(String(cString: strerror(errno)))")
            return nil
        }
        return TextBuffer(fd: fd, capacity: 1 << 16)
    }

    /// Closes a file opened with `openOutputFile`.
    public func closeOutputFile(_ file: TextBuffer) {
        file.flush()
        if file.fd > 2 { close(file.fd) }
    }

    // MARK: Internals

    let timeouts: TimeoutList
    var plugins: ContiguousArray<T2Plugin> = []
    var sinks: ContiguousArray<T2Plugin> = []
    /// The same, for the per-packet and per-flow loops.
    var hot = PluginList([])
    var hotSinks = PluginList([])
    let packet: UnsafeMutablePointer<PacketData>
    var dissector: Dissector!
    var source: CaptureSource?
    let output = OutputBuffer()
    var regex: RegexInput?
    var firstPacket = true
    var startTimestamp = Timestamp.zero
    var lastPcapError = ""
    var noNewFlows = false
    var autopilotWarned = false
    var packetsFD: Int32 = -1
    var logFD: Int32 = -1
    var monitoring: Monitoring!
    /// Pending IP fragment series: key → flowIndex.
    var fragments: [FragmentKey: Int32] = [:]
    static let flowTimeout = Float(CoreConfig.FLOW_TIMEOUT)

    init(options: Options, log: Log) {
        self.options = options
        self.log = log
        flows = FlowTable(hashFactor: options.hashFactor)
        timeouts = TimeoutList(table: flows)
        packet = UnsafeMutablePointer<PacketData>.allocate(capacity: 1)
        packet.initialize(to: PacketData())
        var tv = timeval()
        gettimeofday(&tv, nil)
        startWallClock = tv
        timeouts.register(Analyzer.flowTimeout)
    }

    deinit {
        hot.deallocate()
        hotSinks.deallocate()
        packet.deinitialize(count: 1)
        packet.deallocate()
        counters.releaseTables()
    }

    // MARK: Start-up

    /// Runs the analyzer with parsed options; returns the exit status.
    public static func main(_ options: Options) -> Int32 {
        let log = Log()
        let a = Analyzer(options: options, log: log)
        return a.run()
    }

    func fatal(_ msg: String) -> Int32 {
        log.error(msg)
        log.flush()
        return 1
    }

    func run() -> Int32 {
        Signals.install()
        var live = false
        if case .interface = options.input { live = true }
        if getuid() == 0 && !live {
            log.warning("Running Tranalyzer as root on a pcap is not recommended")
        }
        if let prio = options.priority { setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, prio) }
        var cpuText = ""
        if let cpu = options.cpu { cpuText = bindCPU(cpu) }
        let ruler = String(repeating: "=", count: 80)
        log.line(ruler)
        log.line("Tranalyzer \(OptionParser.version) (\(OptionParser.codename)), \(OptionParser.release). PID: \(getpid()), Prio: \(currentPriority()), SID: \(options.sensorID)\(cpuText)")
        log.line(ruler)
        log.line("Date: \(wallClockDate(startWallClock))")
        log.info("Creating flows for L2, IPv4, IPv6")

        // Input (validated before the plugins are loaded).
        guard let input = options.input else { return fatal("One of '-r', '-R', '-D' or '-i' option is required") }
        var bpf = options.bpf
        if let f = options.bpfFile {
            switch BPFFile.read(f) {
            case .success(let e): bpf = e
            case .failure(let e): return fatal(e.message)
            }
        }
        let opened: Result<CaptureSource, CaptureError>
        switch input {
        case .file(let path): opened = CaptureSource.openFile(path, log: log, bpf: bpf)
        case .list(let path): opened = CaptureSource.openList(path, log: log, bpf: bpf)
        case .interface(let name):
            opened = CaptureSource.openLive(name, snaplen: options.snaplen, bufferSize: options.bufferSize, log: log, bpf: bpf)
        case .regex(let expr):
            regex = RegexInput(expr)
            opened = .success(CaptureSource(log: log, live: false, bpf: bpf))
        }
        switch opened {
        case .failure(.fatal(let msg)): return fatal(msg)
        case .success(let s): source = s
        }

        // Output prefix.
        switch OutputPrefix.derive(options: options) {
        case .failure(let e): return fatal(e.message)
        case .success(let p): baseFileName = p
        }
        if options.logToFile {
            let path = baseFileName + "_log.txt"
            logFD = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
            if logFD < 0 { return fatal("Failed to open file '\(path)' for writing: \(String(cString: strerror(errno)))") }
            log.flush()
            log.redirect(to: logFD)
        }

        // Plugins.
        var home = ""
        if options.pluginFolder == nil {
            guard let h = getenv("HOME") else { return fatal("Could not get HOME environment variable") }
            home = String(cString: h)
        }
        let folder = options.pluginFolder ?? home + "/" + CoreConfig.PLUGIN_FOLDER
        pluginFolder = folder
        do {
            loadedPlugins = try PluginLoader.load(folder: folder, listFile: options.pluginList, log: log)
        } catch PluginLoaderError.folder(let msg) {
            return fatal(msg)
        } catch {
            return fatal("\(error)")
        }
        if loadedPlugins.isEmpty {
            log.warning("No valid plugins found in folder '\(folder)'")
        } else {
            log.line("Active plugins:")
            for (i, p) in loadedPlugins.enumerated() {
                log.line("    \(i < 9 ? "0" : "")\(i + 1): \(p.plugin.name), \(p.plugin.version)")
            }
        }
        plugins = ContiguousArray(loadedPlugins.map(\.plugin))
        sinks = ContiguousArray(plugins.filter(\.isSink))
        hot.deallocate()
        hotSinks.deallocate()
        hot = PluginList(Array(plugins))
        hotSinks = PluginList(Array(sinks))
        columns = [Column("dir", "Flow direction", .direction), Column("flowInd", "Flow index", .u64)]
        for p in plugins { columns += p.columns }

        if options.packetMode {
            let path = baseFileName + "_packets.txt"
            packetsFD = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
            if packetsFD < 0 { return fatal("Failed to open file '\(path)' for writing: \(String(cString: strerror(errno)))") }
            packetLine = TextBuffer(fd: packetsFD, capacity: 1 << 17)
            packetLine.append("%pktNo\tflowInd\t")
            for p in plugins { for c in p.packetColumns { packetLine.append(c); packetLine.tab() } }
            packetLine.append("l7Content\n")
        }
        for p in plugins {
            do { try p.initialize(self) } catch {
                log.error("\(p.name): \(error)")
                log.flush()
                return 1
            }
        }

        // First input file.
        switch input {
        case .file(let path):
            log.line("Processing file: \(path)")
        case .list(let path):
            log.line("Processing list file: \(path)")
            if case .failure(.fatal(let msg)) = source!.openListEntry() { return fatal(msg) }
            log.line("Processing file no. 1 of \(source!.listCount): \(source!.currentName)")
        case .regex:
            if let r = openRegexFile(first: true) { return r }
        case .interface(let name):
            log.line("Live capture on interface: \(name)")
        }
        if let b = bpf { log.info("BPF: \(b)") }
        if let e = source!.applyFilter(), case .fatal(let msg) = e { return fatal(msg) }
        logLinkType()
        if source!.isLive { log.line("Rx buffer length: \(options.bufferSize)\(ReportFormat.hr(UInt64(options.bufferSize)))") }
        log.flush()
        counters.captureFileSize = source!.captureFileSize

        monitoring = Monitoring(analyzer: self, periodic: options.periodicMonitoring, interval: options.monitoringInterval,
                                toFile: options.monitoringToFile ? baseFileName + "_monitoring.txt" : nil)
        dissector = Dissector(linkType: source!.linkType, packet: packet, log: log)
        guard Dissector.supports(linkType: source!.linkType) || source!.linkType < 0 else {
            // T2 fails at the first packet: read it so the output matches.
            return unsupportedLinkType()
        }

        let status = readLoop()
        if status != 0 { return status }
        finish()
        return 0
    }

    func logLinkType() {
        log.line("Link layer type: \(LinkType.describe(source!.linkType))")
        log.line("Snapshot length: \(source!.snapshot)\(ReportFormat.hr(UInt64(max(0, source!.snapshot))))")
    }

    /// An unsupported link type: T2 logs Dump start for the first packet, then fails.
    func unsupportedLinkType() -> Int32 {
        if case .packet(let hdr, _) = source!.next() {
            let ts = Timestamp(sec: UInt64(bitPattern: Int64(hdr.pointee.ts.tv_sec)), ns: UInt32(truncatingIfNeeded: hdr.pointee.ts.tv_usec))
            log.line("Dump start: \(ReportFormat.packetDate(ts))")
        }
        let msg = "Unsupported link-layer type: \(LinkType.describe(source!.linkType))"
        log.error(msg)
        for p in plugins { p.finalize() }
        log.flush()
        return 1
    }

    func currentPriority() -> Int32 {
        errno = 0
        return getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0)
    }

    func bindCPU(_ cpu: Int) -> String {
        guard cpu > 0 else { return "" }
        if t2_bind_cpu(Int32(cpu - 1)) == 0 {
            log.info("Tranalyzer successfully bound to CPU \(cpu)")
            return ", CPU: \(cpu)"
        }
        return ""
    }

    func wallClockDate(_ tv: timeval) -> String {
        let us = String(tv.tv_usec)
        let frac = String(repeating: "0", count: max(0, 9 - us.count)) + us
        return "\(tv.tv_sec).\(frac) sec (\(ReportFormat.date(Int(tv.tv_sec), utc: false)))"
    }

    // MARK: Reading loop

    /// Reads until the input ends or a signal stops it. Returns non-zero on a fatal error.
    func readLoop() -> Int32 {
        var idlePolls = 0
        let src = source!
        let dis = dissector!
        let timeouts = self.timeouts
        while true {
            if Signals.stopRequested { break }
            switch src.next() {
            case .packet(let hdr, let data):
                let ts = Timestamp(sec: UInt64(bitPattern: Int64(hdr.pointee.ts.tv_sec)),
                                   ns: UInt32(truncatingIfNeeded: hdr.pointee.ts.tv_usec))
                actTime = ts
                if firstPacket {
                    firstPacket = false
                    startTimestamp = ts
                    log.line("Dump start: \(ReportFormat.packetDate(ts))")
                }
                timeouts.scan(now: ts) { terminate($0) }
                if counters.numPackets & 4095 == 0 || Signals.anyPending() { monitoring.poll() }
                if process(hdr, data, dis, readable: src.readableLength) == .unsupportedLinkType {
                    log.error("Unsupported link-layer type: \(LinkType.describe(source!.linkType))")
                    for p in plugins { p.finalize() }
                    log.flush()
                    return 1
                }
            case .error(let msg):
                if msg != lastPcapError {
                    log.warning("pcap_dispatch failed: \(msg)")
                    lastPcapError = msg
                }
            case .idle:
                idlePolls += 1
                usleep(1000)
                monitoring.poll()
                if idlePolls % 1500 == 0 {
                    var tv = timeval()
                    gettimeofday(&tv, nil)
                    actTime = Timestamp(sec: UInt64(tv.tv_sec), ns: UInt32(tv.tv_usec) * 1000)
                    timeouts.scan(now: actTime) { terminate($0) }
                }
            case .endOfFile:
                if !nextInputFile() { return 0 }
            }
        }
        return 0
    }

    /// -R / -D: opens the next file; false at the end of the input.
    func nextInputFile() -> Bool {
        guard let src = source else { return false }
        if case .list = options.input! {
            src.listIndex += 1
            if src.listIndex >= src.listCount { return false }
            log.flush()
            if case .failure(.fatal(let msg)) = src.openListEntry() {
                log.error(msg)
                return false
            }
            log.line("Processing file no. \(src.listIndex + 1) of \(src.listCount): \(src.currentName)")
            logLinkType()
            _ = src.applyFilter()
            counters.captureFileSize = src.captureFileSize
            return true
        }
        if regex != nil {
            guard regex!.advance() else { return false }
            log.flush()
            return openRegexFile(first: false) == nil
        }
        return false
    }

    /// -D: waits for the current file of the series to appear, then opens it.
    func openRegexFile(first: Bool) -> Int32? {
        guard let r = regex else { return 1 }
        var waited = false
        while true {
            if let path = r.currentFile() {
                if waited { log.line("") }
                var err = [CChar](repeating: 0, count: Int(PCAP_ERRBUF_SIZE))
                guard let h = pcap_open_offline(path, &err) else {
                    return fatal("pcap_open_offline failed for '\(path)': \(String(cString: err))")
                }
                source!.adopt(h, name: path)
                source!.addFileSize(path)
                counters.captureFileSize = source!.captureFileSize
                log.line("Processing file: \(path)")
                if !first {
                    logLinkType()
                    _ = source!.applyFilter()
                }
                return nil
            }
            if Signals.stopRequested { return first ? 1 : nil }
            // Poll every 5 s, printing a dot each time.
            log.out.append(UInt8(ascii: "."))
            log.flush()
            waited = true
            sleep(5)
        }
    }
}
