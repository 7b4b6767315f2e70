/* hypercall.h: hypercall dispatch. Each hypercall family lives in its own
 * hc_*.c file and registers its numbers with HYPERCALL(). */
#ifndef PVHV_HYPERCALL_H
#define PVHV_HYPERCALL_H

#include <stddef.h>
#include <stdint.h>

#include "domain.h"
#include "vcpu.h"

/* What a hypercall handler sees of its caller. */
struct hc_ctx {
    struct domain *dom;
    struct vcpu *v;
    struct vcpu_exit *exit;
    struct guest_paging pg;
    int multicall_depth; /* 1 inside a multicall */
};

/*
 * A handler gets the five argument registers (rdi, rsi, rdx, r10, r8) and
 * returns the value for rax: >= 0 on success, a negative Xen errno on
 * failure. Guest pointers in arguments are guest-virtual addresses: read
 * them only with hc_copy_from/hc_copy_to.
 */
typedef int64_t (*hypercall_fn)(struct hc_ctx *c, const uint64_t a[5]);

/*
 * Claim hypercall number `nr` for `fn`. Called before main() by HYPERCALL();
 * a number claimed twice or out of range stops pvhv at start-up with a
 * message, so the table can never silently change hands.
 */
void hypercall_register(unsigned nr, const char *name, hypercall_fn fn);

#define HYPERCALL(nr, fn)                                             \
    static void __attribute__((constructor)) hc_register_##fn(void) { \
        hypercall_register((nr), #fn, (fn));                          \
    }

/* Run hypercall `nr` (also used by multicall). Unknown: -ENOSYS. */
int64_t hypercall_call(struct hc_ctx *c, uint64_t nr, const uint64_t a[5]);

/* Handle the hypercall exit `v` just took: read registers, dispatch,
 * write rax. */
void hypercall_from_exit(struct vcpu *v);

/* Handle a KVM_EXIT_XEN hypercall (KVM's Xen support intercepted a
 * vmcall/vmmcall): same dispatch, result into run->xen. */
void hypercall_from_xen_exit(struct vcpu *v);

/* Fill the hypercall page at guest-physical `gpa` (must be RAM or the
 * pvhv hypercall page). Returns 0 or -EINVAL. */
int hypercall_page_install(struct domain *d, uint64_t gpa);
/* Write the hypercall stubs into a 4096-byte buffer. */
void hypercall_page_fill(uint8_t *page);

/* Checked guest-virtual copies for handlers: 0 or -EFAULT. */
int hc_copy_from(struct hc_ctx *c, void *dst, uint64_t gva, size_t len);
int hc_copy_to(struct hc_ctx *c, uint64_t gva, const void *src, size_t len);

/* Name of a registered hypercall, or NULL. */
const char *hypercall_name(unsigned nr);

#endif
