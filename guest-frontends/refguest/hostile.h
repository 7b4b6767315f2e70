/* hostile.h: bookkeeping and bad addresses shared by the hostile-hypercall test files. */
#ifndef REFGUEST_HOSTILE_H
#define REFGUEST_HOSTILE_H

#include <pvfront/pvfront.h>

/*
 * Guest addresses every hypercall must refuse with -EFAULT when it has
 * to read or write through them. libpvfront maps 0..3 GiB minus page 0,
 * the APIC page and pvhv's special pages, and nothing else.
 */
#define BAD_NULL      0x0ULL                /* page 0 is not mapped */
#define BAD_UNMAPPED  0x0000400000000000ULL /* lower half, no page table */
#define BAD_NONCANON  0x0000800000000000ULL /* first non-canonical address */
#define BAD_UPPER     0xffff800000000000ULL /* kernel half: never mapped */
#define BAD_XEN       0xffff82d080000000ULL /* where Xen's own text lives */
#define BAD_HOSTLIKE  0x00007f0000000000ULL /* a host user-space address */
#define BAD_WRAP      0xfffffffffffffff0ULL /* range that wraps past 2^64 */

/*
 * A domain id that names no domain, and what a domU gets for naming it:
 * pvhv looks the domain up first and answers -ESRCH, as Xen does (an
 * existing other domain gets -EPERM).
 */
#define NO_SUCH_DOMID 0x7eee
#define WANT_NO_SUCH_DOMAIN(h) (-XEN_ESRCH)

struct bad_ptr {
    const char *name;
    uint64_t addr;
};
/* The list above, for loops: every family runs its pointer cases over it. */
extern const struct bad_ptr bad_ptrs[];
extern const unsigned int nr_bad_ptrs;

struct hostile {
    const struct pvfront_boot_info *bi;
    unsigned int pass, fail, skip;
    /*
     * hole: first guest-virtual address past the end of the RAM range
     * holding the kernel, mapped by the page tables but backed by no RAM
     * (pvhv must refuse it by guest-physical check), or 0 if RAM runs up
     * to the mapped limit. The page below it is free RAM the test uses.
     */
    uintptr_t hole;
    /* Two free pages: objects placed to straddle their boundary. */
    uint8_t *scratch;
};

/* expect: print "PASS name" if got == want, else "FAIL name: got X want Y". */
void expect(struct hostile *h, const char *name, long got, long want);
/* expectf: expect with a printf-formatted name. */
void expectf(struct hostile *h, long got, long want, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* expect_st: expect for GNTST_* statuses (printed by name). */
void expect_st(struct hostile *h, const char *name, long got, long want);
/* skip: print "SKIP name: why" and count it. */
void skip(struct hostile *h, const char *name, const char *why);
/*
 * available: a family is tested only if its probe call did not answer
 * -ENOSYS (pvhv has not implemented it yet); otherwise one SKIP line.
 */
int available(struct hostile *h, const char *family, long probe);
/* errname: "-EFAULT" style name of a Xen errno result, or NULL. */
const char *errname(long v);

/*
 * raw_hypercall: hypercall `nr` issued with pvhv's own instruction (`out`
 * to PVHV_HYPERCALL_PORT, pvhv_hypercall.h) rather than through a stub of
 * the hypercall page, so no stub code touches the arguments first.
 */
long raw_hypercall(unsigned int nr, unsigned long a1, unsigned long a2, unsigned long a3);

/* One function per hypercall family, in hostile_*.c. */
void hostile_console(struct hostile *h);
void hostile_sched(struct hostile *h);
void hostile_version(struct hostile *h);
void hostile_numbers(struct hostile *h);
void hostile_vcpu(struct hostile *h);
void hostile_multicall(struct hostile *h);
void hostile_memory(struct hostile *h);
void hostile_hvm(struct hostile *h);
void hostile_timer(struct hostile *h);
void hostile_evtchn(struct hostile *h);
void hostile_gnttab(struct hostile *h);

#endif /* REFGUEST_HOSTILE_H */
