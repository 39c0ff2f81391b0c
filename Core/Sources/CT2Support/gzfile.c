// A stdio stream over zlib, so that libpcap (pcap_fopen_offline) can read gzip
// captures. fopencookie needs _GNU_SOURCE, which Swift's Glibc import does not set.
#define _GNU_SOURCE
#include <stdio.h>
#include <zlib.h>
#include "t2support.h"

static ssize_t gz_read(void *cookie, char *buf, size_t size) {
    int n = gzread((gzFile)cookie, buf, (unsigned)(size > 0x7fffffff ? 0x7fffffff : size));
    return n < 0 ? -1 : n;
}

static int gz_close(void *cookie) {
    return gzclose((gzFile)cookie) == Z_OK ? 0 : -1;
}

FILE *t2_gzip_fopen(const char *path) {
    gzFile gz = gzopen(path, "rb");
    if (!gz) return NULL;
    cookie_io_functions_t io = { .read = gz_read, .write = NULL, .seek = NULL, .close = gz_close };
    FILE *f = fopencookie(gz, "rb", io);
    if (!f) gzclose(gz);
    return f;
}
