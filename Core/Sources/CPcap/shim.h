#ifndef T2_CPCAP_SHIM_H
#define T2_CPCAP_SHIM_H
#include <pcap/pcap.h>
#include <zlib.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <signal.h>
#include <getopt.h>
#include <glob.h>
#endif
