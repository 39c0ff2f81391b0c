// Packet mode (-s, core.md 13): one line per packet assigned to a flow in
// PREFIX_packets.txt. The core writes the packet number and flow index, every plugin
// its packet columns, and the core ends the line with the escaped layer-7 payload.

extension Analyzer {
    @inline(__always)
    func packetLineStart(_ fi: Int) {
        packetLine.appendDecimal(counters.numPackets)
        packetLine.tab()
        packetLine.appendDecimal(flows.flows[fi].findex)
        packetLine.tab()
    }

    @inline(__always)
    func packetLineEnd() {
        let payload = packet.pointee.payload
        for b in payload {
            switch b {
            case 0x08: packetLine.append(UInt8(ascii: "\\")); packetLine.append(UInt8(ascii: "b"))
            case 0x0c: packetLine.append(UInt8(ascii: "\\")); packetLine.append(UInt8(ascii: "f"))
            case 0x0a: packetLine.append(UInt8(ascii: "\\")); packetLine.append(UInt8(ascii: "n"))
            case 0x0d: packetLine.append(UInt8(ascii: "\\")); packetLine.append(UInt8(ascii: "r"))
            case 0x09: packetLine.append(UInt8(ascii: "\\")); packetLine.append(UInt8(ascii: "t"))
            case 0x0b: packetLine.append(UInt8(ascii: "\\")); packetLine.append(UInt8(ascii: "v"))
            case 0x5c: packetLine.append(UInt8(ascii: "\\")); packetLine.append(UInt8(ascii: "\\"))
            case 0x20...0x7e: packetLine.append(b)
            default: packetLine.append(UInt8(ascii: "."))
            }
        }
        packetLine.newline()
        packetLine.flushIfNeeded()
    }
}
