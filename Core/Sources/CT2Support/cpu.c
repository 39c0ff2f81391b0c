// CPU affinity for -c; sched_setaffinity needs _GNU_SOURCE.
#define _GNU_SOURCE
#include <sched.h>
#include "t2support.h"

int t2_bind_cpu(int cpu) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    return sched_setaffinity(0, sizeof(set), &set);
}
