#!/usr/bin/env python3
"""Seed corpus for T2Fuzz from capture files (pcap, pcapng, gzip-compressed pcap).

    make-seeds.py OUTDIR CAPTURE_OR_DIR...

Writes inputs in T2Fuzz's format (see Fuzz/Sources/T2Fuzz/T2Fuzz.swift):

    [link type index: 1] then per frame [dt: 1][caplen: 2][wire: 2][caplen bytes]

For each capture: every distinct frame alone (up to MAX_SINGLE per capture), and runs
of WINDOW consecutive frames (up to MAX_WINDOWS per capture), so that flow pairing,
fragment series and timeouts start from real traffic. Damaged files are read as far as
they go; a cut last record is kept with the bytes that are there. The captures are
Ethernet, raw IP, Linux cooked or loopback only, so some Ethernet seeds are rewritten
for the other link types T2 decodes (PPP, Cisco HDLC, Frame Relay, ...). Only the
standard library is used, so the script runs wherever python3 does.
"""
import gzip
import hashlib
import io
import os
import struct
import sys

# T2Fuzz's linkTypes table: DLT value -> selector byte. Keep in the same order.
LINK_TYPES = [1, 0, 108, 12, 14, 101, 228, 229, 113, 276, 9, 50, 204, 104, 205, 107, 206, 274]
SELECTOR = {dlt: i for i, dlt in enumerate(LINK_TYPES)}

WINDOW = 8
MAX_SINGLE = 150
MAX_WINDOWS = 40
MAX_FRAME = 0xFFFF


class Frame:
    __slots__ = ("dlt", "ts", "data", "wire")

    def __init__(self, dlt, ts, data, wire):
        self.dlt, self.ts, self.data, self.wire = dlt, ts, data, wire


def read_pcap(buf):
    """Classic pcap, either byte order, micro- or nanosecond timestamps."""
    magic = buf[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        e = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        e = ">"
    else:
        return []
    nano = magic in (b"\x4d\x3c\xb2\xa1", b"\xa1\xb2\x3c\x4d")
    if len(buf) < 24:
        return []
    dlt = struct.unpack(e + "I", buf[20:24])[0] & 0x0FFFFFFF
    frames, off = [], 24
    while off + 16 <= len(buf):
        sec, frac, incl, orig = struct.unpack(e + "IIII", buf[off:off + 16])
        off += 16
        data = buf[off:off + min(incl, MAX_FRAME)]
        frames.append(Frame(dlt, sec + frac / (1e9 if nano else 1e6), data, orig))
        if incl > 0x40000:   # a bogus length: the rest of the file is not records
            break
        off += incl
    return frames


def read_pcapng(buf):
    """pcapng: section header, interface descriptions, enhanced/simple/obsolete packets."""
    frames, off = [], 0
    e = "<"
    ifaces = []   # (dlt, snaplen, ticks per second)
    while off + 12 <= len(buf):
        btype = struct.unpack(e + "I", buf[off:off + 4])[0]
        if btype == 0x0A0D0D0A:
            bom = buf[off + 8:off + 12]
            e = "<" if bom == b"\x4d\x3c\x2b\x1a" else ">"
            ifaces = []
        blen = struct.unpack(e + "I", buf[off + 4:off + 8])[0]
        if blen < 12:
            break
        body = buf[off + 8:off + blen - 4]
        if btype == 1 and len(body) >= 8:
            dlt, _, snap = struct.unpack(e + "HHI", body[:8])
            tsres = 1e6
            o = 8
            while o + 4 <= len(body):
                code, olen = struct.unpack(e + "HH", body[o:o + 4])
                if code == 0:
                    break
                if code == 9 and olen >= 1:
                    r = body[o + 4]
                    tsres = float(2 ** (r & 0x7F)) if r & 0x80 else float(10 ** r)
                o += 4 + (olen + 3) // 4 * 4
            ifaces.append((dlt, snap, tsres))
        elif btype == 6 and len(body) >= 20:
            iid, hi, lo, incl, orig = struct.unpack(e + "IIIII", body[:20])
            if iid < len(ifaces):
                dlt, _, res = ifaces[iid]
                data = body[20:20 + min(incl, MAX_FRAME)]
                frames.append(Frame(dlt, ((hi << 32) | lo) / res, data, orig))
        elif btype == 3 and len(body) >= 4 and ifaces:
            orig = struct.unpack(e + "I", body[:4])[0]
            dlt, snap, _ = ifaces[0]
            data = body[4:4 + min(orig, snap or orig, MAX_FRAME)]
            frames.append(Frame(dlt, frames[-1].ts if frames else 0.0, data, orig))
        elif btype == 2 and len(body) >= 20:
            iid, _, hi, lo, incl, orig = struct.unpack(e + "HHIIII", body[:20])
            if iid < len(ifaces):
                dlt, _, res = ifaces[iid]
                frames.append(Frame(dlt, ((hi << 32) | lo) / res, body[20:20 + min(incl, MAX_FRAME)], orig))
        off += blen
    return frames


def read_capture(path):
    with open(path, "rb") as f:
        buf = f.read()
    if buf[:2] == b"\x1f\x8b":
        try:
            buf = gzip.decompress(buf)
        except (OSError, EOFError):
            # A cut gzip stream: take what decompresses.
            d = gzip.GzipFile(fileobj=io.BytesIO(buf))
            out = bytearray()
            try:
                while True:
                    chunk = d.read(65536)
                    if not chunk:
                        break
                    out += chunk
            except (OSError, EOFError):
                pass
            buf = bytes(out)
    if buf[:4] == b"\x0a\x0d\x0d\x0a":
        return read_pcapng(buf)
    return read_pcap(buf)


def dt_byte(prev, ts):
    """T2Fuzz's clock byte closest to the gap between two frames."""
    if prev is None:
        return 0
    d = ts - prev
    if d < 0:
        return 255
    if d >= 1:
        return min(int(d), 199)
    return 200 + min(int(round(d / 0.02)), 53)


def encode(frames):
    out = bytearray([SELECTOR[frames[0].dlt]])
    prev = None
    for fr in frames:
        data = fr.data[:MAX_FRAME]
        wire = 0 if fr.wire == len(data) else min(max(fr.wire, 1), 0xFFFF)
        out += bytes([dt_byte(prev, fr.ts)]) + struct.pack(">HH", len(data), wire) + data
        prev = fr.ts
    return bytes(out)


def relink(fr, dlt):
    """The Ethernet frame `fr` with the link header of `dlt` in place of its own, or
    None when that link type cannot carry its EtherType."""
    d = fr.data
    if len(d) < 14:
        return None
    etype, payload = struct.unpack(">H", d[12:14])[0], d[14:]
    ip = {0x0800: 4, 0x86DD: 6}.get(etype)
    if dlt in (0, 108):
        if ip is None:
            return None
        fam = 2 if ip == 4 else 24
        hdr = struct.pack("<I" if dlt == 0 else ">I", fam)
    elif dlt in (12, 14, 101):
        if ip is None:
            return None
        hdr = b""
    elif dlt in (228, 229):
        if ip != (4 if dlt == 228 else 6):
            return None
        hdr = b""
    elif dlt == 113:
        hdr = struct.pack(">HHH8sH", 0, 1, 6, d[6:12] + b"\0\0", etype)
    elif dlt == 276:
        hdr = struct.pack(">HHIHBB8s", etype, 0, 2, 1, 0, 6, d[6:12] + b"\0\0")
    elif dlt in (9, 50, 204):
        if ip is None:
            return None
        hdr = b"\xff\x03" + struct.pack(">H", 0x0021 if ip == 4 else 0x0057)
        if dlt == 204:
            hdr = b"\x01" + hdr
    elif dlt in (104, 205):
        hdr = b"\x0f\x00" + struct.pack(">H", etype)
        if dlt == 205:
            hdr = b"\x00" + hdr
    elif dlt in (107, 206):
        hdr = b"\x18\x41" + struct.pack(">H", etype)   # Q.922 address, then the type
        if dlt == 206:
            hdr = b"\x00" + hdr
    elif dlt == 274:
        hdr, payload = b"\x55" * 7 + b"\xd5", d
    else:
        return None
    wire = fr.wire - len(d) + len(hdr) + len(payload)
    return Frame(dlt, fr.ts, hdr + payload, max(wire, 0))


def captures(args):
    for a in args:
        if os.path.isdir(a):
            for root, _, files in sorted(os.walk(a)):
                for name in sorted(files):
                    yield os.path.join(root, name)
        else:
            yield a


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    written = set()
    for path in captures(sys.argv[2:]):
        try:
            frames = read_capture(path)
        except OSError as e:
            print(f"{path}: {e}", file=sys.stderr)
            continue
        frames = [f for f in frames if f.dlt in SELECTOR]
        if not frames:
            continue
        seeds = []
        seen = set()
        for fr in frames:
            h = hashlib.sha1(fr.data).digest()
            if h in seen:
                continue
            seen.add(h)
            seeds.append(encode([fr]))
            if len(seen) >= MAX_SINGLE:
                break
        step = max(WINDOW, len(frames) // MAX_WINDOWS)
        for start in range(0, len(frames), step):
            # pcapng files may mix link types; an input has one.
            run = [f for f in frames[start:start + WINDOW] if f.dlt == frames[start].dlt]
            if len(run) > 1:
                seeds.append(encode(run))
        # The other link types, round robin over this capture's first seeds.
        others = [t for t in LINK_TYPES if t not in (1, 101, 113, 0)]
        if frames[0].dlt == 1:
            singles = [[f] for f in frames[:MAX_SINGLE]]
            windows = [frames[i:i + WINDOW] for i in range(0, min(len(frames), 4 * WINDOW), WINDOW)]
            for k, run in enumerate((singles[:2 * len(others)] + windows)):
                dlt = others[k % len(others)]
                conv = [c for c in (relink(f, dlt) for f in run) if c is not None]
                if conv:
                    seeds.append(encode(conv))
        for s in seeds:
            name = hashlib.sha1(s).hexdigest()
            with open(os.path.join(out, name), "wb") as f:
                f.write(s)
            written.add(name)
    print(f"{len(written)} seeds in {out}")


if __name__ == "__main__":
    main()
