// basicFlow measures the identity and timing of every flow: its status word, first and
// last packet times and duration, the distinct header descriptions (up to 4) with their
// header counts, the MAC addresses seen (up to 3 each way), the EtherType, the VLAN
// tags of the packet that created it, and the 5-tuple. In packet mode it adds 16
// per-packet columns (inter-arrival and round-trip times among them). See
// spec/basicFlow.md.

import T2Core

/// Per-flow state; plain values only, so it lives in a flat zeroed buffer.
struct BasicFlowState {
    var lastPktTime = Timestamp.zero
    var vlans: (UInt16, UInt16, UInt16) = (0, 0, 0)
    var vlanCount: UInt8 = 0
    /// Header descriptions, as ids into `BasicFlow.descriptions`, with their header counts.
    var hdrIDs: (UInt16, UInt16, UInt16, UInt16) = (0, 0, 0, 0)
    var hdrCounts: (UInt16, UInt16, UInt16, UInt16) = (0, 0, 0, 0)
    var hdrCount: UInt8 = 0
    var srcMacs: (UInt64, UInt64, UInt64) = (0, 0, 0)
    var dstMacs: (UInt64, UInt64, UInt64) = (0, 0, 0)
    var srcMacCount: UInt8 = 0
    var dstMacCount: UInt8 = 0
}

/// Index into a homogeneous tuple stored in a struct field.
@inline(__always)
func element<T, E>(_ tuple: UnsafeMutablePointer<T>, _ i: Int, as: E.Type = E.self) -> UnsafeMutablePointer<E> {
    UnsafeMutableRawPointer(tuple).assumingMemoryBound(to: E.self) + i
}

final class BasicFlow: T2Plugin {
    static let maxHdrDesc = BasicFlowConfig.BFO_MAX_HDRDESC
    static let maxMAC = BasicFlowConfig.BFO_MAX_MAC
    static let maxVLAN = BasicFlowConfig.BFO_MAX_VLAN

    override var name: String { "basicFlow" }

    override var columns: [Column] {
        [
            Column("flowStat", "Flow status and warnings", .h64),
            Column("timeFirst", "Date time of first packet", .timestamp),
            Column("timeLast", "Date time of last packet", .timestamp),
            Column("duration", "Flow duration", .duration),
            Column("numHdrDesc", "Number of different headers descriptions", .u8),
            Column("numHdrs", "Number of headers (depth) in hdrDesc", .u16, repeating: true),
            Column("hdrDesc", "Headers description", .stringClass, repeating: true),
            Column("srcMac", "Mac source", .mac, repeating: true),
            Column("dstMac", "Mac destination", .mac, repeating: true),
            Column("ethType", "Ethernet type", .h16),
            Column("vlanID", "VLAN IDs", .u16, repeating: true),
            Column("srcIP", "Source IP address", .ipx),
            Column("srcPort", "Source port", .u16),
            Column("dstIP", "Destination IP address", .ipx),
            Column("dstPort", "Destination port", .u16),
            Column("l4Proto", "Layer 4 protocol", .u8),
        ]
    }

    override var packetColumns: [String] {
        ["flowStat", "time", "pktIAT", "pktTrip", "flowDuration", "numHdrs", "hdrDesc", "vlanID",
         "srcMac", "dstMac", "ethType", "srcIP", "srcPort", "dstIP", "dstPort", "l4Proto"]
    }

    unowned(unsafe) var t2: Analyzer!
    /// The flow table, held without reference counting: `t2.flows` would retain and
    /// release it on every packet.
    unowned(unsafe) var flows: FlowTable!
    var state: PerFlowStorage<BasicFlowState>!
    /// Distinct header descriptions seen in the run; flows store their ids.
    var descriptions: [HeaderDescription] = []
    var packetMode = false

    override func initialize(_ t2: Analyzer) throws {
        self.t2 = t2
        flows = t2.flows
        state = PerFlowStorage(capacity: t2.flows.capacity)
        packetMode = t2.packetMode
    }

    override func onNewFlow(_ packet: Packet, flowIndex: Int) {
        let s = state.pointer(flowIndex)
        s.pointee = BasicFlowState()
        s.pointee.lastPktTime = flows[flowIndex].firstSeen
        // VLAN tags of the creating packet, outermost first, whole TCI.
        var o = packet.vlanOffset
        if o >= 0 {
            var n = 0
            while n < BasicFlow.maxVLAN && o + 4 <= packet.snapLength {
                element(&s.pointee.vlans, n, as: UInt16.self).pointee = packet.raw.be16(o)
                n += 1
                let next = packet.raw.be16(o + 2)
                guard next == 0x8100 || next == 0x88a8 || next == 0x9100 || next == 0x9200 else { break }
                o += 4
            }
            s.pointee.vlanCount = UInt8(n)
        }
    }

    override func onLayer2(_ packet: Packet, flowIndex: Int) {
        guard flowIndex != Analyzer.noFlow else { return }
        update(packet, flowIndex)
    }

    override func onLayer4(_ packet: Packet, flowIndex: Int) {
        update(packet, flowIndex)
    }

    @inline(__always)
    func update(_ packet: Packet, _ flowIndex: Int) {
        let s = state.pointer(flowIndex)
        // Header descriptions: once 4 are stored, every later packet only sets the
        // overrun bit, even for a known description (spec 2.1.5).
        let n = Int(s.pointee.hdrCount)
        if n >= BasicFlow.maxHdrDesc {
            flows.setFlowOnlyStatus(FlowStat.HDOVRN, flowIndex: flowIndex)
        } else {
            let found = descriptions.withUnsafeBufferPointer { known in
                for i in 0..<n {
                    let id = Int(element(&s.pointee.hdrIDs, i, as: UInt16.self).pointee)
                    if packet.headerDescriptionEquals(known[id]) {
                        element(&s.pointee.hdrCounts, i, as: UInt16.self).pointee = UInt16(truncatingIfNeeded: packet.headerCount)
                        return true
                    }
                }
                return false
            }
            if !found {
                element(&s.pointee.hdrIDs, n, as: UInt16.self).pointee = intern(packet.headerDescription)
                element(&s.pointee.hdrCounts, n, as: UInt16.self).pointee = UInt16(truncatingIfNeeded: packet.headerCount)
                s.pointee.hdrCount += 1
            }
        }
        let flowStatus = flows[flowIndex].status
        if packet.hasL2Header && flowStatus & (FlowStat.L2_NO_ETH | FlowStat.LAPD_FLOW) == 0 {
            addMAC(packet.srcMAC.raw, &s.pointee.srcMacs, &s.pointee.srcMacCount)
            addMAC(packet.dstMAC.raw, &s.pointee.dstMacs, &s.pointee.dstMacCount)
        }
        if packetMode { writePacketColumns(packet, flowIndex, s) }
    }

    @inline(__always)
    func addMAC(_ mac: UInt64, _ list: UnsafeMutablePointer<(UInt64, UInt64, UInt64)>, _ count: UnsafeMutablePointer<UInt8>) {
        let n = Int(count.pointee)
        for i in 0..<n where element(list, i, as: UInt64.self).pointee == mac { return }
        if n < BasicFlow.maxMAC {
            element(list, n, as: UInt64.self).pointee = mac
            count.pointee += 1
        }
    }

    func intern(_ d: HeaderDescription) -> UInt16 {
        if let i = descriptions.firstIndex(of: d) { return UInt16(i) }
        descriptions.append(d)
        return UInt16(descriptions.count - 1)
    }

    override func onFlowTerminate(flowIndex: Int, output: OutputBuffer) {
        let f = flows[flowIndex]
        let s = state.pointer(flowIndex)
        output.appendH64(f.status)
        output.appendTimestamp(Timestamp(sec: UInt64(f.firstSeen.sec32), ns: f.firstSeen.ns))
        output.appendTimestamp(Timestamp(sec: UInt64(f.lastSeen.sec32), ns: f.lastSeen.ns))
        let d = f.duration
        output.appendTimestamp(Timestamp(sec: UInt64(d.sec32), ns: d.ns))
        let n = Int(s.pointee.hdrCount)
        output.appendU8(UInt8(n))
        output.appendRepeatCount(n)
        for i in 0..<n { output.appendU16(element(&s.pointee.hdrCounts, i, as: UInt16.self).pointee) }
        output.appendRepeatCount(n)
        for i in 0..<n {
            let id = Int(element(&s.pointee.hdrIDs, i, as: UInt16.self).pointee)
            descriptions[id].withBytes { output.appendString($0) }
        }
        output.appendRepeatCount(Int(s.pointee.srcMacCount))
        for i in 0..<Int(s.pointee.srcMacCount) { output.appendMAC(MACAddress(raw: element(&s.pointee.srcMacs, i, as: UInt64.self).pointee)) }
        output.appendRepeatCount(Int(s.pointee.dstMacCount))
        for i in 0..<Int(s.pointee.dstMacCount) { output.appendMAC(MACAddress(raw: element(&s.pointee.dstMacs, i, as: UInt64.self).pointee)) }
        output.appendH16(f.ethType)
        output.appendRepeatCount(Int(s.pointee.vlanCount))
        for i in 0..<Int(s.pointee.vlanCount) { output.appendU16(element(&s.pointee.vlans, i, as: UInt16.self).pointee) }
        let v = f.ipVersion
        output.appendIPX(f.srcIP, version: v)
        output.appendU16(f.srcPort)
        output.appendIPX(f.dstIP, version: v)
        output.appendU16(f.dstPort)
        output.appendU8(f.l4Proto)
    }

    // MARK: Packet mode (spec section 3)

    func writePacketColumns(_ packet: Packet, _ flowIndex: Int, _ s: UnsafeMutablePointer<BasicFlowState>) {
        let out = t2.packetLine
        let t = packet.timestamp
        // Inter-arrival time within the flow: seconds as unsigned 32-bit difference. A
        // negative value sets the timestamp-jump bit before flowStat is printed.
        let last = s.pointee.lastPktTime
        let iat = Double(t.sec32 &- last.sec32) + Double(Int64(t.ns) - Int64(last.ns)) / 1e9
        if iat < 0 { flows.setStatus(FlowStat.TIMEJUMP, flowIndex: flowIndex) }
        let f = flows[flowIndex]
        out.appendHex(f.status, digits: 16); out.tab()
        out.appendTimestamp(t); out.tab()
        out.appendDouble9(iat); out.tab()
        var trip = 0.0
        if f.hasOpposite {
            let o = flows[Int(f.oppositeIndex)].lastSeen
            trip = Double(Int64(t.sec) - Int64(o.sec)) + Double(Float(t.ns) - Float(o.ns)) / 1e9
        }
        out.appendDouble9(trip); out.tab()
        let dur = Double(t.sec32 &- f.firstSeen.sec32) + Double(Int64(t.ns) - Int64(f.firstSeen.ns)) / 1e9
        out.appendDouble9(dur); out.tab()
        s.pointee.lastPktTime = t
        out.appendDecimal(UInt64(packet.headerCount)); out.tab()
        packet.headerDescription.withBytes { out.append($0) }; out.tab()
        if packet.status & FlowStat.L2_VLAN != 0 {
            for i in 0..<Int(s.pointee.vlanCount) {
                if i > 0 { out.append(UInt8(ascii: ";")) }
                out.appendDecimal(UInt64(element(&s.pointee.vlans, i, as: UInt16.self).pointee))
            }
        }
        out.tab()
        if packet.hasL2Header && f.status & (FlowStat.L2_NO_ETH | FlowStat.LAPD_FLOW) == 0 {
            out.appendMAC(packet.srcMAC); out.tab()
            out.appendMAC(packet.dstMAC); out.tab()
        } else {
            out.tab(); out.tab()
        }
        out.appendHex(UInt64(packet.ethType), digits: 4); out.tab()
        if packet.l3Offset < 0 {
            out.append("\t\t\t\t\t")
        } else {
            let v = f.ipVersion
            if v != 0 { out.appendIP(f.srcIP, version: v) }
            out.tab()
            let proto = packet.l4Proto
            let ports = proto == 6 || proto == 17 || proto == 136 || proto == 132
            if ports { out.appendDecimal(UInt64(packet.srcPort)) }
            out.tab()
            if v != 0 { out.appendIP(f.dstIP, version: v) }
            out.tab()
            if ports { out.appendDecimal(UInt64(packet.dstPort)) }
            out.tab()
            out.appendDecimal(UInt64(proto)); out.tab()
        }
    }

    override func finalize() {
        state?.deallocate()
    }
}

@_cdecl("t2PluginCreate")
public func t2PluginCreate() -> UnsafeMutableRawPointer { T2Plugin.export(BasicFlow()) }
