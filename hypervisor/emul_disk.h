/* emul_disk.h: the emulated disk, a trap-and-emulate block device at
 * PVHV_EDISK_PORT (pvhv_platform.h says what the guest sees), there to be
 * measured beside the PV disk (bench/blk_bench). */
#ifndef PVHV_EMUL_DISK_H
#define PVHV_EMUL_DISK_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/kvm.h>

struct domain;
struct emul_disk;

/*
 * Make a disk of the file or block device `fd` (kept: a duplicate is
 * taken, the caller still owns `fd`). `readonly`: writes are refused with
 * PVHV_EDISK_ERR_RO. O_DIRECT is turned on for the file when it takes
 * 512-byte I/O that way (the same caching as pvblkback).
 * Returns 0 and the disk in *out, or a negative Xen errno with the reason
 * in `why` (`why_len` bytes, NUL-terminated): -EINVAL not a regular file
 * or block device, or under one sector; -EACCES writable asked of an fd
 * not opened read-write, or an fd that cannot be read; -ENOMEM.
 */
int emul_disk_new(int fd, bool readonly, struct emul_disk **out, char *why, size_t why_len);

/* Close the disk's descriptor and free it. NULL is allowed. */
void emul_disk_free(struct emul_disk *dk);

/*
 * Serve a KVM_EXIT_IO exit if it falls in the disk's port block: returns
 * true when it did (an `in` has its data in `run`), false when the port is
 * not the disk's or `dk` is NULL (no disk: the caller's default answers),
 * with `run` untouched. Any vCPU thread may call it; accesses are
 * serialised by the disk's lock, and the file I/O a command needs is done
 * before it returns.
 */
bool emul_disk_pio(struct emul_disk *dk, struct kvm_run *run);

/*
 * The domain's side: attach (PVHV_CTL_EMUL_DISK_ATTACH) and the disk its
 * vCPUs use. emul_disk_attach returns 0, or -EEXIST when the domain has a
 * disk already, -ESRCH when it is being destroyed, or emul_disk_new's
 * errors, with the reason in `why`. The disk is freed with the domain.
 */
int emul_disk_attach(struct domain *d, int fd, bool readonly, char *why, size_t why_len);
struct emul_disk *emul_disk_of(struct domain *d);

#endif /* PVHV_EMUL_DISK_H */
