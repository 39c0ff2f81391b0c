// One packet after dissection: fragment matching, flow lookup or creation with T2's
// A/B rules (core.md 6.2), counters, and the plugin callbacks in T2's order (4.5
// steps 14–21, 4.7).

#if canImport(Glibc)
import Glibc
#endif
import CPcap

/// Key of a pending IP fragment series: the flow key with the IP id in place of the ports.
struct FragmentKey: Hashable {
    let src: IPAddress
    let dst: IPAddress
    let ethType: UInt16
    let vlanID: UInt16
    let ipID: UInt32
    let proto: UInt8
}

extension Analyzer {
    /// Processes one record; returns the dissector's outcome.
    @inline(__always)
    func process(_ hdr: UnsafePointer<pcap_pkthdr>, _ data: UnsafeRawPointer, _ dissector: Dissector, readable: Int) -> DissectOutcome {
        let caplen = Int(hdr.pointee.caplen)
        let len = Int(hdr.pointee.len)
        counters.numPackets += 1
        counters.rawBytes &+= UInt64(len)
        if caplen == 0 {
            log.warning("No data available for packet \(counters.numPackets)")
            return .none
        }
        counters.bytesProcessed &+= UInt64(caplen)
        let outcome = dissector.dissect(data: data, caplen: caplen, readable: readable,
                                        len: len, ts: actTime, number: counters.numPackets)
        switch outcome {
        case .ipFlow: ipPacket()
        case .l2Flow: l2Packet()
        case .none: break
        case .unsupportedLinkType: return outcome
        }
        endOfPacket()
        return outcome
    }

    /// Counters every dissected packet updates, whatever happened to it.
    @inline(__always)
    func endOfPacket() {
        let p = packet
        let st = p.pointee.status
        flows.aggregatedStatus |= st
        if st & FlowStat.L2_IPV4 != 0 { counters.numV4Packets += 1 }
        else if st & FlowStat.L2_IPV6 != 0 { counters.numV6Packets += 1 }
        if st & FlowStat.L3_IPVX != 0 { dissector.stats.numVxPackets += 1 }
        let n = p.pointee.headerCount
        if n < counters.headerMin { counters.headerMin = n }
        if n > counters.headerMax { counters.headerMax = n }
        // T2's running float average. When it already equals this packet's count it
        // provably stays unchanged (the float rounding error of t·n is below half an
        // ulp of n), so the division is skipped for the common case.
        if counters.headerAvg != Float(n) || counters.numPackets == 1 {
            let t = Float(1.0 / Double(counters.numPackets))
            counters.headerAvg = Float((1.0 - Double(t)) * Double(counters.headerAvg) + Double(t * Float(n)))
        }
    }

    // MARK: Layer-2 flows

    func l2Packet() {
        let p = packet
        counters.numL2Packets += 1
        let key = FlowKey(l2Header: p.pointee.raw + p.pointee.l2Offset, ethType: p.pointee.ethType, vlanID: p.pointee.vlanID)
        let h = key.hash
        var fi = flows.lookup(key, hash: h)
        if fi >= 0 {
            flows.touch(fi)
        } else {
            if noNewFlows { return }
            fi = createFlow(key, hash: h, isL2: true)
            if fi < 0 { return }
        }
        p.pointee.flowIndex = fi
        let et = Int(p.pointee.ethType)
        counters.etherTypePackets[et] += 1
        counters.etherTypeBytes[et] &+= UInt64(p.pointee.snapLength)
        if p.pointee.padLength > 0 {
            flows.flows[fi].padBytes &+= UInt64(p.pointee.padLength)
            counters.padBytes &+= UInt64(p.pointee.padLength)
        }
        flows.flows[fi].status |= p.pointee.status
        flows.flows[fi].lastSeen = p.pointee.timestamp
        if packetMode { packetLineStart(fi) }
        let view = Packet(UnsafePointer(p))
        hot.forEach { $0.onLayer2(view, flowIndex: fi) }
        if packetMode { packetLineEnd() }
        countAB(fi)
    }

    // MARK: IP flows

    func ipPacket() {
        let p = packet
        let isV4 = p.pointee.ipVersion == 4
        let laterFragment = p.pointee.fragmentOffset != 0
        var fi = -1
        var headless = false
        if laterFragment {
            if isV4 {
                let k = fragmentKey(ipID: p.pointee.ipID, proto: p.pointee.l4Proto)
                if let f = fragments[k] {
                    fi = Int(f)
                    counters.numFragV4Packets += 1
                    if !p.pointee.moreFragments {
                        fragments[k] = nil
                        flows.flows[fi].status &= ~FlowStat.IPV4_FRAG_PENDING
                    }
                    flows.touch(fi)
                } else {
                    headless = true
                }
            } else {
                // T2 looks later IPv6 fragments up with protocol 0, so they never match
                // (docs/quirks.md): they always take the headless path.
                headless = true
            }
            if headless { flows.aggregatedStatus |= FlowStat.IPV4_FRAG | FlowStat.IPV4_FRAG_HDSEQ_ERR }
        }

        if fi < 0 {
            let key = FlowKey(srcIP: p.pointee.srcIP, dstIP: p.pointee.dstIP, ethType: p.pointee.ethType,
                              vlanID: p.pointee.vlanID, srcPort: p.pointee.srcPort, dstPort: p.pointee.dstPort,
                              proto: p.pointee.l4Proto)
            let h = key.hash
            fi = flows.lookup(key, hash: h)
            if fi >= 0 {
                flows.touch(fi)
                if isV4 && !laterFragment {
                    let id = UInt16(truncatingIfNeeded: p.pointee.ipID)
                    if id != 0 && id == flows.flows[fi].lastIPID { p.pointee.status |= FlowStat.DUPIPID }
                    flows.flows[fi].lastIPID = id
                }
            } else {
                if noNewFlows { return }
                // The first packet's IP id is not remembered: the duplicate test starts
                // with the second packet (libtrace_icmp-sample flow 10).
                fi = createFlow(key, hash: h, isL2: false)
                if fi < 0 { return }
            }
        }
        p.pointee.flowIndex = fi

        fragmentBookkeeping(fi, isV4: isV4, laterFragment: laterFragment, headless: headless)

        // Counters per EtherType and protocol.
        let et = Int(p.pointee.ethType)
        let caplen = UInt64(p.pointee.snapLength)
        counters.etherTypePackets[et] += 1
        counters.etherTypeBytes[et] &+= caplen
        let proto = Int(p.pointee.l4Proto)
        counters.protoPackets[proto] += 1
        counters.protoBytes[proto] &+= caplen

        // Ethernet padding.
        if p.pointee.rawLength <= 64 {
            let pad = p.pointee.rawLength - p.pointee.l3Length - p.pointee.l3Offset
            if pad > 0 {
                p.pointee.padLength = pad
                flows.flows[fi].padBytes &+= UInt64(pad)
                counters.padBytes &+= UInt64(pad)
            }
        }

        let view = Packet(UnsafePointer(p))
        hot.forEach { $0.onLayer2(view, flowIndex: Analyzer.noFlow) }
        flows.flows[fi].status |= p.pointee.status
        flows.flows[fi].lastSeen = p.pointee.timestamp
        if packetMode { packetLineStart(fi) }
        hot.forEach { $0.onLayer4(view, flowIndex: fi) }
        if packetMode { packetLineEnd() }
        countAB(fi)
    }

    @inline(__always)
    func fragmentKey(ipID: UInt32, proto: UInt8) -> FragmentKey {
        let p = packet
        return FragmentKey(src: p.pointee.srcIP, dst: p.pointee.dstIP, ethType: p.pointee.ethType,
                           vlanID: p.pointee.vlanID, ipID: ipID, proto: proto)
    }

    /// Step 17: first fragments and headless fragments register a pending series; a
    /// packet that is not a fragment while a series is pending is an error.
    @inline(__always)
    func fragmentBookkeeping(_ fi: Int, isV4: Bool, laterFragment: Bool, headless: Bool) {
        let p = packet
        let isFragment: Bool
        if isV4 {
            isFragment = headless || (!laterFragment && p.pointee.moreFragments)
        } else {
            isFragment = p.pointee.ipv6FragOffset >= 0
        }
        let f = flows.flows + fi
        guard isFragment else {
            if f.pointee.status & FlowStat.IPV4_FRAG_PENDING != 0 && !laterFragment {
                p.pointee.status |= FlowStat.IPV4_FRAG_ERR
            }
            return
        }
        if isV4 { counters.numFragV4Packets += 1 } else { dissector.stats.numFragV6Packets += 1 }
        p.pointee.status |= FlowStat.IPV4_FRAG
        if headless { p.pointee.status |= FlowStat.IPV4_FRAG_HDSEQ_ERR }
        let proto = p.pointee.l4Proto
        if f.pointee.status & FlowStat.IPV4_FRAG_PENDING != 0 {
            let old = fragmentKey(ipID: f.pointee.fragID, proto: proto)
            if fragments.removeValue(forKey: old) == nil || f.pointee.fragID != p.pointee.ipID {
                p.pointee.status |= FlowStat.IPV4_FRAG_ERR
            }
        }
        fragments[fragmentKey(ipID: p.pointee.ipID, proto: proto)] = Int32(fi)
        f.pointee.fragID = p.pointee.ipID
        f.pointee.status |= FlowStat.IPV4_FRAG_PENDING
    }

    // MARK: Flow creation (core.md 6.2)

    func createFlow(_ key: FlowKey, hash h: UInt32, isL2: Bool) -> Int {
        let p = packet
        if flows.isFull {
            guard CoreConfig.HASH_AUTOPILOT else { return -1 }
            autopilot()
        }
        let fi = flows.insert(key, hash: h)
        let f = flows.flows + fi
        f.pointee.timeout = Analyzer.flowTimeout
        f.pointee.firstSeen = p.pointee.timestamp
        f.pointee.lastSeen = p.pointee.timestamp
        f.pointee.oppositeIndex = -1
        f.pointee.lastIPID = 0
        f.pointee.fragID = 0
        f.pointee.padBytes = 0
        if isL2 {
            f.pointee.status = FlowStat.L2_FLOW
            counters.totalL2Flows += 1
        } else if p.pointee.ipVersion == 6 {
            f.pointee.status = FlowStat.L2_IPV6
            counters.totalIPv6Flows += 1
        } else {
            f.pointee.status = FlowStat.L2_IPV4
            counters.totalIPv4Flows += 1
        }

        let rev = key.reversed
        if rev == key {
            counters.totalFlowIndex += 1
            f.pointee.findex = counters.totalFlowIndex
            counters.totalAFlows += 1
            if key.proto == 6 && !isL2 {
                f.pointee.status |= FlowStat.LANDATTACK
                flows.aggregatedStatus |= FlowStat.LANDATTACK
            }
        } else {
            let r = flows.lookup(rev, hash: rev.hash)
            if r >= 0 {
                f.pointee.oppositeIndex = Int32(r)
                flows.flows[r].oppositeIndex = Int32(fi)
                f.pointee.findex = flows.flows[r].findex
                counters.totalBFlows += 1
                if !flows.flows[r].isB { f.pointee.status |= FlowStat.L3FLOWINVERT }
            } else {
                counters.totalFlowIndex += 1
                f.pointee.findex = counters.totalFlowIndex
                counters.totalAFlows += 1
                if !isL2 && isResponse(key) { f.pointee.status |= FlowStat.L3FLOWINVERT }
            }
        }
        let n = UInt64(flows.count)
        if n > counters.maxNumFlowsPeak { counters.maxNumFlowsPeak = n }
        let view = Packet(UnsafePointer(p))
        hot.forEach { $0.onNewFlow(view, flowIndex: fi) }
        return fi
    }

    /// T2's direction heuristics for the first packet of a lone flow.
    func isResponse(_ key: FlowKey) -> Bool {
        let sp = key.srcPort, dp = key.dstPort
        if sp < 1024 && sp < dp { return true }
        if sp & 0xfff6 == 8080 { return true }
        let p = packet
        if key.proto == 6 && p.pointee.l4Offset >= 0 {
            let flags = p.pointee.field8(p.pointee.l4Offset + 13)
            if flags & 0x12 == 0x12 { return true }
        }
        return false
    }

    @inline(__always)
    func countAB(_ fi: Int) {
        let caplen = UInt64(packet.pointee.snapLength)
        if flows.flows[fi].status & FlowStat.L3FLOWINVERT != 0 {
            counters.numBPackets += 1
            counters.numBBytes &+= caplen
        } else {
            counters.numAPackets += 1
            counters.numABytes &+= caplen
        }
    }
}
