// icmpDecode measures, per flow, the ICMP and ICMPv6 messages it carries: the number of
// messages, bit fields of the types and codes seen, the gateway/timestamp word of
// timestamp messages, the echo reply/request success ratio against the opposite flow,
// the parent flow of error messages, and status bits that hint at covert channels (LOKI,
// SSH over ICMP, Microsoft's WANG2 bandwidth test, non-consecutive echo sequence
// numbers). It turns a lone ICMP flow into a B flow unless its first message is an echo
// request, reports echo counts at the end and writes the global message-type statistics
// PREFIX_icmpStats.txt. See spec/plugins/icmpDecode.md.

import T2Core

/// Per-flow state (all zero when a flow starts).
struct IcmpDecodeFlow {
    var pfi: UInt64 = 0
    var typH: UInt32 = 0
    var typL: UInt32 = 0
    var tmGtw: UInt32 = 0
    var echoReq: UInt32 = 0
    var echoRep: UInt32 = 0
    var codeBF: UInt16 = 0
    var lastSeq: UInt16 = 0
    var stat: UInt8 = 0
    var numtc: UInt8 = 0
}

final class IcmpDecode: T2Plugin {
    // icmpStat bits.
    static let ICMP_STAT_ICMP: UInt8 = 0x01
    static let ICMP_STAT_WANG: UInt8 = 0x10
    static let ICMP_STAT_SEQ: UInt8 = 0x20
    static let ICMP_STAT_LOKI: UInt8 = 0x40
    static let ICMP_STAT_SSH: UInt8 = 0x80

    /// LOKI's sequence field 0xF001 in host (little-endian) order, i.e. wire bytes 01 F0.
    static let lokiSeq: UInt16 = 0x01f0

    static let listMode = IcmpDecodeConfig.ICMP_TC_MD == 1
    static let icmpNum = IcmpDecodeConfig.ICMP_NUM
    static let parent = IcmpDecodeConfig.ICMP_PARENT

    override var name: String { "icmpDecode" }

    override var columns: [Column] {
        var c = [
            Column("icmpStat", "ICMP status", .h8),
            Column("icmpTCcnt", "ICMP type code count", .u8),
        ]
        if IcmpDecode.listMode {
            c.append(Column("icmpType_Code", "ICMP type and code fields", compound: [.u8, .u8], repeating: true))
        } else {
            c.append(Column("icmpBFTypH_TypL_Code",
                            "ICMP Aggregated type H (IPv6>128, IPv4>31), L (<32) & code bit field",
                            compound: [.h32, .h32, .h16]))
        }
        c.append(Column("icmpTmGtw", "ICMP time/gateway", .h32))
        c.append(Column("icmpEchoSuccRatio", "ICMP Echo reply/request success ratio", .float))
        if IcmpDecode.parent { c.append(Column("icmpPFindex", "ICMP parent flowIndex", .u64)) }
        return c
    }

    override var packetColumns: [String] {
        var c = ["icmpStat", "icmpType", "icmpCode", "icmpID", "icmpSeq"]
        if IcmpDecode.parent { c.append("icmpPFindex") }
        return c
    }

    unowned(unsafe) var t2: Analyzer!
    var flows: PerFlowStorage<IcmpDecodeFlow>!
    /// List mode: ICMP_NUM (type << 8 | code) entries per flow.
    var typeCodes: PerFlowStorage<UInt16>?
    var packetMode = false

    // Aggregates for the end report and the statistics file (processed packets only).
    var icmpStat: UInt8 = 0
    var echoReq4: UInt64 = 0
    var echoRep4: UInt64 = 0
    var sourceQuench: UInt64 = 0
    var traceroute: UInt64 = 0
    var echoReq6: UInt64 = 0
    var echoRep6: UInt64 = 0
    var pktTooBig6: UInt64 = 0
    /// One block of per-code tables, at the offsets below.
    var codes: UnsafeMutablePointer<UInt64>!
    static let destUnreach4 = 0       // 16 codes
    static let redirect4 = 16         // 4
    static let timeExceeded4 = 20     // 2
    static let destUnreach6 = 22      // 8
    static let timeExceeded6 = 30     // 2
    static let paramProblem6 = 32     // 3
    static let generic6 = 35          // [type 0..254][code 0..7]
    static let codeCount = 35 + 255 * 8

    override func initialize(_ t2: Analyzer) throws {
        self.t2 = t2
        flows = PerFlowStorage(capacity: t2.flows.capacity)
        packetMode = t2.packetMode
        codes = UnsafeMutablePointer<UInt64>.allocate(capacity: IcmpDecode.codeCount)
        codes.initialize(repeating: 0, count: IcmpDecode.codeCount)
        if IcmpDecode.listMode {
            typeCodes = PerFlowStorage<UInt16>(capacity: t2.flows.capacity * IcmpDecode.icmpNum)
        }
    }

    override func onNewFlow(_ packet: Packet, flowIndex: Int) {
        let f = flows.pointer(flowIndex)
        f.pointee = IcmpDecodeFlow()
        let proto = packet.l4Proto
        guard proto == 1 || proto == 58 else { return }
        f.pointee.stat = IcmpDecode.ICMP_STAT_ICMP
        guard packet.isFirstFragment else { return }
        let l4 = packet.l4Offset
        let seq = packet.field16(l4 + 6)
        if seq == IcmpDecode.lokiSeq { f.pointee.stat |= IcmpDecode.ICMP_STAT_LOKI }
        f.pointee.lastSeq = seq &- 1
        if IcmpDecodeConfig.ICMP_FDCORR {
            let flow = t2.flows[flowIndex]
            if !flow.hasOpposite {
                // Whoever sends anything but an echo request is taken to be answering.
                let type = packet.field8(l4)
                let notRequest = proto == 58 ? type != 128 : type != 8
                if flow.isB != notRequest { t2.flows.toggleInverted(flowIndex: flowIndex) }
            }
        }
    }

    override func onLayer2(_ packet: Packet, flowIndex: Int) {
        if packetMode && flowIndex != Analyzer.noFlow { emptyPacketColumns() }
    }

    @inline(__always)
    func emptyPacketColumns() {
        t2.packetLine.append(IcmpDecode.parent ? "0x00\t\t\t\t\t\t" : "0x00\t\t\t\t\t")
    }

    override func onLayer4(_ packet: Packet, flowIndex: Int) {
        let f = flows.pointer(flowIndex)
        guard f.pointee.stat != 0 && packet.isFirstFragment else {
            if packetMode { emptyPacketColumns() }
            return
        }
        let l4 = packet.l4Offset
        let type = packet.field8(l4)
        let code = packet.field8(l4 + 1)
        let seqN = packet.field16(l4 + 6)

        if IcmpDecode.listMode {
            let n = Int(f.pointee.numtc)
            if n < IcmpDecode.icmpNum {
                typeCodes![flowIndex * IcmpDecode.icmpNum + n] = UInt16(type) << 8 | UInt16(code)
            }
        }
        f.pointee.numtc &+= 1

        let c = codes!
        var isError = false
        if packet.l4Proto == 58 {
            if IcmpDecode.listMode == false {
                if type < 32 {
                    f.pointee.typL |= 1 << UInt32(type)
                } else if type >= 128 && type < 160 {
                    f.pointee.typH |= 1 << UInt32(type - 128)
                }
                if code < 16 { f.pointee.codeBF |= 1 << UInt16(code) }
            }
            switch type {
            case 128:
                echoReq6 += 1
                f.pointee.echoReq &+= 1
                wang2(packet, l4, f)
                echo(packet, l4, seqN, f)
            case 129:
                echoRep6 += 1
                f.pointee.echoRep &+= 1
                echo(packet, l4, seqN, f)
            case 1:
                if code < 8 { c[IcmpDecode.destUnreach6 + Int(code)] += 1 }
                isError = true
            case 2:
                pktTooBig6 += 1
                isError = true
            case 3:
                if code < 2 { c[IcmpDecode.timeExceeded6 + Int(code)] += 1 }
                else if code < 8 { c[IcmpDecode.generic6 + 3 * 8 + Int(code)] += 1 }
                isError = true
            case 4:
                if code < 3 { c[IcmpDecode.paramProblem6 + Int(code)] += 1 }
                else if code < 8 { c[IcmpDecode.generic6 + 4 * 8 + Int(code)] += 1 }
                isError = true
            default:
                if type < 255 && code < 8 { c[IcmpDecode.generic6 + Int(type) * 8 + Int(code)] += 1 }
            }
        } else {
            if IcmpDecode.listMode == false {
                // The reference shifts by the type itself, which x86 takes modulo 32.
                if type < 32 {
                    f.pointee.typL |= 1 << UInt32(type)
                } else {
                    f.pointee.typH |= 1 << UInt32(type & 31)
                }
                if code < 16 { f.pointee.codeBF |= 1 << UInt16(code) }
            }
            switch type {
            case 8:
                echoReq4 += 1
                f.pointee.echoReq &+= 1
                wang2(packet, l4, f)
                echo(packet, l4, seqN, f)
            case 0:
                echoRep4 += 1
                f.pointee.echoRep &+= 1
                echo(packet, l4, seqN, f)
            case 4:
                sourceQuench += 1
                isError = true
            case 3:
                if code < 16 { c[IcmpDecode.destUnreach4 + Int(code)] += 1 }
                isError = true
            case 11:
                if code < 2 { c[IcmpDecode.timeExceeded4 + Int(code)] += 1 }
                isError = true
            case 5:
                if code < 4 { c[IcmpDecode.redirect4 + Int(code)] += 1 }
                isError = true
            case 13, 14:
                // Identifier and sequence number as one little-endian word, as the reference reads it.
                f.pointee.tmGtw = packet.field32(l4 + 4).byteSwapped
            case 30:
                traceroute += 1
            default:
                break
            }
        }

        // T2 0.9.3 looks the parent up with the key of the ICMP packet itself (not of the
        // quoted packet), so it finds this very flow whenever the IP header's protocol
        // field is the flow's protocol (not so for IPv6 extension headers before ICMPv6).
        var resolved = false
        if IcmpDecode.parent && isError {
            let l3 = packet.l3Offset
            let outerProto = packet.ipVersion == 6 ? packet.field8(l3 + 6) : packet.field8(l3 + 9)
            let flow = t2.flows[flowIndex]
            if outerProto == flow.l4Proto {
                f.pointee.pfi = flow.findex
                resolved = true
            }
        }

        if packetMode {
            let out = t2.packetLine
            out.appendHex(UInt64(f.pointee.stat), digits: 2); out.tab()
            out.appendDecimal(UInt64(type)); out.tab()
            out.appendDecimal(UInt64(code)); out.tab()
            out.appendHex(UInt64(packet.field16(l4 + 4)), digits: 4); out.tab()
            out.appendHex(UInt64(seqN), digits: 4); out.tab()
            if IcmpDecode.parent {
                if resolved { out.appendDecimal(f.pointee.pfi) }
                out.tab()
            }
        }
    }

    /// Microsoft's bandwidth test marks its echo requests with "WANG2" at payload bytes 6–10.
    @inline(__always)
    func wang2(_ packet: Packet, _ l4: Int, _ f: UnsafeMutablePointer<IcmpDecodeFlow>) {
        let l7 = l4 + 8
        if packet.field32(l7 + 6) == 0x5741_4e47 && packet.field8(l7 + 10) == 0x32 {
            f.pointee.stat |= IcmpDecode.ICMP_STAT_WANG
        }
    }

    /// Checks common to echo requests and replies.
    @inline(__always)
    func echo(_ packet: Packet, _ l4: Int, _ seqN: UInt16, _ f: UnsafeMutablePointer<IcmpDecodeFlow>) {
        let l7 = l4 + 8
        let capL7 = packet.snapL7Length
        if capL7 - 40 > 0 {
            let end = min(l7 + capL7, packet.readableLength)
            if l7 + 40 < end && IcmpDecode.containsOpenSSH(packet.raw + l7 + 40, end - l7 - 40) {
                f.pointee.stat |= IcmpDecode.ICMP_STAT_SSH
            }
        }
        // LOKI keeps the bit only while every echo packet carries its sequence field.
        if f.pointee.stat & IcmpDecode.ICMP_STAT_LOKI != 0 && seqN != IcmpDecode.lokiSeq {
            f.pointee.stat &= ~IcmpDecode.ICMP_STAT_LOKI
        }
        f.pointee.lastSeq &+= 1
        if f.pointee.lastSeq != seqN { f.pointee.stat |= IcmpDecode.ICMP_STAT_SEQ }
        f.pointee.lastSeq = seqN
    }

    /// Whether "OpenSSH" occurs in the n bytes at p.
    @inline(__always)
    static func containsOpenSSH(_ p: UnsafeRawPointer, _ n: Int) -> Bool {
        if n < 7 { return false }
        var i = 0
        let last = n - 7
        while i <= last {
            if p.load(fromByteOffset: i, as: UInt8.self) == 0x4f &&       // O
                p.load(fromByteOffset: i + 1, as: UInt8.self) == 0x70 &&  // p
                p.load(fromByteOffset: i + 2, as: UInt8.self) == 0x65 &&  // e
                p.load(fromByteOffset: i + 3, as: UInt8.self) == 0x6e &&  // n
                p.load(fromByteOffset: i + 4, as: UInt8.self) == 0x53 &&  // S
                p.load(fromByteOffset: i + 5, as: UInt8.self) == 0x53 &&  // S
                p.load(fromByteOffset: i + 6, as: UInt8.self) == 0x48 {   // H
                return true
            }
            i += 1
        }
        return false
    }

    override func onFlowTerminate(flowIndex: Int, output: OutputBuffer) {
        let f = flows.pointer(flowIndex)
        icmpStat |= f.pointee.stat

        var ratio: Float = 0
        let flow = t2.flows[flowIndex]
        if flow.hasOpposite {
            let replies = flows[Int(flow.oppositeIndex)].echoRep
            if f.pointee.echoReq > 0 {
                ratio = Float(replies) / Float(f.pointee.echoReq)
            } else if replies != 0 {
                ratio = -Float(replies)
            }
        }

        output.appendH8(f.pointee.stat)
        output.appendU8(f.pointee.numtc)
        if IcmpDecode.listMode {
            let n = min(Int(f.pointee.numtc), IcmpDecode.icmpNum)
            output.appendRepeatCount(n)
            let list = typeCodes!.pointer(flowIndex * IcmpDecode.icmpNum)
            for i in 0..<n {
                output.appendU8(UInt8(truncatingIfNeeded: list[i] >> 8))
                output.appendU8(UInt8(truncatingIfNeeded: list[i]))
            }
        } else {
            output.appendH32(f.pointee.typH)
            output.appendH32(f.pointee.typL)
            output.appendH16(f.pointee.codeBF)
        }
        output.appendH32(f.pointee.tmGtw)
        output.appendFloat(ratio)
        if IcmpDecode.parent { output.appendU64(f.pointee.pfi) }
    }

    static func ratio(_ replies: UInt64, _ requests: UInt64) -> Float {
        requests > 0 ? Float(replies) / Float(requests) : 0
    }

    override func report(_ report: PluginReport) {
        guard icmpStat != 0 else { return }
        report.line("Aggregated icmpStat=0x" + cFormat("%02x", UInt32(icmpStat)))
        let n4 = t2.counters.protoPackets[1]
        let n6 = t2.counters.protoPackets[58]
        if n4 > 0 {
            report.nump("Number of ICMP echo request packets", echoReq4, of: n4)
            report.nump("Number of ICMP echo reply packets", echoRep4, of: n4)
            let r = IcmpDecode.ratio(echoRep4, echoReq4)
            if r != 0 { report.line("ICMP echo reply / request ratio: " + cFormat("%.2f", Double(r))) }
        }
        if n6 > 0 {
            report.nump("Number of ICMPv6 echo request packets", echoReq6, of: n6)
            report.nump("Number of ICMPv6 echo reply packets", echoRep6, of: n6)
            let r = IcmpDecode.ratio(echoRep6, echoReq6)
            if r != 0 { report.line("ICMPv6 echo reply / request ratio: " + cFormat("%.2f", Double(r))) }
        }
    }

    override func finalize() {
        if IcmpDecodeConfig.ICMP_STATFILE,
           let file = t2.openOutputFile(suffix: IcmpDecodeConfig.ICMP_SUFFIX, plugin: name) {
            writeStatistics(file)
            t2.closeOutputFile(file)
        }
        flows?.deallocate()
        typeCodes?.deallocate()
        codes?.deallocate()
    }

    // MARK: Statistics file

    static let destUnreach4Names = [
        "ICMP_NET_UNREACH", "ICMP_HOST_UNREACH", "ICMP_PROT_UNREACH", "ICMP_PORT_UNREACH",
        "ICMP_FRAG_NEEDED", "ICMP_SR_FAILED", "ICMP_NET_UNKNOWN", "ICMP_HOST_UNKNOWN",
        "ICMP_HOST_ISOLATED", "ICMP_NET_ANO", "ICMP_HOST_ANO", "ICMP_NET_UNR_TOS",
        "ICMP_HOST_UNR_TOS", "ICMP_PKT_FILTERED", "ICMP_PREC_VIOLATION", "ICMP_PREC_CUTOFF",
    ]
    static let redirect4Names = ["ICMP_REDIR_NET", "ICMP_REDIR_HOST", "ICMP_REDIR_NETTOS", "ICMP_REDIR_HOSTTOS"]
    static let timeExceeded4Names = ["ICMP_EXC_TTL", "ICMP_EXC_FRAGTIME"]
    static let destUnreach6Names = [
        "ICMP6_NO_ROUTE", "ICMP6_COMM_PROHIBIT", "ICMP6_BEYOND_SCOPE", "ICMP6_ADDR_UNREACH",
        "ICMP6_PORT_UNREACH", "ICMP6_SR_FAILED", "ICMP6_REJECT", "ICMP6_ERROR_HDR",
    ]
    static let timeExceeded6Names = ["ICMP6_EXC_HOPS", "ICMP6_EXC_FRAGTIME"]
    static let paramProblem6Names = ["ICMP6_ERR_HDR", "ICMP6_UNRECO_NEXT_HDR", "ICMP6_UNRECO_IP6_OPT"]
    /// Names of ICMPv6 types 130–158 in the generic table (spelled as the reference does).
    static let generic6Names = [
        "ICMP6_MCAST_QUERY", "ICMP6_MCAST_REP", "ICMP6_MCAST_DONE", "ICMP6_RTER_SOLICIT",
        "ICMP6_RTER_ADVERT", "ICMP6_NBOR_SOLICIT", "ICMP6_NBOR_ADVERT", "ICMP6_REDIRECT_MSG",
        "ICMP6_RTER_RENUM", "ICMP6_NODE_INFO_QUERY", "ICMP6_NODE_INFO_RESP", "ICMP6_INV_NBOR_DSM",
        "ICMP6_INV_NBOR_DAM", "ICMP6_MLD2", "ICMP6_ADDR_DISC_REQ", "ICMP6_ADDR_DISC_REP",
        "ICMP6_MOB_PREF_SOL", "ICMP6_MOB_PREF_ADV", "ICMP6_CERT_PATH_SOL", "ICMP6_CERT_PATH_ADV",
        "ICMP6_EXP_MOBI", "ICMP6_MRD_ADV", "ICMP6_MRD_SOL", "ICMP6_MRD_TERM", "ICMP6_FMIPV6",
        "ICMP6_RPL_CTRL", "ICMP6_ILNP_LOC_UP", "ICMP6_DUP_ADDR_REQ", "ICMP6_DUP_ADDR_CON",
    ]

    /// "Packets" right-aligned in 30 columns, over the counts.
    static let packetsHeader = String(repeating: " ", count: 23) + "Packets"

    func writeStatistics(_ file: TextBuffer) {
        let n = t2.counters.numPackets
        let n4 = t2.counters.protoPackets[1]
        let n6 = t2.counters.protoPackets[58]
        file.append(ReportFormat.nump("Total number of ICMP packets", n4 + n6, of: n))
        file.newline()
        guard n4 + n6 > 0 else { return }

        file.newline()
        if n4 > 0 { file.append(ReportFormat.nump("Number of ICMP packets", n4, of: n)); file.newline() }
        if n6 > 0 { file.append(ReportFormat.nump("Number of ICMPv6 packets", n6, of: n)); file.newline() }
        file.newline()
        let r4 = IcmpDecode.ratio(echoRep4, echoReq4)
        if r4 != 0 { file.append("ICMP echo reply / request ratio: " + cFormat("%5.3f", Double(r4)) + "\n") }
        let r6 = IcmpDecode.ratio(echoRep6, echoReq6)
        if r6 != 0 { file.append("ICMPv6 echo reply / request ratio: " + cFormat("%5.3f", Double(r6)) + "\n") }
        file.newline()

        let noCode = IcmpDecodeConfig.ICMP_NOCODE
        let c = codes!
        func row(_ type: String, _ code: String, _ count: UInt64, _ total: UInt64) {
            guard count > 0 else { return }
            let pct = Float(100 &* count) / Float(total)
            file.append(type + "\t" + code + "\t" + cFormat("%30llu", count) + " [" + cFormat("%6.02f", Double(pct)) + "%]\n")
        }

        if n4 > 0 {
            file.append("# ICMP Type\tCode\t" + IcmpDecode.packetsHeader + "\n")
            row("ICMP_ECHOREQUEST", noCode, echoReq4, n4)
            row("ICMP_ECHOREPLY", noCode, echoRep4, n4)
            row("ICMP_SOURCE_QUENCH", noCode, sourceQuench, n4)
            row("ICMP_TRACEROUTE", noCode, traceroute, n4)
            for (i, s) in IcmpDecode.destUnreach4Names.enumerated() {
                row("ICMP_DEST_UNREACH", s, c[IcmpDecode.destUnreach4 + i], n4)
            }
            for (i, s) in IcmpDecode.redirect4Names.enumerated() {
                row("ICMP_REDIRECT", s, c[IcmpDecode.redirect4 + i], n4)
            }
            for (i, s) in IcmpDecode.timeExceeded4Names.enumerated() {
                row("ICMP_TIME_EXCEEDED", s, c[IcmpDecode.timeExceeded4 + i], n4)
            }
            file.newline()
        }

        if n6 > 0 {
            file.append("# ICMPv6 Type\tCode\t" + IcmpDecode.packetsHeader + "\n")
            row("ICMP6_ECHOREQUEST", noCode, echoReq6, n6)
            row("ICMP6_ECHOREPLY", noCode, echoRep6, n6)
            row("ICMP6_PKT_TOO_BIG", noCode, pktTooBig6, n6)
            for (i, s) in IcmpDecode.destUnreach6Names.enumerated() {
                row("ICMP6_DEST_UNREACH", s, c[IcmpDecode.destUnreach6 + i], n6)
            }
            for (i, s) in IcmpDecode.timeExceeded6Names.enumerated() {
                row("ICMP6_TIME_EXCEEDED", s, c[IcmpDecode.timeExceeded6 + i], n6)
            }
            for (i, s) in IcmpDecode.paramProblem6Names.enumerated() {
                row("ICMP6_PARAM_PROBLEM", s, c[IcmpDecode.paramProblem6 + i], n6)
            }
            for type in 0..<255 {
                for code in 0..<8 {
                    let count = c[IcmpDecode.generic6 + type * 8 + code]
                    guard count > 0 else { continue }
                    if type >= 130 && type <= 158 {
                        row(IcmpDecode.generic6Names[type - 130], noCode, count, n6)
                    } else {
                        row(String(type), String(code), count, n6)
                    }
                }
            }
        }
    }
}

@_cdecl("t2PluginCreate")
public func t2PluginCreate() -> UnsafeMutableRawPointer { T2Plugin.export(IcmpDecode()) }
