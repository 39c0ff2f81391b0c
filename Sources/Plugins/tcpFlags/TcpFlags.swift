// tcpFlags aggregates IP- and TCP-header information over a flow: IP flags, options,
// TTL, IP ID and ToS; IPv4 header and L4 checksum validation; fragmentation anomalies;
// TCP flags and flag-combination anomalies; retransmission, duplicate-ACK and
// keep-alive heuristics; sequence/ACK byte accounting and bytes in flight; effective
// window statistics; TCP options (MSS, window scale, timestamps, SACK, MPTCP); a JA4T
// fingerprint; a clock-rate and boot-time estimate from TCP timestamps; a TCP scan
// detector; and round-trip time estimates. See spec/plugins/tcpFlags.md; the
// reference's quirks are reproduced on purpose and marked "quirk".

#if canImport(Glibc)
import Glibc
#endif
import T2Core

/// tcpFStat bits.
enum TcpFStat {
    static let IP_INT_DIST: UInt16 = 0x0001     // packet usable for inter-distance assessment
    static let TS_INIT: UInt16 = 0x0002         // TCP timestamp option initialised
    static let TS_DEC: UInt16 = 0x0004          // timestamp value decreased
    static let OPT_CORRUPT: UInt16 = 0x0008     // L4 option field corrupt or not captured
    static let WIN_INIT: UInt16 = 0x0010        // window state machine initialised
    static let WIN_UPDATE: UInt16 = 0x0020
    static let ZWIN_PROBE: UInt16 = 0x0040
    static let ZWIN_PROBE_ACK: UInt16 = 0x0080
    static let WIN_BELOW_MIN: UInt16 = 0x0100
    static let WIN_SCALE: UInt16 = 0x0200
    static let WIN_FULL: UInt16 = 0x0400
    static let WIN_UP: UInt16 = 0x0800          // window direction state "up"
    static let L4CHK_PENDING: UInt16 = 0x1000
    static let SACK: UInt16 = 0x4000
    static let MPTCP: UInt16 = 0x8000
    /// Bits carried from packet to packet.
    static let PERSISTENT: UInt16 = 0x8A13
}

/// ipFlags bits.
enum IpFlags {
    static let OPT_CORRUPT: UInt16 = 0x0001
    static let IPID_ROLLOVER: UInt16 = 0x0004
    static let FRAG_BELOW_MIN: UInt16 = 0x0008
    static let FRAG_OUT_OF_RANGE: UInt16 = 0x0010
    static let FRAG_POS_ERR: UInt16 = 0x0100
    static let FRAG_SEQ_ERR: UInt16 = 0x0200
    static let HDR_CHKSUM_ERR: UInt16 = 0x0400
    static let L4_CHKSUM_ERR: UInt16 = 0x0800
    static let SNAPPED: UInt16 = 0x1000
    static let UDP_LEN_ERR: UInt16 = 0x2000
    static let DIST_ZERO: UInt16 = 0x4000
    static let DIST_NEG: UInt16 = 0x8000
}

/// tcpAnomaly bits.
enum TcpAnomaly {
    static let SYN_RETRY: UInt16 = 0x0001
    static let SEQ_RETRY: UInt16 = 0x0002
    static let FAST_RETRY: UInt16 = 0x0004
    static let DUP_ACK: UInt16 = 0x0008
    static let KEEP_ALIVE: UInt16 = 0x0010
    static let KEEP_ALIVE_ACK: UInt16 = 0x0020
    static let SEQ_OUT_OF_ORDER: UInt16 = 0x0040
    static let SEQ_MESS: UInt16 = 0x0080
    static let ACK_UNSEEN: UInt16 = 0x0100
    static let PREV_NOT_CAPTURED: UInt16 = 0x0200
    static let SCAN: UInt16 = 0x1000
    static let SCAN_SUCCESS: UInt16 = 0x2000
    static let SYN_L7: UInt16 = 0x4000
}

final class TcpFlags: T2Plugin {
    typealias C = TcpFlagsConfig

    /// RTT retransmission factor.
    static let RTRFAC = 1.5
    /// Fragments with MF below this IP length are reported.
    static let FRAG_MINSIZE = 48
    static let FRAG_OFFSET_MAX: UInt16 = 0x1FFF
    /// Flows with fewer TCP packets may be scans.
    static let TCP_SCAN_PMAX: UInt8 = 4
    static let JA4T_MAX = min(max(C.JA4TOPTMX, 0), 40)

    override var name: String { "tcpFlags" }

    override var columns: [Column] {
        var c: [Column] = [
            Column("tcpFStat", "tcpFlags status", .h16),
            Column("ipMindIPID", "IP minimum delta IP ID", .u16),
            Column("ipMaxdIPID", "IP maximum delta IP ID", .u16),
            Column("ipMinTTL", "IP minimum TTL", .u8),
            Column("ipMaxTTL", "IP maximum TTL", .u8),
            Column("ipTTLChg", "IP TTL change count", .u8),
        ]
        switch C.IPTOS {
        case 1: c.append(Column("ipToSDscp_ecn", "IP Type of Service DSCP, ECN", compound: [.u8, .u8]))
        case 2: c.append(Column("ipToSPrec_ecn", "IP Type of Service precedence, ECN", compound: [.u8, .u8]))
        default: c.append(Column("ipToS", "IP Type of Service hex", .h8))
        }
        c += [
            Column("ipFlags", "IP aggregated flags", .h16),
            Column("ipOptCnt", "IP options count", .u16),
            Column("ipOptCpCl_Num", "IP aggregated options, copy-class and number", compound: [.h8, .h32]),
            Column("ip6OptCntHH_D", "IPv6 Hop-by-Hop destination option counts", compound: [.u16, .u16]),
            Column("ip6OptHH_D", "IPv6 aggregated Hop-by-Hop destination options", compound: [.h32, .h32]),
        ]
        if C.SEQ_ACK_NUM {
            c += [
                Column("tcpISeqN", "TCP initial sequence number", .u32),
                Column("tcpPSeqCnt", "TCP packet seq count", .u16),
                Column("tcpSeqSntBytes", "TCP sent seq diff bytes", .u64),
                Column("tcpSeqFaultCnt", "TCP sequence number fault count", .u16),
                Column("tcpPAckCnt", "TCP packet ACK count", .u16),
                Column("tcpFlwLssAckRcvdBytes", "TCP flawless ACK received bytes", .u64),
                Column("tcpAckFaultCnt", "TCP ACK number fault count", .u16),
                Column("tcpBFlgtMx", "TCP Bytes in Flight MAX", .u32),
            ]
        }
        if C.WINDOWSIZE {
            c += [
                Column("tcpInitWinSz", "TCP initial effective window size", .u32),
                Column("tcpAvgWinSz", "TCP average effective window size", .float),
                Column("tcpMinWinSz", "TCP minimum effective window size", .u32),
                Column("tcpMaxWinSz", "TCP maximum effective window size", .u32),
                Column("tcpWinSzDwnCnt", "TCP effective window size change down count", .u16),
                Column("tcpWinSzUpCnt", "TCP effective window size change up count", .u16),
                Column("tcpWinSzChgDirCnt", "TCP effective window size direction change count", .u16),
                Column("tcpWinSzThRt", "TCP packet count ratio below window size WINMIN threshold", .float),
            ]
        }
        c += [
            Column("tcpFlags", "TCP aggregated protocol flags (FIN-ACK, SYN-ACK, RST-ACK, CWR, ECE, URG, ACK, PSH, RST, SYN, FIN)", .h16),
            Column("tcpAnomaly", "TCP aggregated header anomaly flags", .h16),
        ]
        if C.TCPJA4T { c.append(Column("tcpJA4T", "TCP JA4T/JA4TS fingerprint", .stringClass)) }
        c += [
            Column("tcpOptPktCnt", "TCP options packet count", .u16),
            Column("tcpOptCnt", "TCP options count", .u16),
            Column("tcpOptions", "TCP aggregated options", .h32),
            Column("tcpMSS", "TCP maximum segment size", .u16),
            Column("tcpWS", "TCP window scale", .u16),
        ]
        if C.MPTCP {
            c += [
                Column("tcpMPTBF", "TCP MPTCP type bitfield", .h16),
                Column("tcpMPF", "TCP MPTCP flags", .h8),
                Column("tcpMPAID", "TCP MPTCP address ID", .u8),
                Column("tcpMPDSSF", "TCP MPTCP DSS flags", .h8),
            ]
        }
        if C.NAT_BT_EST {
            c += [
                Column("tcpTmS", "TCP time stamp", .u32),
                Column("tcpTmER", "TCP time echo reply", .u32),
                Column("tcpEcI", "TCP estimated counter increment", .float),
                Column("tcpUtm", "TCP estimated up time", .double),
                Column("tcpBtm", "TCP estimated boot time", .timestamp),
            ]
        }
        if C.RTT_ESTIMATE {
            c += [
                Column("tcpSSASAATrip", "TCP trip time (A: SYN, SYN-ACK, B: SYN-ACK, ACK)", .float),
                Column("tcpRTTAckTripMin", "TCP ACK trip min", .float),
                Column("tcpRTTAckTripMax", "TCP ACK trip max", .float),
                Column("tcpRTTAckTripAvg", "TCP ACK trip average", .float),
                Column("tcpRTTAckTripJitAvg", "TCP ACK trip jitter average", .float),
                Column("tcpRTTSseqAA", "TCP round trip time (A: SYN, SYN-ACK, ACK, B: ACK-ACK)", .float),
                Column("tcpRTTAckJitAvg", "TCP ACK round trip average jitter", .float),
            ]
        }
        return c
    }

    override var packetColumns: [String] {
        ["ipToS", "ipID", "ipIDDiff", "ipFrag", "ipTTL", "ipHdrChkSum", "ipCalChkSum", "l4HdrChkSum",
         "l4CalChkSum", "ipFlags", "ip6HHOptLen", "ip6HHOpts", "ip6DOptLen", "ip6DOpts", "ipOptLen", "ipOpts",
         "seq", "ack", "seqMax", "seqDiff", "ackDiff", "seqLen", "ackLen", "seqFlowLen", "ackFlowLen",
         "tcpMLen", "tcpBFlgt", "tcpFStat", "tcpFlags", "tcpAnomaly", "tcpWin", "tcpWS", "tcpMSS", "tcpTmS",
         "tcpTmER", "tcpMPTyp", "tcpMPF", "tcpMPAID", "tcpMPDSSF", "tcpOptLen", "tcpOpts"]
    }

    unowned(unsafe) var t2: Analyzer!
    /// The core's flow table, read without reference counting on the per-packet path.
    var table: Unmanaged<FlowTable>!
    var flows: PerFlowStorage<TcpFlagsFlow>!
    var packetMode = false

    // MARK: Report aggregates (ORs over the output flows) and counters
    var gIpFlags: UInt16 = 0
    var gFStat: UInt16 = 0
    var gFlags: UInt16 = 0
    var gAnomaly: UInt16 = 0
    var gToS: UInt8 = 0
    var gMpTypes: UInt16 = 0
    var gMpFlags: UInt8 = 0
    var numScans: UInt64 = 0
    var numScansSuccess: UInt64 = 0
    var numSynRetries: UInt64 = 0
    var numSeqRetries: UInt64 = 0
    var numWinBelowMin: UInt64 = 0
    var numTcpPackets: UInt64 = 0
    var numMptcp: UInt64 = 0

    override func initialize(_ t2: Analyzer) throws {
        self.t2 = t2
        table = Unmanaged.passUnretained(t2.flows)
        flows = PerFlowStorage(capacity: t2.flows.capacity)
        packetMode = t2.packetMode
    }

    // MARK: Flow creation

    override func onNewFlow(_ packet: Packet, flowIndex: Int) {
        flows.clear(flowIndex)
        let f = flows.pointer(flowIndex)
        f.pointee.lastPktTime = packet.timestamp
        f.pointee.minIPIDdiff = 0xFFFF
        f.pointee.rttMin = 65535.0
        if table._withUnsafeGuaranteedRef({ $0[flowIndex].isL2 }) { return }
        let l3 = packet.l3Offset
        let ttl: UInt8
        if packet.ipVersion == 4 {
            f.pointee.lastIPID = rd16(packet, l3 + 4)
            ttl = rd8(packet, l3 + 8)
        } else {
            ttl = rd8(packet, l3 + 7)
        }
        f.pointee.lastTTL = ttl
        f.pointee.minTTL = ttl
        f.pointee.maxTTL = ttl
        if packet.l4Proto == 6 {
            // Read at the L4 offset even for a later fragment (then payload bytes).
            let l4 = packet.l4Offset
            let seq = rd32(packet, l4 + 4)
            f.pointee.seqInit = seq
            f.pointee.seqLast = seq
            f.pointee.seqNext = seq
            f.pointee.seqMax = seq
            let ack = rd32(packet, l4 + 8)
            f.pointee.ackLast = ack
            f.pointee.ackInit = ack
            if rd8(packet, l4 + 13) == 0x02 && packet.snapL7Length > 0 {
                f.pointee.anomaly |= TcpAnomaly.SYN_L7
            }
        }
    }

    override func onLayer2(_ packet: Packet, flowIndex: Int) {
        // Pure L2 flows are not analysed: all 41 packet columns stay empty.
        if packetMode && flowIndex != Analyzer.noFlow {
            let out = t2.packetLine
            for _ in 0..<41 { out.tab() }
        }
    }

    /// T2's time difference: unsigned 32-bit seconds, signed nanoseconds, as float.
    @inline(__always)
    static func timeDiff(_ a: Timestamp, _ b: Timestamp) -> Float {
        let s = UInt32(truncatingIfNeeded: a.sec) &- UInt32(truncatingIfNeeded: b.sec)
        let n = Int64(a.ns) - Int64(b.ns)
        return Float(Double(s) + Double(n) / 1e9)
    }

    // MARK: Per packet

    override func onLayer4(_ packet: Packet, flowIndex: Int) {
        let fi = flowIndex
        let f = flows.pointer(fi)
        let oi = Int(table._withUnsafeGuaranteedRef { $0[fi].oppositeIndex })
        let o: UnsafeMutablePointer<TcpFlagsFlow>? = oi >= 0 ? flows.pointer(oi) : nil
        let t = packet.timestamp
        let raw = packet.raw
        let l3 = packet.l3Offset
        let l4 = packet.l4Offset
        let proto = packet.l4Proto
        let isV4 = packet.ipVersion == 4
        let snapL3 = packet.snapL3Length
        let snapL4 = packet.snapL4Length
        let l3Len = packet.l3Length
        let l3HdLen = packet.l3HeaderLength
        let l4Len = Int(UInt16(truncatingIfNeeded: l3Len - l3HdLen))

        f.pointee.pktCnt += 1
        var s = f.pointee.stat & TcpFStat.PERSISTENT
        var ipf: UInt16 = 0

        // MARK: IP header
        var mf = false
        var isFragment = false
        var firstFrag = true
        var fragOff: UInt16 = 0
        var fragField: UInt16 = 0
        var off6: UInt16 = 0
        let ttl: UInt8
        let tos: UInt8
        var ipID: UInt16 = 0
        var ipOptLen = 0
        var hhLen = 0, dLen = 0
        if isV4 {
            fragField = raw.be16(l3 + 6)
            ipf = UInt16(fragField >> 8) & 0xE0
            mf = fragField & 0x2000 != 0
            fragOff = fragField & 0x1FFF
            isFragment = mf || fragOff != 0
            firstFrag = fragOff == 0
            ttl = raw.u8(l3 + 8)
            tos = raw.u8(l3 + 1)
            ipID = raw.be16(l3 + 4)
            ipOptLen = l3HdLen - 20
            if ipOptLen > 0 {
                if snapL3 < l3HdLen || l3Len < l3HdLen {
                    ipf |= IpFlags.OPT_CORRUPT
                } else {
                    let ob = l3 + 20
                    var i = 0
                    while i < ipOptLen {
                        let k = rd8(packet, ob + i)
                        if k == 0 { break }
                        f.pointee.cpcl |= k & 0xE0
                        f.pointee.ipOptBits |= 1 &<< UInt32(k & 31)
                        f.pointee.ipOptCnt &+= 1
                        let len = rd8(packet, ob + i + 1)
                        if k > 1 && len == 0 {
                            ipf |= IpFlags.OPT_CORRUPT
                            break
                        }
                        i += k > 1 ? Int(len) : 1
                    }
                }
            }
        } else {
            ttl = raw.u8(l3 + 7)
            tos = UInt8(truncatingIfNeeded: raw.be16(l3) >> 4)
            let fh = packet.ipv6FragOffset
            if fh >= 0 {
                // Quirk: the flags are taken from the high offset byte, shifted.
                ipf = UInt16((Int(rd8(packet, fh + 2)) << 1) & 0xE0)
                fragField = rd16(packet, fh + 2)
                off6 = fragField >> 3
                mf = fragField & 1 != 0
            }
            isFragment = off6 != 0
            // Quirk: T2 masks the offset in the wrong byte order.
            firstFrag = off6 & 0xFF1F == 0
            let hh = packet.ipv6HopByHopOffset
            let dst = packet.ipv6DestOptsOffset
            if hh >= 0 { hhLen = (Int(rd8(packet, hh + 1)) + 1) * 8 - 2 }
            if dst >= 0 { dLen = (Int(rd8(packet, dst + 1)) + 1) * 8 - 2 }
            if hhLen > 0 || dLen > 0 {
                if snapL3 < l3HdLen || l3Len < l3HdLen {
                    ipf |= IpFlags.OPT_CORRUPT
                } else {
                    if hhLen > 0 {
                        TcpFlags.walkIPv6Options(packet, hh + 2, hhLen, &f.pointee.ip6HHBits, &f.pointee.ip6HHCnt)
                    }
                    if dLen > 0 {
                        TcpFlags.walkIPv6Options(packet, dst + 2, dLen, &f.pointee.ip6DBits, &f.pointee.ip6DCnt)
                    }
                }
            }
        }

        // MARK: TTL, ToS, IP ID
        if ttl != f.pointee.lastTTL {
            f.pointee.ttlChg &+= 1
            f.pointee.lastTTL = ttl
            if ttl < f.pointee.minTTL { f.pointee.minTTL = ttl }
            if ttl > f.pointee.maxTTL { f.pointee.maxTTL = ttl }
        }
        f.pointee.tos |= tos
        var ipIDDiff: Int32 = 0
        var ipHdrChk: UInt16 = 0
        var ipCalChk: UInt16 = 0
        if isV4 {
            if s & TcpFStat.IP_INT_DIST != 0 {
                let diff = Int32(ipID) - Int32(f.pointee.lastIPID)
                ipIDDiff = diff
                // Any decrease counts as a roll over.
                if ipID < f.pointee.lastIPID { ipf |= IpFlags.IPID_ROLLOVER }
                if diff < Int32(f.pointee.minIPIDdiff) { f.pointee.minIPIDdiff = UInt16(truncatingIfNeeded: diff) }
                if diff > Int32(f.pointee.maxIPIDdiff) { f.pointee.maxIPIDdiff = UInt16(truncatingIfNeeded: diff) }
            }
            if C.IPCHECKSUM > 0 {
                ipHdrChk = raw.be16(l3 + 10)
                if snapL3 < l3HdLen {
                    ipf |= IpFlags.SNAPPED | IpFlags.HDR_CHKSUM_ERR
                } else {
                    ipCalChk = ~InternetChecksum.fold(InternetChecksum.sum(raw + l3, l3HdLen, skip: 5))
                    if ipCalChk != ipHdrChk { ipf |= IpFlags.HDR_CHKSUM_ERR }
                }
            }
        }

        // MARK: L4 checksum
        if C.IPCHECKSUM > 1 {
            var pseudo = true
            var check = true
            if firstFrag {
                s |= TcpFStat.L4CHK_PENDING
                var w = -1
                var known = true
                var sumLen = l4Len
                switch proto {
                case 1, 2:
                    w = 1; pseudo = false
                case 58:
                    w = 1
                case 6:
                    w = 8
                case 17, 136:
                    let udpLen = Int(rd16(packet, l4 + 4))
                    if proto == 136 {
                        if udpLen >= 8 && udpLen <= l4Len { sumLen = udpLen } else { ipf |= IpFlags.UDP_LEN_ERR }
                    }
                    if snapL4 != udpLen { ipf |= IpFlags.UDP_LEN_ERR }
                    w = 3
                case 47:
                    // Quirk: GRE is summed with a pseudo header.
                    if rd8(packet, l4) & 0x80 != 0 { w = 2 }
                case 89:
                    w = 6
                    pseudo = rd8(packet, l4) != 2
                default:
                    known = false
                }
                if !known {
                    if snapL3 < l3Len { ipf |= IpFlags.SNAPPED | IpFlags.L4_CHKSUM_ERR }
                    s &= ~TcpFStat.L4CHK_PENDING
                    check = false
                } else {
                    f.pointee.l4Hdr = rd16(packet, l4 + 2 * max(w, 0))
                    f.pointee.totL4Len = 0
                    if snapL3 < l3Len || snapL4 < l4Len {
                        ipf |= IpFlags.SNAPPED | IpFlags.L4_CHKSUM_ERR
                    } else if w >= 0 {
                        f.pointee.l4Sum = InternetChecksum.fold(InternetChecksum.sum(raw + l4, sumLen, skip: w))
                        f.pointee.l4Cal = ~f.pointee.l4Sum
                    }
                }
            }
            if check {
                f.pointee.totL4Len &+= UInt32(l4Len)
                if !mf {
                    if pseudo {
                        let len = firstFrag ? UInt32(l4Len) : f.pointee.totL4Len
                        var ps: UInt64 = UInt64(f.pointee.l4Sum) + UInt64(proto)
                        if isV4 {
                            ps += InternetChecksum.sum(raw + l3 + 12, 8, skip: -1) + UInt64(len & 0xFFFF)
                        } else {
                            ps += InternetChecksum.sum(raw + l3 + 8, 32, skip: -1) + UInt64(len >> 16) + UInt64(len & 0xFFFF)
                        }
                        f.pointee.l4Sum = InternetChecksum.fold(ps)
                    }
                    let calc: UInt16 = f.pointee.l4Sum == 0xFFFF ? 0xFFFF : ~f.pointee.l4Sum
                    f.pointee.l4Cal = calc
                    if calc != f.pointee.l4Hdr { ipf |= IpFlags.L4_CHKSUM_ERR }
                    s &= ~TcpFStat.L4CHK_PENDING
                }
            }
        }

        // MARK: Inter-packet distance
        let dd = TcpFlags.timeDiff(t, f.pointee.lastPktTime)
        if s & TcpFStat.IP_INT_DIST != 0 {
            if dd == 0 {
                ipf |= IpFlags.DIST_ZERO
            } else if dd < 0 {
                ipf |= IpFlags.DIST_NEG
                t2.flows.setStatus(FlowStat.TIMEJUMP, flowIndex: fi)
            }
        }
        f.pointee.lastPktTime = t

        // MARK: Fragments
        if C.FRAG_ANALYZE && isFragment {
            // Quirk: the IPv6 offset is byte-swapped.
            let off: UInt16 = isV4 ? fragOff : off6.byteSwapped & TcpFlags.FRAG_OFFSET_MAX
            if mf && l3Len < TcpFlags.FRAG_MINSIZE { ipf |= IpFlags.FRAG_BELOW_MIN }
            if Int(off) - Int(f.pointee.nextFragExp) > 1 { ipf |= IpFlags.FRAG_POS_ERR }
            f.pointee.nextFragExp = UInt16(truncatingIfNeeded: Int(off) + (l4Len >> 3))
            if f.pointee.nextFragExp > TcpFlags.FRAG_OFFSET_MAX { ipf |= IpFlags.FRAG_OUT_OF_RANGE }
        }
        f.pointee.ipFlags |= ipf
        f.pointee.lastIPID = ipID

        // MARK: RTT sample (stored in the opposite flow)
        if C.RTT_ESTIMATE, let o = o, f.pointee.rttState != RttState.STOP {
            let ol = table._withUnsafeGuaranteedRef { $0[oi].lastSeen }
            let secs = Double(Int64(bitPattern: t.sec &- ol.sec))
            let r = Float(abs(secs + Double(Float(t.ns) - Float(ol.ns)) / 1e9))
            if r < o.pointee.rttMin { o.pointee.rttMin = r }
            if r > o.pointee.rttMax { o.pointee.rttMax = r }
            if o.pointee.rttState & (RttState.SYN | RttState.SYNACK) != 0 && o.pointee.pktCnt == 1 {
                o.pointee.trip = r
                o.pointee.rttAvg = r
            } else {
                let q = r - o.pointee.rttAvg
                o.pointee.rttAvg += q / f.pointee.pktCnt
                o.pointee.rttJit += (q * q - o.pointee.rttJit) / f.pointee.pktCnt
                o.pointee.rttState = RttState.ACK
            }
        }

        // MARK: Non-TCP packets and later TCP fragments
        if proto != 6 || !firstFrag {
            if f.pointee.pktCnt == 1 {
                f.pointee.rttState = RttState.SYNACK
            } else if f.pointee.rttState == RttState.SYNACK {
                f.pointee.rttState = RttState.ACK
            }
            s |= TcpFStat.IP_INT_DIST
            f.pointee.stat |= s
            if packetMode {
                printIPColumns(packet, tos: tos, ipID: ipID, ipIDDiff: ipIDDiff, fragField: fragField, ttl: ttl,
                               ipHdrChk: ipHdrChk, ipCalChk: ipCalChk, l4Hdr: f.pointee.l4Hdr,
                               l4Cal: f.pointee.l4Cal, ipf: ipf, hhLen: hhLen, dLen: dLen, ipOptLen: ipOptLen)
                // seq … tcpBFlgt empty, tcpFStat 0x0000, the rest empty but tcpOptLen 0.
                t2.packetLine.append("\t\t\t\t\t\t\t\t\t\t\t0x0000\t\t\t\t\t\t\t\t\t\t\t\t0\t\t" as StaticString)
            }
            return
        }

        // MARK: TCP flags
        var fl = UInt16(rd8(packet, l4 + 13))
        var an: UInt16 = 0
        let l7 = packet.l7Length
        let tcpHdrLen = packet.l4HeaderLength
        let optLen = tcpHdrLen - 20
        if fl & 0x3F == 0x00 {
            fl |= 0x0800
            an |= TcpAnomaly.SCAN
        } else if fl & 0x3F == 0x29 {
            fl |= 0x8000
            an |= TcpAnomaly.SCAN
        }
        switch fl & 0x17 {
        case 0x02:
            if f.pointee.rttState == RttState.SYN {
                if Double(dd) > 0.9 {
                    an |= TcpAnomaly.SYN_RETRY
                    numSynRetries += 1
                } else {
                    an |= TcpAnomaly.SCAN
                    numScans += 1
                }
            }
            if l7 > 0 { an |= TcpAnomaly.SYN_L7 }
            f.pointee.rttState = RttState.SYN
        case 0x12:
            fl |= 0x0200
            f.pointee.rttState = RttState.SYNACK
        case 0x10:
            if f.pointee.rttState == RttState.SYNACK { f.pointee.rttState = RttState.ACK }
            if let o = o {
                if o.pointee.rttState == 0 || o.pointee.rttState == RttState.SYNACK { o.pointee.rttState = RttState.ACK }
                o.pointee.inFlight = 0
                f.pointee.inFlight &+= UInt32(truncatingIfNeeded: l7)
                if f.pointee.inFlight > f.pointee.inFlightMax { f.pointee.inFlightMax = f.pointee.inFlight }
            }
        case 0x11:
            fl |= 0x0100
            f.pointee.rttState = RttState.STOP
        case 0x14:
            fl |= 0x0400
            f.pointee.rttState = RttState.STOP
        case 0x03:
            fl |= 0x1000
            f.pointee.rttState = RttState.STOP
        case 0x07:
            fl |= 0x2000
            f.pointee.rttState = RttState.STOP
        case 0x05:
            fl |= 0x4000
            f.pointee.rttState = RttState.STOP
        default:
            f.pointee.rttState = RttState.STOP
        }

        // MARK: TCP options
        var mpSub: UInt8 = 0
        if optLen > 0 {
            if snapL3 < l3HdLen + tcpHdrLen && l4Len >= tcpHdrLen {
                s |= TcpFStat.OPT_CORRUPT
            } else {
                f.pointee.optPktCnt &+= 1
                let ob = l4 + 20
                var i = 0
                while i < optLen {
                    let k = rd8(packet, ob + i)
                    if k == 0 { break }
                    f.pointee.optCnt &+= 1
                    if fl & 0x02 != 0 && Int(f.pointee.ja4tCnt) < TcpFlags.JA4T_MAX {
                        let n = Int(f.pointee.ja4tCnt)
                        withUnsafeMutableBytes(of: &f.pointee.ja4tKinds) { $0[n] = k }
                        f.pointee.ja4tCnt += 1
                    }
                    f.pointee.optBits |= k < 31 ? (1 &<< UInt32(k)) : 0x8000_0000
                    let len = rd8(packet, ob + i + 1)
                    if k > 1 && len == 0 {
                        s |= TcpFStat.OPT_CORRUPT
                        break
                    }
                    switch k {
                    case 2:
                        f.pointee.mss = rd16(packet, ob + i + 2)
                    case 5:
                        s |= TcpFStat.SACK
                    case 3:
                        if fl & 0x02 != 0 {
                            f.pointee.wsShift = rd8(packet, ob + i + 2)
                            if fl & 0x12 == 0x12 {
                                // Scaling starts with the next packet of each direction.
                                f.pointee.stat |= TcpFStat.WIN_SCALE
                                o?.pointee.stat |= TcpFStat.WIN_SCALE
                            }
                        }
                    case 8:
                        let tsVal = rd32(packet, ob + i + 2)
                        f.pointee.tsVal = tsVal
                        f.pointee.tsEcr = rd32(packet, ob + i + 6)
                        f.pointee.tsLastTime = t
                        if tsVal < f.pointee.tsPrevVal {
                            s |= TcpFStat.TS_DEC
                        } else {
                            f.pointee.tsPrevVal = tsVal
                            if s & TcpFStat.TS_INIT == 0 {
                                f.pointee.tsFirstVal = tsVal
                                f.pointee.tsFirstTime = t
                                s |= TcpFStat.TS_INIT
                            }
                        }
                    case 30:
                        let b2 = rd8(packet, ob + i + 2)
                        let b3 = rd8(packet, ob + i + 3)
                        let st = b2 >> 4
                        mpSub = st
                        f.pointee.mpTypes |= 1 &<< UInt16(st)
                        switch st {
                        case 0:
                            f.pointee.mpFlags |= b3
                        case 1, 5:
                            if len <= 16 {
                                f.pointee.mpFlags |= b2 & 0x0F
                                f.pointee.mpAddrId = b3
                            }
                        case 2:
                            f.pointee.mpDssFlags |= b3 & 0x1F
                        case 3, 4:
                            f.pointee.mpAddrId = b3
                        default:
                            break
                        }
                        s |= TcpFStat.MPTCP
                        numMptcp += 1
                    default:
                        break
                    }
                    i += k > 1 ? Int(len) : 1
                }
            }
        }

        // MARK: Effective window
        var w = UInt32(rd16(packet, l4 + 14))
        var wsc: UInt32 = 0
        if s & TcpFStat.WIN_SCALE != 0 {
            wsc = 1 &<< UInt32(f.pointee.wsShift)
            w = w &* wsc
        }
        numTcpPackets += 1
        f.pointee.winPkts &+= 1
        if fl & 0x07 == 0 && w < UInt32(C.WINMIN) {
            numWinBelowMin += 1
            f.pointee.winMinCnt &+= 1
            s |= TcpFStat.WIN_BELOW_MIN
        }
        if s & TcpFStat.WIN_INIT == 0 {
            f.pointee.winMin = w
            f.pointee.winMax = w
            f.pointee.winInit = w
            f.pointee.winLast = w
            f.pointee.winAvg = Float(w)
            s |= TcpFStat.WIN_INIT
        }
        f.pointee.winAvg = Float(Double(f.pointee.winAvg) * 0.7 + Double(Float(w)) * 0.3)
        let winLast = f.pointee.winLast
        if s & TcpFStat.WIN_UP == 0 {
            if w < winLast {
                f.pointee.winDwn &+= 1
                if w < f.pointee.winMin { f.pointee.winMin = w }
            } else if w > winLast {
                f.pointee.winChg &+= 1
                f.pointee.winUp &+= 1
                if w > f.pointee.winMax { f.pointee.winMax = w }
                s |= TcpFStat.WIN_UP
            }
        } else {
            if w > winLast {
                f.pointee.winUp &+= 1
                if w > f.pointee.winMax { f.pointee.winMax = w }
            } else if w < winLast {
                f.pointee.winChg &+= 1
                f.pointee.winDwn &+= 1
                if w < f.pointee.winMin { f.pointee.winMin = w }
                s &= ~TcpFStat.WIN_UP
            }
        }

        // MARK: Sequence / acknowledgement analysis
        let seq = rd32(packet, l4 + 4)
        let ack = rd32(packet, l4 + 8)
        let seqMaxBefore = f.pointee.seqMax
        var sd: Int32 = 0, ad: Int32 = 0
        var seqDiff: Int32 = 0, ackDiff: Int32 = 0
        if C.SEQ_ACK_NUM {
            if let o = o, fl & 0x07 == 0 {
                if o.pointee.winLast == 0 && l7 == 1 {
                    s |= TcpFStat.ZWIN_PROBE
                } else if o.pointee.statLast & TcpFStat.ZWIN_PROBE != 0 && w == 0 && l7 == 0 {
                    s |= TcpFStat.ZWIN_PROBE_ACK
                }
            }
            if fl & 0x10 != 0 && s & (TcpFStat.ZWIN_PROBE | TcpFStat.ZWIN_PROBE_ACK) == 0 {
                if l7 <= 1 && fl & 0x07 == 0 {
                    if seq == f.pointee.seqMax &- 1 {
                        an |= TcpAnomaly.KEEP_ALIVE
                    } else if let o = o, o.pointee.seqNext == ack &- 1 {
                        an |= TcpAnomaly.KEEP_ALIVE_ACK
                    }
                }
                if ack == f.pointee.ackLast && an & (TcpAnomaly.KEEP_ALIVE | TcpAnomaly.KEEP_ALIVE_ACK) == 0 {
                    if s & TcpFStat.IP_INT_DIST != 0 && fl & 0x07 == 0 && l7 == 0 {
                        if f.pointee.winLast == w || (s & TcpFStat.WIN_SCALE != 0 && f.pointee.winLast &* wsc == w) {
                            an |= TcpAnomaly.DUP_ACK
                            f.pointee.ackFault &+= 1
                        } else if seq == f.pointee.seqNext {
                            s |= TcpFStat.WIN_UPDATE
                        }
                    }
                    if fl & 0x07 == 0 && seq < f.pointee.seqMax {
                        an |= TcpAnomaly.SEQ_OUT_OF_ORDER
                    } else if seq < f.pointee.seqNext {
                        if let o = o,
                           Double(dd) > Double(o.pointee.rttAvg + f.pointee.rttAvg) * TcpFlags.RTRFAC,
                           f.pointee.winLast == w {
                            an |= TcpAnomaly.SEQ_RETRY
                            numSeqRetries += 1
                            f.pointee.seqFault &+= 1
                        }
                    }
                    if let o = o, o.pointee.lastAnomaly & TcpAnomaly.DUP_ACK != 0, seq == o.pointee.ackLast {
                        if (l7 > 0 || fl & 0x03 != 0) && seq < f.pointee.seqNext {
                            an |= TcpAnomaly.FAST_RETRY
                            numSeqRetries += 1
                            f.pointee.seqFault &+= 1
                        }
                    }
                    if let o = o, o.pointee.ackLast > seq { an |= TcpAnomaly.SEQ_MESS }
                }
                if seq == f.pointee.seqNext { f.pointee.pSeqCnt &+= 1 }
                if let o = o, o.pointee.seqMax < ack {
                    an |= TcpAnomaly.ACK_UNSEEN
                    f.pointee.ackFault &+= 1
                }
                if f.pointee.lastFlags & 0x07 == 0 && seq > f.pointee.seqMax { an |= TcpAnomaly.PREV_NOT_CAPTURED }
                if f.pointee.seqLast != 0 {
                    sd = Int32(bitPattern: seq &- f.pointee.seqLast)
                    if sd > 0 { seqDiff = sd }
                    if f.pointee.lastFlags & 0x07 != 0 && sd == 1 { seqDiff = 0 }
                    f.pointee.seqBytes &+= UInt64(seqDiff)
                }
                if f.pointee.ackLast != 0 {
                    ad = Int32(bitPattern: ack &- f.pointee.ackLast)
                    if ad > 0 { ackDiff = ad }
                    if ad == 1 && (f.pointee.lastFlags & 0x07 != 0 || (o != nil && o!.pointee.lastFlags & 0x07 != 0)) {
                        ackDiff = 0
                    }
                    f.pointee.ackBytes &+= UInt64(ackDiff)
                }
                f.pointee.pAckCnt &+= 1
            }
            f.pointee.l7Sum &+= UInt64(l7)
            if let o = o, s & (TcpFStat.ZWIN_PROBE | TcpFStat.ZWIN_PROBE_ACK) == 0,
               f.pointee.inFlight >= o.pointee.winLast {
                if o.pointee.lastFlags & 0x04 == 0 && f.pointee.flagsAgg & 0x02 != 0 { s |= TcpFStat.WIN_FULL }
            }
            if an & TcpAnomaly.SCAN != 0 || f.pointee.anomaly & TcpAnomaly.SCAN != 0 { an &= ~0x003F }
        }

        // MARK: State update
        f.pointee.seqLast = seq
        var next = seq &+ UInt32(truncatingIfNeeded: l7)
        if fl & 0x07 != 0 {
            next &+= 1
        } else if s & TcpFStat.ZWIN_PROBE != 0 {
            next &-= 1
        }
        f.pointee.seqNext = next
        f.pointee.ackLast = ack
        if next > f.pointee.seqMax { f.pointee.seqMax = next }
        f.pointee.winLast = w
        f.pointee.lastFlags = fl
        f.pointee.flagsAgg |= fl
        f.pointee.anomaly |= an
        f.pointee.lastAnomaly = an
        let sPacket = s
        s |= TcpFStat.IP_INT_DIST
        f.pointee.stat |= s
        f.pointee.statLast = s
        if oi >= 0 && fl & 0x05 != 0 &&
           table._withUnsafeGuaranteedRef({ $0[oi].status }) & FlowStat.IPV4_FRAG_PENDING != 0 {
            o!.pointee.ipFlags |= IpFlags.FRAG_SEQ_ERR
        }
        if f.pointee.scanPkts < 6 { f.pointee.scanPkts += 1 }

        if packetMode {
            printIPColumns(packet, tos: tos, ipID: ipID, ipIDDiff: ipIDDiff, fragField: fragField, ttl: ttl,
                           ipHdrChk: ipHdrChk, ipCalChk: ipCalChk, l4Hdr: f.pointee.l4Hdr,
                           l4Cal: f.pointee.l4Cal, ipf: ipf, hhLen: hhLen, dLen: dLen, ipOptLen: ipOptLen)
            let out = t2.packetLine
            printSeqAck(out, seq, f.pointee.seqInit)
            printSeqAck(out, ack, f.pointee.ackInit)
            printSeqAck(out, seqMaxBefore, f.pointee.seqInit)
            out.appendDecimal(sd); out.tab()
            out.appendDecimal(ad); out.tab()
            out.appendDecimal(seqDiff); out.tab()
            out.appendDecimal(ackDiff); out.tab()
            out.appendDecimal(f.pointee.seqBytes); out.tab()
            out.appendDecimal(f.pointee.ackBytes); out.tab()
            out.appendDecimal(f.pointee.l7Sum); out.tab()
            out.appendDecimal(UInt64(f.pointee.inFlight)); out.tab()
            out.appendHex(UInt64(sPacket), digits: 4); out.tab()
            out.appendHex(UInt64(fl), digits: 4); out.tab()
            out.appendHex(UInt64(an), digits: 4); out.tab()
            out.appendDecimal(UInt64(w)); out.tab()
            out.appendDecimal(UInt64(wsc)); out.tab()
            out.appendDecimal(UInt64(f.pointee.mss)); out.tab()
            out.appendDecimal(UInt64(f.pointee.tsVal)); out.tab()
            out.appendDecimal(UInt64(f.pointee.tsEcr)); out.tab()
            out.appendDecimal(UInt64(mpSub)); out.tab()
            out.appendHex(UInt64(f.pointee.mpFlags), digits: 2); out.tab()
            out.appendDecimal(UInt64(f.pointee.mpAddrId)); out.tab()
            out.appendHex(UInt64(f.pointee.mpDssFlags), digits: 2); out.tab()
            out.appendDecimal(optLen); out.tab()
            printBytes(packet, l4 + 20, optLen)
            out.tab()
        }
    }

    /// IPv6 Hop-by-Hop / Destination options: a Pad1 (type 0) ends the walk (quirk).
    @inline(__always)
    static func walkIPv6Options(_ packet: Packet, _ start: Int, _ len: Int,
                                _ bits: inout UInt32, _ count: inout UInt16) {
        var i = 0
        while i < len {
            let k = rd8(packet, start + i)
            if k == 0 { break }
            bits |= 1 &<< UInt32(k & 31)
            count &+= 1
            i += Int(rd8(packet, start + i + 1)) + 2
        }
    }

    // MARK: Packet mode

    func printIPColumns(_ packet: Packet, tos: UInt8, ipID: UInt16, ipIDDiff: Int32, fragField: UInt16, ttl: UInt8,
                        ipHdrChk: UInt16, ipCalChk: UInt16, l4Hdr: UInt16, l4Cal: UInt16, ipf: UInt16,
                        hhLen: Int, dLen: Int, ipOptLen: Int) {
        let out = t2.packetLine
        out.appendHex(UInt64(tos), digits: 2); out.tab()
        out.appendDecimal(UInt64(ipID)); out.tab()
        out.appendDecimal(ipIDDiff); out.tab()
        out.appendHex(UInt64(fragField), digits: 4); out.tab()
        out.appendDecimal(UInt64(ttl)); out.tab()
        out.appendHex(UInt64(ipHdrChk), digits: 4); out.tab()
        out.appendHex(UInt64(ipCalChk), digits: 4); out.tab()
        out.appendHex(UInt64(l4Hdr), digits: 4); out.tab()
        out.appendHex(UInt64(l4Cal), digits: 4); out.tab()
        out.appendHex(UInt64(ipf), digits: 4); out.tab()
        if packet.ipVersion == 4 {
            out.append("0\t\t0\t\t" as StaticString)
            out.appendDecimal(ipOptLen); out.tab()
            printBytes(packet, packet.l3Offset + 20, ipOptLen)
            out.tab()
        } else {
            out.appendDecimal(max(hhLen, 0)); out.tab()
            printBytes(packet, packet.ipv6HopByHopOffset + 2, hhLen)
            out.tab()
            out.appendDecimal(max(dLen, 0)); out.tab()
            printBytes(packet, packet.ipv6DestOptsOffset + 2, dLen)
            out.tab()
            out.append("0\t\t" as StaticString)
        }
    }

    /// Option bytes as `0x%02x` joined by `;`.
    func printBytes(_ packet: Packet, _ start: Int, _ len: Int) {
        let out = t2.packetLine
        var i = 0
        while i < len {
            if i > 0 { out.append(UInt8(ascii: ";")) }
            out.appendHex(UInt64(rd8(packet, start + i)), digits: 2)
            i += 1
        }
    }

    @inline(__always)
    func printSeqAck(_ out: TextBuffer, _ v: UInt32, _ initial: UInt32) {
        let x = C.SPKTMD_SEQACKREL != 0 ? v &- initial : v
        if C.SPKTMD_SEQACKHEX != 0 {
            out.appendHex(UInt64(x), digits: 8)
        } else {
            out.appendDecimal(UInt64(x))
        }
        out.tab()
    }

    // MARK: Flow termination

    override func onFlowTerminate(flowIndex: Int, output: OutputBuffer) {
        let fi = flowIndex
        let f = flows.pointer(fi)
        let flow = t2.flows[fi]
        let oi = Int(flow.oppositeIndex)
        let o: UnsafeMutablePointer<TcpFlagsFlow>? = oi >= 0 ? flows.pointer(oi) : nil

        gIpFlags |= f.pointee.ipFlags
        gToS |= f.pointee.tos
        gFStat |= f.pointee.stat
        gFlags |= f.pointee.flagsAgg
        gAnomaly |= f.pointee.anomaly
        gMpTypes |= f.pointee.mpTypes
        gMpFlags |= f.pointee.mpFlags

        // Scan detector: runs after the aggregation, so its bits reach the report only
        // through the partner flow (quirk).
        if C.SCAN_DETECTOR && f.pointee.anomaly & TcpAnomaly.SYN_RETRY == 0 && f.pointee.flagsAgg & 0xF803 != 0 {
            let scanBits = TcpAnomaly.SCAN | TcpAnomaly.SCAN_SUCCESS
            if f.pointee.scanPkts < TcpFlags.TCP_SCAN_PMAX && f.pointee.anomaly & scanBits == 0 {
                f.pointee.anomaly |= TcpAnomaly.SCAN
                numScans += 1
            }
            if let o = o,
               f.pointee.anomaly & scanBits == TcpAnomaly.SCAN ||
               (o.pointee.anomaly & scanBits == TcpAnomaly.SCAN && f.pointee.scanPkts < TcpFlags.TCP_SCAN_PMAX &&
                o.pointee.scanPkts < TcpFlags.TCP_SCAN_PMAX) {
                f.pointee.anomaly |= TcpAnomaly.SCAN_SUCCESS
                o.pointee.anomaly |= TcpAnomaly.SCAN_SUCCESS
                numScansSuccess += 1
            }
        }
        if flow.status & FlowStat.IPV4_FRAG_ERR != 0 { f.pointee.ipFlags |= IpFlags.FRAG_SEQ_ERR }

        let v = f.pointee
        output.appendH16(v.stat)
        output.appendU16(v.minIPIDdiff)
        output.appendU16(v.maxIPIDdiff)
        output.appendU8(v.minTTL)
        output.appendU8(v.maxTTL)
        output.appendU8(v.ttlChg)
        switch C.IPTOS {
        case 1: output.appendU8(v.tos >> 2); output.appendU8(v.tos & 3)
        case 2: output.appendU8(v.tos >> 5); output.appendU8(v.tos & 3)
        default: output.appendH8(v.tos)
        }
        output.appendH16(v.ipFlags)
        output.appendU16(v.ipOptCnt)
        output.appendH8(v.cpcl)
        output.appendH32(v.ipOptBits)
        output.appendU16(v.ip6HHCnt)
        output.appendU16(v.ip6DCnt)
        output.appendH32(v.ip6HHBits)
        output.appendH32(v.ip6DBits)
        if C.SEQ_ACK_NUM {
            output.appendU32(v.seqInit)
            output.appendU16(v.pSeqCnt)
            output.appendU64(v.seqBytes)
            output.appendU16(v.seqFault)
            output.appendU16(v.pAckCnt)
            output.appendU64(v.ackBytes)
            output.appendU16(v.ackFault)
            output.appendU32(v.inFlightMax)
        }
        if C.WINDOWSIZE {
            output.appendU32(v.winInit)
            output.appendFloat(v.winAvg)
            output.appendU32(v.winMin)
            output.appendU32(v.winMax)
            output.appendU16(v.winDwn)
            output.appendU16(v.winUp)
            output.appendU16(v.winChg)
            output.appendFloat(v.winPkts > 0 ? Float(v.winMinCnt) / Float(v.winPkts) : 0)
        }
        output.appendH16(v.flagsAgg)
        output.appendH16(v.anomaly)
        // Quirk: window scaling is tested on the global aggregate, not on the flow.
        let wsGlobal = gFStat & TcpFStat.WIN_SCALE != 0
        if C.TCPJA4T { appendJA4T(v, wsGlobal: wsGlobal, output) }
        output.appendU16(v.optPktCnt)
        output.appendU16(v.optCnt)
        output.appendH32(v.optBits)
        output.appendU16(v.mss)
        output.appendU16(wsGlobal ? UInt16(truncatingIfNeeded: 1 &<< UInt32(v.wsShift)) : 0)
        if C.MPTCP {
            output.appendH16(v.mpTypes)
            output.appendH8(v.mpFlags)
            output.appendU8(v.mpAddrId)
            output.appendH8(v.mpDssFlags)
        }
        if C.NAT_BT_EST {
            output.appendU32(v.tsVal)
            output.appendU32(v.tsEcr)
            appendBootTime(v, output)
        }
        if C.RTT_ESTIMATE {
            output.appendFloat(v.trip)
            output.appendFloat(v.rttMin)
            output.appendFloat(v.rttMax)
            output.appendFloat(v.rttAvg)
            output.appendFloat(Float(sqrt(Double(v.rttJit))))
            var sseqAA: Float = 0
            var ackJit: Float = 0
            if let o = o {
                if flow.isB {
                    sseqAA = v.rttAvg + o.pointee.rttAvg
                    ackJit = Float(sqrt(Double(v.rttJit + o.pointee.rttJit)))
                } else {
                    sseqAA = v.trip + o.pointee.trip
                }
            }
            output.appendFloat(sseqAA)
            output.appendFloat(ackJit)
        }
    }

    /// `<winInit>_<kinds joined by '-'><MSS %02u>_<ws>`: no separator after the last
    /// kind (quirk), "00_" without kinds, ws from the global aggregate (quirk). Written
    /// into a stack buffer of the reference's size (80 bytes with the NUL).
    func appendJA4T(_ v: TcpFlagsFlow, wsGlobal: Bool, _ output: OutputBuffer) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 256) { buf in
            var n = 0
            func put(_ c: UInt8) { buf[n] = c; n += 1 }
            func dec(_ x: UInt32) {
                var d: UInt32 = 1
                while x / d >= 10 { d *= 10 }
                while d > 0 { put(48 + UInt8((x / d) % 10)); d /= 10 }
            }
            dec(v.winInit)
            put(95) // '_'
            let count = Int(v.ja4tCnt)
            if count == 0 {
                put(48); put(48); put(95)
            } else {
                var kinds = v.ja4tKinds
                withUnsafeBytes(of: &kinds) { b in
                    for i in 0..<count {
                        if i > 0 { put(45) } // '-'
                        dec(UInt32(b[i]))
                    }
                }
            }
            if v.mss < 10 { put(48) }
            dec(UInt32(v.mss))
            put(95)
            if wsGlobal { dec(UInt32(v.wsShift)) } else { put(48); put(48) }
            output.appendString(UnsafeRawBufferPointer(start: buf.baseAddress, count: min(n, 79)))
        }
    }

    /// tcpEcI, tcpUtm, tcpBtm from the TCP timestamps.
    func appendBootTime(_ v: TcpFlagsFlow, _ output: OutputBuffer) {
        guard v.optBits & 0x100 != 0 else {
            output.appendFloat(0)
            output.appendDouble(0)
            output.appendTimestamp(.zero)
            return
        }
        // Quirk: the time difference borrows 1 000 000 from the nanoseconds.
        var sec = Int64(bitPattern: v.tsLastTime.sec &- v.tsFirstTime.sec)
        var frac = Int64(v.tsLastTime.ns) - Int64(v.tsFirstTime.ns)
        if frac < 0 { sec -= 1; frac += 1_000_000 }
        var fv = Float(Double(sec) + Double(frac) / 1e9)
        let n = v.tsVal &- v.tsFirstVal
        if n != 0 {
            fv = fv / Float(n)
            let d = Double(fv)
            if d < 0.002 { fv = 0.001 }
            else if d < 0.005 { fv = 0.004 }
            else if d < 0.02 { fv = 0.01 }
            else if d < 0.2 { fv = 0.1 }
            else if d < 0.7 { fv = 0.1 }
            else { fv = 1.0 }
        } else if v.minTTL >= 128 {
            fv = 0.1
        } else if v.minTTL >= 64 {
            fv = 0.004
        } else if v.minTTL > 32 {
            fv = 0.01
        } else {
            fv = 0.001
        }
        let utm = Double(v.tsVal) * Double(fv)
        let usec = Int64(utm)
        var bsec = Int64(bitPattern: v.tsLastTime.sec) - usec
        var bfrac = Int64(v.tsLastTime.ns) - Int64((utm - Double(usec)) * 1e9)
        if bfrac < 0 { bsec -= 1; bfrac += 1_000_000 }
        output.appendFloat(fv)
        output.appendDouble(utm)
        output.appendTimestamp(Timestamp(sec: UInt64(bitPattern: bsec), ns: UInt32(truncatingIfNeeded: bfrac)))
    }

    // MARK: Report

    override func report(_ report: PluginReport) {
        if gIpFlags != 0 { report.line("Aggregated ipFlags=0x" + hex(UInt64(gIpFlags), 4)) }
        if gFStat != 0 { report.line("Aggregated tcpFStat=0x" + hex(UInt64(gFStat), 4)) }
        if gFlags != 0 { report.line("Aggregated tcpFlags=0x" + hex(UInt64(gFlags), 4)) }
        if gAnomaly != 0 { report.line("Aggregated tcpAnomaly=0x" + hex(UInt64(gAnomaly), 4)) }
        if gToS != 0 { report.line("Aggregated ipToS=0x" + hex(UInt64(gToS), 2)) }
        if numScans > 0 || numScansSuccess > 0 {
            let pct = 100.0 * Double(numScansSuccess) / Double(numScans)
            report.line("Number of TCP scans attempted, successful: \(numScans)\(report.hr(numScans)), " +
                        "\(numScansSuccess)\(report.hr(numScansSuccess)) [\(cFormat("%.2f", pct))%]")
        }
        if numSynRetries > 0 || numSeqRetries > 0 {
            report.line("Number of TCP SYN retries, seq retries: \(numSynRetries)\(report.hr(numSynRetries)), " +
                        "\(numSeqRetries)\(report.hr(numSeqRetries))")
        }
        if numWinBelowMin > 0 && numTcpPackets > 0 {
            report.nump("Number WinSz below \(C.WINMIN)", numWinBelowMin, of: numTcpPackets)
        }
        if numMptcp > 0 {
            report.line("Aggregated MPTCP subtypes: tcpMPTBF=0x" + hex(UInt64(gMpTypes), 4))
            report.line("Aggregated MPTCP flags: tcpMPF=0x" + hex(UInt64(gMpFlags), 2))
            report.nump("Number of MPTCP packets", numMptcp, of: report.numPackets)
        }
    }

    func hex(_ v: UInt64, _ digits: Int) -> String {
        let s = String(v, radix: 16)
        return s.count < digits ? String(repeating: "0", count: digits - s.count) + s : s
    }

    override func finalize() {
        flows?.deallocate()
    }
}

// Bounds-checked reads of the capture buffer (0 outside it, as Packet.field8/16/32),
// forced inline: they run several times per packet.
@inline(__always) func rd8(_ p: Packet, _ o: Int) -> UInt8 {
    o >= 0 && o < p.readableLength ? p.raw.u8(o) : 0
}

@inline(__always) func rd16(_ p: Packet, _ o: Int) -> UInt16 {
    o >= 0 && o + 2 <= p.readableLength ? p.raw.be16(o) : 0
}

@inline(__always) func rd32(_ p: Packet, _ o: Int) -> UInt32 {
    o >= 0 && o + 4 <= p.readableLength ? p.raw.be32(o) : 0
}

@_cdecl("t2PluginCreate")
public func t2PluginCreate() -> UnsafeMutableRawPointer { T2Plugin.export(TcpFlags()) }
