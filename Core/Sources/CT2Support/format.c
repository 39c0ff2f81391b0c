// Float formatting for the text sinks: one snprintf per value, without varargs boxing.
#include <stdio.h>
#include "t2support.h"

int t2_format_double(char *buf, unsigned long size, const char *format, double value) {
    return snprintf(buf, size, format, value);
}
