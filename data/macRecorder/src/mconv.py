#!/usr/bin/env python3
"""Builds macRecorder's label table macEthlbl_HLP.bin from T2's macEthlbl_HL.txt(.bz2).

The text table (T2 0.9.3's, from the IEEE MA-L/MA-M/MA-S/IAB/CID registries plus
hand-made multicast entries) has one record per line:
    macEType<TAB>mask<TAB>bef<TAB>shortCorp<TAB>corporation
The binary table is what the plugin maps at start-up, in T2's layout (little endian):
    record 0:  u64 N, u32 0, u32 label mode (MR_MACLBL)
    record i:  u64 key, u32 vec (the mask), u32 beF, char label[LEN + 1]
padded to a multiple of 8 bytes (32 bytes for mode 2). beF bit 0 marks the end record
of a range; records whose key has an EtherType part (low 16 bits) carry in beF >> 1 the
index of the last record sharing their 48-bit part, where the lookup's second search
stops. Records are sorted by their 48-bit part only; records with an equal 48-bit part
come in reverse input order, as in the reference table (the Cisco EtherType-specific
group is descending, so 01:00:0c:cc:cc:cc with EtherType 0x2004 finds no label).

    mconv.py [-m MODE] [-s SORGLEN] [-l ORGLEN] [INPUT] [OUTPUT]
MODE is MR_MACLBL (1: no label stored, 2: short name, 3: long name); SORGLEN / ORGLEN
are MAC_SORGLEN / MAC_ORGLEN. Labels are cut to that many bytes, as T2 does.
"""
import argparse
import bz2
import struct


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("-m", "--mode", type=int, default=2)
    ap.add_argument("-s", "--sorglen", type=int, default=12)
    ap.add_argument("-l", "--orglen", type=int, default=44)
    ap.add_argument("input", nargs="?", default="macEthlbl_HL.txt.bz2")
    ap.add_argument("output", nargs="?", default="macEthlbl_HLP.bin")
    a = ap.parse_args()

    opener = bz2.open if a.input.endswith(".bz2") else open
    recs = []
    with opener(a.input, "rb") as f:
        for line in f:
            line = line.rstrip(b"\r\n")
            if not line or line.startswith(b"#"):
                continue
            t = line.split(b"\t")
            key = int(t[0], 16)
            recs.append((key, int(t[1]), int(t[2]), t[3], t[4] if len(t) > 4 else b""))

    # Stable sort of the reversed input on the 48-bit part: equal parts in reverse order.
    recs.reverse()
    recs.sort(key=lambda r: r[0] >> 16)

    if a.mode == 3:
        lablen = a.orglen + 1
    elif a.mode == 2:
        lablen = a.sorglen + 1
    else:
        lablen = 0
    size = (16 + lablen + 7) & ~7
    n = len(recs)

    # Last record (1-based) of each run of equal 48-bit parts.
    last = [0] * n
    j = n - 1
    while j >= 0:
        k = j
        while k > 0 and recs[k - 1][0] >> 16 == recs[j][0] >> 16:
            k -= 1
        for x in range(k, j + 1):
            last[x] = j + 1
        j = k - 1

    out = bytearray(size * (n + 1))
    struct.pack_into("<QII", out, 0, n, 0, a.mode)
    for i, (key, mask, bef, short, long_) in enumerate(recs):
        bef_f = bef & 1
        if key & 0xFFFF:
            bef_f |= last[i] << 1
        o = size * (i + 1)
        struct.pack_into("<QII", out, o, key, mask, bef_f)
        if lablen:
            lab = (long_ if a.mode == 3 else short)[: lablen - 1]
            out[o + 16 : o + 16 + len(lab)] = lab
    with open(a.output, "wb") as f:
        f.write(out)
    print("%s: %d records, mode %d, %d bytes each" % (a.output, n, a.mode, size))


if __name__ == "__main__":
    main()
