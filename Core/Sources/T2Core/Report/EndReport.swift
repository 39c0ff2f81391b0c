// The end report after "Finished unloading flow memory" (core.md 10.3, 10.4), line by
// line in T2's order and with its conditions.

#if canImport(Glibc)
import Glibc
#endif

struct EndReport {
    let a: Analyzer
    let duration: Timestamp

    init(analyzer: Analyzer, duration: Timestamp) {
        a = analyzer
        self.duration = duration
    }

    func line(_ s: String) { a.log.line(s) }

    func num(_ label: String, _ n: UInt64) {
        if n > 0 { line(ReportFormat.num(label, n)) }
    }

    func nump(_ label: String, _ n: UInt64, _ total: UInt64) {
        if n > 0 { line(ReportFormat.nump(label, n, of: total)) }
    }

    func print() {
        let c = a.counters
        let d = a.dissector.stats
        if let src = a.source {
            if !src.isLive && src.captureFileSize > 0 {
                let done = Double(24 * UInt64(src.fileCount) + c.bytesProcessed + 16 * c.numPackets)
                let pct = Double(Float(100)) * done / Double(src.captureFileSize)
                line("Percentage completed: \(cFormat("%.2f", pct))%")
            }
            if let (recv, drop, ifdrop) = src.liveStats() {
                nump("Number of packets received by the kernel", recv, recv)
                nump("Number of packets dropped by the kernel", drop, recv)
                nump("Number of packets dropped by the interface", ifdrop, recv)
            }
        }
        num("Number of processed packets", c.numPackets)
        num("Number of processed bytes", c.bytesProcessed)
        num("Number of raw bytes", c.rawBytes)
        num("Number of pad bytes", c.padBytes)
        if a.source?.isLive != true { num("Number of pcap bytes", c.captureFileSize) }
        nump("Number of L2 packets", c.numL2Packets, c.numPackets)
        nump("Number of IPv4 packets", c.numV4Packets, c.numPackets)
        nump("Number of IPv6 packets", c.numV6Packets, c.numPackets)
        nump("Number of IPvX packets", d.numVxPackets, c.numPackets)
        let abPackets = c.numAPackets + c.numBPackets
        let abBytes = c.numABytes + c.numBBytes
        if c.numPackets != abPackets && abPackets > 0 {
            nump("Number of packets without flow", c.numPackets - abPackets, c.numPackets)
        }
        nump("Number of A packets", c.numAPackets, abPackets)
        nump("Number of B packets", c.numBPackets, abPackets)
        nump("Number of A bytes", c.numABytes, abBytes)
        nump("Number of B bytes", c.numBBytes, abBytes)
        line(ReportFormat.float("<A packet load>", c.numAPackets > 0 ? Double(c.numABytes) / Double(c.numAPackets) : 0))
        line(ReportFormat.float("<B packet load>", c.numBPackets > 0 ? Double(c.numBBytes) / Double(c.numBPackets) : 0))

        let dashes = String(repeating: "-", count: 80)
        line(dashes)
        for p in a.plugins {
            p.report(PluginReport(log: a.log, name: p.name, numPackets: c.numPackets))
        }
        line(dashes)

        line("Headers count: min: \(c.headerMin), max: \(c.headerMax), avg: \(cFormat("%.2f", Double(c.headerAvg)))")
        if d.maxVLAN > 0 { line("Max VLAN header count: \(d.maxVLAN)") }
        if d.maxMPLS > 0 { line("Max MPLS header count: \(d.maxMPLS)") }
        nump("Number of LLC packets", d.numLLCPackets, c.numPackets)
        nump("Number of ARP packets", c.etherTypePackets[0x0806], c.numPackets)
        nump("Number of RARP packets", c.etherTypePackets[0x8035], c.numPackets)
        nump("Number of GRE packets", d.numGREPackets, c.numPackets)
        nump("Number of Teredo packets", d.numTeredoPackets, c.numPackets)
        nump("Number of AYIYA packets", d.numAYIYAPackets, c.numPackets)
        nump("Number of IGMP packets", c.protoPackets[2], c.numPackets)
        nump("Number of ICMP packets", c.protoPackets[1], c.numPackets)
        nump("Number of ICMPv6 packets", c.protoPackets[58], c.numPackets)
        nump("Number of TCP packets", c.protoPackets[6], c.numPackets)
        nump("Number of TCP bytes", c.protoBytes[6], c.bytesProcessed)
        nump("Number of UDP packets", c.protoPackets[17], c.numPackets)
        nump("Number of UDP bytes", c.protoBytes[17], c.bytesProcessed)
        if c.protoPackets[132] > 0 {
            nump("Number of SCTP packets", c.protoPackets[132], c.numPackets)
            nump("Number of SCTP bytes", c.protoBytes[132], c.bytesProcessed)
        }
        nump("Number of DTLS packets", d.numDTLSPackets, c.numPackets)
        nump("Number of IPv4 fragmented packets", c.numFragV4Packets, c.numV4Packets)
        nump("Number of IPv6 fragmented packets", d.numFragV6Packets, c.numV6Packets)

        let tildes = String(repeating: "~", count: 80)
        line(tildes)
        let total = c.totalFlows
        // A capture that goes back in time has a negative duration: no rate lines.
        let f = Double(Int64(bitPattern: duration.sec)) + Double(duration.ns) / 1e9
        if total > 0 {
            num("Number of processed      flows", total)
            nump("Number of processed L2   flows", c.totalL2Flows, total)
            nump("Number of processed IPv4 flows", c.totalIPv4Flows, total)
            nump("Number of processed IPv6 flows", c.totalIPv6Flows, total)
            nump("Number of processed A    flows", c.totalAFlows, total)
            nump("Number of processed B    flows", c.totalBFlows, total)
            let requests = c.totalAFlows - c.corrReplFlows
            let replies = c.totalBFlows + c.corrReplFlows
            nump("Number of request        flows", requests, total)
            nump("Number of reply          flows", replies, total)
            let t = Double(total)
            line("Total   A/B    flow asymmetry: \(cFormat("%.2f", (Double(c.totalAFlows) - Double(c.totalBFlows)) / t))")
            line("Total req/rply flow asymmetry: \(cFormat("%.2f", (Double(requests) - Double(replies)) / t))")
            if abPackets > 0 {
                line(ReportFormat.float("Number of processed A+B packets/A+B flows", Double(abPackets) / t))
            }
            if c.totalAFlows > 0 {
                line(ReportFormat.float("Number of processed A   packets/A   flows", Double(c.numAPackets) / Double(c.totalAFlows)))
            }
            if c.totalBFlows > 0 {
                line(ReportFormat.float("Number of processed   B packets/  B flows", Double(c.numBPackets) / Double(c.totalBFlows)))
            }
            if f > 0 {
                line(ReportFormat.float("Number of processed total packets/s", Double(c.numPackets) / f))
                if abPackets > 0 {
                    line(ReportFormat.float("Number of processed A+B   packets/s", Double(abPackets) / f))
                    if c.numAPackets > 0 {
                        line(ReportFormat.float("Number of processed A     packets/s", Double(c.numAPackets) / f))
                    }
                    if c.numBPackets > 0 {
                        line(ReportFormat.float("Number of processed   B   packets/s", Double(c.numBPackets) / f))
                    }
                }
            }
        }
        line(tildes)
        let agg = a.flows.aggregatedStatus
        if f > 0 {
            line(ReportFormat.float("<Number of processed flows/s>", Double(total) / f))
            line(ReportFormat.speed("<Bandwidth>", 8 * Double(d.bytesOnWire) / f))
            if agg & (FlowStat.L2SNAPLENGTH | FlowStat.L3SNAPLENGTH) != 0 {
                line(ReportFormat.speed("<Snapped bandwidth>", 8 * Double(c.bytesProcessed) / f))
            }
            line(ReportFormat.speed("<Raw bandwidth>", 8 * Double(c.rawBytes) / f))
        }
        nump("Max number of flows in memory", c.maxNumFlowsPeak, UInt64(a.flows.capacity))
        nump("Number of flows terminated by autopilot", c.autopilotFlows, total)
        line(memoryUsage())
        line("Aggregated flowStat=0x\(hex16(agg))")
        warnings(agg)
    }

    func hex16(_ v: UInt64) -> String { EndReport.hex16(v) }

    static func hex16(_ v: UInt64) -> String {
        let s = String(v, radix: 16)
        return String(repeating: "0", count: 16 - s.count) + s
    }

    func memoryUsage() -> String {
        var ru = rusage()
        getrusage(RUSAGE_SELF.rawValue, &ru)
        let kb = Double(ru.ru_maxrss)
        let pages = Double(sysconf(Int32(_SC_PHYS_PAGES)))
        let pageSize = Double(sysconf(Int32(_SC_PAGESIZE)))
        let phys = pages * pageSize
        return "Memory usage: \(cFormat("%.2f", kb / 1e6)) GB [\(cFormat("%.2f", 100 * kb * 1000 / phys))%]"
    }

    /// The trailing [WRN]/[INF] lines for the bits set in the aggregate (10.4).
    func warnings(_ agg: UInt64) {
        let wrn: [(UInt64, String)] = [
            (FlowStat.L2SNAPLENGTH, "L2 header snapped"),
            (FlowStat.L3SNAPLENGTH, "L3 SnapLength < Length in IP header"),
            (FlowStat.L3HDRSHRTLEN, "L3 header snapped"),
            (FlowStat.L4HDRSHRTLEN, "L4 header snapped"),
            (FlowStat.LANDATTACK, "Land attack"),
            (FlowStat.TIMEJUMP, "Timestamp jump, probably due to multi-path packet delay or NTP operation"),
            (FlowStat.DUPIPID, "Consecutive duplicate IP ID"),
            (FlowStat.PKTCAPLEN, "PCAP packet length > IO_BUFFER_MAX_MTU, caplen reduced"),
            (FlowStat.HDOVRN, "Header description overrun"),
            (FlowStat.L3_IPVX, "IPvX L3 header bogus packets"),
            (FlowStat.IPV4_HL_TOO_SHORT, "IPv4 header length < 20 bytes"),
            (FlowStat.IP_PL_MSMTCH, "IPv4/6 payload length > framing length"),
            (FlowStat.IPV4_FRAG_HDSEQ_ERR, "IPv4/6 fragmentation header packet missing"),
            (FlowStat.IPV4_FRAG_PENDING, "IPv4/6 packet fragmentation sequence not finished"),
        ]
        for (bit, text) in wrn where agg & bit != 0 { a.log.warning(text) }
        let inf: [(UInt64, String)] = [
            (FlowStat.STPDSCT, "Stop dissecting: Clipped packet, unhandled protocol or subsequent fragment"),
            (FlowStat.L2_FLOW, "Layer 2 flows"),
            (FlowStat.LAPD_FLOW, "LAPD flows"),
            (FlowStat.L2_IPV4 | FlowStat.IPV4_PKT, "IPv4 flows"),
            (FlowStat.L2_IPV6 | FlowStat.IPV6_PKT, "IPv6 flows"),
            (FlowStat.L4_SCTP, "SCTP"),
            (FlowStat.L2_NO_ETH, "No Ethernet header"),
            (FlowStat.L2_ARP, "ARP"),
            (FlowStat.L2_RARP, "RARP"),
            (FlowStat.L2_LLDP, "LLDP"),
            (FlowStat.L3_ETHIPF, "EtherIP"),
            (FlowStat.L2_VLAN, "VLAN encapsulation"),
            (FlowStat.L2_VLAN_PRI0, "VLAN ID 0 (priority tag)"),
            (FlowStat.IPV4_FRAG, "IPv4/6 fragmentation"),
            (FlowStat.L3_IPIP, "IPv4/6 in IPv4/6"),
            (FlowStat.L3_VXLAN, "VXLAN encapsulation"),
            (FlowStat.L3_GENEVE, "GENEVE encapsulation"),
            (FlowStat.L2_MPLS_UCAST | FlowStat.L2_MPLS_MCAST, "MPLS encapsulation"),
            (FlowStat.L2_L2TP, "L2TP encapsulation"),
            (FlowStat.L2_PPP, "PPP/HDLC encapsulation"),
            (FlowStat.L2_GRE, "GRE encapsulation"),
            (FlowStat.L2_ERSPAN, "ERSPAN encapsulation"),
            (FlowStat.L2_WCCP, "WCCP encapsulation"),
            (FlowStat.L3_AYIYA, "AYIYA tunnel"),
            (FlowStat.L3_GTP, "GTP tunnel"),
            (FlowStat.L3_TRDO, "Teredo tunnel"),
            (FlowStat.L3_CAPWAP, "CAPWAP/LWAPP tunnel"),
            (FlowStat.L3_IPSEC_AH, "IPsec AH"),
            (FlowStat.L3_IPSEC_ESP, "IPsec ESP"),
            (FlowStat.L4_UPNP, "SSDP/UPnP"),
            (FlowStat.L7_SIPRTP, "SIP/RTP"),
            (FlowStat.L4_DTLS, "DTLS"),
            (FlowStat.TORADD, "Tor addresses"),
            (FlowStat.FL_ALARM, "IPAlarm"),
        ]
        for (bit, text) in inf where agg & bit != 0 { a.log.info(text) }
    }
}
