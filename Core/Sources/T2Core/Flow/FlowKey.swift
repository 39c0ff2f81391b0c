// T2's flow key: addresses, the MAC pair (L2 flows only), EtherType, VLAN id, ports
// and protocol (core.md 6.1). Stored as seven words so that equality and hashing are
// seven compares and a few multiplies.

@frozen
public struct FlowKey: Equatable {
    public var srcIP: IPAddress
    public var dstIP: IPAddress
    /// Bytes 0..<8 of the 12-byte MAC pair (destination MAC, then the source MAC's first 2 bytes).
    @usableFromInline var mac0: UInt64
    /// Bytes 8..<12 of the MAC pair (low 32 bits), EtherType (next 16) and VLAN id (top 16).
    @usableFromInline var mac1TypeVlan: UInt64
    /// srcPort | dstPort << 16 | proto << 32.
    @usableFromInline var portsProto: UInt64

    @inlinable public init() {
        srcIP = .zero; dstIP = .zero; mac0 = 0; mac1TypeVlan = 0; portsProto = 0
    }

    /// An IP flow key.
    @inlinable
    public init(srcIP: IPAddress, dstIP: IPAddress, ethType: UInt16, vlanID: UInt16,
                srcPort: UInt16, dstPort: UInt16, proto: UInt8) {
        self.srcIP = srcIP; self.dstIP = dstIP
        mac0 = 0
        mac1TypeVlan = UInt64(ethType) << 32 | UInt64(vlanID) << 48
        portsProto = UInt64(srcPort) | UInt64(dstPort) << 16 | UInt64(proto) << 32
    }

    /// An L2 flow key from the first 12 bytes of the L2 header (dst MAC, src MAC).
    @inlinable
    public init(l2Header p: UnsafeRawPointer, ethType: UInt16, vlanID: UInt16) {
        srcIP = .zero; dstIP = .zero
        mac0 = p.le64(0)
        mac1TypeVlan = UInt64(p.le32(8)) | UInt64(ethType) << 32 | UInt64(vlanID) << 48
        portsProto = 0
    }

    @inlinable public var ethType: UInt16 { UInt16(truncatingIfNeeded: mac1TypeVlan >> 32) }
    @inlinable public var vlanID: UInt16 { UInt16(truncatingIfNeeded: mac1TypeVlan >> 48) }
    @inlinable public var srcPort: UInt16 { UInt16(truncatingIfNeeded: portsProto) }
    @inlinable public var dstPort: UInt16 { UInt16(truncatingIfNeeded: portsProto >> 16) }
    @inlinable public var proto: UInt8 { UInt8(truncatingIfNeeded: portsProto >> 32) }

    /// Destination MAC (bytes 0–5 of the L2 header) of an L2 flow key.
    @inlinable public var dstMAC: MACAddress { MACAddress(raw: mac0) }
    /// Source MAC (bytes 6–11) of an L2 flow key.
    @inlinable public var srcMAC: MACAddress {
        MACAddress(raw: (mac0 >> 48) | (UInt64(UInt32(truncatingIfNeeded: mac1TypeVlan)) << 16))
    }

    /// The key of the other direction: addresses, ports and MACs swapped.
    @inlinable public var reversed: FlowKey {
        var r = self
        r.srcIP = dstIP; r.dstIP = srcIP
        r.portsProto = (portsProto & 0xff_0000_0000) | UInt64(dstPort) | UInt64(srcPort) << 16
        if mac0 != 0 || UInt32(truncatingIfNeeded: mac1TypeVlan) != 0 {
            let d = dstMAC.raw, s = srcMAC.raw
            r.mac0 = s | (d << 48)
            r.mac1TypeVlan = (mac1TypeVlan & 0xffff_ffff_0000_0000) | ((d >> 16) & 0xffff_ffff)
        }
        return r
    }

    @inlinable public static func == (a: FlowKey, b: FlowKey) -> Bool {
        ((a.srcIP.hi ^ b.srcIP.hi) | (a.srcIP.lo ^ b.srcIP.lo) | (a.dstIP.hi ^ b.dstIP.hi) |
         (a.dstIP.lo ^ b.dstIP.lo) | (a.mac0 ^ b.mac0) | (a.mac1TypeVlan ^ b.mac1TypeVlan) |
         (a.portsProto ^ b.portsProto)) == 0
    }

    /// A fast 32-bit hash: the seven words folded into two (the destination rotated, so
    /// that a key and its reverse differ), then one 128-bit multiply-mix as in wyhash.
    @inlinable public var hash: UInt32 {
        @inline(__always) get {
            let k0: UInt64 = 0xa076_1d64_78bd_642f, k1: UInt64 = 0xe703_7ed1_a0b4_28db
            let a = srcIP.hi ^ ((dstIP.hi << 32) | (dstIP.hi >> 32)) ^ mac0 ^ k0
            let b = srcIP.lo ^ ((dstIP.lo << 32) | (dstIP.lo >> 32)) ^ mac1TypeVlan
                ^ ((portsProto << 17) | (portsProto >> 47)) ^ k1
            let r = a.multipliedFullWidth(by: b)
            let h = r.high ^ r.low
            return UInt32(truncatingIfNeeded: h ^ (h >> 32))
        }
    }
}
