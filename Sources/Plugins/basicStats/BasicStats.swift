// basicStats measures, per flow, the packets and layer-7 bytes sent (and those of the
// opposite flow), the Ethernet padding, the minimum, maximum, average and standard
// deviation of the packet length and of the inter-arrival time (IAT), the packet and
// byte rates and the packet and byte asymmetries between the A and B flow. The end
// report names the flow with the largest average payload, the fastest flow and the
// biggest layer-2 and layer-3 talkers. All statistics are T2's single-precision running
// recurrences, reproduced literally so that every printed digit matches. In packet mode
// it prints the core's per-packet lengths. See spec/plugins/basicStats.md.

import T2Core

#if canImport(Glibc)
import Glibc
#endif

/// Per-flow state (T2's bSFlow_t). Only the low 32 bits of the last packet's seconds
/// are kept, because T2 takes the IAT's seconds difference in unsigned 32-bit.
struct BasicStatsFlow {
    var numTPkts: UInt64 = 0
    var numTBytes: UInt64 = 0
    var lastSec: UInt32 = 0
    var lastNs: UInt32 = 0
    var avePktSz: Float = 0
    var varPktSz: Float = 0
    var minIAT: Float = 0
    var maxIAT: Float = 0
    var aveIAT: Float = 0
    var varIAT: Float = 0
    /// Third and fourth running moments (BS_VAR with BS_SK only).
    var m3PktSz: Float = 0
    var m4PktSz: Float = 0
    var m3IAT: Float = 0
    var m4IAT: Float = 0
    /// Packets inside the BS_XCLD range: the `n` of the recurrences when excluding.
    var numXPkts: UInt32 = 0
    var minPktSz: UInt16 = 0
    var maxPktSz: UInt16 = 0
}

final class BasicStats: T2Plugin {
    typealias C = BasicStatsConfig

    static let statsOn = C.BS_STATS
    static let plStats = C.BS_STATS && C.BS_PL_STATS
    static let iatStats = C.BS_STATS && C.BS_IAT_STATS
    static let moments = C.BS_VAR && C.BS_SK

    override var name: String { "basicStats" }

    override var columns: [Column] {
        var c: [Column] = [Column("pktsSnt", "Number of transmitted packets", .u64)]
        if C.BS_REV_CNT { c.append(Column("pktsRcvd", "Number of received packets", .u64)) }
        if C.BS_AGGR_CNT { c.append(Column("pktsRTAggr", "Number of received + transmitted packets", .u64)) }
        if C.BS_PAD { c.append(Column("padBytesSnt", "Number of transmitted padding bytes", .i64)) }
        c.append(Column("l7BytesSnt", "Number of transmitted layer 7 bytes", .u64))
        if C.BS_REV_CNT { c.append(Column("l7BytesRcvd", "Number of received layer 7 bytes", .u64)) }
        if C.BS_AGGR_CNT { c.append(Column("l7BytesRTAggr", "Number of received + transmitted layer 7 bytes", .u64)) }
        if BasicStats.plStats {
            c.append(Column("minL7PktSz", "Minimum layer 7 packet size", .u16))
            c.append(Column("maxL7PktSz", "Maximum layer 7 packet size", .u16))
            c.append(Column("avgL7PktSz", "Average layer 7 packet size", .float))
            if C.BS_STDDEV { c.append(Column("stdL7PktSz", "Standard deviation layer 7 packet size", .float)) }
            if C.BS_VAR {
                c.append(Column("varL7PktSz", "Variance layer 7 packet size", .float))
                if C.BS_SK {
                    c.append(Column("skewL7PktSz", "Skewness layer 7 packet size", .float))
                    c.append(Column("kurL7PktSz", "Kurtosis layer 7 packet size", .float))
                }
            }
        }
        if BasicStats.iatStats {
            c.append(Column("minIAT", "Minimum IAT", .float))
            c.append(Column("maxIAT", "Maximum IAT", .float))
            c.append(Column("avgIAT", "Average IAT", .float))
            if C.BS_STDDEV { c.append(Column("stdIAT", "Standard deviation IAT", .float)) }
            if C.BS_VAR {
                c.append(Column("varIAT", "Variance IAT", .float))
                if C.BS_SK {
                    c.append(Column("skewIAT", "Skewness IAT", .float))
                    c.append(Column("kurIAT", "Kurtosis IAT", .float))
                }
            }
        }
        if BasicStats.statsOn {
            c.append(Column("pktps", "Sent packets per second", .float))
            c.append(Column("bytps", "Sent bytes per second", .float))
            c.append(Column("pktAsm", "Packet stream asymmetry", .float))
            c.append(Column("bytAsm", "Byte stream asymmetry", .float))
        }
        return c
    }

    override var packetColumns: [String] {
        var c = ["pktLen"]
        if C.BS_MOD > 1 { c.append("pktLenMod") }
        c += ["snapL3Len", "snapL4Len", "snapL7Len", "l3Len", "udpLen", "l7Len", "padLen"]
        return c
    }

    unowned(unsafe) var t2: Analyzer!
    var flows: PerFlowStorage<BasicStatsFlow>!
    var packetMode = false

    // End-report aggregates, updated as flows are written (A before B).
    var mxByts: UInt64 = 0
    var mxBytsps: Float = 0
    var mxPkts: UInt64 = 0
    var mxPktsL2: UInt64 = 0
    var mxBytesL2: UInt64 = 0
    var mxPktsL2MAC = MACAddress(raw: 0)
    var mxBytesL2MAC = MACAddress(raw: 0)
    var mxPktsL3: UInt64 = 0
    var mxBytesL3: UInt64 = 0
    var mxPktsL3IP = IPAddress.zero
    var mxBytesL3IP = IPAddress.zero
    /// IP version of the talkers; 0 while unset (the address then prints empty).
    var mxPktsL3Version: UInt8 = 0
    var mxBytesL3Version: UInt8 = 0

    override func initialize(_ t2: Analyzer) throws {
        self.t2 = t2
        flows = PerFlowStorage(capacity: t2.flows.capacity)
        packetMode = t2.packetMode
    }

    override func onNewFlow(_ packet: Packet, flowIndex: Int) {
        let f = flows.pointer(flowIndex)
        f.pointee = BasicStatsFlow()
        f.pointee.minPktSz = 65535
        f.pointee.minIAT = 4.0e12
        // T2 seeds the running average with the first packet's full length (not cut to
        // 16 bits), so the first difference is 0 unless that length is ≥ 64 KiB.
        f.pointee.avePktSz = Float(packetLength(packet))
        // The flow's lastSeen, which the core sets to this packet's time.
        let first = packet.timestamp
        f.pointee.lastSec = first.sec32
        f.pointee.lastNs = first.ns
    }

    override func onLayer2(_ packet: Packet, flowIndex: Int) {
        guard flowIndex != Analyzer.noFlow else { return }
        update(packet, flowIndex)
    }

    override func onLayer4(_ packet: Packet, flowIndex: Int) {
        update(packet, flowIndex)
    }

    /// PACKETLENGTH=3: the layer-7 length from the headers, modulo BS_MOD if set.
    @inline(__always)
    func packetLength(_ packet: Packet) -> Int {
        C.BS_MOD > 1 ? packet.l7Length % C.BS_MOD : packet.l7Length
    }

    @inline(__always)
    func included(_ len: UInt16) -> Bool {
        switch C.BS_XCLD {
        case 1: return Int(len) > C.BS_XMIN
        case 2: return Int(len) < C.BS_XMAX
        case 3: return Int(len) >= C.BS_XMIN && Int(len) <= C.BS_XMAX
        // T2 codes "outside" with `and`, which no length satisfies when XMIN ≤ XMAX.
        case 4: return Int(len) < C.BS_XMIN && Int(len) > C.BS_XMAX
        default: return true
        }
    }

    @inline(__always)
    func update(_ packet: Packet, _ flowIndex: Int) {
        if packetMode { writePacketColumns(packet, flowIndex) }

        let f = flows.pointer(flowIndex)
        let len = UInt16(truncatingIfNeeded: packetLength(packet))
        f.pointee.numTPkts &+= 1
        f.pointee.numTBytes &+= UInt64(len)

        guard BasicStats.statsOn, C.BS_XCLD == 0 || included(len) else { return }
        let n: Float
        if C.BS_XCLD != 0 {
            f.pointee.numXPkts &+= 1
            n = Float(f.pointee.numXPkts)
        } else {
            n = Float(f.pointee.numTPkts)
        }

        if BasicStats.plStats {
            if len < f.pointee.minPktSz { f.pointee.minPktSz = len }
            if len > f.pointee.maxPktSz { f.pointee.maxPktSz = len }
            let d = Float(len) - f.pointee.avePktSz
            f.pointee.avePktSz += d / n
            let d2 = d * d
            f.pointee.varPktSz += (d2 - f.pointee.varPktSz) / n
            if BasicStats.moments {
                f.pointee.m3PktSz += (d2 * d - f.pointee.m3PktSz) / n
                f.pointee.m4PktSz += (d2 * d2 - f.pointee.m4PktSz) / n
            }
        }

        if BasicStats.iatStats {
            // The flow's lastSeen (already this packet's time). Seconds in unsigned
            // 32-bit (a step back of whole seconds gives ≈4.29e9), nanoseconds signed (a
            // step back within the second gives a small negative IAT).
            let t = packet.timestamp
            let secDiff = t.sec32 &- f.pointee.lastSec
            let nsDiff = Int32(bitPattern: t.ns &- f.pointee.lastNs)
            let iat = Float(Double(Float(secDiff)) + Double(Float(nsDiff)) / 1e9)
            if iat < f.pointee.minIAT { f.pointee.minIAT = iat }
            if iat > f.pointee.maxIAT { f.pointee.maxIAT = iat }
            f.pointee.lastSec = t.sec32
            f.pointee.lastNs = t.ns
            let d = iat - f.pointee.aveIAT
            f.pointee.aveIAT += d / n
            let d2 = d * d
            f.pointee.varIAT += (d2 - f.pointee.varIAT) / n
            if BasicStats.moments {
                f.pointee.m3IAT += (d2 * d - f.pointee.m3IAT) / n
                f.pointee.m4IAT += (d2 * d2 - f.pointee.m4IAT) / n
            }
        }
    }

    /// The core's lengths of this packet. Pure L2 flows have no L3/L4 header, and T2
    /// counts all three snapped lengths from behind the L2 header there.
    @inline(__always)
    func writePacketColumns(_ packet: Packet, _ flowIndex: Int) {
        let out = t2.packetLine
        out.appendDecimal(UInt64(packet.rawLength)); out.tab()
        if C.BS_MOD > 1 { out.appendDecimal(UInt64(packetLength(packet))); out.tab() }
        let isL2 = packet.l3Offset < 0
        if isL2 {
            let snap = UInt64(packet.snapL7Length)
            out.appendDecimal(snap); out.tab()
            out.appendDecimal(snap); out.tab()
            out.appendDecimal(snap); out.tab()
        } else {
            out.appendDecimal(UInt64(packet.snapL3Length)); out.tab()
            out.appendDecimal(UInt64(packet.snapL4Length)); out.tab()
            out.appendDecimal(UInt64(packet.snapL7Length)); out.tab()
        }
        out.appendDecimal(UInt64(packet.l3Length)); out.tab()
        var udpLen: UInt16 = 0
        if !isL2 && (packet.l4Proto == 17 || packet.l4Proto == 136) && packet.isFirstFragment {
            udpLen = packet.field16(packet.l4Offset + 4)
        }
        out.appendDecimal(UInt64(udpLen)); out.tab()
        out.appendDecimal(UInt64(packet.l7Length)); out.tab()
        out.appendDecimal(packet.padLength); out.tab()
    }

    override func onFlowTerminate(flowIndex: Int, output: OutputBuffer) {
        let f = flows.pointer(flowIndex)
        let flow = t2.flows[flowIndex]
        let numPkts = f.pointee.numTPkts
        let numBytes = f.pointee.numTBytes
        var oPkts: UInt64 = 0, oBytes: UInt64 = 0
        if flow.hasOpposite {
            let o = flows.pointer(Int(flow.oppositeIndex))
            oPkts = o.pointee.numTPkts
            oBytes = o.pointee.numTBytes
        }

        output.appendU64(numPkts)
        if C.BS_REV_CNT { output.appendU64(oPkts) }
        if C.BS_AGGR_CNT { output.appendU64(numPkts &+ oPkts) }
        if C.BS_PAD { output.appendI64(Int64(bitPattern: flow.padBytes)) }
        output.appendU64(numBytes)
        if C.BS_REV_CNT { output.appendU64(oBytes) }
        if C.BS_AGGR_CNT { output.appendU64(numBytes &+ oBytes) }

        // Not the running average: the byte count over the packet count.
        let avgPktSz: Float = numPkts > 0 ? Float(numBytes) / Float(numPkts) : 0
        var bytps: Float = 0
        if BasicStats.plStats {
            output.appendU16(f.pointee.minPktSz)
            output.appendU16(f.pointee.maxPktSz)
            output.appendFloat(avgPktSz)
            let v = f.pointee.varPktSz
            if C.BS_STDDEV { output.appendFloat(Float(sqrt(Double(v)))) }
            if C.BS_VAR {
                output.appendFloat(v)
                if C.BS_SK {
                    output.appendFloat(skewness(f.pointee.m3PktSz, v))
                    output.appendFloat(kurtosis(f.pointee.m4PktSz, v))
                }
            }
        }
        if BasicStats.iatStats {
            output.appendFloat(f.pointee.minIAT)
            output.appendFloat(f.pointee.maxIAT)
            output.appendFloat(f.pointee.aveIAT)
            let v = f.pointee.varIAT
            if C.BS_STDDEV { output.appendFloat(Float(sqrt(Double(v)))) }
            if C.BS_VAR {
                output.appendFloat(v)
                if C.BS_SK {
                    output.appendFloat(skewness(f.pointee.m3IAT, v))
                    output.appendFloat(kurtosis(f.pointee.m4IAT, v))
                }
            }
        }
        if BasicStats.statsOn {
            let d = flow.duration
            var pktps: Float = 0
            if d.sec != 0 || d.ns != 0 {
                let dur = Float(Double(d.sec32) + Double(d.ns) / 1e9)
                pktps = Float(numPkts) / dur
                bytps = Float(numBytes) / dur
            }
            // A lone B flow counts as the receiving side for packets only: T2 applies
            // the direction to pktAsm but not to bytAsm.
            let dir: Float = !flow.hasOpposite && flow.isB ? -1 : 1
            let pktSum = numPkts &+ oPkts
            let bytSum = numBytes &+ oBytes
            let pktAsm: Float = pktSum > 0 ? dir * (Float(numPkts) - Float(oPkts)) / Float(pktSum) : 0
            let bytAsm: Float = bytSum > 0 ? (Float(numBytes) - Float(oBytes)) / Float(bytSum) : 0
            output.appendFloat(pktps)
            output.appendFloat(bytps)
            output.appendFloat(pktAsm)
            output.appendFloat(bytAsm)
        }

        // Report aggregates.
        if avgPktSz > Float(mxByts) { mxByts = UInt64(avgPktSz) }
        if bytps > mxBytsps {
            mxBytsps = bytps
            mxPkts = numPkts
        }
        if flow.isL2 {
            if numPkts > mxPktsL2 {
                mxPktsL2 = numPkts
                mxPktsL2MAC = flow.key.srcMAC
            }
            if numBytes > mxBytesL2 {
                mxBytesL2 = numBytes
                mxBytesL2MAC = flow.key.srcMAC
            }
        } else {
            if numPkts > mxPktsL3 {
                mxPktsL3 = numPkts
                mxPktsL3IP = flow.srcIP
                mxPktsL3Version = flow.ipVersion
            }
            if numBytes > mxBytesL3 {
                mxBytesL3 = numBytes
                mxBytesL3IP = flow.srcIP
                mxBytesL3Version = flow.ipVersion
            }
        }
    }

    func skewness(_ m3: Float, _ v: Float) -> Float {
        v > 0 ? Float(Double(m3) / pow(Double(v), 1.5)) : 0
    }

    func kurtosis(_ m4: Float, _ v: Float) -> Float {
        v > 0 ? m4 / (v * v) : 0
    }

    override func report(_ report: PluginReport) {
        report.line("Flow max(pktload): \(mxByts)\(ReportFormat.hr(mxByts))")
        // T2 multiplies in single precision and truncates; the human-readable part
        // takes the unit b/s.
        let bps = mxBytsps * 8
        let b: UInt64 = bps > 0 && bps < 1.8e19 ? UInt64(bps) : 0
        report.line("Flow max(b/s), pkts: \(b)\(ReportFormat.hr(b, unit: "b/s")), \(mxPkts)\(ReportFormat.hr(mxPkts))")

        let numPackets = report.numPackets
        let c = t2.counters
        let abBytes = c.numABytes &+ c.numBBytes
        if mxPktsL2 > 0 {
            let mp = BasicStats.macString(mxPktsL2MAC)
            report.line(ReportFormat.nump("Biggest L2 flow talker: \(mp)", mxPktsL2, of: numPackets) + " packets")
            let mb = BasicStats.macString(mxBytesL2MAC)
            report.line(ReportFormat.nump("Biggest L2 flow talker: \(mb)", mxBytesL2, of: abBytes) + " bytes")
        }
        if mxPktsL3 > 0 {
            let ip = BasicStats.ipString(mxPktsL3IP, mxPktsL3Version)
            report.line(ReportFormat.nump("Biggest L3 flow talker: \(ip)", mxPktsL3, of: numPackets) + " packets")
            let ipb = BasicStats.ipString(mxBytesL3IP, mxBytesL3Version)
            report.line(ReportFormat.nump("Biggest L3 flow talker: \(ipb)", mxBytesL3, of: abBytes) + " bytes")
        }
    }

    static func macString(_ m: MACAddress) -> String {
        let b = TextBuffer()
        b.appendMAC(m)
        return b.string
    }

    /// Empty for a talker that was never set.
    static func ipString(_ a: IPAddress, _ version: UInt8) -> String {
        guard version == 4 || version == 6 else { return "" }
        let b = TextBuffer()
        b.appendIP(a, version: version)
        return b.string
    }

    override func finalize() {
        flows?.deallocate()
    }
}

@_cdecl("t2PluginCreate")
public func t2PluginCreate() -> UnsafeMutableRawPointer { T2Plugin.export(BasicStats()) }
