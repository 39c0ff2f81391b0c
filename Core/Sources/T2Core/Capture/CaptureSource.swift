// Where packets come from: one file (or stdin), a list of files (-R), a numbered file
// series (-D), or a live interface (-i). All reading goes through libpcap, so damaged
// files produce exactly the errors and resynchronisation T2 shows.

#if canImport(Glibc)
import Glibc
#endif
import CPcap

public enum NextResult {
    case packet(UnsafePointer<pcap_pkthdr>, UnsafeRawPointer)
    /// libpcap reported an error; reading goes on.
    case error(String)
    /// Live capture: nothing right now.
    case idle
    /// This file ended; `true` if another file follows.
    case endOfFile(Bool)
}

public final class CaptureSource {
    public private(set) var handle: OpaquePointer?
    public private(set) var linkType: Int32 = -1
    public private(set) var snapshot: Int32 = 0
    /// Σ file sizes read so far (stat), 0 for stdin and live.
    public private(set) var captureFileSize: UInt64 = 0
    /// Files opened (for the percentage: 24 bytes of file header each).
    public private(set) var fileCount = 0
    public let isLive: Bool
    public let bpf: String?
    let log: Log

    /// -R: the validated entries; -D: the series.
    var listFiles: [String] = []
    var listIndex = 0
    var regex: RegexInput?
    public private(set) var currentName = ""
    /// Classic pcap files: libpcap reads each record into the start of its buffer, so
    /// the whole buffer (pcap_bufsize) may be read; otherwise only the captured bytes.
    var wholeBufferReadable = false

    /// Bytes readable from the current record's data pointer (0 = only caplen).
    @inline(__always) var readableLength: Int {
        wholeBufferReadable ? Int(pcap_bufsize(handle)) : 0
    }

    init(log: Log, live: Bool, bpf: String?) {
        self.log = log
        self.isLive = live
        self.bpf = bpf
    }

    deinit { if let h = handle { pcap_close(h) } }

    // MARK: Opening

    /// Opens one file (-r): validation, then libpcap with nanosecond timestamps.
    static func openFile(_ path: String, log: Log, bpf: String?) -> Result<CaptureSource, CaptureError> {
        let src = CaptureSource(log: log, live: false, bpf: bpf)
        if path == "-" {
            var err = [CChar](repeating: 0, count: Int(PCAP_ERRBUF_SIZE))
            guard let h = pcap_fopen_offline_with_tstamp_precision(stdin, UInt32(PCAP_TSTAMP_PRECISION_NANO), &err) else {
                return .failure(.fatal("pcap_open_offline failed for '-': \(String(cString: err))"))
            }
            src.adopt(h, name: "-")
            return .success(src)
        }
        switch CaptureFile.check(path) {
        case .error(let msg):
            return .failure(.fatal(msg))
        case .ok(let kind, let size):
            if kind == .pcapng {
                log.warning("PCAP-NG, so *percentage completed* in end report might be less than 100%, will be fixed in a later version")
            }
            var err = [CChar](repeating: 0, count: Int(PCAP_ERRBUF_SIZE))
            let h: OpaquePointer?
            if kind == .gzip {
                guard CaptureFile.gzipContainsCapture(path), let fp = CaptureFile.openGzip(path) else {
                    return .failure(.fatal("File '\(path)' is not a valid PCAP/PCAP-NG file"))
                }
                h = pcap_fopen_offline_with_tstamp_precision(fp, UInt32(PCAP_TSTAMP_PRECISION_NANO), &err)
                src.captureFileSize = CaptureFile.gzipUncompressedSize(path) ?? size
            } else {
                h = pcap_open_offline_with_tstamp_precision(path, UInt32(PCAP_TSTAMP_PRECISION_NANO), &err)
                src.captureFileSize = size
            }
            guard let handle = h else {
                return .failure(.fatal("pcap_open_offline failed for '\(path)': \(String(cString: err))"))
            }
            src.adopt(handle, name: path)
            src.wholeBufferReadable = kind != .pcapng && pcap_major_version(handle) == 2
            return .success(src)
        }
    }

    /// Opens a list file (-R): every line is validated; invalid entries are skipped.
    static func openList(_ listPath: String, log: Log, bpf: String?) -> Result<CaptureSource, CaptureError> {
        guard let text = readTextFile(listPath) else {
            return .failure(.fatal("Failed to open file '\(listPath)' for reading: \(String(cString: strerror(errno)))"))
        }
        let src = CaptureSource(log: log, live: false, bpf: bpf)
        log.line("Checking list file")
        for raw in text.split(separator: "\n", omittingEmptySubsequences: true) {
            var line = String(raw)
            while line.hasSuffix("\r") { line.removeLast() }
            if line.isEmpty || line.hasPrefix("#") { continue }
            log.line("    checking file '\(line)'")
            switch CaptureFile.check(line) {
            case .ok(let kind, _):
                if kind == .pcapng {
                    log.warning("PCAP-NG, so *percentage completed* in end report might be less than 100%, will be fixed in a later version")
                }
                src.listFiles.append(line)
            case .error(let msg):
                log.error(msg)
            }
        }
        if src.listFiles.isEmpty { return .failure(.fatal("No valid files found in \(listPath)")) }
        return .success(src)
    }

    /// Opens the next file of a list, or the first one.
    func openListEntry() -> Result<Void, CaptureError> {
        let path = listFiles[listIndex]
        var err = [CChar](repeating: 0, count: Int(PCAP_ERRBUF_SIZE))
        // T2 opens list entries with plain pcap_open_offline: microsecond timestamps
        // (the -R/-D quirk in docs/quirks.md).
        let h: OpaquePointer?
        if case .ok(.gzip, _) = CaptureFile.check(path), let fp = CaptureFile.openGzip(path) {
            h = pcap_fopen_offline(fp, &err)
        } else {
            h = pcap_open_offline(path, &err)
        }
        guard let handle = h else {
            return .failure(.fatal("pcap_open_offline failed for '\(path)': \(String(cString: err))"))
        }
        captureFileSize += fileSize(path)
        adopt(handle, name: path)
        return .success(())
    }

    var listCount: Int { listFiles.count }

    static func openLive(_ iface: String, snaplen: Int32, bufferSize: Int32, log: Log, bpf: String?) -> Result<CaptureSource, CaptureError> {
        let src = CaptureSource(log: log, live: true, bpf: bpf)
        var err = [CChar](repeating: 0, count: Int(PCAP_ERRBUF_SIZE))
        guard let h = pcap_create(iface, &err) else {
            return .failure(.fatal("pcap_create failed for '\(iface)': \(String(cString: err))"))
        }
        pcap_set_snaplen(h, snaplen)
        pcap_set_promisc(h, 1)
        pcap_set_timeout(h, Int32(CoreConfig.CAPTURE_TIMEOUT))
        pcap_set_buffer_size(h, bufferSize)
        _ = pcap_set_tstamp_precision(h, Int32(PCAP_TSTAMP_PRECISION_NANO))
        let rc = pcap_activate(h)
        if rc < 0 {
            let msg = String(cString: pcap_geterr(h))
            pcap_close(h)
            return .failure(.fatal("pcap_activate failed for '\(iface)': \(msg)"))
        }
        pcap_setnonblock(h, 1, &err)
        src.adopt(h, name: iface)
        return .success(src)
    }

    func adopt(_ h: OpaquePointer, name: String) {
        if let old = handle { pcap_close(old) }
        handle = h
        linkType = pcap_datalink(h)
        snapshot = pcap_snapshot(h)
        currentName = name
        fileCount += 1
    }

    func addFileSize(_ path: String) { captureFileSize += fileSize(path) }

    func fileSize(_ path: String) -> UInt64 {
        var st = stat()
        return stat(path, &st) == 0 ? UInt64(max(0, st.st_size)) : 0
    }

    /// Compiles and installs the BPF filter on the current handle.
    func applyFilter() -> CaptureError? {
        guard let expr = bpf, let h = handle else { return nil }
        var prog = bpf_program()
        if pcap_compile(h, &prog, expr, 1, PCAP_NETMASK_UNKNOWN) != 0 {
            return .fatal("pcap_compile failed: '\(expr)' is not a valid BPF: \(String(cString: pcap_geterr(h)))")
        }
        defer { pcap_freecode(&prog) }
        if pcap_setfilter(h, &prog) != 0 {
            return .fatal("pcap_setfilter failed: \(String(cString: pcap_geterr(h)))")
        }
        return nil
    }

    // MARK: Reading

    @inline(__always)
    func next() -> NextResult {
        var hdr: UnsafeMutablePointer<pcap_pkthdr>?
        var data: UnsafePointer<UInt8>?
        let rc = pcap_next_ex(handle, &hdr, &data)
        if rc == 1 { return .packet(UnsafePointer(hdr!), UnsafeRawPointer(data!)) }
        if rc == 0 { return .idle }
        if rc == -1 { return .error(String(cString: pcap_geterr(handle))) }
        // -2: end of this file
        return .endOfFile(false)
    }

    /// Live capture statistics (received, dropped by kernel, dropped by interface).
    func liveStats() -> (UInt64, UInt64, UInt64)? {
        guard isLive, let h = handle else { return nil }
        var st = pcap_stat()
        guard pcap_stats(h, &st) == 0 else { return nil }
        return (UInt64(st.ps_recv), UInt64(st.ps_drop), UInt64(st.ps_ifdrop))
    }

    func breakLoop() { if let h = handle { pcap_breakloop(h) } }
}

public enum CaptureError: Error {
    case fatal(String)
}
