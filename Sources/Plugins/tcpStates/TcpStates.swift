// tcpStates follows every TCP connection with a passive, tolerant state machine per
// direction (NEW, ESTABLISHED, CLOSING, CLOSED, RESET) and flags in tcpStatesAFlags what
// does not comply: a handshake not seen completely, a teardown without both FINs
// acknowledged, odd flags while established, packets after the close or a reset, resets
// and scan-like packets (NULL, Xmas, lone FIN, RST without partner). It also gives each
// flow the idle timeout of its state, so reset connections are written 0.1 s and closed
// ones 10 s after their last packet, and a later connection on the same 5-tuple becomes a
// new flow. See spec/plugins/tcpStates.md.

import T2Core

/// Per-direction state (zero at flow creation). The sequence numbers are kept in 64
/// bits and compared as `value + 1` without 32-bit wrap, as T2 does, so a SYN or FIN
/// with sequence number 0xffffffff is never matched.
struct TcpStatesFlow {
    var synSeq: UInt64 = 0
    var finSeq: UInt64 = 0
    var state: UInt8 = 0
    var anomalies: UInt8 = 0
    /// syn_seen, syn_ackd, fin_seen, fin_ackd, fin_scan (TcpStates.SYN_SEEN ...).
    var bits: UInt8 = 0
}

final class TcpStates: T2Plugin {
    // Connection states.
    static let STATE_NEW: UInt8 = 0
    static let STATE_ESTABLISHED: UInt8 = 1
    static let STATE_CLOSING: UInt8 = 2
    static let STATE_CLOSED: UInt8 = 3
    static let STATE_RESET: UInt8 = 4

    // tcpStatesAFlags.
    /// Malformed connection establishment.
    static let TCP_ANOM_EST: UInt8 = 0x01
    /// Malformed connection teardown.
    static let TCP_ANOM_TEAR: UInt8 = 0x02
    /// Malformed flags during an established connection.
    static let TCP_ANOM_FLAGS: UInt8 = 0x04
    /// Packets after the connection was closed.
    static let TCP_ANOM_CLOSED: UInt8 = 0x08
    /// Packets after a reset.
    static let TCP_ANOM_RESET: UInt8 = 0x10
    /// Reset sent by this direction.
    static let TCP_ANOM_RST_SENT: UInt8 = 0x40
    /// Potential evil behaviour (scan).
    static let TCP_ANOM_EVIL: UInt8 = 0x80

    // Per-flow bits.
    static let SYN_SEEN: UInt8 = 0x01
    static let SYN_ACKD: UInt8 = 0x02
    static let FIN_SEEN: UInt8 = 0x04
    static let FIN_ACKD: UInt8 = 0x08
    static let FIN_SCAN: UInt8 = 0x10

    // TCP flags.
    static let FIN: UInt8 = 0x01
    static let SYN: UInt8 = 0x02
    static let RST: UInt8 = 0x04
    static let ACK: UInt8 = 0x10

    static let tmoReset = Float(TcpStatesConfig.TIMEOUT_RESET)
    static let tmoNew = Float(TcpStatesConfig.TIMEOUT_NEW)
    static let tmoEstablished = Float(TcpStatesConfig.TIMEOUT_ESTABLISHED)
    static let tmoClosing = Float(TcpStatesConfig.TIMEOUT_CLOSING)
    static let tmoClosed = Float(TcpStatesConfig.TIMEOUT_CLOSED)

    override var name: String { "tcpStates" }

    override var columns: [Column] {
        [Column("tcpStatesAFlags", "TCP state machine anomalies", .h8)]
    }

    override var packetColumns: [String] { ["tcpStatesAFlags"] }

    unowned(unsafe) var t2: Analyzer!
    unowned(unsafe) var table: FlowTable!
    var flows: PerFlowStorage<TcpStatesFlow>!
    var packetMode = false
    /// OR of the anomalies of all terminated TCP flows.
    var tcpStatesAFlags: UInt8 = 0

    override func initialize(_ t2: Analyzer) throws {
        self.t2 = t2
        table = t2.flows
        flows = PerFlowStorage(capacity: t2.flows.capacity)
        packetMode = t2.packetMode
        // T2's registration order; it decides the initial order of the sentinels.
        t2.registerTimeout(TcpStates.tmoReset)
        t2.registerTimeout(TcpStates.tmoNew)
        t2.registerTimeout(TcpStates.tmoEstablished)
        t2.registerTimeout(TcpStates.tmoClosing)
        t2.registerTimeout(TcpStates.tmoClosed)
    }

    override func onNewFlow(_ packet: Packet, flowIndex: Int) {
        flows.clear(flowIndex)
    }

    override func onLayer2(_ packet: Packet, flowIndex: Int) {
        if packetMode && flowIndex != Analyzer.noFlow { t2.packetLine.append("0x00\t") }
    }

    @inline(__always)
    func set(_ f: UnsafeMutablePointer<TcpStatesFlow>, _ flowIndex: Int, _ state: UInt8, _ timeout: Float) {
        f.pointee.state = state
        table.setTimeout(timeout, flowIndex: flowIndex)
    }

    override func onLayer4(_ packet: Packet, flowIndex: Int) {
        let flow = table[flowIndex]
        guard flow.l4Proto == 6, packet.isFirstFragment, packet.snapL4Length >= 13 else {
            if packetMode { t2.packetLine.append("0x00\t") }
            return
        }
        let l4 = packet.l4Offset
        let fl = packet.field8(l4 + 13)
        let seq = UInt64(packet.field32(l4 + 4))
        let ack = UInt64(packet.field32(l4 + 8))

        let F = flows.pointer(flowIndex)
        let oi = Int(flow.oppositeIndex)
        let hasO = oi >= 0
        // Without an opposite, O points at F's own record; every use below is guarded.
        let O = flows.pointer(hasO ? oi : flowIndex)

        let fl6 = fl & 0x3f
        if fl6 == 0x29 || fl6 == 0x00 { F.pointee.anomalies |= TcpStates.TCP_ANOM_EVIL }

        switch F.pointee.state {
        case TcpStates.STATE_NEW:
            if fl & 0x07 == TcpStates.SYN {
                F.pointee.bits |= TcpStates.SYN_SEEN
                F.pointee.synSeq = seq
                table.setTimeout(TcpStates.tmoNew, flowIndex: flowIndex)
                if fl & TcpStates.ACK != 0 {
                    if hasO {
                        if ack == O.pointee.synSeq &+ 1 {
                            O.pointee.bits |= TcpStates.SYN_ACKD
                        } else {
                            set(F, flowIndex, TcpStates.STATE_ESTABLISHED, TcpStates.tmoEstablished)
                            F.pointee.anomalies |= TcpStates.TCP_ANOM_EST
                            set(O, oi, TcpStates.STATE_ESTABLISHED, TcpStates.tmoEstablished)
                            O.pointee.anomalies |= TcpStates.TCP_ANOM_EST
                        }
                    } else {
                        set(F, flowIndex, TcpStates.STATE_ESTABLISHED, TcpStates.tmoEstablished)
                        F.pointee.anomalies |= TcpStates.TCP_ANOM_EST
                    }
                }
            } else if hasO && fl & 0x17 == TcpStates.ACK {
                if ack == O.pointee.synSeq &+ 1 {
                    O.pointee.bits |= TcpStates.SYN_ACKD
                    if F.pointee.bits & TcpStates.SYN_ACKD != 0 {
                        set(F, flowIndex, TcpStates.STATE_ESTABLISHED, TcpStates.tmoEstablished)
                        set(O, oi, TcpStates.STATE_ESTABLISHED, TcpStates.tmoEstablished)
                    }
                } else {
                    set(F, flowIndex, TcpStates.STATE_ESTABLISHED, TcpStates.tmoEstablished)
                    F.pointee.anomalies |= TcpStates.TCP_ANOM_EST
                    set(O, oi, TcpStates.STATE_ESTABLISHED, TcpStates.tmoEstablished)
                    O.pointee.anomalies |= TcpStates.TCP_ANOM_EST
                }
            } else if hasO && fl & 0x17 == TcpStates.RST | TcpStates.ACK {
                set(F, flowIndex, TcpStates.STATE_RESET, TcpStates.tmoReset)
                F.pointee.anomalies |= TcpStates.TCP_ANOM_RST_SENT
                set(O, oi, TcpStates.STATE_RESET, TcpStates.tmoReset)
            } else if fl & TcpStates.RST != 0 {
                F.pointee.anomalies |= TcpStates.TCP_ANOM_RST_SENT | TcpStates.TCP_ANOM_EST
                set(F, flowIndex, TcpStates.STATE_RESET, TcpStates.tmoReset)
                if hasO {
                    O.pointee.anomalies |= TcpStates.TCP_ANOM_EST
                    set(O, oi, TcpStates.STATE_RESET, TcpStates.tmoReset)
                } else {
                    // A RST nobody asked for: possible RST scan.
                    F.pointee.anomalies |= TcpStates.TCP_ANOM_EVIL
                }
            } else if fl & 0x17 == TcpStates.FIN | TcpStates.ACK {
                F.pointee.bits |= TcpStates.FIN_SEEN
                F.pointee.finSeq = seq
                F.pointee.anomalies |= TcpStates.TCP_ANOM_EST
                set(F, flowIndex, TcpStates.STATE_CLOSING, TcpStates.tmoClosing)
                if hasO {
                    O.pointee.anomalies |= TcpStates.TCP_ANOM_EST
                    if O.pointee.bits & TcpStates.FIN_SEEN != 0 && O.pointee.finSeq &+ 1 == ack {
                        O.pointee.bits |= TcpStates.FIN_ACKD
                    }
                } else {
                    F.pointee.bits |= TcpStates.FIN_SCAN
                }
            } else if fl & 0x17 == TcpStates.FIN {
                F.pointee.anomalies |= TcpStates.TCP_ANOM_EVIL
            } else {
                set(F, flowIndex, TcpStates.STATE_ESTABLISHED, TcpStates.tmoEstablished)
                F.pointee.anomalies |= TcpStates.TCP_ANOM_EST
                if hasO {
                    set(O, oi, TcpStates.STATE_ESTABLISHED, TcpStates.tmoEstablished)
                    O.pointee.anomalies |= TcpStates.TCP_ANOM_EST
                }
            }

        case TcpStates.STATE_ESTABLISHED:
            if fl & (TcpStates.SYN | TcpStates.ACK) != TcpStates.ACK {
                F.pointee.anomalies |= TcpStates.TCP_ANOM_FLAGS
                if hasO { O.pointee.anomalies |= TcpStates.TCP_ANOM_FLAGS }
            }
            if fl & TcpStates.FIN != 0 {
                F.pointee.bits |= TcpStates.FIN_SEEN
                F.pointee.finSeq = seq
                set(F, flowIndex, TcpStates.STATE_CLOSING, TcpStates.tmoClosing)
                if fl & TcpStates.ACK != 0 && hasO && O.pointee.bits & TcpStates.FIN_SEEN != 0
                    && ack == O.pointee.finSeq &+ 1 {
                    O.pointee.bits |= TcpStates.FIN_ACKD
                }
            }
            if fl & TcpStates.RST != 0 { reset(F, flowIndex, O, oi, hasO) }

        case TcpStates.STATE_CLOSING:
            if fl & TcpStates.RST != 0 { reset(F, flowIndex, O, oi, hasO) }
            if fl & TcpStates.ACK != 0 && hasO && O.pointee.bits & TcpStates.FIN_SEEN != 0
                && ack == O.pointee.finSeq &+ 1 {
                O.pointee.bits |= TcpStates.FIN_ACKD
            }
            let closed = TcpStates.FIN_SEEN | TcpStates.FIN_ACKD
            if hasO && F.pointee.bits & closed == closed && O.pointee.bits & closed == closed {
                set(F, flowIndex, TcpStates.STATE_CLOSED, TcpStates.tmoClosed)
                set(O, oi, TcpStates.STATE_CLOSED, TcpStates.tmoClosed)
            }

        case TcpStates.STATE_CLOSED:
            F.pointee.anomalies |= TcpStates.TCP_ANOM_CLOSED
            if fl & TcpStates.RST != 0 { reset(F, flowIndex, O, oi, hasO) }

        default: // RESET
            F.pointee.anomalies |= TcpStates.TCP_ANOM_RESET
        }

        if packetMode {
            t2.packetLine.appendHex(UInt64(F.pointee.anomalies), digits: 2)
            t2.packetLine.tab()
        }
    }

    /// A RST in an established, closing or closed connection.
    @inline(__always)
    func reset(_ F: UnsafeMutablePointer<TcpStatesFlow>, _ fi: Int,
               _ O: UnsafeMutablePointer<TcpStatesFlow>, _ oi: Int, _ hasO: Bool) {
        set(F, fi, TcpStates.STATE_RESET, TcpStates.tmoReset)
        F.pointee.anomalies |= TcpStates.TCP_ANOM_RST_SENT | TcpStates.TCP_ANOM_TEAR
        if hasO {
            set(O, oi, TcpStates.STATE_RESET, TcpStates.tmoReset)
            O.pointee.anomalies |= TcpStates.TCP_ANOM_TEAR
        }
    }

    override func onFlowTerminate(flowIndex: Int, output: OutputBuffer) {
        let flow = table[flowIndex]
        guard flow.l4Proto == 6 else {
            output.appendH8(0)
            return
        }
        let F = flows.pointer(flowIndex)
        let oi = Int(flow.oppositeIndex)
        if oi < 0 {
            F.pointee.anomalies |= TcpStates.TCP_ANOM_EST | TcpStates.TCP_ANOM_TEAR
        } else {
            let O = flows.pointer(oi)
            let syn = TcpStates.SYN_SEEN | TcpStates.SYN_ACKD
            if F.pointee.bits & syn != syn || O.pointee.bits & syn != syn {
                F.pointee.anomalies |= TcpStates.TCP_ANOM_EST
            }
            let fin = TcpStates.FIN_SEEN | TcpStates.FIN_ACKD
            if F.pointee.bits & fin != fin || O.pointee.bits & fin != fin {
                F.pointee.anomalies |= TcpStates.TCP_ANOM_TEAR
            } else {
                // A proper teardown: the FIN+ACK that opened the flow was no scan.
                F.pointee.bits &= ~TcpStates.FIN_SCAN
                O.pointee.bits &= ~TcpStates.FIN_SCAN
            }
        }
        if F.pointee.bits & TcpStates.FIN_SCAN != 0 { F.pointee.anomalies |= TcpStates.TCP_ANOM_EVIL }
        tcpStatesAFlags |= F.pointee.anomalies
        output.appendH8(F.pointee.anomalies)
    }

    override func report(_ report: PluginReport) {
        if tcpStatesAFlags != 0 {
            report.line("Aggregated tcpStatesAFlags=" + cFormat("0x%02x", UInt32(tcpStatesAFlags)))
        }
    }

    override func finalize() {
        flows?.deallocate()
    }
}

@_cdecl("t2PluginCreate")
public func t2PluginCreate() -> UnsafeMutableRawPointer { T2Plugin.export(TcpStates()) }
