// IPv6 dissection (core.md 4.6): outer lengths, at most MAXHDRCNT extension headers,
// fragments, then the layer-4 switch shared with IPv4.

extension Dissector {
    static let MAXHDRCNT = CoreConfig.MAXHDRCNT

    func ipv6(at o: Int) -> DissectOutcome {
        guard enterNested() else { return .none }
        let p = pkt
        status(FlowStat.IPV6_PKT)
        add("ipv6")
        p.pointee.ethType = 0x86dd
        p.pointee.ipVersion = 6
        udpTokenAdded = false
        p.pointee.l3Offset = o
        p.pointee.l4Proto = 0
        p.pointee.ipv6HopByHopOffset = -1
        p.pointee.ipv6DestOptsOffset = -1
        p.pointee.ipv6FragOffset = -1
        p.pointee.fragmentOffset = 0
        p.pointee.moreFragments = false
        guard has(o, 40) else {
            status(FlowStat.L3HDRSHRTLEN | FlowStat.L3SNAPLENGTH)
            return .none
        }

        // Outer lengths in T2's 16-bit arithmetic: a 65496-byte payload gives an L3
        // length of 0, and the payload length wraps to 65464 for a 32-byte TCP header
        // (lo_mini_nsec). Only the clamp of the snapped length uses full integers, so
        // such a packet's payload is still printed in packet mode.
        let rawLen = p.pointee.rawLength
        let calcL3 = Int(UInt16(truncatingIfNeeded: rawLen - o))
        let pl = Int(b16(o + 4))
        let plus40 = Int(UInt16(truncatingIfNeeded: pl + 40))
        let l3Len = (pl == 0 || plus40 > calcL3) ? calcL3 : plus40
        if pl == 0 && calcL3 != 0 { status(FlowStat.IP_PL_MSMTCH) }
        let fullL3 = (pl == 0 || pl + 40 > rawLen - o) ? rawLen - o : pl + 40
        stats.bytesOnWire &+= UInt64(UInt16(truncatingIfNeeded: rawLen))
        let snapL3 = caplen - o
        p.pointee.snapL3Length = min(snapL3, fullL3)
        if p.pointee.l2Offset >= 0 { p.pointee.snapL2Length = caplen - p.pointee.l2Offset }
        if snapL3 < l3Len {
            status(FlowStat.L3SNAPLENGTH)
            if !stats.warnedSnap {
                stats.warnedSnap = true
                log.warning("Outer -- snapL2Length: \(p.pointee.snapL2Length) - snapL3Length: \(snapL3) - IP length in header: \(l3Len)")
            }
        }
        p.pointee.l3Length = l3Len
        p.pointee.srcIP = IPAddress(ipv6At: data + o + 8)
        p.pointee.dstIP = IPAddress(ipv6At: data + o + 24)

        // Extension headers.
        var nh = b8(o + 6)
        var cur = o + 40
        var fragOff: UInt16 = 0
        var laterFragment = false
        var iterations = 0
        extLoop: while iterations < Dissector.MAXHDRCNT && has(cur, 8) {
            iterations += 1
            switch nh {
            case 0:
                add("ipv6.hopopts")
                p.pointee.ipv6HopByHopOffset = cur
                nh = b8(cur); cur += (Int(b8(cur + 1)) + 1) * 8
            case 60:
                add("ipv6.dstopts")
                p.pointee.ipv6DestOptsOffset = cur
                nh = b8(cur); cur += (Int(b8(cur + 1)) + 1) * 8
            case 43:
                add("ipv6.routing")
                nh = b8(cur); cur += (Int(b8(cur + 1)) + 1) * 8
            case 44:
                add("ipv6.fraghdr")
                stats.numFragV6Packets += 1
                p.pointee.ipv6FragOffset = cur
                let field = b16(cur + 2)
                fragOff = field >> 3
                p.pointee.moreFragments = field & 1 != 0
                p.pointee.ipID = b32(cur + 4)
                nh = b8(cur); cur += 8
                if fragOff != 0 {
                    laterFragment = true
                    break extLoop
                }
            case 51:
                add("ah"); status(FlowStat.L3_IPSEC_AH)
                nh = b8(cur); cur += (Int(b8(cur + 1)) + 2) * 4
            case 41:
                add("ipv6"); status(FlowStat.L3_IPIP)
                guard has(cur, 40) else { break extLoop }
                return ipv6(at: cur)
            case 4:
                status(FlowStat.L3_IPIP)
                return ipv4(at: cur)
            default:
                break extLoop
            }
        }
        // Unlike IPv4, a later IPv6 fragment does not set "stop dissecting" (lo_mini_nsec_frag).
        p.pointee.fragmentOffset = fragOff
        let l3HdrLen = cur - o
        p.pointee.l3HeaderLength = l3HdrLen
        p.pointee.l4Offset = cur
        p.pointee.l4Proto = nh
        let snapL4 = max(0, caplen - cur)
        p.pointee.snapL4Length = max(0, p.pointee.snapL3Length - l3HdrLen)

        var l4HdrLen = 0
        if !laterFragment {
            switch nh {
            case 6:
                // A header beyond the capture reads as 0 (T2 reads past the buffer).
                l4HdrLen = snapL3 < l3Len && snapL4 < 20 ? 20 : Int(pkt.pointee.field8(cur + 12) >> 4) * 4
            case 47: l4HdrLen = 4
            case 89: l4HdrLen = has(cur, 1) && b8(cur) == 2 ? 24 : 16
            case 132: l4HdrLen = 12
            case 59: l4HdrLen = 0
            default: l4HdrLen = 8
            }
        }
        p.pointee.l4HeaderLength = l4HdrLen
        setPayload(l3Len: l3Len, l3HdrLen: l3HdrLen, l4: cur, l4HdrLen: l4HdrLen, wrap16: true)

        if laterFragment {
            p.pointee.srcPort = 0; p.pointee.dstPort = 0
            status(FlowStat.L2_IPV6)
            return .ipFlow
        }

        switch nh {
        case 58:
            add("icmpv6")
        case 97:
            if has(cur, 2) && b8(cur) >> 4 >= 3 {
                add("etherip"); add("eth"); status(FlowStat.L3_ETHIPF)
                return innerEthernet(at: cur + 2)
            }
            add("etherip")
        case 89:
            add("ospf")
        default:
            if let r = layer4(proto: nh, l4: cur, l3Len: l3Len, l3HdrLen: l3HdrLen, tunnelToken: false, isIPv6: true) {
                return r
            }
        }
        status(FlowStat.L2_IPV6)
        return .ipFlow
    }
}
