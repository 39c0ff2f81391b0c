// connStat measures, at the moment a flow is written, how many distinct peers and
// connections its endpoints currently have among the flows still alive: distinct
// destinations of the client and distinct sources talking to the server (connSip,
// connDip), flows between the two addresses (connSipDip) and flows from the client to
// the server port (connSipDprt), their ratios f and g, and the packet and byte totals
// sent by the flow's source address (connNumPCnt, connNumBCnt); the end report gives
// the global maxima and the biggest talkers. The four tables are slot pools with LIFO
// slot reuse whose per-slot values survive reuse, and a missing source entry reads the
// allocator's chunk header, as in T2; both quirks change output and are reproduced.
// See spec/plugins/connStat.md.

#if canImport(Glibc)
import Glibc
#endif
import T2Core

/// A key of one of the four tables; fields a table does not use stay zero. A slot whose
/// key has version 0 is free.
struct CSKey {
    var ip1: IPAddress
    var ip2: IPAddress
    var port: UInt16
    var version: UInt8

    @inline(__always)
    static func == (a: CSKey, b: CSKey) -> Bool {
        a.ip1.hi == b.ip1.hi && a.ip1.lo == b.ip1.lo && a.ip2.hi == b.ip2.hi && a.ip2.lo == b.ip2.lo
            && a.port == b.port && a.version == b.version
    }
}

/// Packets and bytes sent by a source address (T2's per-slot totals).
struct CSPktBytes {
    var pkts: UInt64
    var bytes: UInt64
}

/// A keyed slot pool as T2's hash tables: slots are handed out 0, 1, 2, ... and a freed
/// slot is reused first (LIFO), because the per-slot values of the previous owner
/// leak into the next one. Lookup is open addressing with linear probing.
struct CSSlotTable {
    let capacity: Int
    let keys: UnsafeMutablePointer<CSKey>
    /// Bucket → slot + 1 (0 = empty).
    let buckets: UnsafeMutablePointer<Int32>
    let bucketBits: Int
    let bucketMask: Int
    let freeList: UnsafeMutablePointer<Int32>
    var freeCount = 0
    var highWater = 0

    init(capacity: Int) {
        self.capacity = capacity
        var bits = 1
        while (1 << bits) < 2 * capacity { bits += 1 }
        bucketBits = bits
        bucketMask = (1 << bits) - 1
        // calloc: pages are only touched for slots and buckets in use.
        keys = calloc(max(capacity, 1), MemoryLayout<CSKey>.stride)!.bindMemory(to: CSKey.self, capacity: capacity)
        buckets = calloc(1 << bits, 4)!.bindMemory(to: Int32.self, capacity: 1 << bits)
        freeList = calloc(max(capacity, 1), 4)!.bindMemory(to: Int32.self, capacity: capacity)
    }

    func deallocate() {
        free(keys); free(buckets); free(freeList)
    }

    @inline(__always)
    func home(_ k: CSKey) -> Int {
        var h = k.ip1.hi ^ (k.ip1.lo &* 0x9e37_79b9_7f4a_7c15)
        h ^= (k.ip2.hi &* 0xc2b2_ae3d_27d4_eb4f) ^ (k.ip2.lo &* 0x1656_67b1_9e37_79f9)
        h ^= UInt64(k.port) << 8 | UInt64(k.version)
        h = (h ^ (h >> 32)) &* 0xd6e8_feb8_6659_fd93
        return Int(truncatingIfNeeded: h >> UInt64(64 - bucketBits))
    }

    /// The slot of `k`, or -1.
    @inline(__always)
    func find(_ k: CSKey) -> Int {
        var b = home(k)
        while true {
            let e = buckets[b]
            if e == 0 { return -1 }
            if keys[Int(e) - 1] == k { return Int(e) - 1 }
            b = (b + 1) & bucketMask
        }
    }

    /// Inserts `k` (known to be absent); returns its slot, or -1 if the pool is full.
    mutating func insert(_ k: CSKey) -> Int {
        let slot: Int
        if freeCount > 0 {
            freeCount -= 1
            slot = Int(freeList[freeCount])
        } else if highWater < capacity {
            slot = highWater
            highWater += 1
        } else {
            return -1
        }
        keys[slot] = k
        var b = home(k)
        while buckets[b] != 0 { b = (b + 1) & bucketMask }
        buckets[b] = Int32(slot + 1)
        return slot
    }

    /// Removes the key in `slot`; the slot is the next one handed out.
    mutating func remove(_ slot: Int) {
        var b = home(keys[slot])
        while buckets[b] != Int32(slot + 1) { b = (b + 1) & bucketMask }
        // Backward-shift deletion keeps every probe sequence intact without tombstones.
        var hole = b
        var j = b
        while true {
            j = (j + 1) & bucketMask
            let e = buckets[j]
            if e == 0 { break }
            let k = home(keys[Int(e) - 1])
            let movable = hole <= j ? (k <= hole || k > j) : (k <= hole && k > j)
            if movable {
                buckets[hole] = e
                hole = j
            }
        }
        buckets[hole] = 0
        keys[slot] = CSKey(ip1: .zero, ip2: .zero, port: 0, version: 0)
        freeList[freeCount] = Int32(slot)
        freeCount += 1
    }
}

/// An address with its IP version, for the report.
struct CSAddr {
    var ip = IPAddress.zero
    var version: UInt8 = 0
}

final class ConnStat: T2Plugin {
    override var name: String { "connStat" }

    override var columns: [Column] {
        var c = [
            Column("connSip", "Number of unique source IPs", .u32),
            Column("connDip", "Number of unique destination IPs", .u32),
            Column("connSipDip", "Number of connections between source and destination IP", .u32),
            Column("connSipDprt", "Number of connections between source IP and destination port", .u32),
            Column("connF", "The 'f' number: connSipDprt / connSip [EXPERIMENTAL]", .float),
            Column("connG", "The 'g' number: connSipDprt / connSipDip [EXPERIMENTAL]", .float),
        ]
        if ConnStatConfig.CS_PBNMAX {
            c.append(Column("connNumPCnt", "Number of unique IP's source packet count", .u64))
            c.append(Column("connNumBCnt", "Number of unique IP's source byte count", .u64))
        }
        return c
    }

    unowned(unsafe) var t2: Analyzer!
    unowned(unsafe) var table: FlowTable!

    var pairTable = CSSlotTable(capacity: 0)  // allocated in initialize
    var srcTable = CSSlotTable(capacity: 0)
    var dstTable = CSSlotTable(capacity: 0)
    var portTable = CSSlotTable(capacity: 0)
    // Per-slot values, indexed like the slots of their table.
    var pairCnt: UnsafeMutablePointer<UInt32>!
    var srcCnt: UnsafeMutablePointer<UInt32>!
    var dstCnt: UnsafeMutablePointer<UInt32>!
    var portCnt: UnsafeMutablePointer<UInt32>!
    var pb: UnsafeMutablePointer<CSPktBytes>!
    /// Per flow: SRC slot + 1 of the flow's raw source address last time it was looked
    /// up (0 = none), so most packets skip the hash lookup. Valid while that slot still
    /// holds the same key.
    var srcSlotCache: PerFlowStorage<Int32>!

    /// What T2 reads for a source address whose SRC entry is gone: the glibc chunk
    /// header in front of its mmap'ed packet/byte array (prev_size 0, then the chunk
    /// size with the IS_MMAPPED bit).
    var garbage = CSPktBytes(pkts: 0, bytes: 0)

    // Globals for the end report.
    var numSIP: UInt64 = 0
    var numDIP: UInt64 = 0
    var numSDIP: UInt64 = 0
    var numPort: UInt64 = 0
    var srcMax: UInt64 = 0
    var srcMaxIP = CSAddr()
    var dstMax: UInt64 = 0
    var dstMaxIP = CSAddr()
    var pktTalker: UInt64 = 0
    var pktTalkerIP = CSAddr()
    var byteTalker: UInt64 = 0
    var byteTalkerIP = CSAddr()

    override func initialize(_ t2: Analyzer) throws {
        self.t2 = t2
        table = t2.flows
        let c = 262_144 * t2.options.hashFactor
        // Replace the empty placeholders.
        pairTable.deallocate(); srcTable.deallocate(); dstTable.deallocate(); portTable.deallocate()
        pairTable = CSSlotTable(capacity: c)
        srcTable = CSSlotTable(capacity: c)
        dstTable = CSSlotTable(capacity: c)
        portTable = CSSlotTable(capacity: c)
        pairCnt = calloc(c, 4)!.bindMemory(to: UInt32.self, capacity: c)
        srcCnt = calloc(c, 4)!.bindMemory(to: UInt32.self, capacity: c)
        dstCnt = calloc(c, 4)!.bindMemory(to: UInt32.self, capacity: c)
        portCnt = calloc(c, 4)!.bindMemory(to: UInt32.self, capacity: c)
        pb = calloc(c, MemoryLayout<CSPktBytes>.stride)!.bindMemory(to: CSPktBytes.self, capacity: c)
        srcSlotCache = PerFlowStorage(capacity: t2.flows.capacity)
        // The array is c × 16 bytes; glibc rounds the mmap'ed chunk (plus its 16-byte
        // header) up to whole pages and flags it IS_MMAPPED (2).
        let size = c * MemoryLayout<CSPktBytes>.stride
        garbage = CSPktBytes(pkts: 0, bytes: UInt64((size + 16 + 4095) & ~4095) + 2)
    }

    /// The flow's endpoints as (client, server, server port): a B flow is read backwards.
    @inline(__always)
    func endpoints(_ flow: Flow) -> (src: IPAddress, dst: IPAddress, dport: UInt16) {
        flow.isB ? (flow.dstIP, flow.srcIP, flow.srcPort) : (flow.srcIP, flow.dstIP, flow.dstPort)
    }

    override func onNewFlow(_ packet: Packet, flowIndex: Int) {
        srcSlotCache[flowIndex] = 0
        let flow = table[flowIndex]
        let v = flow.ipVersion
        guard v != 0, !flow.isL2 else { return }
        let (src, dst, dport) = endpoints(flow)

        let pk = CSKey(ip1: src, ip2: dst, port: 0, version: v)
        var p = pairTable.find(pk)
        if p >= 0 {
            pairCnt[p] &+= 1
        } else {
            p = pairTable.insert(pk)
            if p < 0 { full("IP pair"); return }
            pairCnt[p] = 1

            let sk = CSKey(ip1: src, ip2: .zero, port: 0, version: v)
            var s = srcTable.find(sk)
            if s >= 0 {
                srcCnt[s] &+= 1
            } else {
                s = srcTable.insert(sk)
                if s < 0 { full("source IP"); return }
                // The slot's packet/byte totals are not reset: the next owner inherits them.
                srcCnt[s] = 1
                numSIP += 1
            }
            if UInt64(srcCnt[s]) > srcMax {
                srcMax = UInt64(srcCnt[s])
                srcMaxIP = CSAddr(ip: src, version: v)
            }

            let dk = CSKey(ip1: dst, ip2: .zero, port: 0, version: v)
            var d = dstTable.find(dk)
            if d >= 0 {
                dstCnt[d] &+= 1
            } else {
                d = dstTable.insert(dk)
                if d < 0 { full("destination IP"); return }
                dstCnt[d] = 1
                numDIP += 1
            }
            if UInt64(dstCnt[d]) > dstMax {
                dstMax = UInt64(dstCnt[d])
                dstMaxIP = CSAddr(ip: dst, version: v)
            }
        }
        if ConnStatConfig.CS_SDIPMAX {
            numSDIP = max(numSDIP, UInt64(pairCnt[p]))
        } else {
            numSDIP += 1
        }

        let qk = CSKey(ip1: src, ip2: .zero, port: dport, version: v)
        var q = portTable.find(qk)
        if q >= 0 {
            portCnt[q] &+= 1
        } else {
            q = portTable.insert(qk)
            if q < 0 { full("source IP / destination port"); return }
            portCnt[q] = 1
        }
        numPort = max(numPort, UInt64(portCnt[q]))
    }

    func full(_ what: String) {
        t2.log.warning("connStat: \(what) table full")
    }

    override func onLayer4(_ packet: Packet, flowIndex: Int) {
        guard ConnStatConfig.CS_PBNMAX else { return }
        let flow = table[flowIndex]
        let v = flow.ipVersion
        guard v != 0 else { return }
        // The raw source address: a server is counted by its replies too.
        let key = CSKey(ip1: flow.srcIP, ip2: .zero, port: 0, version: v)
        let len = UInt64(packet.l7Length)
        let cache = srcSlotCache.pointer(flowIndex)
        var s = Int(cache.pointee) - 1
        if s < 0 || !(srcTable.keys[s] == key) {
            s = srcTable.find(key)
            if s < 0 {
                s = srcTable.insert(key)
                if s < 0 { return }
                pb[s] = CSPktBytes(pkts: 1, bytes: len)
                cache.pointee = Int32(s + 1)
                return
            }
            cache.pointee = Int32(s + 1)
        }
        pb[s].pkts &+= 1
        pb[s].bytes &+= len
    }

    override func onFlowTerminate(flowIndex: Int, output: OutputBuffer) {
        let flow = table[flowIndex]
        let v = flow.ipVersion
        guard v != 0, !flow.isL2 else {
            for _ in 0..<4 { output.appendU32(0) }
            output.appendFloat(0)
            output.appendFloat(0)
            if ConnStatConfig.CS_PBNMAX {
                output.appendU64(0)
                output.appendU64(0)
            }
            return
        }
        let (src, dst, dport) = endpoints(flow)
        let p = pairTable.find(CSKey(ip1: src, ip2: dst, port: 0, version: v))
        let q = portTable.find(CSKey(ip1: src, ip2: .zero, port: dport, version: v))
        let s = srcTable.find(CSKey(ip1: src, ip2: .zero, port: 0, version: v))
        let d = dstTable.find(CSKey(ip1: dst, ip2: .zero, port: 0, version: v))
        if p < 0 { missing(flowIndex, flow, "IP pair number connections") }
        if q < 0 { missing(flowIndex, flow, "IP / port number connections") }
        if s < 0 { missing(flowIndex, flow, "source IP number connections") }
        if d < 0 { missing(flowIndex, flow, "destination IP number connections") }

        let srcN = s >= 0 ? srcCnt[s] : 0
        let dstN = d >= 0 ? dstCnt[d] : 0
        // For a B flow the roles swap: its sources are the server's clients.
        let connSip = flow.isB ? dstN : srcN
        let connDip = flow.isB ? srcN : dstN
        let connSipDip = p >= 0 ? pairCnt[p] : 0
        let connSipDprt = q >= 0 ? portCnt[q] : 0
        output.appendU32(connSip)
        output.appendU32(connDip)
        output.appendU32(connSipDip)
        output.appendU32(connSipDprt)
        output.appendFloat(connSip != 0 ? Float(connSipDprt) / Float(connSip) : 0)
        output.appendFloat(connSipDip != 0 ? Float(connSipDprt) / Float(connSipDip) : 0)

        if ConnStatConfig.CS_PBNMAX {
            let r = srcTable.find(CSKey(ip1: flow.srcIP, ip2: .zero, port: 0, version: v))
            let t = r >= 0 ? pb[r] : garbage
            output.appendU64(t.pkts)
            output.appendU64(t.bytes)
            if pktTalker < t.pkts {
                pktTalker = t.pkts
                pktTalkerIP = CSAddr(ip: flow.srcIP, version: v)
            }
            if byteTalker < t.bytes {
                byteTalker = t.bytes
                byteTalkerIP = CSAddr(ip: flow.srcIP, version: v)
            }
        }

        guard ConnStatConfig.CS_HSDRM else { return }
        if q >= 0 {
            portCnt[q] &-= 1
            if portCnt[q] == 0 { portTable.remove(q) }
        }
        if p >= 0 {
            pairCnt[p] &-= 1
            if pairCnt[p] == 0 {
                pairTable.remove(p)
                if s >= 0 {
                    srcCnt[s] &-= 1
                    if srcCnt[s] == 0 { srcTable.remove(s) }
                }
                if d >= 0 {
                    dstCnt[d] &-= 1
                    if dstCnt[d] == 0 { dstTable.remove(d) }
                }
            }
        }
    }

    func missing(_ flowIndex: Int, _ flow: Flow, _ what: String) {
        t2.log.warning("connStat: flowIndex: \(flowIndex), findex: \(flow.findex) has no \(what) entry! "
                       + cFormat("0x%016lx", flow.status))
    }

    func text(_ a: CSAddr) -> String {
        let b = TextBuffer(fd: -1, capacity: 64)
        b.appendIP(a.ip, version: a.version)
        return b.string
    }

    override func report(_ report: PluginReport) {
        report.num("Number of unique source IPs", numSIP)
        report.num("Number of unique destination IPs", numDIP)
        report.num("Number of unique source/destination IPs connections", numSDIP)
        report.num("Max unique number of source IP / destination port connections", numPort)
        let f = numSIP != 0 ? Float(numPort) / Float(numSIP) : 0
        if f != 0 { report.line("IP connF=connSipDprt/connSip: " + cFormat("%f", Double(f))) }
        let g = numSDIP != 0 ? Float(numPort) / Float(numSDIP) : 0
        if g != 0 { report.line("IP connG=connSipDprt/connSipDip: " + cFormat("%f", Double(g))) }
        if srcMax > 0 {
            report.line("Source IP with max connections: \(text(srcMaxIP)): \(srcMax)\(report.hr(srcMax)) connections")
        }
        if dstMax > 0 {
            report.line("Destination IP with max connections: \(text(dstMaxIP)): \(dstMax)\(report.hr(dstMax)) connections")
        }
        guard ConnStatConfig.CS_PBNMAX else { return }
        if pktTalker > 0 {
            let pct = report.numPackets != 0 ? 100.0 * Double(pktTalker) / Double(report.numPackets) : 0
            report.line("Biggest L3 talker: \(text(pktTalkerIP)): \(pktTalker)\(report.hr(pktTalker)) ["
                        + cFormat("%.2f", pct) + "%] packets")
        }
        if byteTalker > 0 {
            let total = t2.counters.numABytes + t2.counters.numBBytes
            let pct = total != 0 ? 100.0 * Double(byteTalker) / Double(total) : 0
            report.line("Biggest L3 talker: \(text(byteTalkerIP)): \(byteTalker)\(report.hr(byteTalker)) ["
                        + cFormat("%.2f", pct) + "%] bytes")
        }
    }

    override func finalize() {
        pairTable.deallocate()
        srcTable.deallocate()
        dstTable.deallocate()
        portTable.deallocate()
        free(pairCnt); free(srcCnt); free(dstCnt); free(portCnt); free(pb)
        srcSlotCache?.deallocate()
    }
}

@_cdecl("t2PluginCreate")
public func t2PluginCreate() -> UnsafeMutableRawPointer { T2Plugin.export(ConnStat()) }
