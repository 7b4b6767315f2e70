/* cpu.c: where pvbench's measured code runs. On a shared machine one CPU
 * can be a third slower than the other at the same moment (the host's own
 * load), so a figure and its baseline are timed on the same CPU: the raw
 * VM's vCPU, the measuring guest's vCPU thread in pvhv, and the paired
 * baseline runs. */
#include <dirent.h>
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "pvbench.h"

int cpu_default(void)
{
    cpu_set_t set;

    if (sched_getaffinity(0, sizeof(set), &set) < 0)
        return -1;
    for (int c = 0; c < CPU_SETSIZE; c++)
        if (CPU_ISSET(c, &set))
            return c;
    return -1;
}

bool cpu_allowed(int cpu)
{
    cpu_set_t set;

    return cpu >= 0 && cpu < CPU_SETSIZE && sched_getaffinity(0, sizeof(set), &set) == 0 &&
           CPU_ISSET(cpu, &set);
}

int cpu_pin_self(int cpu, cpu_set_t *old)
{
    cpu_set_t one;

    if (old && sched_getaffinity(0, sizeof(*old), old) < 0)
        return -errno;
    if (cpu < 0)
        return 0;
    CPU_ZERO(&one);
    CPU_SET(cpu, &one);
    return sched_setaffinity(0, sizeof(one), &one) < 0 ? -errno : 0;
}

void cpu_restore_self(const cpu_set_t *old)
{
    sched_setaffinity(0, sizeof(*old), old);
}

int cpu_pin_thread(pid_t pid, const char *name, int cpu)
{
    char path[64], comm[32];
    struct dirent *e;
    cpu_set_t one;
    int r = -ESRCH;

    if (cpu < 0)
        return 0;
    snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
    DIR *d = opendir(path);
    if (!d)
        return -errno;
    CPU_ZERO(&one);
    CPU_SET(cpu, &one);
    while ((e = readdir(d))) {
        pid_t tid = (pid_t)atoi(e->d_name);
        if (tid <= 0)
            continue;
        snprintf(path, sizeof(path), "/proc/%d/task/%d/comm", (int)pid, (int)tid);
        FILE *f = fopen(path, "r");
        if (!f)
            continue;
        bool match = fgets(comm, sizeof(comm), f) && (comm[strcspn(comm, "\n")] = 0, 1) &&
                     !strcmp(comm, name);
        fclose(f);
        if (match) {
            r = sched_setaffinity(tid, sizeof(one), &one) < 0 ? -errno : 0;
            break;
        }
    }
    closedir(d);
    return r;
}
