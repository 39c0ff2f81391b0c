// tcpWin counts, per flow, the TCP packets whose raw advertised window is below
// TCPWIN_THRES (zero windows with the default 1), and keeps a summary of the source
// IPv4 addresses with the highest share of such packets among flows with at least
// TCPWIN_MINPKTS TCP packets, written to PREFIX_tcpwin.txt. It is the plugin of T2's
// tutorials, and the worked example of docs/plugin-api.md. See spec/plugins/tcpWin.md.

import T2Core

/// Per-flow counters (all zero when a flow starts).
struct TcpWinFlow {
    var pktTcpCnt: UInt32 = 0
    var winThCnt: UInt32 = 0
    var stat: UInt8 = 0
}

final class TcpWin: T2Plugin {
    /// tcpWinStat: a window below the threshold was seen.
    static let TCPWIN_STAT_THU: UInt8 = 0x01

    override var name: String { "tcpWin" }

    override var columns: [Column] {
        [
            Column("tcpWinStat", "tcpWin status", .h8),
            Column("tcpWinThCnt", "tcpWin number of packets with window size below threshold", .u32),
        ]
    }

    override var packetColumns: [String] { ["tcpWinStat", "tcpWinThCnt"] }

    unowned(unsafe) var t2: Analyzer!
    var flows: PerFlowStorage<TcpWinFlow>!
    var packetMode = false

    // Aggregates for the end report.
    var pktTcpCnt: UInt64 = 0
    var winThCntG: UInt64 = 0
    var tcpWinStat: UInt8 = 0

    /// The summary: source IPv4 address, its flow's TCP packet count and ratio.
    struct SummaryEntry {
        var ip: IPAddress
        var tcpCnt: UInt32
        var ratio: Float
    }
    var summary: [SummaryEntry] = []

    override func initialize(_ t2: Analyzer) throws {
        self.t2 = t2
        flows = PerFlowStorage(capacity: t2.flows.capacity)
        packetMode = t2.packetMode
        summary.reserveCapacity(TcpWinConfig.TCPWIN_MAXWSCNT)
    }

    override func onNewFlow(_ packet: Packet, flowIndex: Int) {
        flows.clear(flowIndex)
    }

    override func onLayer2(_ packet: Packet, flowIndex: Int) {
        // Pure L2 flows are not counted, but still print their (empty) packet columns.
        if packetMode && flowIndex != Analyzer.noFlow { t2.packetLine.append("0x00\t0\t") }
    }

    override func onLayer4(_ packet: Packet, flowIndex: Int) {
        let f = flows.pointer(flowIndex)
        if packet.l4Proto == 6 && packet.isFirstFragment {
            f.pointee.pktTcpCnt &+= 1
            pktTcpCnt += 1
            // The raw window, unscaled; a window that was not captured reads 0 as in T2
            // (docs/quirks.md).
            let window = packet.field16(packet.l4Offset + 14)
            if window < TcpWinConfig.TCPWIN_THRES {
                f.pointee.winThCnt &+= 1
                f.pointee.stat |= TcpWin.TCPWIN_STAT_THU
            }
        }
        if packetMode {
            let out = t2.packetLine
            out.appendHex(UInt64(f.pointee.stat), digits: 2)
            out.tab()
            out.appendDecimal(UInt64(f.pointee.winThCnt))
            out.tab()
        }
    }

    override func onFlowTerminate(flowIndex: Int, output: OutputBuffer) {
        let f = flows[flowIndex]
        tcpWinStat |= f.stat
        winThCntG += UInt64(f.winThCnt)
        output.appendH8(f.stat)
        output.appendU32(f.winThCnt)

        // Summary: IPv4 flows with enough TCP packets, while the list has room.
        let flow = t2.flows[flowIndex]
        guard flow.isIPv4, f.winThCnt > 0, f.pktTcpCnt >= TcpWinConfig.TCPWIN_MINPKTS,
              summary.count < TcpWinConfig.TCPWIN_MAXWSCNT else { return }
        let ratio = Float(f.winThCnt) / Float(f.pktTcpCnt)
        if let i = summary.firstIndex(where: { $0.ip.ipv4Raw == flow.srcIP.ipv4Raw }) {
            if ratio > summary[i].ratio {
                summary[i].tcpCnt = f.pktTcpCnt
                summary[i].ratio = ratio
            }
        } else if ratio > 0 {
            summary.append(SummaryEntry(ip: flow.srcIP, tcpCnt: f.pktTcpCnt, ratio: ratio))
        }
    }

    override func report(_ report: PluginReport) {
        if tcpWinStat != 0 { report.line("Aggregated tcpWinStat=0x" + hex2(tcpWinStat)) }
        report.nump("Number of TCP packets", pktTcpCnt, of: report.numPackets)
        report.nump("Number of TCP packets below window threshold", winThCntG, of: pktTcpCnt)
    }

    /// Monitoring reports show the counts so far (as the end report).
    override func monitoring(_ report: PluginReport) {
        self.report(report)
    }

    override func finalize() {
        if let file = t2.openOutputFile(suffix: TcpWinConfig.TCPWIN_SUFFIX, plugin: name) {
            file.append("# IP\tpktTcpCnt\twinRelThCnt\n")
            for e in summary {
                file.appendIPv4(e.ip)
                file.tab()
                file.appendDecimal(UInt64(e.tcpCnt))
                file.tab()
                file.appendFormat("%f", Double(e.ratio))
                file.newline()
            }
            t2.closeOutputFile(file)
        }
        flows?.deallocate()
    }

    func hex2(_ v: UInt8) -> String {
        let s = String(v, radix: 16)
        return s.count < 2 ? "0" + s : s
    }
}

@_cdecl("t2PluginCreate")
public func t2PluginCreate() -> UnsafeMutableRawPointer { T2Plugin.export(TcpWin()) }
