// The core's global counters (core.md section 9). Plugins read them (e.g. protoStats'
// per-EtherType table, connStat's byte total); only the core writes them.

#if canImport(Glibc)
import Glibc
#endif

public struct Counters {
    public internal(set) var numPackets: UInt64 = 0
    public internal(set) var rawBytes: UInt64 = 0
    public internal(set) var bytesProcessed: UInt64 = 0
    public internal(set) var padBytes: UInt64 = 0
    public internal(set) var captureFileSize: UInt64 = 0
    public internal(set) var numL2Packets: UInt64 = 0
    public internal(set) var numV4Packets: UInt64 = 0
    public internal(set) var numV6Packets: UInt64 = 0
    public internal(set) var numAPackets: UInt64 = 0
    public internal(set) var numBPackets: UInt64 = 0
    public internal(set) var numABytes: UInt64 = 0
    public internal(set) var numBBytes: UInt64 = 0
    public internal(set) var totalAFlows: UInt64 = 0
    public internal(set) var totalBFlows: UInt64 = 0
    public internal(set) var totalIPv4Flows: UInt64 = 0
    public internal(set) var totalIPv6Flows: UInt64 = 0
    public internal(set) var totalL2Flows: UInt64 = 0
    /// The last flow index handed out (flow indices start at 1).
    public internal(set) var totalFlowIndex: UInt64 = 0
    /// Single flows written with the Inverted bit (request/reply correction).
    public internal(set) var corrReplFlows: UInt64 = 0
    public internal(set) var numFragV4Packets: UInt64 = 0
    public internal(set) var maxNumFlowsPeak: UInt64 = 0
    public internal(set) var autopilotFlows: UInt64 = 0
    public internal(set) var headerMin = 65535
    public internal(set) var headerMax = 0
    public internal(set) var headerAvg: Float = 0

    /// Packets / captured bytes per EtherType and per IP protocol (of packets assigned
    /// to flows).
    public let etherTypePackets: UnsafeMutablePointer<UInt64>
    public let etherTypeBytes: UnsafeMutablePointer<UInt64>
    public let protoPackets: UnsafeMutablePointer<UInt64>
    public let protoBytes: UnsafeMutablePointer<UInt64>

    init() {
        etherTypePackets = calloc(65536, 8)!.bindMemory(to: UInt64.self, capacity: 65536)
        etherTypeBytes = calloc(65536, 8)!.bindMemory(to: UInt64.self, capacity: 65536)
        protoPackets = calloc(256, 8)!.bindMemory(to: UInt64.self, capacity: 256)
        protoBytes = calloc(256, 8)!.bindMemory(to: UInt64.self, capacity: 256)
    }

    /// Frees the per-EtherType and per-protocol tables (the analyzer's deinit).
    func releaseTables() {
        free(etherTypePackets); free(etherTypeBytes); free(protoPackets); free(protoBytes)
    }

    public var totalFlows: UInt64 { totalAFlows + totalBFlows }
}
