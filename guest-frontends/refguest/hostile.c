/* hostile.c: the `hypercalls` command: runs every family's cases and tallies them. */
#include "hostile.h"
#include "refguest.h"

const struct bad_ptr bad_ptrs[] = {
    { "NULL", BAD_NULL },
    { "unmapped", BAD_UNMAPPED },
    { "non-canonical", BAD_NONCANON },
    { "upper-half", BAD_UPPER },
    { "xen-text", BAD_XEN },
    { "host-like", BAD_HOSTLIKE },
    { "wrapping", BAD_WRAP },
};
const unsigned int nr_bad_ptrs = sizeof bad_ptrs / sizeof bad_ptrs[0];

static const struct { long v; const char *name; } errnames[] = {
    { -XEN_EPERM, "-EPERM" },   { -XEN_ENOENT, "-ENOENT" }, { -XEN_ESRCH, "-ESRCH" },
    { -XEN_EFAULT, "-EFAULT" }, { -XEN_EEXIST, "-EEXIST" }, { -XEN_EINVAL, "-EINVAL" },
    { -XEN_ENOSPC, "-ENOSPC" }, { -XEN_ENOSYS, "-ENOSYS" }, { -XEN_ETIME, "-ETIME" },
    { -XEN_ENOBUFS, "-ENOBUFS" }, { -XEN_ENODATA, "-ENODATA" }, { -XEN_EBUSY, "-EBUSY" },
    { -XEN_EOPNOTSUPP, "-EOPNOTSUPP" }, { -XEN_ENOMEM, "-ENOMEM" }, { -XEN_EACCES, "-EACCES" },
};

const char *errname(long v)
{
    for (size_t i = 0; i < sizeof errnames / sizeof errnames[0]; i++)
        if (errnames[i].v == v)
            return errnames[i].name;
    return NULL;
}

static void show(char *buf, size_t len, long v)
{
    const char *n = errname(v);
    if (n)
        pvfront_snprintf(buf, len, "%s(%ld)", n, v);
    else
        pvfront_snprintf(buf, len, "%ld(%#lx)", v, (unsigned long)v);
}

void expect(struct hostile *h, const char *name, long got, long want)
{
    if (got == want) {
        h->pass++;
        pvfront_printf("PASS %s\n", name);
        return;
    }
    char g[40], w[40];
    show(g, sizeof g, got);
    show(w, sizeof w, want);
    h->fail++;
    pvfront_printf("FAIL %s: got %s want %s\n", name, g, w);
}

static const char *const gntst_names[] = {
    "GNTST_okay", "GNTST_general_error", "GNTST_bad_domain", "GNTST_bad_gntref",
    "GNTST_bad_handle", "GNTST_bad_virt_addr", "GNTST_bad_dev_addr", "GNTST_no_device_space",
    "GNTST_permission_denied", "GNTST_bad_page", "GNTST_bad_copy_arg", "GNTST_address_too_big",
    "GNTST_eagain", "GNTST_no_space",
};

static void show_st(char *buf, size_t len, long v)
{
    if (v <= 0 && -v < (long)(sizeof gntst_names / sizeof gntst_names[0]))
        pvfront_snprintf(buf, len, "%s(%ld)", gntst_names[-v], v);
    else
        show(buf, len, v);
}

void expect_st(struct hostile *h, const char *name, long got, long want)
{
    if (got == want) {
        h->pass++;
        pvfront_printf("PASS %s\n", name);
        return;
    }
    char g[40], w[40];
    show_st(g, sizeof g, got);
    show_st(w, sizeof w, want);
    h->fail++;
    pvfront_printf("FAIL %s: got %s want %s\n", name, g, w);
}

void expectf(struct hostile *h, long got, long want, const char *fmt, ...)
{
    char name[160];
    va_list ap;
    va_start(ap, fmt);
    pvfront_vsnprintf(name, sizeof name, fmt, ap);
    va_end(ap);
    expect(h, name, got, want);
}

void skip(struct hostile *h, const char *name, const char *why)
{
    h->skip++;
    pvfront_printf("SKIP %s: %s\n", name, why);
}

int available(struct hostile *h, const char *family, long probe)
{
    if (probe != -XEN_ENOSYS)
        return 1;
    skip(h, family, "not implemented by this hypervisor (probe answered -ENOSYS)");
    return 0;
}

long raw_hypercall(unsigned int nr, unsigned long a1, unsigned long a2, unsigned long a3)
{
    register unsigned long r10 __asm__("r10") = 0;
    register unsigned long r8 __asm__("r8") = 0;
    unsigned long rax = nr;

    __asm__ volatile("out %%eax, %[port]"
                     : "+a"(rax), "+D"(a1), "+S"(a2), "+d"(a3), "+r"(r10), "+r"(r8)
                     : [port] "i"(PVHV_HYPERCALL_PORT)
                     : "memory", "cc");
    return (long)rax;
}

/* The end of the RAM range holding the kernel, if a mapped non-RAM page follows it. */
static uintptr_t find_hole(const struct pvfront_boot_info *bi)
{
    uint64_t end = 0;
    for (uint32_t i = 0; i < bi->memmap_entries; i++) {
        const struct hvm_memmap_table_entry *e = &bi->memmap[i];
        if (e->type == XEN_HVM_MEMMAP_TYPE_RAM && e->addr <= bi->free_start &&
            bi->free_start < e->addr + e->size)
            end = e->addr + e->size;
    }
    for (uint32_t i = 0; i < bi->memmap_entries; i++)
        if (bi->memmap[i].type == XEN_HVM_MEMMAP_TYPE_RAM && bi->memmap[i].addr == end)
            return 0; /* RAM continues */
    if (!end || end >= PVFRONT_MAPPED_LIMIT || end != bi->free_end ||
        bi->free_end - bi->free_start < 4 * XEN_PAGE_SIZE)
        return 0;
    return (uintptr_t)end;
}

int cmd_hypercalls(const struct pvfront_boot_info *bi)
{
    static uint8_t scratch[2 * XEN_PAGE_SIZE] __attribute__((aligned(XEN_PAGE_SIZE)));
    struct hostile h = { .bi = bi, .hole = find_hole(bi), .scratch = scratch };

    pvfront_printf("hypercalls: domid %u, %u vcpus, hole at %#lx\n", bi->domid, bi->nr_cpus,
                   (unsigned long)h.hole);
    hostile_numbers(&h);
    hostile_console(&h);
    hostile_sched(&h);
    hostile_version(&h);
    hostile_vcpu(&h);
    hostile_multicall(&h);
    hostile_memory(&h);
    hostile_hvm(&h);
    hostile_timer(&h);
    hostile_evtchn(&h);
    hostile_gnttab(&h);
    pvfront_printf("hypercalls: %u skipped\n", h.skip);
    pvfront_printf("hypercalls: %u passed, %u failed\n", h.pass, h.fail);
    return h.fail ? 1 : 0;
}
