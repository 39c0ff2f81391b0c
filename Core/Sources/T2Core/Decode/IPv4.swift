// IPv4 dissection (core.md 4.5): tunnel checks, GRE, IP-in-IP, T2's 16-bit length
// arithmetic, the layer-4 header length and the protocol switch that sets the ports.

extension Dissector {
    func ipv4(at o: Int, tokenAdded: Bool = false) -> DissectOutcome {
        guard enterNested() else { return .none }
        let p = pkt
        status(FlowStat.IPV4_PKT)
        if !tokenAdded { add("ipv4") }
        p.pointee.ethType = 0x0800
        p.pointee.ipVersion = 4
        udpTokenAdded = false   // each IP layer adds its own ":udp"
        p.pointee.l3Offset = o
        p.pointee.l4Proto = 0
        guard has(o, 20) else {
            status(FlowStat.L3HDRSHRTLEN | FlowStat.L3SNAPLENGTH)
            return .none
        }
        let ihl = Int(b8(o) & 0x0f) * 4
        if ihl < 20 {
            status(FlowStat.IPV4_HL_TOO_SHORT)
            return .none
        }
        let fragField = b16(o + 6)
        let fragOff = fragField & 0x1fff
        let mf = fragField & 0x2000 != 0
        if fragOff != 0 { status(FlowStat.STPDSCT) }
        let proto = b8(o + 9)
        let l4 = o + ihl

        var sport: UInt16 = 0, dport: UInt16 = 0
        if fragOff == 0 && (proto == 6 || proto == 17 || proto == 136 || proto == 132) && has(l4, 4) {
            sport = b16(l4); dport = b16(l4 + 2)
        }

        // Tunnels over TCP/UDP/SCTP ports (step 5).
        var tunnelToken = false
        if sport != 0 && dport != 0 && !stopped() && mayBeTunnel(proto: proto, sport, dport) {
            switch portTunnels(proto: proto, l4: l4, sport: sport, dport: dport, l3: o, isIPv6: false) {
            case .done(let outcome): return outcome
            case .tokenAdded: tunnelToken = true
            case .nothing: break
            }
        }

        if !stopped() {
            switch proto {
            case 47: // GRE (step 6)
                if let r = gre(at: l4, ipv4Outer: o) { return r }
            case 97: // EtherIP (step 7)
                if has(l4, 2) && b8(l4) >> 4 >= 3 {
                    add("etherip"); add("eth")
                    status(FlowStat.L3_ETHIPF)
                    return innerEthernet(at: l4 + 2)
                }
            case 4: // IPv4 in IPv4, in place (step 8)
                status(FlowStat.L3_IPIP)
                add("ipv4")
                if has(l4, 1) && b8(l4) >> 4 == 4 { return ipv4(at: l4, tokenAdded: true) }
                add("ipvx"); status(FlowStat.L3_IPVX)
                return .none
            case 41:
                status(FlowStat.L3_IPIP)
                return ipv6(at: l4)
            default: break
            }
        }

        // Step 9: a header that is not IPv4 after an in-place continuation.
        if b8(o) >> 4 != 4 {
            add("ipvx"); status(FlowStat.L3_IPVX)
            return .none
        }

        // Step 10: lengths in 16-bit arithmetic.
        let rawLen = p.pointee.rawLength
        let calcL3 = Int(UInt16(truncatingIfNeeded: rawLen - o))
        let ipLen = Int(b16(o + 2))
        let l3Len = (ipLen == 0 || ipLen > calcL3) ? calcL3 : ipLen
        if ipLen == 0 && calcL3 != 0 { status(FlowStat.IP_PL_MSMTCH) }
        let l2off = o - l2Start
        stats.bytesOnWire &+= UInt64(UInt16(truncatingIfNeeded: l3Len + l2off))
        let snapL3 = caplen - o
        p.pointee.snapL3Length = min(snapL3, l3Len)
        if p.pointee.l2Offset >= 0 { p.pointee.snapL2Length = caplen - p.pointee.l2Offset }
        if snapL3 < l3Len {
            status(FlowStat.L3SNAPLENGTH)
            if !stats.warnedSnap {
                stats.warnedSnap = true
                log.warning("snapL2Length: \(p.pointee.snapL2Length) - snapL3Length: \(snapL3) - IP length in header: \(l3Len)")
            }
        }
        if l3Len < 20 { status(FlowStat.L3HDRSHRTLEN) }
        p.pointee.l3Length = l3Len
        p.pointee.l3HeaderLength = ihl
        p.pointee.l4Offset = l4
        p.pointee.l4Proto = proto
        p.pointee.ipID = UInt32(b16(o + 4))
        p.pointee.fragmentOffset = fragOff
        p.pointee.moreFragments = mf
        p.pointee.srcIP = IPAddress(ipv4At: data + o + 12)
        p.pointee.dstIP = IPAddress(ipv4At: data + o + 16)

        // Step 11: layer-4 header length.
        let snapL4 = max(0, caplen - l4)
        p.pointee.snapL4Length = max(0, p.pointee.snapL3Length - ihl)
        var l4HdrLen: Int
        if fragOff != 0 {
            l4HdrLen = 0
        } else {
            l4HdrLen = layer4HeaderLength(proto: proto, l4: l4, snapL4: snapL4)
            if snapL3 < l3Len && snapL4 < l4HdrLen { status(FlowStat.L4HDRSHRTLEN) }
        }
        p.pointee.l4HeaderLength = l4HdrLen

        // Step 12: payload.
        setPayload(l3Len: l3Len, l3HdrLen: ihl, l4: l4, l4HdrLen: l4HdrLen)

        // Step 14: later fragments go to the analyzer's fragment table.
        if fragOff != 0 {
            addIPProtoToken(proto)
            p.pointee.srcPort = 0; p.pointee.dstPort = 0
            status(FlowStat.L2_IPV4)
            return .ipFlow
        }

        // Step 15: the protocol switch.
        if stopped() {
            p.pointee.srcPort = sport; p.pointee.dstPort = dport
        } else {
            if let r = layer4(proto: proto, l4: l4, l3Len: l3Len, l3HdrLen: ihl, tunnelToken: tunnelToken, isIPv6: false) {
                return r
            }
        }
        status(FlowStat.L2_IPV4)
        return .ipFlow
    }

    /// The L4 header length T2 uses for the payload length (step 11).
    func layer4HeaderLength(proto: UInt8, l4: Int, snapL4: Int) -> Int {
        switch proto {
        case 1, 58: return 8
        case 6:
            if snapL4 < 20 { return 20 }
            return Int(b8(l4 + 12) >> 4) * 4
        case 89: // OSPF: 24 for v2, 16 otherwise
            return has(l4, 1) && b8(l4) == 2 ? 24 : 16
        case 132: return 12
        case 47: return greHeaderLength
        case 4:
            return has(l4, 1) ? Int(b8(l4) & 0x0f) * 4 : 20
        default: return 8
        }
    }

    /// l7Len = l3Len − L3 header − L4 header: clamped at 0 for IPv4, wrapped to 16 bits
    /// for IPv6 (as T2's IPv6 path computes it).
    func setPayload(l3Len: Int, l3HdrLen: Int, l4: Int, l4HdrLen: Int, wrap16: Bool = false) {
        let p = pkt
        var l7 = l3Len - l3HdrLen - l4HdrLen
        if wrap16 { l7 = Int(UInt16(truncatingIfNeeded: l7)) }
        if l7 < 0 {
            p.pointee.l7Length = 0
            status(FlowStat.L4HDRSHRTLEN)
        } else {
            p.pointee.l7Length = l7
        }
        let l7Off = l4 + l4HdrLen
        p.pointee.l7Offset = l7Off
        p.pointee.snapL7Length = max(0, min(caplen - l7Off, p.pointee.snapL3Length - l3HdrLen - l4HdrLen))
    }

    /// Step 15 (shared with IPv6): tokens and ports per protocol. Returns an outcome when
    /// a nested decoder took the packet over.
    func layer4(proto: UInt8, l4: Int, l3Len: Int, l3HdrLen: Int, tunnelToken: Bool, isIPv6 ipv6Mode: Bool) -> DissectOutcome? {
        let p = pkt
        p.pointee.srcPort = 0; p.pointee.dstPort = 0
        let l4Avail = l3Len - l3HdrLen
        switch proto {
        case 6:
            if !tunnelToken { add("tcp") }
            let short = ipv6Mode ? caplen - l4 < 20 : l3Len < 40
            if short || !has(l4, 4) {
                status(FlowStat.L4HDRSHRTLEN)
            } else {
                p.pointee.srcPort = b16(l4); p.pointee.dstPort = b16(l4 + 2)
                ssdp(p.pointee.srcPort, p.pointee.dstPort)
            }
        case 17, 136:
            if proto == 136 { add("udplite") } else if !udpTokenAdded { add("udp") }
            let short = ipv6Mode ? caplen - l4 < 8 : l3Len < 28
            if short || !has(l4, 4) {
                status(FlowStat.L4HDRSHRTLEN)
            } else {
                let sp = b16(l4), dp = b16(l4 + 2)
                p.pointee.srcPort = sp; p.pointee.dstPort = dp
                if ipv6Mode && (sp == 1701 || dp == 1701) {
                    if let r = l2tp(at: l4 + 8, ipv6Outer: true) { return r }
                }
                dtls(at: l4 + 8)
                if ssdp(sp, dp) {
                } else if sp == 4500 || dp == 4500 {
                    udpEncap(at: l4 + 8, l4Avail: l4Avail)
                }
            }
        case 47:
            if let r = gre(at: l4, ipv4Outer: ipv6Mode ? -1 : p.pointee.l3Offset) { return r }
        case 50:
            add("esp"); status(FlowStat.L3_IPSEC_ESP)
        case 51:
            add("ah"); status(FlowStat.L3_IPSEC_AH)
            if has(l4, 1) { addIPProtoToken(b8(l4)) }
        case 115:
            add("l2tp"); status(FlowStat.L2_L2TP)
        case 132:
            add("sctp"); status(FlowStat.L4_SCTP)
            let short = ipv6Mode ? caplen - l4 < 16 : l3Len < 36
            if short || !has(l4, 4) {
                status(FlowStat.L4HDRSHRTLEN)
            } else {
                p.pointee.srcPort = b16(l4); p.pointee.dstPort = b16(l4 + 2)
            }
        case 2:
            add("igmp")
            if has(l4, 1) {
                let t = b8(l4)
                if t == 0x13 { add("dvmrp") }
                else if t == 0x14 { add("pim") }
                else if t >= 0xfc && !ipv6Mode && p.pointee.dstIP.ipv4Value == 0xe000_0019 { add("rgmp") }
            }
        case 103:
            add("pim")
            if has(l4, 8) && b8(l4) & 0x0f == 1 {
                let inner = l4 + 8
                // The register may end with its header; T2 reads the version nibble
                // regardless, so read it as the other past-the-capture fields.
                switch p.pointee.field8(inner) >> 4 {
                case 4: return ipv4(at: inner)
                case 6: return ipv6(at: inner)
                default: break
                }
            }
        case 4:
            status(FlowStat.L3_IPIP)
            return ipv4(at: l4)
        case 41:
            status(FlowStat.L3_IPIP)
            return ipv6(at: l4)
        default:
            addIPProtoToken(proto)
        }
        return nil
    }

    /// SSDP: one port 1900 and the other above 1024.
    @inline(__always) @discardableResult
    func ssdp(_ sp: UInt16, _ dp: UInt16) -> Bool {
        if sp != 1900 && dp != 1900 { return false }
        return ssdpToken(sp, dp)
    }

    func ssdpToken(_ sp: UInt16, _ dp: UInt16) -> Bool {
        if (sp == 1900 && dp > 1024) || (dp == 1900 && sp > 1024) {
            add("ssdp"); status(FlowStat.L4_UPNP)
            return true
        }
        return false
    }

    /// DTLS records: content type 0x14..0x3f and a DTLS version, repeated per record.
    func dtls(at o: Int) {
        var r = o
        var found = false
        while has(r, 13) {
            let ct = b8(r)
            guard ct >= 0x14 && ct <= 0x3f else { break }
            let v = b16(r + 1)
            if v == 0xfefd { add("dtls1.2") }
            else if v == 0xfeff || v == 0x0100 { add("dtls1.0") }
            else { break }
            found = true
            r += 13 + Int(b16(r + 11))
        }
        if found {
            status(FlowStat.L4_DTLS)
            stats.numDTLSPackets += 1
        }
    }

    /// UDP port 4500: NAT keep-alive, ESP in UDP or IKE.
    func udpEncap(at o: Int, l4Avail: Int) {
        if l4Avail - 8 == 1 && has(o, 1) && b8(o) == 0xff { return }
        add("udpencap")
        if has(o, 4) && b32(o) != 0 {
            pkt.pointee.headerCount += 1
            pkt.pointee.headerDescription.append("esp")
            checkOverrun()
            status(FlowStat.L3_IPSEC_ESP)
        } else {
            add("isakmp")
        }
    }
}
