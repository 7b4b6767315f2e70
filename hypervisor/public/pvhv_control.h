/* SPDX-License-Identifier: MIT */
/*
 * pvhv_control.h: the control protocol between dom0 programs and the pvhv
 * daemon (a pvhv addition; Xen's equivalent is domctl/sysctl).
 *
 * Transport: a SOCK_SEQPACKET unix socket at $PV_RUNDIR/pvhv.sock (default
 * /run/pv), mode 0600. pvhv checks the peer's credentials (SO_PEERCRED) and
 * serves root only. One datagram is one message, so a message is never split
 * or merged; file descriptors travel beside a message as SCM_RIGHTS.
 *
 * Every request is a pvhv_ctl_request header plus `len` bytes of payload;
 * every reply a pvhv_ctl_reply header plus its payload. A reply carries the
 * request's `seq`. Rules:
 * 1. A message shorter than its header, with a wrong magic, or whose `len`
 *    disagrees with its size gets status -EINVAL (its seq, if readable).
 * 2. A wrong `version` gets -ENOSYS (Xen's errnos have no EPROTO), the
 *    reply's `version` set to the one pvhv speaks.
 * 3. An unknown op gets -ENOSYS. A payload of the wrong size gets -EINVAL.
 * 4. A peer that is not root is sent one -EPERM reply and disconnected.
 * 5. Statuses are negative Xen errnos (errno.h), 0 for success.
 * All integers are little-endian (host order on x86_64).
 */
#ifndef PVHV_PUBLIC_PVHV_CONTROL_H
#define PVHV_PUBLIC_PVHV_CONTROL_H

#include "pvhv_abi.h"

#define PVHV_CTL_SOCKET_NAME "pvhv.sock" /* under $PV_RUNDIR */
#define PVHV_CTL_MAGIC   0x43485650U     /* "PVHC" */
#define PVHV_CTL_VERSION 2 /* 2: pvhv_ctl_vcpuinfo.timer_port, kvm_runstate */
/* Largest message in either direction, header included. */
#define PVHV_CTL_MSG_MAX 65536
/* Most file descriptors one message carries. */
#define PVHV_CTL_MAX_FDS 4

struct pvhv_ctl_request {
    uint32_t magic;   /* PVHV_CTL_MAGIC */
    uint16_t version; /* PVHV_CTL_VERSION */
    uint16_t op;      /* PVHV_CTL_* */
    uint32_t seq;     /* chosen by the client, echoed in the reply */
    uint32_t len;     /* payload bytes after this header */
};
PVHV_ABI_SIZE(struct pvhv_ctl_request, 16);

struct pvhv_ctl_reply {
    uint32_t magic;   /* PVHV_CTL_MAGIC */
    uint16_t version; /* PVHV_CTL_VERSION */
    uint16_t op;      /* the request's op */
    uint32_t seq;     /* the request's seq */
    uint32_t len;     /* payload bytes after this header */
    int32_t status;   /* 0 or a negative Xen errno */
    uint32_t pad0;    /* zero */
};
PVHV_ABI_SIZE(struct pvhv_ctl_reply, 24);

/* Longest domain name, NUL included (as xl: names live in xenstore). */
#define PVHV_NAME_MAX 64

/*
 * Operations. Numbers are never reused.
 *
 * PVHV_CTL_CREATE: make an empty, paused domain.
 *   IN  pvhv_ctl_create. OUT pvhv_ctl_domid.
 *   -EINVAL bad vcpus/memory; -ENOMEM no RAM; -ENOSPC no free domid.
 * PVHV_CTL_LOAD_KERNEL: load an ELF kernel (fd 0 of the message) and an
 *   optional initrd (fd 1) into a created, never-run domain; builds the
 *   start page. IN pvhv_ctl_load. -EBADF missing fd; -ENOEXEC bad ELF
 *   (the reply payload is a NUL-terminated message saying why); -EBUSY the
 *   domain already ran.
 * PVHV_CTL_UNPAUSE / PVHV_CTL_PAUSE / PVHV_CTL_DESTROY: IN pvhv_ctl_domid.
 *   -ESRCH no such domain. Pausing a paused domain or unpausing a running
 *   one is not an error. Unpause of a domain without a kernel: -EINVAL.
 * PVHV_CTL_SHUTDOWN: ask the domain to shut down (as xl shutdown): IN
 *   pvhv_ctl_shutdown. With no guest cooperation yet, pvhv records the
 *   reason and stops the domain at once.
 * PVHV_CTL_GETINFO: IN pvhv_ctl_domid. OUT pvhv_ctl_dominfo.
 * PVHV_CTL_LIST: IN pvhv_ctl_list. OUT pvhv_ctl_dominfo[], domains with
 *   domid >= first, in domid order, at most max.
 * PVHV_CTL_CONSOLE_READ: the domain's hypervisor console (what it wrote
 *   with console_io), like `xl dmesg` for one domain. IN
 *   pvhv_ctl_console_read. OUT pvhv_ctl_console_data then the bytes.
 *   The log keeps the last PVHV_CONSOLE_LOG_SIZE bytes.
 * PVHV_CTL_CONSOLE_INPUT: type into the domain's hypervisor console. IN
 *   pvhv_ctl_console_input then `len` bytes. The guest reads them with
 *   CONSOLEIO_read and is told by VIRQ_CONSOLE. OUT pvhv_ctl_domid-sized
 *   count: uint32 bytes taken (fewer when the 4 KiB input buffer is full).
 * PVHV_CTL_VCPUINFO: per-vCPU state (as xl vcpu-list). IN pvhv_ctl_domid.
 *   OUT pvhv_ctl_vcpuinfo[nr_vcpus].
 *
 * dom0's event channels (event_channel.h, "dom0's ends are eventfds"):
 * PVHV_CTL_EVTCHN_BIND_UNBOUND: a dom0 port domain `remote_dom` may bind
 *   to. IN pvhv_ctl_evtchn (remote_port ignored). OUT pvhv_ctl_evtchn with
 *   `port`, and two fds: [0] readable when the guest signals the port,
 *   [1] write 8 bytes (an eventfd counter) to signal the guest.
 * PVHV_CTL_EVTCHN_BIND_INTERDOMAIN: bind to the guest's unbound port
 *   `remote_port` (allocated for dom0). IN/OUT and fds as above. -ESRCH no
 *   such domain; -EINVAL the port is not unbound for dom0.
 * PVHV_CTL_EVTCHN_CLOSE: IN pvhv_ctl_evtchn (`port`). The guest's end
 *   becomes unbound. A connection's ports close when it closes.
 *
 * dom0's grant access (grant_table.h), checked as Xen checks it:
 * PVHV_CTL_GNTTAB_MAP: IN pvhv_ctl_gnttab_map then `count` grant_ref_t.
 *   OUT `count` pvhv_ctl_gnttab_mapping (status GNTST_*, and for each
 *   mapped one a handle and the page's offset in the fd), and one fd: the
 *   granting domain's memory, read-only when GNTMAP_readonly was asked.
 *   mmap exactly those offsets. The grants stay in use (GTF_reading /
 *   GTF_writing) until unmapped or the connection closes.
 * PVHV_CTL_GNTTAB_UNMAP: IN `count` uint32_t handles. OUT `count` int16
 *   GNTST_* statuses.
 * PVHV_CTL_GNTTAB_COPY: IN `count` struct gnttab_copy (grant_table.h),
 *   where a side without its GNTCOPY_*_gref flag is an address in the
 *   caller's own memory (u.gmfn holds it). OUT the same array with each
 *   op's status. pvhv copies with process_vm_readv/writev.
 *
 * The toolstack's view of a domain (what libxenctrl does with domctls):
 * PVHV_CTL_HVM_PARAM_GET: IN pvhv_ctl_hvm_param (domid, index). OUT the
 *   same with `value`. pvhv sets HVM_PARAM_STORE_PFN/_EVTCHN and
 *   HVM_PARAM_CONSOLE_PFN/_EVTCHN at create: the ring pages sit at
 *   PVHV_STORE_RING_GPA and PVHV_CONSOLE_RING_GPA, and each event channel
 *   is a guest port left unbound for dom0 (the xenstore and console
 *   daemons bind to it). -ESRCH no such domain; -EINVAL bad index.
 * PVHV_CTL_FOREIGN_MAP: IN pvhv_ctl_foreign_map. OUT the same with
 *   `offset`, and one fd: the domain's memory, read-write. mmap `count`
 *   pages at `offset` to see guest frames gfn..gfn+count-1 (RAM or pvhv's
 *   special pages, all in one region). Privileged, as Xen's foreign maps
 *   are: no grant is needed. -ESRCH no such domain; -EINVAL a frame out
 *   of range or count 0 or over PVHV_FOREIGN_MAP_MAX.
 *
 * The emulated disk (pvhv_platform.h, PVHV_EDISK_PORT):
 * PVHV_CTL_EMUL_DISK_ATTACH: give the domain its emulated disk: a regular
 *   file or a block device, passed as fd 0 of the message. pvhv keeps the
 *   descriptor until the domain is destroyed, and uses O_DIRECT on it when
 *   the file takes it (as pvblkback does). The guest sees the disk from its
 *   next port access; the toolstack attaches before the first unpause. IN
 *   pvhv_ctl_emul_disk. On error the reply payload is a NUL-terminated
 *   message saying why. -ESRCH no such domain; -EBADF no fd (or more than
 *   one); -EEXIST the domain has one already (at most one per domain);
 *   -EINVAL unknown flags, neither a regular file nor a block device, or
 *   smaller than one sector; -EACCES a writable disk asked of an fd not
 *   opened read-write, or an fd that cannot be read.
 */
#define PVHV_CTL_CREATE        1
#define PVHV_CTL_LOAD_KERNEL   2
#define PVHV_CTL_UNPAUSE       3
#define PVHV_CTL_PAUSE         4
#define PVHV_CTL_DESTROY       5
#define PVHV_CTL_SHUTDOWN      6
#define PVHV_CTL_GETINFO       7
#define PVHV_CTL_LIST          8
#define PVHV_CTL_CONSOLE_READ  9
#define PVHV_CTL_VCPUINFO      10
#define PVHV_CTL_EVTCHN_BIND_UNBOUND     11
#define PVHV_CTL_EVTCHN_BIND_INTERDOMAIN 12
#define PVHV_CTL_EVTCHN_CLOSE            13
#define PVHV_CTL_GNTTAB_MAP              14
#define PVHV_CTL_GNTTAB_UNMAP            15
#define PVHV_CTL_GNTTAB_COPY             16
#define PVHV_CTL_CONSOLE_INPUT           17
#define PVHV_CTL_HVM_PARAM_GET           18
#define PVHV_CTL_FOREIGN_MAP             19
#define PVHV_CTL_EMUL_DISK_ATTACH        20

#define PVHV_MAX_VCPUS 64
#define PVHV_CONSOLE_LOG_SIZE (64 * 1024)

struct pvhv_ctl_create {
    uint8_t handle[16];      /* IN: the domain's uuid (opaque to pvhv) */
    char name[PVHV_NAME_MAX]; /* IN: NUL-terminated, for messages only */
    uint64_t memory_kib;     /* IN: guest RAM, a multiple of 4 KiB, > 0 */
    uint32_t max_vcpus;      /* IN: 1..PVHV_MAX_VCPUS */
    uint32_t flags;          /* IN: zero */
};
PVHV_ABI_SIZE(struct pvhv_ctl_create, 96);

struct pvhv_ctl_domid {
    uint32_t domid; /* IN or OUT */
    uint32_t pad0;  /* zero */
};
PVHV_ABI_SIZE(struct pvhv_ctl_domid, 8);

struct pvhv_ctl_load {
    uint32_t domid;     /* IN */
    uint32_t flags;     /* IN: PVHV_LOAD_F_* */
    char cmdline[1024]; /* IN: NUL-terminated guest command line */
};
PVHV_ABI_SIZE(struct pvhv_ctl_load, 1032);
#define PVHV_LOAD_F_RAMDISK (1U << 0) /* an initrd fd follows the kernel fd */

struct pvhv_ctl_shutdown {
    uint32_t domid;  /* IN */
    uint32_t reason; /* IN: SHUTDOWN_* (sched.h) */
};
PVHV_ABI_SIZE(struct pvhv_ctl_shutdown, 8);

/* Domain states (pvhv_ctl_dominfo.state), as Xen's domain flags. */
#define PVHV_DOMSTATE_RUNNING  1 /* at least one vCPU runs or is runnable */
#define PVHV_DOMSTATE_BLOCKED  2 /* every vCPU waits for an event */
#define PVHV_DOMSTATE_PAUSED   3 /* stopped by the toolstack */
#define PVHV_DOMSTATE_SHUTDOWN 4 /* the guest shut down; see shutdown_reason */
#define PVHV_DOMSTATE_DYING    5 /* being destroyed */
#define PVHV_DOMSTATE_CRASHED  6 /* shutdown with reason SHUTDOWN_crash */

struct pvhv_ctl_dominfo {
    uint32_t domid;
    uint32_t state;            /* PVHV_DOMSTATE_* */
    uint32_t shutdown_reason;  /* SHUTDOWN_*; valid in SHUTDOWN/CRASHED */
    uint32_t nr_vcpus;         /* vCPUs created */
    uint32_t nr_online_vcpus;  /* vCPUs up */
    uint32_t shutdown_code;    /* SCHEDOP_shutdown_code value, or ~0 */
    uint64_t memory_kib;       /* guest RAM */
    uint64_t cpu_time_ns;      /* CPU time of all vCPU threads */
    uint64_t uptime_ns;        /* since the first unpause */
    uint8_t handle[16];        /* the uuid given at create */
    char name[PVHV_NAME_MAX];  /* the name given at create */
    char crash_msg[128];       /* why pvhv crashed it, or "" */
};
PVHV_ABI_SIZE(struct pvhv_ctl_dominfo, 256);
PVHV_ABI_OFFSET(struct pvhv_ctl_dominfo, memory_kib, 24);
PVHV_ABI_OFFSET(struct pvhv_ctl_dominfo, handle, 48);
PVHV_ABI_OFFSET(struct pvhv_ctl_dominfo, name, 64);
PVHV_ABI_OFFSET(struct pvhv_ctl_dominfo, crash_msg, 128);

/* How a vCPU executes, as KVM reports it (pvhv_ctl_vcpuinfo.mode). */
#define PVHV_VCPU_MODE_UNKNOWN  0 /* not run yet */
#define PVHV_VCPU_MODE_NATIVE   1 /* PVM: runs natively (few emulated insns) */
#define PVHV_VCPU_MODE_EMULATED 2 /* PVM: runs in KVM's instruction emulator */
#define PVHV_VCPU_MODE_HVM      3 /* VT-x/SVM: hardware virtualisation */

struct pvhv_ctl_vcpuinfo {
    uint32_t vcpu;          /* vCPU id */
    uint32_t online;        /* 1 when up */
    uint32_t blocked;       /* 1 while in SCHEDOP_block/poll */
    uint32_t mode;          /* PVHV_VCPU_MODE_* at the last check */
    uint64_t cpu_time_ns;   /* CPU time of its thread */
    uint64_t insn_emulated; /* KVM's count of instructions it emulated */
    uint64_t exits;         /* exits to pvhv */
    uint64_t hypercalls;    /* hypercalls served */
    uint32_t timer_port;    /* KVM runs its singleshot timer, raising this
                             * port (KVM's Xen support); 0: pvhv does */
    uint32_t kvm_runstate;  /* 1 while KVM keeps its runstate area */
};
PVHV_ABI_SIZE(struct pvhv_ctl_vcpuinfo, 56);

struct pvhv_ctl_console_input {
    uint32_t domid; /* IN */
    uint32_t len;   /* IN: bytes that follow, at most PVHV_CONSOLE_INPUT_SIZE */
};
PVHV_ABI_SIZE(struct pvhv_ctl_console_input, 8);
#define PVHV_CONSOLE_INPUT_SIZE 4096

struct pvhv_ctl_evtchn {
    uint32_t remote_dom;  /* IN: the guest */
    uint32_t remote_port; /* IN: its unbound port (BIND_INTERDOMAIN) */
    uint32_t port;        /* IN (CLOSE) / OUT (BIND_*): the dom0 port */
    uint32_t pad0;        /* zero */
};
PVHV_ABI_SIZE(struct pvhv_ctl_evtchn, 16);

struct pvhv_ctl_gnttab_map {
    uint32_t domid;  /* IN: the granting domain */
    uint32_t count;  /* IN: grant refs that follow, 1..PVHV_GNTTAB_MAP_MAX */
    uint32_t flags;  /* IN: GNTMAP_readonly or 0 */
    uint32_t pad0;   /* zero */
};
PVHV_ABI_SIZE(struct pvhv_ctl_gnttab_map, 16);
#define PVHV_GNTTAB_MAP_MAX 1024

struct pvhv_ctl_gnttab_mapping {
    int16_t status;   /* OUT: GNTST_* */
    uint16_t pad0;    /* zero */
    uint32_t handle;  /* OUT: for UNMAP */
    uint64_t offset;  /* OUT: the page's offset in the memory fd */
};
PVHV_ABI_SIZE(struct pvhv_ctl_gnttab_mapping, 16);

struct pvhv_ctl_hvm_param {
    uint32_t domid;  /* IN */
    uint32_t index;  /* IN: HVM_PARAM_* (hvm/params.h) */
    uint64_t value;  /* OUT */
};
PVHV_ABI_SIZE(struct pvhv_ctl_hvm_param, 16);

struct pvhv_ctl_foreign_map {
    uint32_t domid;  /* IN */
    uint32_t count;  /* IN: pages, 1..PVHV_FOREIGN_MAP_MAX */
    uint64_t gfn;    /* IN: first guest frame */
    uint64_t offset; /* OUT: its offset in the memory fd */
};
PVHV_ABI_SIZE(struct pvhv_ctl_foreign_map, 24);
#define PVHV_FOREIGN_MAP_MAX 1024

struct pvhv_ctl_emul_disk {
    uint32_t domid;  /* IN */
    uint32_t flags;  /* IN: PVHV_EMUL_DISK_F_* */
};
PVHV_ABI_SIZE(struct pvhv_ctl_emul_disk, 8);
#define PVHV_EMUL_DISK_F_READONLY (1U << 0) /* the guest may not write it */

struct pvhv_ctl_list {
    uint32_t first; /* IN: smallest domid to report */
    uint32_t max;   /* IN: most entries wanted, 1..255 */
};
PVHV_ABI_SIZE(struct pvhv_ctl_list, 8);

struct pvhv_ctl_console_read {
    uint32_t domid;  /* IN */
    uint32_t max;    /* IN: most bytes wanted (capped to fit a message) */
    uint64_t offset; /* IN: byte offset in the domain's console stream */
};
PVHV_ABI_SIZE(struct pvhv_ctl_console_read, 16);

struct pvhv_ctl_console_data {
    uint64_t offset; /* OUT: stream offset of the first byte returned
                      *      (later than asked if those bytes were dropped) */
    uint64_t end;    /* OUT: stream offset after the last byte written */
};
PVHV_ABI_SIZE(struct pvhv_ctl_console_data, 16);

#endif /* PVHV_PUBLIC_PVHV_CONTROL_H */
