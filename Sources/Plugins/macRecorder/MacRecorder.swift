// macRecorder records, per flow, every distinct (source MAC, destination MAC) pair seen
// on the flow's packets, in order of first appearance, with the number of packets of
// each pair (up to MR_MAX_MAC pairs; macStat 0x01 once the list is full), and labels
// each address with its vendor or multicast group from the IEEE registries
// (macEthlbl_HLP.bin, looked up as T2 does). Flows without an Ethernet header record
// nothing. In packet mode it prints the labels of each packet's addresses; the end
// report gives the aggregated macStat and the pairs-per-flow statistics. See
// spec/plugins/macRecorder.md.

#if canImport(Glibc)
import Glibc
#endif
import T2Core

final class MacRecorder: T2Plugin {
    /// macStat: more than MR_MAX_MAC distinct pairs; later packets are not counted.
    static let MR_STAT_OVERFLOW: UInt8 = 0x01

    static let maxPairs = MacRecorderConfig.MR_MAX_MAC
    static let labelMode = MacRecorderConfig.MR_MACLBL

    // Per-flow state, one flat zeroed block per flow index (T2's macRecorderFlows):
    //   0: numEntries (UInt32), 4: ethType of the first packet (UInt16), 6: stat (UInt8)
    //   8: MR_MAX_MAC pairs of two words, w0 = dst | srcLow16 << 48,
    //      w1 = srcHigh32 | numPkts << 32
    // (MACs as MACAddress.raw, wire order in the low bytes). numPkts is 32 bits here
    // (64 in T2) so that a pair fits in 16 bytes. Sized from MR_MAX_MAC, which a Swift
    // tuple cannot be.
    static let pairOffset = 8
    static let stride = pairOffset + maxPairs * 16

    override var name: String { "macRecorder" }

    static var macType: ColumnType {
        switch MacRecorderConfig.MR_MAC_FMT {
        case 0: return .h64
        case 2: return .u64
        default: return .mac
        }
    }

    override var columns: [Column] {
        var c = [Column("macStat", "macRecorder status", .h8)]
        if MacRecorderConfig.MR_NPAIRS {
            c.append(Column("macPairs", "Number of distinct source/destination MAC addresses pairs", .u32))
        }
        c.append(Column("srcMac_dstMac_numP",
                        "Source/destination MAC address, number of packets of MAC address combination",
                        compound: [MacRecorder.macType, MacRecorder.macType, .u64], repeating: true))
        switch MacRecorder.labelMode {
        case 1: c.append(Column("srcMacLbl_dstMacLbl", "Source/destination MAC label", compound: [.u32, .u32], repeating: true))
        case 2: c.append(Column("srcMacLbl_dstMacLbl", "Source/destination MAC label", compound: [.stringClass, .stringClass], repeating: true))
        case 3: c.append(Column("srcMacLbl_dstMacLbl", "Source/destination MAC label", compound: [.string, .string], repeating: true))
        default: break
        }
        return c
    }

    override var packetColumns: [String] { MacRecorder.labelMode > 0 ? ["srcMacLbl", "dstMacLbl"] : [] }

    unowned(unsafe) var t2: Analyzer!
    /// Unmanaged, so that the per-packet status test does not retain the table.
    var flowTable: Unmanaged<FlowTable>!
    var packetLine: Unmanaged<TextBuffer>!
    var state: UnsafeMutableRawPointer!
    var table: MacLabelTable?
    var packetMode = false

    // End report aggregates.
    var macStat: UInt8 = 0
    var minPairs = UInt32.max
    var maxPairs: UInt32 = 0
    var avgPairs: Float = 0

    override func initialize(_ t2: Analyzer) throws {
        self.t2 = t2
        flowTable = Unmanaged.passUnretained(t2.flows)
        packetMode = t2.packetMode && MacRecorder.labelMode > 0
        if MacRecorder.labelMode > 0 {
            var folder = t2.pluginFolder
            if !folder.hasSuffix("/") { folder += "/" }
            let file = MacRecorderConfig.MACLBLFILE
            let log = t2.log
            let t = try MacLabelTable(path: folder + file, fileName: file) { log.warning("macRecorder: " + $0) }
            table = t
            let what = MacRecorder.labelMode == 3 ? "long org name" : "short org name"
            t2.log.info("macRecorder: \(t.count)\(ReportFormat.hr(UInt64(t.count))) \(what) records loaded")
        }
        state = calloc(t2.flows.capacity, MacRecorder.stride)!
        if packetMode { packetLine = Unmanaged.passUnretained(t2.packetLine) }
    }

    @inline(__always) func flowState(_ flowIndex: Int) -> UnsafeMutableRawPointer {
        state + flowIndex &* MacRecorder.stride
    }

    override func onNewFlow(_ packet: Packet, flowIndex: Int) {
        let s = flowState(flowIndex)
        s.storeBytes(of: 0, toByteOffset: 0, as: UInt64.self)
        s.storeBytes(of: packet.ethType, toByteOffset: 4, as: UInt16.self)
    }

    override func onLayer2(_ packet: Packet, flowIndex: Int) {
        guard flowIndex != Analyzer.noFlow else { return }
        record(packet, flowIndex)
    }

    override func onLayer4(_ packet: Packet, flowIndex: Int) {
        record(packet, flowIndex)
    }

    @inline(__always)
    func record(_ packet: Packet, _ flowIndex: Int) {
        let hasEth = packet.l2Offset >= 0 && packet.l2Offset + 12 <= packet.readableLength
            && flowTable._withUnsafeGuaranteedRef { $0[flowIndex].status } & (FlowStat.L2_NO_ETH | FlowStat.LAPD_FLOW) == 0
        if hasEth {
            let s = flowState(flowIndex)
            let n = Int(s.load(as: UInt32.self))
            if n >= MacRecorder.maxPairs {
                // T2 tests the capacity before the search: a full list counts nothing.
                s.storeBytes(of: s.load(fromByteOffset: 6, as: UInt8.self) | MacRecorder.MR_STAT_OVERFLOW,
                             toByteOffset: 6, as: UInt8.self)
            } else {
                // Whatever the link type, the first 12 bytes of the L2 header are read
                // as destination and source MAC (Linux cooked headers included).
                let p = packet.raw + packet.l2Offset
                let dst = UInt64(p.le32(0)) | UInt64(p.le16(4)) << 32
                let src = UInt64(p.le16(6)) | UInt64(p.le32(8)) << 16
                let w0 = dst | src << 48
                let w1 = src >> 16
                var e = s + MacRecorder.pairOffset
                var found = false
                for _ in 0..<n {
                    if e.load(as: UInt64.self) == w0 {
                        let v = e.load(fromByteOffset: 8, as: UInt64.self)
                        if v & 0xffff_ffff == w1 {
                            e.storeBytes(of: v &+ (1 << 32), toByteOffset: 8, as: UInt64.self)
                            found = true
                            break
                        }
                    }
                    e += 16
                }
                if !found {
                    e.storeBytes(of: w0, as: UInt64.self)
                    e.storeBytes(of: w1 | (1 << 32), toByteOffset: 8, as: UInt64.self)
                    s.storeBytes(of: UInt32(n + 1), as: UInt32.self)
                }
            }
        }
        if packetMode { printLabels(packet, flowIndex, hasEth) }
    }

    func printLabels(_ packet: Packet, _ flowIndex: Int, _ hasEth: Bool) {
        packetLine._withUnsafeGuaranteedRef { printLabels(packet, flowIndex, hasEth, $0) }
    }

    @inline(__always)
    func printLabels(_ packet: Packet, _ flowIndex: Int, _ hasEth: Bool, _ out: TextBuffer) {
        guard hasEth, let table = table else {
            out.tab(); out.tab()
            return
        }
        let ethType = flowState(flowIndex).load(fromByteOffset: 4, as: UInt16.self)
        let p = packet.raw + packet.l2Offset
        let dst = (UInt64(p.be16(0)) << 32) | UInt64(p.be32(2))
        let src = (UInt64(p.be16(6)) << 32) | UInt64(p.be32(8))
        appendLabel(table, table.cachedLookup(src, ethType: ethType), to: out)
        out.tab()
        appendLabel(table, table.cachedLookup(dst, ethType: ethType), to: out)
        out.tab()
    }

    @inline(__always)
    func appendLabel(_ table: MacLabelTable, _ i: Int, to out: TextBuffer) {
        if MacRecorder.labelMode == 1 {
            out.appendDecimal(UInt64(i))
        } else if i == 0 {
            out.append(UInt8(ascii: "-"))
        } else {
            out.append(table.label(i))
        }
    }

    override func onFlowTerminate(flowIndex: Int, output: OutputBuffer) {
        let s = flowState(flowIndex)
        let n = s.load(as: UInt32.self)
        let stat = s.load(fromByteOffset: 6, as: UInt8.self)
        let ethType = s.load(fromByteOffset: 4, as: UInt16.self)

        macStat |= stat
        if n > maxPairs { maxPairs = n }
        if n < minPairs { minPairs = n }
        if avgPairs == 0 {
            avgPairs = Float(Double(minPairs + maxPairs) / 2)
        } else {
            avgPairs = Float(0.7 * Double(avgPairs) + 0.3 * Double(n))
        }

        output.appendH8(stat)
        if MacRecorderConfig.MR_NPAIRS { output.appendU32(n) }
        let pairs = s + MacRecorder.pairOffset
        output.appendRepeatCount(Int(n))
        for j in 0..<Int(n) {
            let (src, dst, count) = MacRecorder.pair(pairs + j * 16)
            appendMAC(src, output)
            appendMAC(dst, output)
            output.appendU64(count)
        }
        guard MacRecorder.labelMode > 0 else { return }
        output.appendRepeatCount(Int(n))
        for j in 0..<Int(n) {
            let (src, dst, _) = MacRecorder.pair(pairs + j * 16)
            appendLabel(table!.cachedLookup(MacRecorder.value(src), ethType: ethType), output)
            appendLabel(table!.cachedLookup(MacRecorder.value(dst), ethType: ethType), output)
        }
    }

    @inline(__always)
    func appendLabel(_ i: Int, _ output: OutputBuffer) {
        if MacRecorder.labelMode == 1 {
            output.appendU32(UInt32(i))
        } else if i == 0 {
            output.appendString("-" as StaticString)
        } else {
            output.appendString(table!.label(i))
        }
    }

    /// Source MAC, destination MAC (MACAddress.raw) and packet count of a stored pair.
    @inline(__always)
    static func pair(_ e: UnsafeMutableRawPointer) -> (UInt64, UInt64, UInt64) {
        let w0 = e.load(as: UInt64.self)
        let w1 = e.load(fromByteOffset: 8, as: UInt64.self)
        return ((w0 >> 48) | (w1 & 0xffff_ffff) << 16, w0 & 0xffff_ffff_ffff, w1 >> 32)
    }

    /// The 48-bit value of a MACAddress.raw, first byte most significant.
    @inline(__always)
    static func value(_ raw: UInt64) -> UInt64 { raw.byteSwapped >> 16 }

    @inline(__always)
    func appendMAC(_ raw: UInt64, _ output: OutputBuffer) {
        switch MacRecorderConfig.MR_MAC_FMT {
        case 0: output.appendH64(MacRecorder.value(raw))
        case 2: output.appendU64(MacRecorder.value(raw))
        default: output.appendMAC(MACAddress(raw: raw))
        }
    }

    override func report(_ report: PluginReport) {
        if macStat != 0 { report.line("Aggregated macStat=" + cFormat("0x%02x", UInt32(macStat))) }
        if maxPairs > 1 {
            report.line("MAC pairs per flow: min: \(minPairs), max: \(maxPairs), average: " + cFormat("%.2f", Double(avgPairs)))
        }
    }

    override func finalize() {
        free(state)
        state = nil
        table?.close()
        table = nil
    }
}

@_cdecl("t2PluginCreate")
public func t2PluginCreate() -> UnsafeMutableRawPointer { T2Plugin.export(MacRecorder()) }
