# Prints the column names of the first column-name row, sanitised into gawk variable
# names, one per line. Run by the tawk wrapper on the input before the real program, so
# that the names can be defined as variables before any BEGIN block runs.
#
# The row is found with the same test as hdr() in funcs/core.awk, so the row the names
# come from is the row hdr() calls the header.

BEGIN {
    prefix = ENVIRON["_TAWK_PREFIX"]
    hdrnum = ENVIRON["_TAWK_HDRNUM"] + 0
    zeek = ENVIRON["_TAWK_ZEEK"] + 0
}

{
    if (hdrnum) {
        if (FNR != hdrnum) next
    } else if (prefix == "") {
        if (FNR != 1) next
    } else if (index($0, prefix) != 1 || substr($0, length(prefix) + 1) !~ /^[ \t]*[A-Za-z_(]/) {
        next
    }
    line = $0
    if (prefix != "" && index(line, prefix) == 1) {
        line = substr(line, length(prefix) + 1)
        sub(/^ +/, "", line)
    }
    # Zeek's "#fields" is followed by the separator: the first name comes after it.
    if (zeek) sub(/^\t/, "", line)
    n = (FPAT != "" && PROCINFO["FS"] == "FPAT") ? patsplit(line, names) : split(line, names)
    for (i = 1; i <= n; i++) print sanitise(names[i])
    exit
}

function sanitise(name) {
    gsub(/^[ \t\r]+|[ \t\r]+$/, "", name)
    if (name ~ /^".*"$/) name = substr(name, 2, length(name) - 2)
    gsub(/[][ (){}.\/-]/, "_", name)
    if (name ~ /^[0-9]/) name = "_" name
    return name
}
