#ifndef T2SUPPORT_H
#define T2SUPPORT_H
#include <stdio.h>

/// A FILE* reading the decompressed bytes of a gzip file (NULL on failure).
FILE *t2_gzip_fopen(const char *path);



/// Binds the process to one CPU (0-based); 0 on success.
int t2_bind_cpu(int cpu);
#endif
#ifndef T2SUPPORT_FMT
#define T2SUPPORT_FMT
/// snprintf of one double: Swift's withVaList boxes every argument, which is slow for
/// the per-flow float columns.
int t2_format_double(char *buf, unsigned long size, const char *format, double value);
#endif
