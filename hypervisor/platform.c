/* platform.c: what differs between PVM and VT-x/SVM hosts. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <pvhv/pvhv_platform.h>

#include "kvm.h"
#include "log.h"
#include "platform.h"

uint32_t platform_kind = PVHV_PLATFORM_HVM;

/* PVM's identification MSR reads "PVM". */
#define PVM_ID_MSR 0x4b564d11U
#define PVM_ID     0x4d5650ULL
/* Emulated instructions per tick above which a vCPU counts as emulated:
 * native guests trap a few thousand times a second at most, emulated ones
 * run ~1.4 million instructions a second through the emulator. */
#define EMULATED_PER_TICK 50000

int platform_init(void)
{
    const char *force = getenv("PV_PLATFORM");
    uint64_t id = 0;

    if (force && !strcmp(force, "hvm")) {
        platform_kind = PVHV_PLATFORM_HVM;
    } else if (force && !strcmp(force, "pvm")) {
        platform_kind = PVHV_PLATFORM_PVM;
    } else {
        platform_kind = kvm_probe_msr(PVM_ID_MSR, &id) == 0 && id == PVM_ID
                            ? PVHV_PLATFORM_PVM : PVHV_PLATFORM_HVM;
    }
    log_info("KVM platform: %s", platform_kind == PVHV_PLATFORM_PVM
                                     ? "PVM (software virtualisation)"
                                     : "hardware virtualisation (VT-x/SVM)");
    return 0;
}

/* Find insn_emulation in the vCPU's binary stats. */
static int open_stats(struct vcpu *v)
{
    struct kvm_stats_header h;
    int fd = ioctl(v->fd, KVM_GET_STATS_FD, NULL);

    if (fd < 0)
        return -errno;
    if (pread(fd, &h, sizeof(h), 0) != sizeof(h)) {
        close(fd);
        return -EIO;
    }
    size_t dsz = sizeof(struct kvm_stats_desc) + h.name_size;
    char *descs = malloc(dsz * h.num_desc);
    if (!descs) {
        close(fd);
        return -ENOMEM;
    }
    int r = -ENOENT;
    if (pread(fd, descs, dsz * h.num_desc, h.desc_offset) == (ssize_t)(dsz * h.num_desc)) {
        for (uint32_t i = 0; i < h.num_desc; i++) {
            struct kvm_stats_desc *d = (void *)(descs + i * dsz);
            if (!strncmp(d->name, "insn_emulation", h.name_size) &&
                strlen("insn_emulation") < h.name_size) {
                v->insn_stat_off = h.data_offset + d->offset;
                r = 0;
                break;
            }
        }
    }
    free(descs);
    if (r < 0) {
        close(fd);
        return r;
    }
    v->stats_fd = fd;
    return 0;
}

int platform_vcpu_init(struct vcpu *v)
{
    v->mode = PVHV_VCPU_MODE_UNKNOWN;
    /* Stats are a diagnostic: a kernel without them still runs guests. */
    if (open_stats(v) < 0)
        v->stats_fd = -1;
    return 0;
}

static uint64_t read_insn(struct vcpu *v)
{
    uint64_t n = 0;

    if (v->stats_fd < 0 || pread(v->stats_fd, &n, 8, (off_t)v->insn_stat_off) != 8)
        return 0;
    return n;
}

void platform_tick(struct domain *d)
{
    uint64_t now = now_ns();

    pthread_mutex_lock(&d->lock);
    bool running = d->started && !d->paused && !d->shutdown && !d->dying;
    for (unsigned i = 0; running && i < d->nr_vcpus; i++) {
        struct vcpu *v = &d->vcpus[i];
        uint64_t insn = read_insn(v), delta = insn - v->last_insn;
        v->last_insn = insn;
        if (!v->online)
            continue;
        if (platform_kind != PVHV_PLATFORM_PVM) {
            v->mode = PVHV_VCPU_MODE_HVM;
            continue;
        }
        if (delta < EMULATED_PER_TICK) {
            v->mode = PVHV_VCPU_MODE_NATIVE;
            v->emulated_since = 0;
            continue;
        }
        v->mode = PVHV_VCPU_MODE_EMULATED;
        if (!v->emulated_since)
            v->emulated_since = now;
        if (now - v->emulated_since > PVHV_EMULATED_BOUND_MS * 1000000ULL) {
            unsigned id = v->id;
            uint64_t ms = (now - v->emulated_since) / 1000000;
            pthread_mutex_unlock(&d->lock);
            domain_crash(d, "vCPU %u stayed in PVM's emulated mode for %lu ms "
                            "(a guest must switch itself to native mode)",
                         id, (unsigned long)ms);
            return;
        }
    }
    pthread_mutex_unlock(&d->lock);
}

void platform_vcpu_mode(struct vcpu *v, struct platform_vcpu_mode *m)
{
    m->insn_emulated = read_insn(v);
    pthread_mutex_lock(&v->dom->lock);
    m->mode = v->mode;
    pthread_mutex_unlock(&v->dom->lock);
}
