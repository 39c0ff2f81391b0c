// libFuzzer entry point: hostile frames through the core's whole packet path
// (dissection, flow lookup and creation, A/B pairing, fragment series, timeouts, flow
// writing), under AddressSanitizer. tools/fuzz builds and runs it.
//
// Input layout (Fuzz/make-seeds.py writes seeds in it):
//
//   byte 0        link type: linkTypes[byte % linkTypes.count]
//   then frames:  [dt: 1][caplen: 2, big-endian][wire: 2, big-endian][caplen bytes]
//
// The last frame takes whatever bytes remain. `wire` is the length on the wire, 0 for
// "as captured"; it may be less than what was captured, as in damaged pcap files. Any
// 16-bit value is reachable, which is what T2's 16-bit length arithmetic depends on.
// dt moves the clock before the frame: 0...199 seconds forward, 200...253 that many
// 20 ms steps (minus 200), 255 ten seconds back (time jumps in merged captures), and 254
// takes the next 4 bytes (big-endian) as the record's sub-second field, which damaged
// captures fill with values of 10⁹ and more.

#if canImport(Glibc)
import Glibc
#endif
import T2Core
import CLibFuzzer

/// The entry point SwiftPM links as `main`: hands over to libFuzzer's driver.
@_cdecl("T2Fuzz_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    var argc = argc
    var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = argv
    return LLVMFuzzerRunDriver(&argc, &argv) { data, size in fuzz(data!, size) }
}

/// The link types the dissector supports; the order is part of the input format.
let linkTypes: [Int32] = [
    LinkType.EN10MB, LinkType.NULL, LinkType.LOOP, LinkType.RAW, LinkType.RAW_OPENBSD, LinkType.RAW_101,
    LinkType.IPV4, LinkType.IPV6, LinkType.LINUX_SLL, LinkType.LINUX_SLL2, LinkType.PPP, LinkType.PPP_SERIAL,
    LinkType.PPP_WITH_DIR, LinkType.C_HDLC, LinkType.C_HDLC_WITH_DIR, LinkType.FRELAY, LinkType.FRELAY_WITH_DIR,
    LinkType.ETHERNET_MPACKET,
]

/// One feeder per link type, kept across inputs: a feeder allocates a full flow table
/// and the analyzer's counters, which are never released. Every input ends with
/// `finish()`, so each input starts with an empty flow table.
var feeders = [PacketFeeder?](repeating: nil, count: linkTypes.count)
var checkers = [Checker?](repeating: nil, count: linkTypes.count)

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size >= 1 else { return 0 }
    let sel = Int(data[0]) % linkTypes.count
    if feeders[sel] == nil {
        let c = Checker()
        let f = PacketFeeder(linkType: linkTypes[sel], plugins: [c])
        c.flows = f.analyzer.flows
        checkers[sel] = c
        feeders[sel] = f
    }
    let feeder = feeders[sel]!, checker = checkers[sel]!

    var sec = 1_500_000_000, ns = 0
    var i = 1
    while i + 5 <= size {
        let dt = Int(data[i])
        switch dt {
        case 0...199: sec += dt
        case 200...253:
            ns += (dt - 200) * 20_000_000
            if ns >= 1_000_000_000 { ns -= 1_000_000_000; sec += 1 }
        case 254:
            guard i + 9 <= size else { i = size; continue }
            ns = Int(data[i + 1]) << 24 | Int(data[i + 2]) << 16 | Int(data[i + 3]) << 8 | Int(data[i + 4])
            i += 4
        default: sec -= 10
        }
        let caplen = Int(data[i + 1]) << 8 | Int(data[i + 2])
        let wire = Int(data[i + 3]) << 8 | Int(data[i + 4])
        i += 5
        let n = min(caplen, size - i)
        // A heap block of exactly the frame's size: ASan then reports any read past the
        // captured bytes, which within the input buffer would hit the next frame.
        let frame = UnsafeMutableRawPointer.allocate(byteCount: max(n, 1), alignment: 1)
        frame.copyMemory(from: data + i, byteCount: n)
        feeder.feed(UnsafeRawBufferPointer(start: frame, count: n), wireLength: wire == 0 ? n : wire,
                    seconds: sec, nanoseconds: ns)
        frame.deallocate()
        i += n
    }
    feeder.finish()
    checker.endOfInput(flowsInMemory: feeder.flowsInMemory)
    return 0
}

/// A plugin that reads what the packet says is there, as real plugins do, and checks
/// the flow bookkeeping: a flow index is only used between its creation and its
/// termination, each flow is written exactly once, and A/B pairs point at each other.
final class Checker: T2Plugin {
    override var name: String { "fuzzChecker" }
    unowned(unsafe) var flows: FlowTable!

    let capacity = CoreConfig.HASHCHAINTABLE_BASE_SIZE
    let live: UnsafeMutablePointer<Bool>
    var liveCount = 0
    /// Folded into a global so that the reads cannot be optimised away.
    var sink: UInt64 = 0

    override init() {
        live = UnsafeMutablePointer<Bool>.allocate(capacity: capacity)
        live.initialize(repeating: false, count: capacity)
        super.init()
    }

    func checkLive(_ fi: Int, _ what: @autoclosure () -> String) {
        precondition(fi >= 0 && fi < capacity, "flow index out of range")
        precondition(live[fi], what())
    }

    override func onNewFlow(_ packet: Packet, flowIndex: Int) {
        precondition(flowIndex >= 0 && flowIndex < capacity, "new flow index out of range")
        precondition(!live[flowIndex], "flow index handed out twice")
        live[flowIndex] = true
        liveCount += 1
        touch(packet)
    }

    override func onLayer2(_ packet: Packet, flowIndex: Int) {
        if flowIndex != Analyzer.noFlow { checkLive(flowIndex, "onLayer2 for a flow that is not live") }
        touch(packet)
    }

    override func onLayer4(_ packet: Packet, flowIndex: Int) {
        checkLive(flowIndex, "onLayer4 for a flow that is not live")
        precondition(packet.flowIndex == flowIndex, "packet.flowIndex differs from the callback's")
        precondition(flows[flowIndex].lastSeen == packet.timestamp, "lastSeen is not the packet's time")
        checkFlow(flowIndex)
        touch(packet)
    }

    override func onFlowTerminate(flowIndex: Int, output: OutputBuffer) {
        checkLive(flowIndex, "flow written twice or never created")
        // A pair is written A then B: the first one is already marked written here.
        checkFlow(flowIndex, oppositeWritten: true)
        live[flowIndex] = false
        liveCount -= 1
    }

    /// What plugins read of a flow: its times (basicFlow's duration) and its opposite.
    func checkFlow(_ fi: Int, oppositeWritten: Bool = false) {
        let f = flows[fi]
        sink &+= UInt64(f.duration.sec32) &+ UInt64(f.duration.ns) &+ f.findex
        if f.hasOpposite {
            let o = Int(f.oppositeIndex)
            precondition(o >= 0 && o < capacity, "opposite flow index out of range")
            if !oppositeWritten { checkLive(o, "opposite flow is not live") }
            precondition(flows[o].oppositeIndex == Int32(fi), "opposite flows do not point at each other")
            precondition(flows[o].findex == f.findex, "A and B flow with different flow numbers")
        }
    }

    func endOfInput(flowsInMemory: Int) {
        precondition(flowsInMemory == 0, "flows left in the table after finish()")
        precondition(liveCount == 0, "flows created but never written")
    }

    /// Reads every region the packet's offsets promise to be in the capture buffer.
    func touch(_ p: Packet) {
        var s: UInt64 = 0
        precondition(p.snapLength <= p.readableLength, "snapLength beyond the readable buffer")
        for b in p.payload { s &+= UInt64(b) }
        p.headerDescription.withBytes { for b in $0 { s &+= UInt64(b) } }
        if p.hasL2Header {
            s &+= p.dstMAC.raw &+ p.srcMAC.raw
        }
        if p.vlanOffset >= 0 {
            // As basicFlow walks the tags: TCI, then the next type.
            for t in 0..<p.vlanCount {
                let o = p.vlanOffset + 4 * t
                if o + 4 > p.snapLength { break }
                s &+= UInt64(p.raw.be16(o)) &+ UInt64(p.raw.be16(o + 2))
            }
        }
        if p.mplsCount > 0 {
            for l in 0..<p.mplsCount { s &+= UInt64(p.raw.be32(p.mplsOffset + 4 * l)) }
        }
        if let h = p.ipv4 {
            s &+= UInt64(h.ihl) &+ UInt64(h.tos) &+ UInt64(h.totalLength) &+ UInt64(h.id)
            s &+= UInt64(h.fragmentField) &+ UInt64(h.ttl) &+ UInt64(h.proto) &+ UInt64(h.checksum)
        }
        if let h = p.ipv6 {
            s &+= UInt64(h.trafficClass) &+ UInt64(h.flowLabel) &+ UInt64(h.payloadLength)
            s &+= UInt64(h.nextHeader) &+ UInt64(h.hopLimit)
        }
        // Extension headers the dissector walked: their next-header and length bytes.
        for o in [p.ipv6HopByHopOffset, p.ipv6DestOptsOffset] where o >= 0 {
            s &+= UInt64(p.raw.u8(o)) &+ UInt64(p.raw.u8(o + 1))
        }
        if p.ipv6FragOffset >= 0 {
            s &+= UInt64(p.raw.be16(p.ipv6FragOffset + 2)) &+ UInt64(p.raw.be32(p.ipv6FragOffset + 4))
        }
        if let t = p.tcp {
            s &+= UInt64(t.srcPort) &+ UInt64(t.dstPort) &+ UInt64(t.seq) &+ UInt64(t.ack)
            s &+= UInt64(t.dataOffset) &+ UInt64(t.flags) &+ UInt64(t.window) &+ UInt64(t.checksum)
        }
        s &+= UInt64(p.field8(p.l4Offset)) &+ UInt64(p.field16(p.l4Offset)) &+ UInt64(p.field32(p.l7Offset))
        s &+= UInt64(truncatingIfNeeded: p.l7Length) &+ UInt64(truncatingIfNeeded: p.snapL7Length)
        sink &+= s
    }
}
