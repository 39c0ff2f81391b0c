#!/usr/bin/env python3
"""Reference results for the tawk tests, computed in Python from T2's file format and the
tawk spec, without running tawk (so that a tawk bug cannot hide in its own expectations).

    ref.py names FILE                       "%3d<TAB>name" per sanitised column name
    ref.py cols FILE COL...                 the columns of every row, header included
    ref.py filter FILE EXPR                 header + rows where EXPR (Python, row dict r) holds
    ref.py count FILE EXPR                  number of data rows where EXPR holds
    ref.py sort FILE COLS [asc] [NUM] [TYPE]   t2sort semantics (COLS "a;b")
    ref.py aggr FILE KEYS [VAL] [NUM]       aggr semantics (KEYS "a;b")
    ref.py stat FILE COL                    max, min and mean of a numeric column
"""
import ipaddress
import re
import sys


def read(path, prefix="%"):
    with open(path, newline="") as f:
        lines = f.read().split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    header_idx = next(i for i, l in enumerate(lines) if l.startswith(prefix))
    header = lines[header_idx]
    names = header[len(prefix):].lstrip(" ").split("\t")
    rows = [l for i, l in enumerate(lines) if i != header_idx]
    return header, names, rows


def sanitise(name):
    name = re.sub(r"[ (){}\[\]\-./]", "_", name.strip())
    return "_" + name if name[:1].isdigit() else name


def as_dict(names, line):
    return dict(zip(names, line.split("\t")))


def number(v):
    if re.fullmatch(r"0[xX][0-9a-fA-F]+", v):
        return float(int(v, 16))
    return float(v)


def is_number(v):
    try:
        number(v)
        return True
    except ValueError:
        return False


def guess(v):
    if re.fullmatch(r"\d+\.\d+\.\d+\.\d+", v):
        return "ip"
    return "num" if is_number(v) and v.strip() else "str"


def key_of(v, kind):
    if kind == "ip":
        return tuple(int(x) for x in v.split("."))
    if kind == "num":
        return number(v)
    return v.encode()


def main():
    cmd, path = sys.argv[1], sys.argv[2]
    args = sys.argv[3:]
    header, names, rows = read(path)
    hfields = header.split("\t")
    if cmd == "names":
        for i, n in enumerate(names, 1):
            print("%3d\t%s" % (i, sanitise(n)))
    elif cmd == "cols":
        idx = [names.index(c) for c in args]
        for line in [header] + rows:
            f = line.split("\t")
            print("\t".join(f[i] for i in idx))
    elif cmd in ("filter", "count"):
        keep = [l for l in rows if eval(args[0], {"ip": ipaddress, "r": as_dict(names, l)})]
        if cmd == "count":
            print(len(keep))
        else:
            print("\n".join([header] + keep))
    elif cmd == "sort":
        cols = [names.index(c) for c in args[0].split(";")]
        ascending = len(args) > 1 and args[1] == "asc"
        num = int(args[2]) if len(args) > 2 else 0
        if num < 0:
            ascending, num = not ascending, -num
        first = rows[0].split("\t") if rows else []
        kinds = [args[3] if len(args) > 3 else guess(first[c]) for c in cols]
        # GNU sort breaks ties on the whole line, in the same direction.
        out = sorted(rows, key=lambda l: ([key_of(l.split("\t")[c], k) for c, k in zip(cols, kinds)], l.encode()),
                     reverse=not ascending)
        if num:
            out = out[:num]
        print("\n".join([header] + out))
    elif cmd == "aggr":
        keys = [names.index(c) for c in args[0].split(";")]
        val = names.index(args[1]) if len(args) > 1 and args[1] else None
        num = int(args[2]) if len(args) > 2 else 0
        totals = {}
        for l in rows:
            f = l.split("\t")
            k = "\t".join(f[i] for i in keys)
            totals[k] = totals.get(k, 0) + (1 if val is None else number(f[val] or "0"))
        lines = ["%s\t%s" % (k, ("%d" % v) if v == int(v) else repr(v)) for k, v in totals.items()]
        lines.sort(key=lambda l: (float(l.rsplit("\t", 1)[1]), l.encode()), reverse=True)
        if num:
            lines = lines[:num]
        label = "\t".join([names[keys[0]]] + [hfields[i] for i in keys[1:]])
        print("\n".join(["%" + label + "\t" + (names[val] if val is not None else "Count")] + lines))
    elif cmd == "stat":
        c = names.index(args[0])
        vals = [number(l.split("\t")[c]) for l in rows if is_number(l.split("\t")[c])]
        print(max(vals), min(vals), sum(vals) / len(vals))
    else:
        sys.exit("unknown command " + cmd)


if __name__ == "__main__":
    main()
