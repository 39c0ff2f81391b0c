// Per-flow state of tcpFlags (T2's tcpFlagsFlow_t): one plain value per flow index,
// ordered by size so that the struct stays compact (about 250 bytes).

import T2Core

struct TcpFlagsFlow {
    // MARK: Times
    /// Time of the previous packet of this flow (inter-packet distance).
    var lastPktTime: Timestamp
    /// First accepted and latest TCP timestamp option times (boot-time estimate).
    var tsFirstTime: Timestamp
    var tsLastTime: Timestamp

    // MARK: 64-bit byte counters
    var seqBytes: UInt64
    var ackBytes: UInt64
    /// Cumulative L7 bytes of TCP packets (packet mode tcpMLen).
    var l7Sum: UInt64

    // MARK: float32 statistics (T2 keeps them as float)
    var pktCnt: Float
    var rttMin: Float
    var rttMax: Float
    var rttAvg: Float
    var rttJit: Float
    var trip: Float
    var winAvg: Float

    // MARK: 32-bit values
    var ipOptBits: UInt32
    var ip6HHBits: UInt32
    var ip6DBits: UInt32
    var seqInit: UInt32
    var ackInit: UInt32
    var seqLast: UInt32
    var seqNext: UInt32
    var seqMax: UInt32
    var ackLast: UInt32
    var inFlight: UInt32
    var inFlightMax: UInt32
    var winInit: UInt32
    var winMin: UInt32
    var winMax: UInt32
    var winLast: UInt32
    var winMinCnt: UInt32
    var winPkts: UInt32
    var optBits: UInt32
    var tsVal: UInt32
    var tsEcr: UInt32
    var tsPrevVal: UInt32
    var tsFirstVal: UInt32
    /// L4 bytes of the current (possibly fragmented) datagram, for the pseudo header.
    var totL4Len: UInt32

    // MARK: 16-bit values
    var l4Sum: UInt16
    var l4Hdr: UInt16
    /// Last computed L4 checksum (packet mode only).
    var l4Cal: UInt16
    var stat: UInt16
    var statLast: UInt16
    var minIPIDdiff: UInt16
    var maxIPIDdiff: UInt16
    var lastIPID: UInt16
    var ipFlags: UInt16
    var ipOptCnt: UInt16
    var ip6HHCnt: UInt16
    var ip6DCnt: UInt16
    var pSeqCnt: UInt16
    var seqFault: UInt16
    var pAckCnt: UInt16
    var ackFault: UInt16
    var winDwn: UInt16
    var winUp: UInt16
    var winChg: UInt16
    var flagsAgg: UInt16
    var anomaly: UInt16
    var lastFlags: UInt16
    var lastAnomaly: UInt16
    var optPktCnt: UInt16
    var optCnt: UInt16
    var mss: UInt16
    var mpTypes: UInt16
    var nextFragExp: UInt16

    // MARK: 8-bit values
    var lastTTL: UInt8
    var minTTL: UInt8
    var maxTTL: UInt8
    var ttlChg: UInt8
    var tos: UInt8
    var cpcl: UInt8
    var rttState: UInt8
    var wsShift: UInt8
    var mpFlags: UInt8
    var mpAddrId: UInt8
    var mpDssFlags: UInt8
    var scanPkts: UInt8
    /// Number of option kinds in `ja4tKinds`.
    var ja4tCnt: UInt8
    /// Option kinds of the SYN / SYN-ACK packets, in order (JA4T), at most 40.
    var ja4tKinds: (UInt64, UInt64, UInt64, UInt64, UInt64)
}

/// rttState values (T2's RTT state machine).
enum RttState {
    static let SYN: UInt8 = 0x01
    static let SYNACK: UInt8 = 0x02
    static let ACK: UInt8 = 0x04
    static let STOP: UInt8 = 0x80
}
