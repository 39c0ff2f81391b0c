# Addresses, ports, protocols and flow tuples.
# Selection functions (host, port, proto, tcp, ipv4, ...) are true on the column-name row,
# so that 'tawk "tcp()" file' keeps the header like 'hdr() || tcp()' would.
# T2 writes srcIP, or srcIP4/srcIP6 when built for one IP version only: every function
# accepts all three spellings.

function _tawk_srcip() { return _validate_col("srcIP;srcIP4;srcIP6") }
function _tawk_dstip() { return _validate_col("dstIP;dstIP4;dstIP6") }

#: tuple2(): srcIP OFS dstIP
function tuple2() {
    return $(_tawk_srcip()) OFS $(_tawk_dstip())
}

#: tuple3(): srcIP OFS dstIP OFS dstPort
function tuple3() {
    return tuple2() OFS $(_validate_col("dstPort"))
}

#: tuple4(): srcIP OFS srcPort OFS dstIP OFS dstPort
function tuple4() {
    return $(_tawk_srcip()) OFS $(_validate_col("srcPort")) OFS $(_tawk_dstip()) OFS $(_validate_col("dstPort"))
}

#: tuple5(): srcIP OFS srcPort OFS dstIP OFS dstPort OFS l4Proto
function tuple5() {
    return tuple4() OFS $(_validate_col("l4Proto"))
}

#: tuple6(): srcIP OFS srcPort OFS dstIP OFS dstPort OFS l4Proto OFS vlanID
function tuple6() {
    return tuple5() OFS $(_validate_col("vlanID"))
}

#: shost([ip]): source address equals ip or lies in the network ip/n; without ip: the source address
function shost(addr) {
    if (addr == "") return $(_tawk_srcip())
    if (_tawk_is_hdr()) return 1
    return ipinnet($(_tawk_srcip()), addr)
}

#: dhost([ip]): destination address equals ip or lies in the network ip/n; without ip: the destination address
function dhost(addr) {
    if (addr == "") return $(_tawk_dstip())
    if (_tawk_is_hdr()) return 1
    return ipinnet($(_tawk_dstip()), addr)
}

#: host([ip]): source or destination address equals ip or lies in ip/n; without ip: both addresses
function host(addr) {
    if (addr == "") return $(_tawk_srcip()) OFS $(_tawk_dstip())
    if (_tawk_is_hdr()) return 1
    return ipinnet($(_tawk_srcip()), addr) || ipinnet($(_tawk_dstip()), addr)
}

#: snet(net): source address lies in net (a.b.c.d/n or IPv6/n)
function snet(nw) { return shost(nw) }

#: dnet(net): destination address lies in net
function dnet(nw) { return dhost(nw) }

#: net(net): source or destination address lies in net
function net(nw) { return host(nw) }

#: ipinnet(ip, net[, mask]): ip equals net, or lies in net/mask (mask: prefix length or dotted); IPv4 never matches IPv6
function ipinnet(addr, nw, mask,    p, bits, a, b, full, rem) {
    if (mask != "") nw = nw "/" mask
    p = index(nw, "/")
    if (p) {
        bits = substr(nw, p + 1)
        nw = substr(nw, 1, p - 1)
        if (isip(bits)) bits = _tawk_masklen(bits)
        if (bits !~ /^[0-9]+$/) return 0
        bits += 0
    }
    if (isip(nw)) {
        if (!isip(addr)) return 0
        if (!p) return ip2num(addr) == ip2num(nw)
        if (bits > 32) return 0
        return int(ip2num(addr) / 2 ^ (32 - bits)) == int(ip2num(nw) / 2 ^ (32 - bits))
    }
    if (isip6(nw)) {
        if (!isip6(addr)) return 0
        a = ip6expand(addr); b = ip6expand(nw)
        if (!p) return a == b
        if (bits > 128) return 0
        gsub(/:/, "", a); gsub(/:/, "", b)
        full = int(bits / 4); rem = bits % 4
        if (substr(a, 1, full) != substr(b, 1, full)) return 0
        if (rem == 0) return 1
        return int(_tawk_nibble(substr(a, full + 1, 1)) / 2 ^ (4 - rem)) == int(_tawk_nibble(substr(b, full + 1, 1)) / 2 ^ (4 - rem))
    }
    return addr == nw
}

#: ipinrange(ip, low, high): IPv4 address ip lies between low and high (inclusive)
function ipinrange(addr, low, high) {
    if (!isip(addr) || !isip(low) || !isip(high)) return 0
    addr = ip2num(addr)
    return addr >= ip2num(low) && addr <= ip2num(high)
}

function _tawk_masklen(mask,    n, bits) {
    n = ip2num(mask)
    for (bits = 0; bits < 32 && n >= 2 ^ (31 - bits); bits++) n -= 2 ^ (31 - bits)
    return bits
}

#: isip(s): s is a dotted IPv4 address
function isip(s,    n, o, i) {
    if (s !~ /^[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}$/) return 0
    n = split(s, o, ".")
    for (i = 1; i <= n; i++) if (o[i] + 0 > 255) return 0
    return 1
}

#: isipstr(s): same as isip
function isipstr(s) { return isip(s) }

#: isip6(s): s is an IPv6 address
function isip6(s) {
    return index(s, ":") > 0 && ip6expand(s) != ""
}

#: isiphex(s): s is an IPv4 address written as 0x + 8 hex digits
function isiphex(s) {
    return s ~ /^0[xX][0-9a-fA-F]{8}$/
}

#: isipnum(s): s is an IPv4 address written as a number (0..4294967295)
function isipnum(s) {
    return s ~ /^[0-9]+$/ && s + 0 <= 4294967295
}

#: ip2num(ip): IPv4 address (dotted, hex or number) as a number
function ip2num(addr,    o) {
    if (isiphex(addr)) return strtonum(addr)
    if (isipnum(addr)) return addr + 0
    if (!isip(addr)) return ""
    split(addr, o, ".")
    return ((o[1] * 256 + o[2]) * 256 + o[3]) * 256 + o[4]
}

#: ip2hex(ip): IPv4 address as 0x + 8 hex digits
function ip2hex(addr) {
    addr = ip2num(addr)
    return addr == "" ? "" : sprintf("0x%08x", addr)
}

#: ip2str(ip): IPv4 address (number or hex) in dotted notation
function ip2str(addr) {
    addr = ip2num(addr)
    if (addr == "") return ""
    return sprintf("%d.%d.%d.%d", int(addr / 16777216) % 256, int(addr / 65536) % 256, int(addr / 256) % 256, addr % 256)
}

#: mask2ip(n): IPv4 netmask of prefix length n, as a number
function mask2ip(n) {
    return n <= 0 ? 0 : 4294967296 - 2 ^ (32 - (n > 32 ? 32 : n))
}

#: mask2ipstr(n): IPv4 netmask of prefix length n, dotted (24 -> 255.255.255.0)
function mask2ipstr(n) {
    return ip2str(mask2ip(n))
}

#: ip2mask(mask): prefix length of a dotted IPv4 netmask (255.255.255.0 -> 24)
function ip2mask(mask) {
    return isip(mask) ? _tawk_masklen(mask) : ""
}

#: mask2ip6str(n): IPv6 netmask of prefix length n (64 -> ffff:ffff:ffff:ffff::)
function mask2ip6str(n,    hex, i) {
    for (i = 0; i < 32; i++) {
        if (n >= 4) hex = hex "f"
        else if (n > 0) hex = hex substr("08ce", n + 1, 1)
        else hex = hex "0"
        n -= 4
    }
    return ip6compress(_tawk_hex2ip6(hex))
}

function _tawk_hex2ip6(hex,    r, i) {
    r = substr(hex, 1, 4)
    for (i = 5; i <= 32; i += 4) r = r ":" substr(hex, i, 4)
    return r
}

#: ip6expand(ip): IPv6 address with all 8 groups of 4 lowercase hex digits ("" if invalid)
function ip6expand(addr,    p, head, tail, nh, nt, h, t, g, i, n, v4, r) {
    addr = tolower(addr)
    sub(/%.*$/, "", addr)
    if (addr ~ /:[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$/) {
        v4 = substr(addr, match(addr, /[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$/))
        if (!isip(v4)) return ""
        v4 = ip2num(v4)
        addr = substr(addr, 1, RSTART - 1) sprintf("%x:%x", int(v4 / 65536), v4 % 65536)
    }
    if (addr !~ /^[0-9a-f:]+$/) return ""
    p = index(addr, "::")
    if (p) {
        head = substr(addr, 1, p - 1)
        tail = substr(addr, p + 2)
        if (index(tail, "::")) return ""
        nh = head == "" ? 0 : split(head, h, ":")
        nt = tail == "" ? 0 : split(tail, t, ":")
        if (nh + nt > 7) return ""
        n = 0
        for (i = 1; i <= nh; i++) g[++n] = h[i]
        for (i = nh + nt; i < 8; i++) g[++n] = "0"
        for (i = 1; i <= nt; i++) g[++n] = t[i]
    } else {
        n = split(addr, g, ":")
        if (n != 8) return ""
    }
    for (i = 1; i <= 8; i++) {
        if (g[i] !~ /^[0-9a-f]{1,4}$/) return ""
        r = r (i > 1 ? ":" : "") substr("000" g[i], length(g[i]))
    }
    return r
}

#: ip6compress(ip): shortest IPv6 text form (RFC 5952)
function ip6compress(addr,    g, i, best, bestlen, start, len, r) {
    addr = ip6expand(addr)
    if (addr == "") return ""
    split(addr, g, ":")
    for (i = 1; i <= 8; i++) {
        sub(/^0+/, "", g[i])
        if (g[i] == "") g[i] = "0"
    }
    bestlen = 1
    for (i = 1; i <= 8; i++) {
        if (g[i] != "0") continue
        for (start = i; i <= 8 && g[i] == "0"; i++);
        len = i - start
        if (len > bestlen) { best = start; bestlen = len }
    }
    if (!best) {
        r = g[1]
        for (i = 2; i <= 8; i++) r = r ":" g[i]
        return r
    }
    for (i = 1; i < best; i++) r = r (i > 1 ? ":" : "") g[i]
    r = r "::"
    for (i = best + bestlen; i <= 8; i++) r = r g[i] (i < 8 ? ":" : "")
    return r
}

#: privip(ip): ip is a private address (RFC 1918, or IPv6 fc00::/7)
function privip(addr) {
    if (isip(addr)) return ipinnet(addr, "10.0.0.0/8") || ipinnet(addr, "172.16.0.0/12") || ipinnet(addr, "192.168.0.0/16")
    return ipinnet(addr, "fc00::/7")
}

#: loopback(ip): ip is a loopback address (127.0.0.0/8 or ::1)
function loopback(addr) {
    return ipinnet(addr, "127.0.0.0/8") || ipinnet(addr, "::1")
}

#: mcast(ip): ip is a multicast address (224.0.0.0/4 or ff00::/8)
function mcast(addr) {
    return ipinnet(addr, "224.0.0.0/4") || ipinnet(addr, "ff00::/8")
}

#: sport([p]): source port matches p (int, hex, list "80;443", range "1-1024"); without p: the source port
function sport(p) {
    if (p == "") return $(_validate_col("srcPort"))
    if (_tawk_is_hdr()) return 1
    return _tawk_inlist($(_validate_col("srcPort")), p)
}

#: dport([p]): destination port matches p (int, hex, list "80;443", range "1-1024"); without p: the destination port
function dport(p) {
    if (p == "") return $(_validate_col("dstPort"))
    if (_tawk_is_hdr()) return 1
    return _tawk_inlist($(_validate_col("dstPort")), p)
}

#: port([p]): source or destination port matches p; without p: both ports
function port(p) {
    if (p == "") return $(_validate_col("srcPort")) OFS $(_validate_col("dstPort"))
    if (_tawk_is_hdr()) return 1
    return _tawk_inlist($(_validate_col("srcPort")), p) || _tawk_inlist($(_validate_col("dstPort")), p)
}

# v matches one of the ";"- or ","-separated numbers or lo-hi ranges of spec.
function _tawk_inlist(v, spec,    n, parts, i, r) {
    if (!isnum(v)) return 0
    v = _tawk_num(v)
    n = split(spec, parts, /[;,]/)
    for (i = 1; i <= n; i++) {
        if (split(parts[i], r, "-") == 2 && isnum(r[1]) && isnum(r[2])) {
            if (v >= _tawk_num(r[1]) && v <= _tawk_num(r[2])) return 1
        } else if (isnum(parts[i]) && v == _tawk_num(parts[i])) {
            return 1
        }
    }
    return 0
}

#: proto(p): l4Proto matches p (number, list "6;17", range, or name such as "tcp")
function proto(p,    v) {
    if (_tawk_is_hdr()) return 1
    v = $(_validate_col("l4Proto"))
    if (p ~ /[A-Za-z]/ && p !~ /^0[xX]/) return tolower(proto2str(v)) == tolower(p)
    return _tawk_inlist(v, p)
}

#: proto2str(p): IANA name of protocol number p ("TCP" for 6)
function proto2str(p) {
    if (!_tawk_proto_loaded) _tawk_proto_load()
    p = _tawk_num(p)
    return (p in _tawk_proto) ? _tawk_proto[p] : p ""
}

# IANA protocol numbers (0-142, 253-255).
function _tawk_proto_load(    n, t, i) {
    n = split( \
    "0 HOPOPT 1 ICMP 2 IGMP 3 GGP 4 IP 5 ST 6 TCP 7 CBT 8 EGP 9 IGP 10 BBN-RCC-MON 11 NVP-II 12 PUP " \
    "13 ARGUS 14 EMCON 15 XNET 16 CHAOS 17 UDP 18 MUX 19 DCN-MEAS 20 HMP 21 PRM 22 XNS-IDP 23 " \
    "TRUNK-1 24 TRUNK-2 25 LEAF-1 26 LEAF-2 27 RDP 28 IRTP 29 ISO-TP4 30 NETBLT 31 MFE-NSP 32 " \
    "MERIT-INP 33 DCCP 34 3PC 35 IDPR 36 XTP 37 DDP 38 IDPR-CMTP 39 TP++ 40 IL 41 IPv6 42 SDRP 43 " \
    "IPv6-Route 44 IPv6-Frag 45 IDRP 46 RSVP 47 GRE 48 MHRP 49 BNA 50 ESP 51 AH 52 I-NLSP 53 SWIPE " \
    "54 NARP 55 MOBILE 56 TLSP 57 SKIP 58 ICMPv6 59 IPv6-NoNxt 60 IPv6-Opts 61 any 62 CFTP 63 any " \
    "64 SAT-EXPAK 65 KRYPTOLAN 66 RVD 67 IPPC 68 any 69 SAT-MON 70 VISA 71 IPCV 72 CPNX 73 CPHB 74 " \
    "WSN 75 PVP 76 BR-SAT-MON 77 SUN-ND 78 WB-MON 79 WB-EXPAK 80 ISO-IP 81 VMTP 82 SECURE-VMTP 83 " \
    "VINES 84 TTP 85 NSFNET-IGP 86 DGP 87 TCF 88 EIGRP 89 OSPF 90 Sprite-RPC 91 LARP 92 MTP 93 " \
    "AX.25 94 IPIP 95 MICP 96 SCC-SP 97 ETHERIP 98 ENCAP 99 any 100 GMTP 101 IFMP 102 PNNI 103 PIM " \
    "104 ARIS 105 SCPS 106 QNX 107 A/N 108 IPComp 109 SNP 110 Compaq-Peer 111 IPX-in-IP 112 VRRP " \
    "113 PGM 114 any 115 L2TP 116 DDX 117 IATP 118 STP 119 SRP 120 UTI 121 SMP 122 PIM-SM 123 PTP " \
    "124 ISIS 125 FIRE 126 CRTP 127 CRUDP 128 SSCOPMCE 129 IPLT 130 SPS 131 PIPE 132 SCTP 133 FC 134 " \
    "RSVP-E2E-IGNORE 135 Mobility 136 UDPLite 137 MPLS-in-IP 138 MANET 139 HIP 140 Shim6 141 WESP " \
    "142 ROHC 253 Exp 254 Exp 255 Reserved", t, " ")
    for (i = 1; i < n; i += 2) _tawk_proto[t[i]] = t[i + 1]
    _tawk_proto_loaded = 1
}

function _tawk_l4is(p) {
    if (_tawk_is_hdr()) return 1
    return $(_validate_col("l4Proto")) == p
}

#: icmp(): the flow is ICMP (l4Proto 1)
function icmp() { return _tawk_l4is(1) }
#: igmp(): the flow is IGMP (l4Proto 2)
function igmp() { return _tawk_l4is(2) }
#: tcp(): the flow is TCP (l4Proto 6)
function tcp() { return _tawk_l4is(6) }
#: udp(): the flow is UDP (l4Proto 17)
function udp() { return _tawk_l4is(17) }
#: rsvp(): the flow is RSVP (l4Proto 46)
function rsvp() { return _tawk_l4is(46) }
#: gre(): the flow is GRE (l4Proto 47)
function gre() { return _tawk_l4is(47) }
#: esp(): the flow is ESP (l4Proto 50)
function esp() { return _tawk_l4is(50) }
#: ah(): the flow is AH (l4Proto 51)
function ah() { return _tawk_l4is(51) }
#: icmp6(): the flow is ICMPv6 (l4Proto 58)
function icmp6() { return _tawk_l4is(58) }
#: sctp(): the flow is SCTP (l4Proto 132)
function sctp() { return _tawk_l4is(132) }

#: ipv4(): the flow is IPv4 (flowStat bit 0x4000, or an IPv4 source address)
function ipv4(    c) {
    if (_tawk_is_hdr()) return 1
    if ("flowStat" in COL) return bitsanyset($(COL["flowStat"]), "0x4000")
    c = _tawk_col("srcIP;srcIP4;srcIP6")
    return c ? isip($c) : ("srcIP4" in COL)
}

#: ipv6(): the flow is IPv6 (flowStat bit 0x8000, or an IPv6 source address)
function ipv6(    c) {
    if (_tawk_is_hdr()) return 1
    if ("flowStat" in COL) return bitsanyset($(COL["flowStat"]), "0x8000")
    c = _tawk_col("srcIP;srcIP4;srcIP6")
    return c ? isip6($c) : ("srcIP6" in COL)
}

#: ip(): the flow is IPv4 or IPv6
function ip() {
    if (_tawk_is_hdr()) return 1
    return ipv4() || ipv6()
}
