// portClassifier labels every flow with the server-side port of its connection
// (dstPortClassN: the destination port of an A flow, the source port of a B flow, so
// both directions carry the same value) and with the service keyword IANA registers
// for that port and the flow's transport (dstPortClass: the third field of
// portmap.txt, looked up in the TCP table for TCP and SCTP, in the UDP table for UDP
// and UDP-Lite, "unknown" otherwise). See spec/plugins/portClassifier.md.

#if canImport(Glibc)
import Glibc
#endif
import T2Core

/// A start-up failure, printed by the core as `[ERR] portClassifier: <message>`.
struct PortClassifierError: Error, CustomStringConvertible {
    let description: String
}

final class PortClassifier: T2Plugin {
    override var name: String { "portClassifier" }

    override var columns: [Column] {
        var c: [Column] = []
        if PortClassifierConfig.PBC_NUM {
            c.append(Column("dstPortClassN", "Port based classification of the destination port number", .u16))
        }
        if PortClassifierConfig.PBC_STR {
            c.append(Column("dstPortClass", "Port based classification of the destination port name", .stringClass))
        }
        return c
    }

    override var packetColumns: [String] {
        var c: [String] = []
        if PortClassifierConfig.PBC_NUM { c.append("dstPortClassN") }
        if PortClassifierConfig.PBC_STR { c.append("dstPortClass") }
        return c
    }

    unowned(unsafe) var t2: Analyzer!
    /// The flow table, read without retaining it (the per-packet path would otherwise
    /// pay an atomic retain/release pair).
    var flowTable: Unmanaged<FlowTable>!
    var packetMode = false

    /// The names, each stored as one length byte followed by its bytes.
    var names: UnsafeMutablePointer<UInt8>?
    var namesCount = 0
    var namesCapacity = 0
    /// Port → offset of the name in `names` + 1 (0: no name), one table per transport.
    var tcpNames = UnsafeMutablePointer<UInt32>(bitPattern: 4)!
    var udpNames = UnsafeMutablePointer<UInt32>(bitPattern: 4)!
    /// PBC_UNKNOWN, kept as bytes so that no flow has to convert a String.
    var unknown: [UInt8] = Array(PortClassifierConfig.PBC_UNKNOWN.utf8)

    override func initialize(_ t2: Analyzer) throws {
        self.t2 = t2
        flowTable = Unmanaged.passUnretained(t2.flows)
        packetMode = t2.packetMode
        tcpNames = calloc(65536, 4)!.bindMemory(to: UInt32.self, capacity: 65536)
        udpNames = calloc(65536, 4)!.bindMemory(to: UInt32.self, capacity: 65536)
        let path = t2.pluginFolder + PortClassifierConfig.PBC_CLASSFILE
        guard let file = SupportFile(path: path) else {
            throw PortClassifierError(description:
                "Failed to open file '\(path)' for reading: \(String(cString: strerror(errno)))")
        }
        loadPortmap(file.bytes)
    }

    // MARK: Loading portmap.txt

    /// Parses the file as T2 does with `sscanf(line, "%d\t%3s\t%63s", ...)`: a TAB in
    /// the format matches any run of white space, `%s` reads a white-space delimited
    /// token. The first entry of a port and transport wins.
    func loadPortmap(_ data: UnsafeRawBufferPointer) {
        namesCapacity = 1 << 17
        names = malloc(namesCapacity)!.bindMemory(to: UInt8.self, capacity: namesCapacity)
        let n = data.count
        var start = 0
        while start < n {
            var end = start
            while end < n && data[end] != 10 { end += 1 }
            parseLine(data, start, end)
            start = end + 1
        }
    }

    @inline(__always) func isSpace(_ c: UInt8) -> Bool { c == 32 || (c >= 9 && c <= 13) }

    func parseLine(_ d: UnsafeRawBufferPointer, _ start: Int, _ end: Int) {
        // Comments, indented and empty lines are not entries.
        if start == end { return }
        let first = d[start]
        if first == UInt8(ascii: "#") || first == 32 || first == 9 { return }

        var i = start
        func skipSpace() { while i < end && isSpace(d[i]) { i += 1 } }
        func token(max: Int) -> Range<Int>? {
            skipSpace()
            let s = i
            while i < end && i - s < max && !isSpace(d[i]) { i += 1 }
            return i > s ? s..<i : nil
        }

        // %d
        skipSpace()
        var negative = false
        if i < end && (d[i] == UInt8(ascii: "-") || d[i] == UInt8(ascii: "+")) {
            negative = d[i] == UInt8(ascii: "-")
            i += 1
        }
        let digits = i
        var port = 0
        while i < end && d[i] >= 48 && d[i] <= 57 {
            if port <= 1_000_000_000 { port = port * 10 + Int(d[i] - 48) }
            i += 1
        }
        guard i > digits, let proto = token(max: 3), let name = token(max: 63) else {
            t2.log.warning("portClassifier: failed to parse line '\(text(d, start..<end))': expected port <tab> proto <tab> name")
            return
        }
        if negative { port = -port }
        guard port >= 0 && port <= 65535 else {
            t2.log.warning("portClassifier: invalid port \(port)")
            return
        }
        let table: UnsafeMutablePointer<UInt32>
        if equals(d, proto, "tcp") {
            table = tcpNames
        } else if equals(d, proto, "udp") {
            table = udpNames
        } else {
            t2.log.warning("portClassifier: invalid protocol '\(text(d, proto))'")
            return
        }
        if table[port] != 0 { return }
        table[port] = UInt32(storeName(d, name) + 1)
    }

    func storeName(_ d: UnsafeRawBufferPointer, _ r: Range<Int>) -> Int {
        let len = r.count
        if namesCount + len + 1 > namesCapacity {
            while namesCount + len + 1 > namesCapacity { namesCapacity *= 2 }
            names = realloc(names, namesCapacity)!.bindMemory(to: UInt8.self, capacity: namesCapacity)
        }
        let offset = namesCount
        names![offset] = UInt8(len)
        for k in 0..<len { names![offset + 1 + k] = d[r.lowerBound + k] }
        namesCount += len + 1
        return offset
    }

    func equals(_ d: UnsafeRawBufferPointer, _ r: Range<Int>, _ s: StaticString) -> Bool {
        guard r.count == s.utf8CodeUnitCount else { return false }
        for k in 0..<r.count where d[r.lowerBound + k] != s.utf8Start[k] { return false }
        return true
    }

    func text(_ d: UnsafeRawBufferPointer, _ r: Range<Int>) -> String {
        String(decoding: UnsafeRawBufferPointer(rebasing: d[r]), as: UTF8.self)
    }

    // MARK: Classification

    /// The flow's server-side port: B flows were created by the server's reply.
    @inline(__always) func serverPort(_ flowIndex: Int) -> UInt16 {
        flowTable._withUnsafeGuaranteedRef { $0[flowIndex].isB ? $0[flowIndex].srcPort : $0[flowIndex].dstPort }
    }

    /// The port's name for the flow's transport, or nil ("unknown").
    @inline(__always) func portName(_ flowIndex: Int, _ port: UInt16) -> UnsafeRawBufferPointer? {
        let table: UnsafeMutablePointer<UInt32>
        switch flowTable._withUnsafeGuaranteedRef({ $0[flowIndex].l4Proto }) {
        case 6, 132: table = tcpNames
        case 17, 136: table = udpNames
        default: return nil
        }
        let ref = Int(table[Int(port)])
        if ref == 0 { return nil }
        let p = names! + (ref - 1)
        return UnsafeRawBufferPointer(start: p + 1, count: Int(p.pointee))
    }

    // MARK: Callbacks

    override func onLayer2(_ packet: Packet, flowIndex: Int) {
        // Packets of pure L2 flows: no port, no name.
        guard packetMode && flowIndex != Analyzer.noFlow else { return }
        let out = t2.packetLine
        if PortClassifierConfig.PBC_NUM { out.tab() }
        if PortClassifierConfig.PBC_STR {
            unknown.withUnsafeBytes { out.append($0) }
            out.tab()
        }
    }

    override func onLayer4(_ packet: Packet, flowIndex: Int) {
        guard packetMode else { return }
        let out = t2.packetLine
        let port = serverPort(flowIndex)
        if PortClassifierConfig.PBC_NUM {
            out.appendDecimal(UInt64(port))
            out.tab()
        }
        if PortClassifierConfig.PBC_STR {
            if let name = portName(flowIndex, port) {
                out.append(name)
            } else {
                unknown.withUnsafeBytes { out.append($0) }
            }
            out.tab()
        }
    }

    override func onFlowTerminate(flowIndex: Int, output: OutputBuffer) {
        let port = serverPort(flowIndex)
        if PortClassifierConfig.PBC_NUM { output.appendU16(port) }
        if PortClassifierConfig.PBC_STR {
            if let name = portName(flowIndex, port) {
                output.appendString(name)
            } else {
                unknown.withUnsafeBytes { output.appendString($0) }
            }
        }
    }

    override func finalize() {
        // Nothing was allocated if the run stopped before this plugin's initialize.
        guard t2 != nil else { return }
        free(tcpNames)
        free(udpNames)
        free(names); names = nil
    }
}

@_cdecl("t2PluginCreate")
public func t2PluginCreate() -> UnsafeMutableRawPointer { T2Plugin.export(PortClassifier()) }
