// protoStats measures how the captured packets and bytes (captured lengths) are
// distributed over EtherTypes, IP protocols, and TCP and UDP server ports (the flow's
// destination port, or its source port for B flows), and writes these frequency
// tables with IANA/IEEE descriptions to PREFIX_protocols.txt at the end of the run.
// The EtherType and protocol counts are the core's; the port counts are this plugin's.
// It adds no columns and no report lines. See spec/plugins/protoStats.md.

#if canImport(Glibc)
import Glibc
#endif
import T2Core

/// Packets and captured bytes of one port.
struct PortCount {
    var pkts: UInt64
    var bytes: UInt64
}

final class ProtoStats: T2Plugin {
    override var name: String { "protoStats" }

    unowned(unsafe) var t2: Analyzer!
    /// The flow table, read without retaining it (the per-packet path would otherwise
    /// pay an atomic retain/release pair).
    var flowTable: Unmanaged<FlowTable>!

    /// Per server port, indexed 0...65535.
    var tcpPort = UnsafeMutablePointer<PortCount>(bitPattern: 8)!
    var udpPort = UnsafeMutablePointer<PortCount>(bitPattern: 8)!
    var udpLitePort: UnsafeMutablePointer<PortCount>?
    var sctpPort: UnsafeMutablePointer<PortCount>?

    static func allocateTable() -> UnsafeMutablePointer<PortCount> {
        calloc(65536, MemoryLayout<PortCount>.stride)!.bindMemory(to: PortCount.self, capacity: 65536)
    }

    override func initialize(_ t2: Analyzer) throws {
        self.t2 = t2
        flowTable = Unmanaged.passUnretained(t2.flows)
        tcpPort = ProtoStats.allocateTable()
        udpPort = ProtoStats.allocateTable()
        if ProtoStatsConfig.PST_UDPLITE_STAT { udpLitePort = ProtoStats.allocateTable() }
        if ProtoStatsConfig.PST_SCTP_STAT { sctpPort = ProtoStats.allocateTable() }
    }

    override func onLayer4(_ packet: Packet, flowIndex: Int) {
        let table: UnsafeMutablePointer<PortCount>
        switch packet.l4Proto {
        case 6: table = tcpPort
        case 17: table = udpPort
        case 136:
            guard ProtoStatsConfig.PST_UDPLITE_STAT else { return }
            table = udpLitePort!
        case 132:
            guard ProtoStatsConfig.PST_SCTP_STAT else { return }
            table = sctpPort!
        default: return
        }
        // The flow's port, not the packet's: later fragments count under their flow's
        // port, and replies under the server's.
        let port = Int(flowTable._withUnsafeGuaranteedRef { $0[flowIndex].isB ? $0[flowIndex].srcPort : $0[flowIndex].dstPort })
        table[port].pkts &+= 1
        table[port].bytes &+= UInt64(packet.snapLength)
    }

    // MARK: Summary file

    override func finalize() {
        // Nothing was counted if the run stopped before this plugin's initialize.
        guard t2 != nil else { return }
        defer {
            free(tcpPort)
            free(udpPort)
            free(udpLitePort); udpLitePort = nil
            free(sctpPort); sctpPort = nil
        }
        guard let file = t2.openOutputFile(suffix: ProtoStatsConfig.PST_SUFFIX, plugin: name) else { return }
        let c = t2.counters
        let numPackets = Double(c.numPackets)
        let numBytes = Double(c.bytesProcessed)
        // T2 computes the factor first, then multiplies (it shows in the last digit).
        let pktFactor = 100.0 / numPackets
        let byteFactor = 100.0 / numBytes

        if ProtoStatsConfig.PST_ETH_STAT {
            file.append("# Total packets: ")
            appendNum(file, c.numPackets)
            file.append("\n# Total bytes: ")
            appendNum(file, c.bytesProcessed)
            file.newline()
            appendTableHeader(file, "# L2/3 Protocol")
            let descs = EtherTypeDescriptions(openSupportFile(t2.pluginFolder + ProtoStatsConfig.PST_L2ETHFILE))
            for type in 0..<65536 where c.etherTypePackets[type] > 0 {
                file.append("0x")
                file.appendHexDigits(UInt64(type), digits: 4)
                appendRow(file, c.etherTypePackets[type], c.etherTypeBytes[type], pktFactor, byteFactor)
                descs.append(type, to: file)
                file.newline()
            }
            file.append("\n\n")
        }

        file.append("# Total IPv4 packets: ")
        appendNum(file, c.numV4Packets)
        appendPercent(file, Double(c.numV4Packets) * pktFactor)
        file.append("\n# Total IPv6 packets: ")
        appendNum(file, c.numV6Packets)
        appendPercent(file, Double(c.numV6Packets) * pktFactor)
        file.newline()
        appendTableHeader(file, "# L4 Protocol")
        let protoDescs = loadProtoDescriptions()
        for proto in 0..<256 where c.protoPackets[proto] > 0 {
            appendPadded(file, UInt64(proto), width: 3)
            appendRow(file, c.protoPackets[proto], c.protoBytes[proto], pktFactor, byteFactor)
            file.append(protoDescs[proto])
            file.newline()
        }

        let ports = PortDescriptions(openSupportFile(t2.pluginFolder + ProtoStatsConfig.PST_PORTFILE),
                                     tcpUsed: [tcpPort, sctpPort], udpUsed: [udpPort, udpLitePort])
        appendPortTable(file, "TCP", 6, tcpPort, ports, tcp: true)
        appendPortTable(file, "UDP", 17, udpPort, ports, tcp: false)
        if let t = udpLitePort { appendPortTable(file, "UDP-Lite", 136, t, ports, tcp: false) }
        if let t = sctpPort { appendPortTable(file, "SCTP", 132, t, ports, tcp: true) }
        t2.closeOutputFile(file)
    }

    func appendPortTable(_ file: TextBuffer, _ label: String, _ proto: Int,
                         _ table: UnsafeMutablePointer<PortCount>, _ ports: PortDescriptions, tcp: Bool) {
        let c = t2.counters
        let pkts = c.protoPackets[proto]
        let bytes = c.protoBytes[proto]
        file.append("\n\n# Total " + label + " packets: ")
        appendNum(file, pkts)
        appendPercent(file, 100.0 * Double(pkts) / Double(c.numPackets))
        file.append("\n# Total " + label + " bytes: ")
        appendNum(file, bytes)
        appendPercent(file, 100.0 * Double(bytes) / Double(c.bytesProcessed))
        file.newline()
        guard pkts > 0 else { return }
        appendTableHeader(file, "# " + label + " Port")
        let pktFactor = 100.0 / Double(pkts)
        let byteFactor = 100.0 / Double(bytes)
        for port in 0..<65536 where table[port].pkts > 0 {
            appendPadded(file, UInt64(port), width: 5)
            appendRow(file, table[port].pkts, table[port].bytes, pktFactor, byteFactor)
            ports.append(port, tcp: tcp, to: file)
            file.newline()
        }
    }

    /// `<n>{hr}`
    func appendNum(_ file: TextBuffer, _ n: UInt64) {
        file.appendDecimal(n)
        file.append(ReportFormat.hr(n))
    }

    /// ` [<%.02f>%]`
    func appendPercent(_ file: TextBuffer, _ p: Double) {
        file.append(" [")
        file.appendFormat("%.02f", p)
        file.append("%]")
    }

    /// `<title>\t<"Packets" %30s>\t<"Bytes" %30s>\tDescription`
    func appendTableHeader(_ file: TextBuffer, _ title: String) {
        file.append(title)
        file.tab()
        appendSpaces(file, 30 - 7)
        file.append("Packets\t")
        appendSpaces(file, 30 - 5)
        file.append("Bytes\tDescription\n")
    }

    /// `\t<pkts %20llu> [<%6.02f>%]\t<bytes %20llu> [<%6.02f>%]\t`
    func appendRow(_ file: TextBuffer, _ pkts: UInt64, _ bytes: UInt64, _ pktFactor: Double, _ byteFactor: Double) {
        file.tab()
        appendPadded(file, pkts, width: 20)
        file.append(" [")
        file.appendFormat("%6.02f", Double(pkts) * pktFactor)
        file.append("%]\t")
        appendPadded(file, bytes, width: 20)
        file.append(" [")
        file.appendFormat("%6.02f", Double(bytes) * byteFactor)
        file.append("%]\t")
    }

    /// Unsigned decimal right-aligned in `width` characters (`%<width>llu`).
    func appendPadded(_ file: TextBuffer, _ v: UInt64, width: Int) {
        var digits = 1
        var x = v
        while x >= 10 { x /= 10; digits += 1 }
        appendSpaces(file, width - digits)
        file.appendDecimal(v)
    }

    func appendSpaces(_ file: TextBuffer, _ n: Int) {
        if n > 0 { for _ in 0..<n { file.append(32) } }
    }

    /// A missing support file only leaves the descriptions empty.
    func openSupportFile(_ path: String) -> SupportFile? {
        guard let f = SupportFile(path: path) else {
            t2.log.warning("protoStats: Failed to open file '\(path)' for reading: \(String(cString: strerror(errno)))")
            return nil
        }
        return f
    }

    // MARK: proto.txt

    /// The description of every IP protocol. T2 reads exactly 256 lines and stores the
    /// description of the i-th line for protocol i, whatever number the line starts
    /// with.
    func loadProtoDescriptions() -> [String] {
        var descs = [String](repeating: "", count: 256)
        let path = t2.pluginFolder + ProtoStatsConfig.PST_PROTOFILE
        guard let data = openSupportFile(path) else { return descs }
        var lines = data.lines()
        for i in 0..<256 {
            guard let line = lines.next() else {
                t2.log.warning("protoStats: Failed to read line \(i + 1) of file '\(ProtoStatsConfig.PST_PROTOFILE)': unexpected end of file")
                continue
            }
            // `%*d\t%*s\t%99[^\t\n]`
            var s = Scanner(data.bytes, line)
            if s.skipDecimal(), s.skipToken(), let d = s.set(max: 99) {
                descs[i] = data.string(d)
            } else {
                t2.log.warning("protoStats: Failed to read line \(i + 1) of file '\(ProtoStatsConfig.PST_PROTOFILE)': expected number <tab> keyword <tab> description")
            }
        }
        return descs
    }
}

// MARK: - Support files

/// Support files are parsed line by line with byte-level scanners.
extension SupportFile {
    /// Lines without their newline; `maxChunk` splits long lines as fgets with a
    /// buffer of maxChunk + 1 bytes does (the newline counts towards the chunk).
    func lines(maxChunk: Int = Int.max) -> LineIterator {
        LineIterator(bytes: bytes, maxChunk: maxChunk)
    }

    func string(_ r: Range<Int>) -> String {
        String(decoding: UnsafeRawBufferPointer(rebasing: bytes[r]), as: UTF8.self)
    }
}

struct LineIterator: IteratorProtocol {
    let bytes: UnsafeRawBufferPointer
    let maxChunk: Int
    var pos = 0

    mutating func next() -> Range<Int>? {
        let n = bytes.count
        if pos >= n { return nil }
        let start = pos
        var end = start
        while end < n && bytes[end] != 10 && end - start < maxChunk { end += 1 }
        if end < n && bytes[end] == 10 && end - start < maxChunk {
            pos = end + 1
        } else {
            pos = end
        }
        return start..<end
    }
}

/// sscanf's conversions over one line: a white-space directive skips any run of white
/// space, `%s` reads a white-space delimited token, `%[^\t\n]` a non-empty run.
struct Scanner {
    let d: UnsafeRawBufferPointer
    var i: Int
    let end: Int

    init(_ d: UnsafeRawBufferPointer, _ line: Range<Int>) {
        self.d = d; i = line.lowerBound; end = line.upperBound
    }

    static func isSpace(_ c: UInt8) -> Bool { c == 32 || (c >= 9 && c <= 13) }

    mutating func skipSpace() { while i < end && Scanner.isSpace(d[i]) { i += 1 } }

    /// A literal (no white-space skip before it, as in a scanf format).
    mutating func literal(_ s: StaticString) -> Bool {
        let n = s.utf8CodeUnitCount
        guard i + n <= end else { return false }
        for k in 0..<n where d[i + k] != s.utf8Start[k] { return false }
        i += n
        return true
    }

    /// `%u` (or `%*d`): the value, nil without digits.
    mutating func decimal() -> UInt64? {
        skipSpace()
        if i < end && d[i] == UInt8(ascii: "+") { i += 1 }
        let s = i
        var v: UInt64 = 0
        while i < end && d[i] >= 48 && d[i] <= 57 {
            v = v &* 10 &+ UInt64(d[i] - 48)
            i += 1
        }
        return i > s ? v : nil
    }

    mutating func skipDecimal() -> Bool {
        skipSpace()
        if i < end && (d[i] == UInt8(ascii: "-") || d[i] == UInt8(ascii: "+")) { i += 1 }
        let s = i
        while i < end && d[i] >= 48 && d[i] <= 57 { i += 1 }
        return i > s
    }

    /// `%<max>x` without a 0x prefix.
    mutating func hex(max: Int) -> Int? {
        skipSpace()
        let s = i
        var v = 0
        while i < end && i - s < max {
            let c = d[i]
            let digit: Int
            switch c {
            case 48...57: digit = Int(c) - 48
            case 65...70: digit = Int(c) - 55
            case 97...102: digit = Int(c) - 87
            default: digit = -1
            }
            if digit < 0 { break }
            v = v * 16 + digit
            i += 1
        }
        return i > s ? v : nil
    }

    /// `%<max>s`
    mutating func token(max: Int = Int.max) -> Range<Int>? {
        skipSpace()
        let s = i
        while i < end && i - s < max && !Scanner.isSpace(d[i]) { i += 1 }
        return i > s ? s..<i : nil
    }

    mutating func skipToken() -> Bool { token() != nil }

    /// White space, then `%<max>[^\t\n]`.
    mutating func set(max: Int) -> Range<Int>? {
        skipSpace()
        let s = i
        while i < end && i - s < max && d[i] != 9 && d[i] != 10 { i += 1 }
        return i > s ? s..<i : nil
    }
}

/// ethertypes.txt: `0xAAAA<ws><description>` or, with a '-' in the first 8 characters,
/// `0xAAAA-0xBBBB<ws><description>`; later lines override earlier ones. Only the
/// EtherTypes that were seen are looked up, so the lines are kept as parsed ranges.
struct EtherTypeDescriptions {
    struct Entry {
        var lo: Int
        var hi: Int
        var desc: Range<Int>
    }
    var file: SupportFile?
    var entries: [Entry] = []

    init(_ file: SupportFile?) {
        self.file = file
        guard let f = file else { return }
        // T2 reads with fgets into a 99-byte buffer.
        var lines = f.lines(maxChunk: 98)
        while let line = lines.next() {
            var s = Scanner(f.bytes, line)
            var isRange = false
            for k in line.lowerBound..<min(line.lowerBound + 8, line.upperBound) where f.bytes[k] == UInt8(ascii: "-") {
                isRange = true
            }
            guard s.literal("0x"), let lo = s.hex(max: 4) else { continue }
            var hi = lo
            if isRange {
                guard s.literal("-"), s.literal("0x"), let h = s.hex(max: 4) else { continue }
                hi = h
            }
            guard let desc = s.set(max: 99) else { continue }
            entries.append(Entry(lo: lo, hi: hi, desc: desc))
        }
    }

    func append(_ type: Int, to out: TextBuffer) {
        guard let f = file else { return }
        for e in entries.reversed() where e.lo <= type && type <= e.hi {
            out.append(UnsafeRawBufferPointer(rebasing: f.bytes[e.desc]))
            return
        }
    }
}

/// portmap.txt for protoStats: `<port>\t<proto>\t<name>\t<description>`, parsed as
/// `%u\t%3s\t%*s\t%99[^\t\n]`; the last entry of a port and transport wins. Only ports
/// with packets are remembered.
struct PortDescriptions {
    var file: SupportFile?
    /// Port → description range in the file (start << 8 | length), 0 if none.
    var tcp: [UInt64] = []
    var udp: [UInt64] = []

    init(_ file: SupportFile?, tcpUsed: [UnsafeMutablePointer<PortCount>?], udpUsed: [UnsafeMutablePointer<PortCount>?]) {
        self.file = file
        guard let f = file else { return }
        tcp = [UInt64](repeating: 0, count: 65536)
        udp = [UInt64](repeating: 0, count: 65536)
        func used(_ tables: [UnsafeMutablePointer<PortCount>?], _ port: Int) -> Bool {
            for t in tables { if let t = t, t[port].pkts > 0 { return true } }
            return false
        }
        var lines = f.lines()
        while let line = lines.next() {
            var s = Scanner(f.bytes, line)
            guard let port = s.decimal(), port <= 65535, let proto = s.token(max: 3),
                  s.skipToken(), let desc = s.set(max: 99) else { continue }
            let p = Int(port)
            let packed = UInt64(desc.lowerBound) << 8 | UInt64(desc.count)
            if PortDescriptions.startsWith(f.bytes, proto, "tcp") {
                if used(tcpUsed, p) { tcp[p] = packed }
            } else if PortDescriptions.startsWith(f.bytes, proto, "udp") {
                if used(udpUsed, p) { udp[p] = packed }
            }
        }
    }

    static func startsWith(_ d: UnsafeRawBufferPointer, _ r: Range<Int>, _ s: StaticString) -> Bool {
        guard r.count >= 3 else { return false }
        for k in 0..<3 where d[r.lowerBound + k] != s.utf8Start[k] { return false }
        return true
    }

    func append(_ port: Int, tcp isTCP: Bool, to out: TextBuffer) {
        guard let f = file else { return }
        let packed = isTCP ? tcp[port] : udp[port]
        if packed == 0 { return }
        let start = Int(packed >> 8)
        out.append(UnsafeRawBufferPointer(rebasing: f.bytes[start..<start + Int(packed & 0xff)]))
    }
}

@_cdecl("t2PluginCreate")
public func t2PluginCreate() -> UnsafeMutableRawPointer { T2Plugin.export(ProtoStats()) }
