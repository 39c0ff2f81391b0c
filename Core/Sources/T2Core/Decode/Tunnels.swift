// Tunnels T2 decodes by default (core.md 4.5 steps 5–8, section 5): AYIYA, GTP, VXLAN,
// GENEVE, CAPWAP, LWAPP, L2TP and Teredo by port, and GRE with its payload types.
// Only L2TP is exercised by the reference captures; the others follow the spec.

enum TunnelResult {
    case nothing
    /// A decoder added ":udp" (or another token) but did not take the packet.
    case tokenAdded
    case done(DissectOutcome)
}

extension Dissector {
    @inline(__always) func oneIs(_ a: UInt16, _ b: UInt16, _ port: UInt16) -> Bool {
        (a == port && b > 1024) || (b == port && a > 1024)
    }

    /// A cheap test for the ports the tunnel decoders look at (most packets fail it).
    @inline(__always)
    func mayBeTunnel(proto: UInt8, _ sport: UInt16, _ dport: UInt16) -> Bool {
        if sport == 5072 || dport == 5072 { return true }
        if proto != 17 { return false }
        if sport > 1024 && dport > 1024 { return true }     // Teredo, and most others
        return sport == 1701 || dport == 1701 || dport == 4789 || dport == 4790 || dport == 8472
    }

    /// The first UDP-based decoder that is tried adds ":udp" once.
    func udpToken() {
        if !udpTokenAdded { add("udp"); udpTokenAdded = true }
    }

    func portTunnels(proto: UInt8, l4: Int, sport: UInt16, dport: UInt16, l3: Int, isIPv6: Bool) -> TunnelResult {
        let isUDP = proto == 17
        // AYIYA (port 5072, any of TCP/UDP/SCTP)
        if oneIs(sport, dport, 5072) {
            if proto == 132 {
                add("sctp"); add("ayiya"); status(FlowStat.STPDSCT)
                return .tokenAdded
            }
            if isUDP { udpToken() } else if proto == 6 { add("tcp") }
            let hdrStart = l4 + (isUDP ? 8 : Int(has(l4, 13) ? b8(l4 + 12) >> 4 : 5) * 4)
            if has(hdrStart, 12) {
                let idLen = Int(b8(hdrStart) >> 4)
                let sigLen = Int(b8(hdrStart + 1) >> 4) * 4
                let next = b8(hdrStart + 3)
                let inner = hdrStart + 12 + (1 << idLen) * (idLen > 0 ? 1 : 0) + sigLen
                if has(inner, 1) {
                    let v = b8(inner) >> 4
                    if (next == 41 && v == 6) || (next == 4 && v == 4) {
                        add("ayiya"); status(FlowStat.L3_AYIYA)
                        stats.numAYIYAPackets += 1
                        return .done(v == 6 ? ipv6(at: inner) : ipv4(at: inner))
                    }
                }
            }
            return .tokenAdded
        }
        guard isUDP else { return .nothing }
        let payload = l4 + 8

        // GTP v0/v1 (v2 stops)
        if oneIs(sport, dport, 2123) || oneIs(sport, dport, 2152) || oneIs(sport, dport, 3386) {
            udpToken()
            add("gtp"); status(FlowStat.L3_GTP)
            if has(payload, 8) {
                let flags = b8(payload)
                let version = flags >> 5
                if version == 2 {
                    status(FlowStat.STPDSCT)
                } else if b8(payload + 1) == 0xff && version <= 1 {
                    var h = payload + (version == 0 ? 20 : 8)
                    if version == 1 && flags & 0x07 != 0 { h += 4 }
                    if has(h, 1) {
                        switch b8(h) >> 4 {
                        case 4: return .done(ipv4(at: h))
                        case 6: return .done(ipv6(at: h))
                        default: break
                        }
                    }
                }
            }
            return .tokenAdded
        }

        // VXLAN / VXLAN-GPE
        let vxPorts: (UInt16) -> Bool = { $0 == 4789 || $0 == 4790 || $0 == 8472 }
        if vxPorts(dport) || (vxPorts(sport) && dport > 1024) {
            udpToken()
            let gpe = dport == 4790 || (dport != 4789 && dport != 8472 && sport == 4790)
            if has(payload, 8) && b8(payload + 7) == 0 && (gpe || (b8(payload + 1) == 0 && b16(payload + 2) == 0)) {
                add(gpe ? "vxlan_gpe" : "vxlan"); status(FlowStat.L3_VXLAN)
                add("eth")
                return .done(innerEthernet(at: payload + 8))
            }
            return .tokenAdded
        }

        // GENEVE
        if oneIs(sport, dport, 6081) {
            udpToken()
            if has(payload, 8) && b8(payload) >> 6 == 0 && b8(payload + 1) & 0x3f == 0 && b16(payload + 2) == 0x6558 {
                add("geneve"); add("eth"); status(FlowStat.L3_GENEVE)
                let optLen = Int(b8(payload) & 0x3f) * 4
                return .done(innerEthernet(at: payload + 8 + optLen))
            }
            return .tokenAdded
        }

        // CAPWAP / LWAPP (detection only)
        if oneIs(sport, dport, 5246) || oneIs(sport, dport, 5247) {
            udpToken()
            if has(payload, 8) && b8(payload) >> 4 == 0 {
                add(sport == 5247 || dport == 5247 ? "capwap.data" : "capwap")
                status(FlowStat.L3_CAPWAP | FlowStat.STPDSCT)
            }
            return .tokenAdded
        }
        if oneIs(sport, dport, 12222) || oneIs(sport, dport, 12223) {
            udpToken()
            add("lwapp"); status(FlowStat.L3_CAPWAP | FlowStat.STPDSCT)
            return .tokenAdded
        }

        // L2TP
        if sport == 1701 || dport == 1701 {
            udpToken()
            if let r = l2tp(at: payload, ipv6Outer: isIPv6) { return .done(r) }
            return .tokenAdded
        }

        // Teredo: both ports above 1024, an IPv6 payload (possibly behind auth/origin
        // indicators), and port 3544 or an address in 2001::/32.
        if sport > 1024 && dport > 1024 {
            var h = payload
            if has(h, 2) && b16(h) == 0x0001, has(h, 4) {   // authentication indicator
                let idLen = Int(b8(h + 2)), auLen = Int(b8(h + 3))
                h += 4 + idLen + auLen + 9
            }
            if has(h, 2) && b16(h) == 0x0000 { h += 8 }      // origin indication
            if has(h, 40) && b8(h) >> 4 == 6 {
                let inPrefix = b32(h + 8) == 0x2001_0000 || b32(h + 24) == 0x2001_0000
                if sport == 3544 || dport == 3544 || inPrefix {
                    udpToken()
                    add("teredo"); status(FlowStat.L3_TRDO)
                    stats.numTeredoPackets += 1
                    return .done(ipv6(at: h))
                }
            }
        }
        return .nothing
    }

    /// L2TP v2/v3 over UDP: control messages stop; data carries PPP.
    func l2tp(at o: Int, ipv6Outer: Bool) -> DissectOutcome? {
        guard has(o, 2) else { return nil }
        let flags = b16(o)
        let version = flags & 0x000f
        guard version == 2 || version == 3, flags & 0x34f0 == 0 || version == 3 else { return nil }
        add("l2tp"); status(FlowStat.L2_L2TP)
        if flags & 0x8000 != 0 {        // control message
            status(FlowStat.STPDSCT)
            return nil
        }
        var h = o + 2
        if version == 2 {
            if flags & 0x4000 != 0 { h += 2 }     // length
            h += 4                                // tunnel and session id
            if flags & 0x0800 != 0 { h += 4 }     // Ns, Nr
            if flags & 0x0200 != 0 {              // offset size + padding
                guard has(h, 2) else { status(FlowStat.STPDSCT); return nil }
                h += 2 + Int(b16(h))
            }
        } else {
            h = o + 4 + 4                          // v3 over UDP: flags/version, reserved, session id
        }
        guard has(h, 2) else { status(FlowStat.STPDSCT); return nil }
        if b8(h) == 0x0f || b8(h) == 0x8f {
            add("chdlc"); status(FlowStat.L2_PPP)
            guard has(h, 4) else { return nil }
            let t = b16(h + 2)
            switch t {
            case 0x0800: return ipv4(at: h + 4)
            case 0x86dd: return ipv6(at: h + 4)
            default: addEtherTypeToken(t); status(FlowStat.STPDSCT); return nil
            }
        }
        add("ppp"); status(FlowStat.L2_PPP)
        if b16(h) == 0xff03 { h += 2 }
        guard has(h, 2) else { status(FlowStat.STPDSCT); return nil }
        let proto = b16(h)
        switch proto {
        case 0x0021: return ipv4(at: h + 2)
        case 0x0057: return ipv6(at: h + 2)
        default:
            addPPPToken(proto)
            status(FlowStat.STPDSCT)
            return nil
        }
    }

    /// GRE (step 6). Returns nil when the outer packet stays the flow.
    func gre(at o: Int, ipv4Outer: Int) -> DissectOutcome? {
        add("gre"); status(FlowStat.L2_GRE)
        stats.numGREPackets += 1
        guard has(o, 4) else { status(FlowStat.STPDSCT); return nil }
        let flags = b16(o)
        let type = b16(o + 2)
        var h = o + 4
        if flags & 0x8000 != 0 || flags & 0x4000 != 0 { h += 4 }  // checksum (+ offset) / routing
        if flags & 0x2000 != 0 { h += 4 }                        // key
        if flags & 0x1000 != 0 { h += 4 }                        // sequence
        if flags & 0x0800 != 0 { h += 4 }                        // strict source route
        if flags & 0x0080 != 0 { h += 4 }                        // acknowledgement (v1)
        greHeaderLength = h - o
        switch type {
        case 0x0800:
            add("ipv4")
            return ipv4(at: h, tokenAdded: true)
        case 0x86dd:
            return ipv6(at: h)
        case 0x880b:
            add("ppp"); status(FlowStat.L2_PPP)
            guard has(h, 1) else { status(FlowStat.STPDSCT); return nil }
            if b8(h) == 0xfd {
                add("comp_data"); status(FlowStat.PPP_NRHD | FlowStat.STPDSCT)
                return nil
            }
            var q = h
            if has(q, 2) && b16(q) == 0xff03 { q += 2 }
            guard has(q, 2) else { status(FlowStat.STPDSCT); return nil }
            let proto = b16(q)
            switch proto {
            case 0x0021: add("ipv4"); return ipv4(at: q + 2, tokenAdded: true)
            case 0x0057: return ipv6(at: q + 2)
            default: addPPPToken(proto); status(FlowStat.STPDSCT); return nil
            }
        case 0x6558, 0x88be:
            if type == 0x88be { add("erspan"); status(FlowStat.L2_ERSPAN); h += 8 }
            add("eth")
            return innerEthernet(at: h)
        case 0x883e:
            add("wccp"); status(FlowStat.L2_WCCP)
            let inner = h + 4
            guard has(inner, 1) else { return nil }
            switch b8(inner) >> 4 {
            case 4: return ipv4(at: inner)
            case 6: return ipv6(at: inner)
            default: return nil
            }
        default:
            addEtherTypeToken(type)
            status(FlowStat.STPDSCT)
            return nil
        }
    }
}
