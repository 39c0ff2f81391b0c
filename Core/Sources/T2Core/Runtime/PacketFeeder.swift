// Feeding packets to the analyzer without a capture file: the path of one packet
// (dissection, flow table, timeouts, flow writing) driven from memory. The fuzz target
// (Fuzz/) uses it; tests can too.

#if canImport(Glibc)
import Glibc
#endif
import CPcap

public final class PacketFeeder {
    /// What plugins see of the analyzer (the flow table, counters), for checks.
    public let analyzer: Analyzer
    let dissector: Dissector
    var header = pcap_pkthdr()

    /// An analyzer without plugins (or with `plugins`), a table of `hashFactor`, reading
    /// frames of `linkType`.
    public init(linkType: Int32, hashFactor: Int = 1, plugins: [T2Plugin] = []) {
        var o = Options()
        o.hashFactor = hashFactor
        o.input = .file("-")
        let log = Log()
        log.redirect(to: open("/dev/null", O_WRONLY))
        analyzer = Analyzer(options: o, log: log)
        analyzer.installForFeeding(plugins)
        dissector = Dissector(linkType: linkType, packet: analyzer.packet, log: log)
        analyzer.dissector = dissector
    }

    /// Processes one frame: `wireLength` is the original length (the data's by default).
    /// It may be shorter than the data: a damaged pcap record can say so, and libpcap
    /// passes such a record on unchanged.
    public func feed(_ data: UnsafeRawBufferPointer, wireLength: Int? = nil, seconds: Int, nanoseconds: Int = 0) {
        let ts = Timestamp(sec: UInt64(bitPattern: Int64(seconds)), ns: UInt32(truncatingIfNeeded: nanoseconds))
        analyzer.actTime = ts
        if analyzer.firstPacket {
            analyzer.firstPacket = false
            analyzer.startTimestamp = ts
        }
        analyzer.timeouts.scan(now: ts) { analyzer.terminate($0) }
        header.caplen = UInt32(data.count)
        header.len = UInt32(clamping: wireLength ?? data.count)
        let base = data.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!
        _ = withUnsafePointer(to: &header) { analyzer.process($0, base, dissector, readable: 0) }
    }

    /// Writes every remaining flow; returns the number of flows created.
    @discardableResult
    public func finish() -> UInt64 {
        analyzer.flushAll()
        return analyzer.counters.totalFlows
    }

    public var counters: Counters { analyzer.counters }
    public var flowsInMemory: Int { analyzer.flows.count }
}

extension Analyzer {
    /// Plugins for a feeder (initialised without output files).
    func installForFeeding(_ list: [T2Plugin]) {
        plugins = ContiguousArray(list)
        sinks = ContiguousArray(list.filter(\.isSink))
        hot.deallocate()
        hotSinks.deallocate()
        hot = PluginList(list)
        hotSinks = PluginList(Array(sinks))
        columns = [Column("dir", "Flow direction", .direction), Column("flowInd", "Flow index", .u64)]
        for p in list { columns += p.columns }
    }
}
