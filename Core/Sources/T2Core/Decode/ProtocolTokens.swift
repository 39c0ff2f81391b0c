// The hdrDesc tokens T2 prints for IP protocols, EtherTypes, PPP protocols and LLC
// DSAPs (core.md 4.8). Unknown values print as UNK(...) and stop the dissection.

enum ProtocolTokens {
    /// Token for an IP protocol number, nil for 59 (no next header: no token) and unknown numbers.
    static func ipProto(_ p: UInt8) -> StaticString? {
        switch p {
        case 0: return "ipv6.hopopts"
        case 1: return "icmp"
        case 2: return "igmp"
        case 4: return "ipv4"
        case 6: return "tcp"
        case 8: return "egp"
        case 9: return "igp"
        case 17: return "udp"
        case 33: return "dccp"
        case 36: return "xtp"
        case 37: return "ddp"
        case 41: return "ipv6"
        case 43: return "ipv6.routing"
        case 44: return "ipv6.fraghdr"
        case 45: return "idrp"
        case 46: return "rsvp"
        case 47: return "gre"
        case 48: return "dsr"
        case 50: return "esp"
        case 51: return "ah"
        case 53: return "swipe"
        case 54: return "nhrp"
        case 58: return "icmpv6"
        case 60: return "ipv6.dstopts"
        case 80: return "osi"
        case 83: return "vines"
        case 88: return "eigrp"
        case 89: return "ospf"
        case 93: return "ax25"
        case 97: return "etherip"
        case 103: return "pim"
        case 108: return "ipcomp"
        case 112: return "vrrp"
        case 113: return "pgm"
        case 115: return "l2tp"
        case 132: return "sctp"
        case 134: return "rsvp-e2ei"
        case 135: return "mipv6"
        case 136: return "udplite"
        case 137: return "mpls"
        case 139: return "hip"
        case 140: return "shim6"
        default: return nil
        }
    }

    /// Token for an EtherType not handled by the dispatch itself.
    static func etherType(_ t: UInt16) -> StaticString? {
        switch t {
        case 0x0000: return "wlccp"
        case 0x0600: return "idp"
        case 0x0800: return "ipv4"
        case 0x2000: return "cdp"
        case 0x8100: return "vlan"
        case 0x9000: return "loop"
        case 0x2001: return "cgmp"
        case 0x8902: return "cfm"
        case 0x2003: return "vtp"
        case 0x6003: return "dec_dna"
        case 0x0104: return "pagp"
        case 0x2004: return "dtp"
        case 0x6004: return "lat"
        case 0x0806: return "arp"
        case 0x8809: return "slow"
        case 0x010b: return "stp"
        case 0x880b: return "ppp"
        case 0x890d: return "wlan"
        case 0x0111: return "udld"
        case 0x8021: return "ipcp"
        case 0xc021: return "lcp"
        case 0xc223: return "chap"
        case 0xc029: return "cbcp"
        case 0x872d: return "wlccp"
        case 0x8035: return "rarp"
        case 0x8137: return "ipx"
        case 0x8038: return "dec_stp"
        case 0x883e: return "wccp"
        case 0x8847, 0x8848: return "mpls"
        case 0x6558: return "eth"
        case 0x6002: return "dec_mop"
        case 0x8863: return "pppoed"
        case 0x8864: return "pppoes"
        case 0x886f: return "msnlb"
        case 0x8870: return "llc"
        case 0x888e: return "eapol"
        case 0x809b: return "ddp"
        case 0x01a1, 0x01a2: return "ndp"
        case 0x88a2: return "aoe"
        case 0x88a8, 0x9100, 0x9200: return "vlan"
        case 0x8899: return "realtek"
        case 0x0bad: return "vines_ip"
        case 0x00bb: return "edp"
        case 0x88bb: return "lwapp"
        case 0x88be: return "erspan"
        case 0x88cc: return "lldp"
        case 0x86dd: return "ipv6"
        case 0x80f3: return "aarp"
        case 0x80fd: return "ccp"
        case 0x88f7: return "ptp"
        default: return nil
        }
    }

    /// PPP protocol token(s); `second` is set for the pairs T2 adds together (ppp:mp).
    static func ppp(_ p: UInt16) -> (StaticString, StaticString?)? {
        switch p {
        case 0x0207: return ("cdp", nil)
        case 0x0021: return ("ipv4", nil)
        case 0x8021: return ("ipcp", nil)
        case 0xc021: return ("lcp", nil)
        case 0x0023: return ("osi", nil)
        case 0xc023: return ("pap", nil)
        case 0xc223: return ("chap", nil)
        case 0x003d: return ("ppp", "mp")
        case 0x0057: return ("ipv6", nil)
        case 0x0281, 0x0283: return ("mpls", nil)
        case 0x00fd: return ("comp_data", nil)
        case 0x80fd: return ("ccp", nil)
        default: return nil
        }
    }

    /// LLC DSAP token; `.none` means "no token", nil means unknown.
    enum DSAP { case none, token(StaticString) }
    static func dsap(_ d: UInt8) -> DSAP? {
        switch d {
        case 0x00, 0x01, 0x02, 0x06, 0xaa, 0xff: return DSAP.none
        case 0x04, 0x08, 0x0c, 0x40, 0xc8: return .token("sna")
        case 0x10, 0xe0: return .token("ipx")
        case 0x14, 0x20, 0x34, 0x54, 0xfe: return .token("osi")
        case 0x42: return .token("stp")
        case 0x7e: return .token("x25")
        case 0x80: return .token("3comxns")
        case 0x82: return .token("bacnet")
        case 0xbc: return .token("vines_llc")
        case 0xf0: return .token("netbios")
        case 0xf8: return .token("hpext")
        case 0xfc: return .token("rpl")
        default: return nil
        }
    }

    /// "UNK(<decimal>)".
    static func unknownDecimal(_ v: Int) -> [UInt8] { Array("UNK(\(v))".utf8) }

    /// "UNK(0x<hex>)" with `digits` lowercase hex digits.
    static func unknownHex(_ v: UInt32, digits: Int) -> [UInt8] {
        var s = String(v, radix: 16)
        while s.count < digits { s = "0" + s }
        return Array("UNK(0x\(s))".utf8)
    }
}
